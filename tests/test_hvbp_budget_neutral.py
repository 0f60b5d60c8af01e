"""HVBP's exchange slope found from the budget-neutral pool, across a network of hospitals, and each
measure's achievement and improvement points kept in the ledger and shown.

slope = sum_h B_h / sum_h (TPS_h/100 x B_h): with each hospital's withhold the applicable
percentage of its base payments B_h, the hospitals are paid back exactly what was withheld.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from engine_support import COMMISSIONER, dump, lines, load_text
from hvbp_network import MEASURES, network, network_body, network_rows
from hypothesis import given, settings
from hypothesis import strategies as st
from schemes_support import contract_of, provider_amounts, settle_rows, template
from test_schemes_hvbp import MIDPOINTS

from obc_settle.audit.explain import explain_provider
from obc_settle.audit.explain_text import explanation_lines
from obc_settle.ledger.derivation import derivation_of
from obc_settle.ledger.invariants import violations
from obc_settle.render.commissioner_report import render_report_html, report_context
from obc_settle.render.html_statement import statement_html
from obc_settle.render.statement_view import statement_context, statement_view
from obc_settle.render.xlsx_statement import write_statement_xlsx

SHARES = {"H1": Decimal("0.5"), "H2": Decimal("0.3"), "H3": Decimal("0.2")}
"""B_h / sum of B: £25m, £15m and £10m of base-operating payments out of £50m."""
VALUES = {
    # every measure half way from AT to BM (5 achievement points; 6 improvement points on four)
    "H1": dict(MIDPOINTS),
    # at the benchmark on AMI survival and CLABSI: 10 points on each
    "H2": dict(MIDPOINTS) | {"MORT_30_AMI": (89, 100), "CLABSI": (0, 1000)},
    # below the threshold and the baseline on AMI survival, worse than the baseline on MSPB: 0 points
    "H3": dict(MIDPOINTS) | {"MORT_30_AMI": (80, 100), "MSPB": (1001, 1000)},
}


def _tps(points: dict[str, int]) -> Fraction:
    """The template's TPS by hand: four domains of 25%, each the mean of its measures' points x 10."""
    domains = [
        ("MORT_30_AMI", "MORT_30_HF"),
        ("HCAHPS_COMMS_NURSES", "HCAHPS_RESPONSIVENESS"),
        ("CLABSI", "CAUTI"),
    ]
    score = sum((Fraction(points[a] + points[b], 20) for a, b in domains), Fraction(0)) + Fraction(
        points["MSPB"], 10
    )
    return 100 * score / 4


MIDPOINT_POINTS = {"MORT_30_AMI": 6, "MORT_30_HF": 5, "HCAHPS_COMMS_NURSES": 6, "HCAHPS_RESPONSIVENESS": 6}
MIDPOINT_POINTS |= {"CLABSI": 6, "CAUTI": 5, "MSPB": 5}


@pytest.fixture(scope="module")
def settled() -> tuple[Any, Any]:
    contract = network(SHARES)
    return contract, settle_rows(contract, network_rows(VALUES))


def test_the_slope_is_sum_of_base_payments_over_sum_of_tps_times_base_payments(
    settled: tuple[Any, Any],
) -> None:
    """By hand: TPS 55, 65 and 35; slope = £50m / (0.55 x £25m + 0.65 x £15m + 0.35 x £10m) = 50/27."""
    contract, ledger = settled
    tps = {
        "H1": _tps(MIDPOINT_POINTS),
        "H2": _tps(MIDPOINT_POINTS | {"MORT_30_AMI": 10, "CLABSI": 10}),
        "H3": _tps(MIDPOINT_POINTS | {"MORT_30_AMI": 0, "MSPB": 0}),
    }
    assert tps == {"H1": 55, "H2": 65, "H3": 35}
    base = {h: 50_000_000 * Fraction(share) for h, share in SHARES.items()}
    slope = sum(base.values()) / sum(tps[h] / 100 * base[h] for h in base)
    assert slope == Fraction(50, 27)
    for row in lines(ledger, "outcome").iter_rows(named=True):
        kept = derivation_of(row["derivation"])["exchange_slope"]
        assert Fraction(kept["slope"]) == slope
        assert Fraction(kept["party_tps"]) == tps[row["party_id"]]
        assert kept["withheld_pence"] == 100_000_000  # 2% of £50m
    assert violations(ledger, contract) == []


def test_the_hospitals_are_paid_back_exactly_what_was_withheld_to_the_penny(settled: tuple[Any, Any]) -> None:
    _, ledger = settled
    withheld, earned = provider_amounts(ledger, "withheld"), provider_amounts(ledger, "outcome")
    assert withheld == {"H1": 50_000_000, "H2": 30_000_000, "H3": 20_000_000}  # 2% of each B_h
    assert sum(earned.values()) == sum(withheld.values())
    assert earned == {"H1": 50_925_925, "H2": 36_111_111, "H3": 12_962_964}  # docs/methodology.md, section 26
    # each hospital: its withheld money x TPS/100 x slope, within a penny a line
    for h, tps in {"H1": 55, "H2": 65, "H3": 35}.items():
        exact = withheld[h] * tps / 100 * Fraction(50, 27)
        assert abs(earned[h] - exact) < len(MEASURES)
    assert sum(lines(ledger, "retained", COMMISSIONER)["amount_pence"]) == 0  # the commissioner keeps nothing


def test_each_line_is_its_exact_earning_rounded_once_down_or_up(settled: tuple[Any, Any]) -> None:
    _, ledger = settled
    for row in lines(ledger, "outcome").iter_rows(named=True):
        exact = Fraction(derivation_of(row["derivation"])["earned_exact"])
        assert exact == row["available_pence"] * Fraction(row["score_exact"]) * Fraction(50, 27)
        assert row["amount_pence"] in (
            exact.numerator // exact.denominator,
            -(-exact.numerator // exact.denominator),
        )


def test_each_measure_keeps_its_achievement_and_improvement_points(settled: tuple[Any, Any]) -> None:
    _, ledger = settled
    points = {
        row["indicator_id"]: derivation_of(row["derivation"])["points"]
        for row in lines(ledger, "outcome").iter_rows(named=True)
    }
    assert points["MORT_30_AMI_H1"] == {
        "achievement": "5",
        "improvement": "6",
        "taken": "improvement",
        "points": "6",
        "of": "10",
    }
    assert points["MORT_30_AMI_H2"] == {
        "achievement": "10",
        "improvement": "9",
        "taken": "achievement",
        "points": "10",
        "of": "10",
    }
    assert points["MORT_30_AMI_H3"]["points"] == "0"
    retained = lines(ledger, "retained", COMMISSIONER).row(0, named=True)
    assert derivation_of(retained["derivation"])["points"]["points"] == "6"  # the commissioner's line too


def test_the_statement_shows_the_points_and_how_the_slope_was_found(
    settled: tuple[Any, Any], tmp_path: Path
) -> None:
    contract, ledger = settled
    view = statement_view(ledger, "H2", statement_context(contract, "H2", "run-test"))
    # amounts in the contract's currency: the template's may be dollars; compared here as pounds
    page = html.unescape(re.sub(r"<[^>]+>", " ", statement_html(view))).replace("$", "£")
    assert "achievement 10, improvement 9 of 9: 10 points of 10 (achievement)" in page
    assert "achievement 5, improvement 6 of 9: 6 points of 10 (improvement)" in page
    assert "exchange slope 1.8519 (50/27), budget neutral" in page
    assert "all providers' withheld £1,000,000.00 / Σ TPS/100 × withheld £540,000.00" in page
    assert "your TPS 65 on your withheld £300,000.00" in page
    assert not re.search(r"\d pence", page)  # amounts in pounds
    write_statement_xlsx(view, tmp_path / "H2.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "H2.xlsx")["Lines"]
    notes = [str(row[-1]).replace("$", "£") for row in sheet.iter_rows(values_only=True)]
    assert any("achievement 10, improvement 9 of 9: 10 points of 10" in note for note in notes)
    assert any("exchange slope 1.8519 (50/27)" in note and "£1,000,000.00" in note for note in notes)


def test_the_commissioners_report_shows_the_slope_each_hospitals_tps_and_points(
    settled: tuple[Any, Any],
) -> None:
    contract, ledger = settled
    page = html.unescape(render_report_html(ledger, report_context(contract, "run-test")))
    assert "Exchange slope 1.8519 (50/27), budget neutral" in page
    assert "total performance scores: H1 55, H2 65, H3 35" in page
    # each measure's points, in the indicator notes: the report derives every hospital's score
    assert "achievement 5, improvement 6 of 9: 6 points of 10 (improvement)" in page
    assert "achievement 10, improvement 9 of 9: 10 points of 10 (achievement)" in page


def test_explain_derives_the_slope_and_shows_the_points(settled: tuple[Any, Any]) -> None:
    contract, ledger = settled
    text = "\n".join(explanation_lines(explain_provider(ledger, contract, "H3", "MSPB_H3", None, "run-test")))
    assert "points: achievement 0, improvement 0 of 9: 0 points of 10 (achievement)" in text
    assert "Σ W = Σ available over the providers' outcome lines = 100000000 pence" in text
    assert "Σ TPS/100 × W = Σ available × score = 54000000 pence" in text
    assert (
        "this provider: W = 20000000 pence, Σ available × score = 7000000 pence, TPS = 100 × 7000000 / 20000000 = 35"
        in text
    )
    assert "slope = Σ W / Σ (TPS/100 × W) = 100000000 / 54000000 = 50/27 ≈ 1.8518518519" in text
    assert "largest remainder" in text


def test_when_no_hospital_earns_a_point_there_is_no_slope_and_nothing_is_paid() -> None:
    contract = network(SHARES)
    below = {"MORT_30_AMI": (80, 100), "MORT_30_HF": (80, 100), "HCAHPS_COMMS_NURSES": (70, 100)}
    below |= {"HCAHPS_RESPONSIVENESS": (60, 100), "CLABSI": (95, 100), "CAUTI": (90, 100), "MSPB": (11, 10)}
    ledger = settle_rows(contract, network_rows(dict.fromkeys(SHARES, below)))
    assert set(provider_amounts(ledger, "outcome").values()) == {0}
    assert int(lines(ledger, "retained", COMMISSIONER)["amount_pence"].sum()) == 100_000_000
    assert derivation_of(lines(ledger, "outcome")["derivation"][0])["exchange_slope"]["slope"] is None
    assert violations(ledger, contract) == []


def test_a_contract_slope_leaves_other_contracts_ledgers_without_a_slope_derivation() -> None:
    rows = [("HOSPITAL", m, "2025-10", n, d) for m, (n, d) in MIDPOINTS.items()]
    ledger = settle_rows(contract_of(template("hvbp")), rows)
    for text in lines(ledger, "outcome")["derivation"]:
        assert set(derivation_of(text)) == {"points"}  # HVBP's points, and no slope: it is the contract's 2.9


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=4),
    st.lists(st.integers(min_value=0, max_value=1000), min_size=28, max_size=28),
)
@pytest.mark.slow
def test_budget_neutral_pays_back_the_pool_to_the_penny_whatever_the_hospitals_score(
    sizes: list[int], numerators: list[int]
) -> None:
    """Any number of hospitals of any sizes, any performance: total paid = total withheld, each line
    within a penny of available x score x slope, and every ledger invariant holds."""
    total = sum(sizes)
    shares = {f"H{i + 1}": Decimal(size) / Decimal(total) for i, size in enumerate(sizes)}
    rounded = {h: s.quantize(Decimal("0.000001")) for h, s in shares.items()}
    first = next(iter(rounded))
    rounded[first] += Decimal(1) - sum(rounded.values())  # shares as written: six places summing to 1
    if any(s <= 0 for s in rounded.values()):
        return
    contract = network(rounded)
    values = {
        h: {m: (numerators[(i * 7 + j) % 28], 1000) for j, m in enumerate(MEASURES)}
        for i, h in enumerate(rounded)
    }
    ledger = settle_rows(contract, network_rows(values))
    assert violations(ledger, contract) == []
    earned, withheld = provider_amounts(ledger, "outcome"), provider_amounts(ledger, "withheld")
    outcome = lines(ledger, "outcome")
    weighted = sum(
        Fraction(a) * Fraction(s) for a, s in outcome.select("available_pence", "score_exact").iter_rows()
    )
    assert sum(earned.values()) == (sum(withheld.values()) if weighted else 0)
    if weighted:
        slope = Fraction(sum(withheld.values())) / weighted
        for a, s, amount in outcome.select("available_pence", "score_exact", "amount_pence").iter_rows():
            assert abs(amount - a * Fraction(s) * slope) < 1


@pytest.mark.parametrize(
    ("change", "found"),
    [
        (lambda body: body["contract_years"][0].update(withheld_proportion=Decimal(0)), "C050"),
        (lambda body: body.update(unearned="redistributed"), "C027"),
        (lambda body: body["outcome_framework"].update(exchange_slope="budget neutral"), "C012"),
    ],
    ids=["nothing withheld", "redistributed", "misspelt"],
)
def test_a_budget_neutral_slope_that_cannot_work_is_a_located_finding(change: Any, found: str) -> None:
    """One finding, at the slope's value."""
    body = template("hvbp")
    body["outcome_framework"]["exchange_slope"] = "budget_neutral"
    change(body)
    text = dump(body)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.lstrip().startswith("exchange_slope:"))
    loaded, findings = load_text(text)
    assert loaded is None
    assert [(f.code, f.location.line, f.location.column) for f in findings] == [
        (found, line, text.splitlines()[line - 1].index(":") + 3)
    ]


def test_the_network_body_is_a_valid_contract_with_a_budget_neutral_slope() -> None:
    contract = contract_of(network_body(SHARES))
    assert contract.outcome_framework.budget_neutral
    assert contract.outcome_framework.fixed_slope is None
