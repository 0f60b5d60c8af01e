"""Subcontract money derived indicator by indicator (issue 14): in the ledger's derivation, on the
subcontractor's and the prime's statements (HTML, PDF, Excel) and in `explain`; the money each
party receives is unchanged (the golden ledger), and the parts always add up to the line."""

from __future__ import annotations

import html
import re
import subprocess
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from engine_support import D, contract_dict, dump, indicator, load_text, monthly
from golden_cases import CASES, GOLDEN, ROOT, settle_case
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from page_checks import NEEDS_POPPLER, chart_disagreements

from obc_settle.audit.explain import explain_provider
from obc_settle.audit.explain_text import explanation_lines
from obc_settle.contract.loader import load_contract
from obc_settle.contract.mechanisms import Subcontract
from obc_settle.contract.models import Contract
from obc_settle.engine import settle
from obc_settle.engine.subcontracts import subcontract_lines
from obc_settle.ledger.derivation import derivation_of
from obc_settle.ledger.invariants import violations
from obc_settle.periods import SettlementPeriod
from obc_settle.render import labels
from obc_settle.render.html_statement import statement_html
from obc_settle.render.pdf_statement import write_statement_pdf
from obc_settle.render.statement_view import statement_context, statement_view
from obc_settle.render.xlsx_statement import write_statement_xlsx

YEAR = SettlementPeriod.parse("2025-26")
CASE = next(case for case in CASES if case.name == "staffordshire_outcomes_year_end_reconciled")


@pytest.fixture(scope="module")
def staffordshire() -> tuple[Contract, pl.DataFrame]:
    loaded, findings = load_contract(ROOT / "contracts" / f"{CASE.contract}.yaml")
    assert loaded is not None, findings
    return loaded.contract.in_force("2026-27"), settle_case(CASE)


def _subcontract_rows(ledger: pl.DataFrame, party: str | None = None) -> list[dict[str, Any]]:
    rows = ledger.filter(pl.col("line_type") == "subcontract")
    if party is not None:
        rows = rows.filter(pl.col("party_id") == party)
    return rows.to_dicts()


def test_each_party_receives_what_the_golden_ledger_says(
    staffordshire: tuple[Contract, pl.DataFrame],
) -> None:
    _, ledger = staffordshire
    golden = pl.read_csv(GOLDEN / CASE.name / "ledger.csv", infer_schema_length=0)
    before = {
        (r["party_id"], int(r["amount_pence"]))
        for r in golden.filter(pl.col("line_type") == "subcontract").to_dicts()
    }
    after = {(r["party_id"], int(r["amount_pence"])) for r in _subcontract_rows(ledger)}
    assert after == before and len(after) == 8
    for party in ("UHNM", "MPFT", "KATH", "DMH", "SGPF"):
        net = golden.filter((pl.col("party_id") == party) & (pl.col("line_type") == "net_payable"))
        mine = ledger.filter((pl.col("party_id") == party) & (pl.col("line_type") == "net_payable"))
        assert int(net["amount_pence"].item()) == int(mine["amount_pence"].item())


def test_the_parts_by_indicator_add_up_to_each_line(staffordshire: tuple[Contract, pl.DataFrame]) -> None:
    _, ledger = staffordshire
    earned = {
        r["indicator_id"]: int(r["amount_pence"])
        for r in ledger.filter((pl.col("party_id") == "UHNM") & (pl.col("line_type") == "outcome")).to_dicts()
    }
    for row in _subcontract_rows(ledger):
        steps = derivation_of(row["derivation"])
        parts = [int(item["part_pence"]) for item in steps["indicators"]]
        assert sum(parts) == abs(int(row["amount_pence"])) == steps["total_pence"]
        for item in steps["indicators"]:
            assert item["earned_pence"] == earned[item["indicator_id"]]
            assert abs(item["part_pence"] - Fraction(steps["share"]) * item["earned_pence"]) < 1
            assert sum(int(p["pence"]) for p in item["split"]) == item["earned_pence"]
    kath = derivation_of(_subcontract_rows(ledger, "KATH")[0]["derivation"])
    assert [i["indicator_id"] for i in kath["indicators"]] == ["died_in_preferred_place", "eol_care_plan"]
    assert kath["prime"] == "UHNM" and kath["share"] == "0.2"
    # the prime's line carries the same derivation as the subcontractor's, with the opposite amount
    prime_lines = {r["derivation"]: int(r["amount_pence"]) for r in _subcontract_rows(ledger, "UHNM")}
    for sub in ("KATH", "DMH", "MPFT", "SGPF"):
        (row,) = _subcontract_rows(ledger, sub)
        assert prime_lines[row["derivation"]] == -int(row["amount_pence"])


def test_an_invariant_names_parts_that_do_not_add_up(staffordshire: tuple[Contract, pl.DataFrame]) -> None:
    contract, ledger = staffordshire
    assert violations(ledger, contract) == []
    text = _subcontract_rows(ledger, "KATH")[0]["derivation"]
    broken = ledger.with_columns(
        derivation=pl.when((pl.col("party_id") == "KATH") & (pl.col("line_type") == "subcontract"))
        .then(pl.lit(text.replace('"part_pence":7997129', '"part_pence":7997130')))
        .otherwise(pl.col("derivation"))
    )
    found = [(v.invariant, v.party) for v in violations(broken, contract)]
    assert ("subcontracts", "KATH") in found and ("subcontracts", None) in found


def test_a_subcontractors_statement_shows_where_its_money_came_from(
    staffordshire: tuple[Contract, pl.DataFrame],
) -> None:
    contract, ledger = staffordshire
    view = statement_view(ledger, "MPFT", statement_context(contract, "MPFT", "run-1"))
    assert view.indicators == ()  # no "0.0% of £... £0.00" rows on the prime's indicators
    assert any(row["line_type"] == "outcome" for row in view.lines)  # the Excel ledger sheet keeps them
    table = view.subcontracts
    assert table is not None and [g.counterparty_id for g in table.groups] == ["UHNM"]
    (group,) = table.groups
    shown = [(r.indicator_id, r.earned, r.share, r.product, r.exact, r.part, r.by_split) for r in group.rows]
    assert shown[:2] == [
        ("one_year_survival", "£573,139.75", "15%", "0.15 × 573,139.75", "85,970.9625", "£85,970.96", False),
        ("early_diagnosis", "£282,186.23", "15%", "0.15 × 282,186.23", "42,327.9345", "£42,327.94", True),
    ]
    assert group.total == table.total == "£364,333.01"
    money = view.money_line("subcontract")
    assert money is not None and money.pence == sum(r.part_pence for r in group.rows) == 36433301
    assert money.label == "Subcontract money from UHNM"
    page = statement_html(view)
    for text in (
        "Subcontract money by indicator",
        "Adults alive one year after a cancer diagnosis",
        "£573,139.75",
        "£85,970.96",
        '0.15 × 282,186.23<span class="meta">= 42,327.9345</span>',
        "Total from UHNM (the subcontract line)",
    ):
        assert text in page
    assert (
        '>0.0%<span class="meta">of' not in page
        and "Outcome indicators and the money earned on each" not in page
    )


def test_a_primes_statement_shows_what_it_passed_to_each_subcontractor(
    staffordshire: tuple[Contract, pl.DataFrame],
) -> None:
    contract, ledger = staffordshire
    view = statement_view(ledger, "UHNM", statement_context(contract, "UHNM", "run-1"))
    assert len(view.indicators) == 5
    table = view.subcontracts
    assert table is not None
    assert [(g.counterparty_id, g.total_pence) for g in table.groups] == [
        ("KATH", -18798082),
        ("DMH", -23497603),
        ("MPFT", -36433301),
        ("SGPF", -2821862),
    ]
    assert (
        table.total_pence == sum(line.pence for line in view.money if line.key == "subcontract") == -81550848
    )
    labels = [line.label for line in view.money if line.key == "subcontract"]
    assert labels[0] == "Passed on to KATH (subcontract)"


def test_the_workbook_has_a_sheet_of_subcontract_money(
    staffordshire: tuple[Contract, pl.DataFrame], tmp_path: Path
) -> None:
    contract, ledger = staffordshire
    path = tmp_path / "KATH.xlsx"
    write_statement_xlsx(statement_view(ledger, "KATH", statement_context(contract, "KATH", "run-1")), path)
    sheet = load_workbook(path)["Subcontracts"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    parts = [row for row in rows if row[3] is not None]
    assert [(r[0], r[1], r[3], Decimal(str(r[7])), r[8], r[9], r[11]) for r in parts] == [
        (
            "received",
            "UHNM",
            "died_in_preferred_place",
            Decimal("399856.47"),
            "20%",
            "0.2 × 399,856.47 = 79,971.294",
            7997129,
        ),
        (
            "received",
            "UHNM",
            "eol_care_plan",
            Decimal("540047.63"),
            "20%",
            "0.2 × 540,047.63 = 108,009.526",
            10800953,
        ),
    ]
    assert rows[-2][11] == rows[-1][11] == 18798082  # the line's total, and the total


@pytest.mark.pdf
@NEEDS_POPPLER
def test_the_pdf_statement_shows_each_indicator_part(
    staffordshire: tuple[Contract, pl.DataFrame], tmp_path: Path
) -> None:
    contract, ledger = staffordshire
    path = tmp_path / "SGPF.pdf"
    write_statement_pdf(statement_view(ledger, "SGPF", statement_context(contract, "SGPF", "run-1")), path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    page = " ".join(text.stdout.split())
    assert "Subcontract money by indicator" in page
    assert "Cancers diagnosed at stage 1 or 2 56.7% £282,186.23 10% 0.1 × 282,186.23 £28,218.62" in page
    assert "= 28,218.623" in page and "£28,218.623" not in page
    assert "Total from UHNM (the subcontract line) £28,218.62" in page


AMOUNT_WITH_MORE_THAN_TWO_DECIMALS = re.compile(r"[£$€]\d[\d,]*\.\d{3,}")


def test_the_exact_product_reads_as_a_product_not_a_misprinted_amount(
    staffordshire: tuple[Contract, pl.DataFrame], tmp_path: Path
) -> None:
    contract, ledger = staffordshire
    view = statement_view(ledger, "KATH", statement_context(contract, "KATH", "run-1"))
    page = statement_html(view)
    assert '0.2 × 399,856.47<span class="meta">= 79,971.294</span>' in page
    assert "Share &times; earned (exact)" in page and "Part, to the penny" in page
    assert not AMOUNT_WITH_MORE_THAN_TWO_DECIMALS.search(page)  # pounds only ever to the penny
    assert "A part marked † differs by a penny" in html.unescape(page)
    path = tmp_path / "KATH.xlsx"
    write_statement_xlsx(view, path)
    sheet = load_workbook(path)["Subcontracts"]
    header = [cell.value for cell in sheet[1]]
    cells = [str(cell.value) for row in sheet.iter_rows(min_row=2) for cell in row if cell.value is not None]
    assert "Share × earned (exact)" in header
    assert "0.2 × 540,047.63 = 108,009.526" in cells
    assert not any(AMOUNT_WITH_MORE_THAN_TWO_DECIMALS.search(text) for text in cells)


def test_a_subcontractors_statement_says_its_money_is_a_share_of_the_primes_earnings(
    staffordshire: tuple[Contract, pl.DataFrame], tmp_path: Path
) -> None:
    contract, ledger = staffordshire
    view = statement_view(ledger, "MPFT", statement_context(contract, "MPFT", "run-1"))
    page = html.unescape(statement_html(view))
    outcomes = page.split('<h2 id="outcomes">')[1].split("</section>")[0]
    assert "No outcome indicator money is attributed to you" not in page
    assert "your outcome money is a share of the prime's earnings, 15% of what" in outcomes
    assert "“Subcontract money by indicator” below" in outcomes
    earned = view.money_line("earned")
    assert earned is not None and "share of the prime's earnings" in earned.explanation
    prime = {
        r["indicator_id"]: r
        for r in ledger.filter((pl.col("party_id") == "UHNM") & (pl.col("line_type") == "outcome")).to_dicts()
    }
    assert view.subcontracts is not None
    for row in view.subcontracts.groups[
        0
    ].rows:  # the prime's achieved value and score, from its outcome line
        line = prime[row.indicator_id]
        assert row.earned_pence == line["amount_pence"]
        assert row.prime_achieved == labels.level(line["achieved"], line["indicator_kind"])
        assert row.prime_score == labels.score(line["score"], line["score_exact"])
        assert (
            f'<td class="num level">{row.prime_achieved}</td><td class="num">{row.prime_score}</td>' in page
        )
    assert '<th scope="col" class="num">Prime\'s score</th>' in page
    mine = statement_view(ledger, "UHNM", statement_context(contract, "UHNM", "run-1"))
    assert mine.subcontracts is not None and mine.subcontracts.whose == "Your"
    path = tmp_path / "MPFT.xlsx"
    write_statement_xlsx(view, path)
    sheet = load_workbook(path)["Subcontracts"]
    assert [cell.value for cell in sheet[1]][5:7] == ["Prime's achieved", "Prime's score"]
    early = next(row for row in sheet.iter_rows(min_row=2, values_only=True) if row[3] == "early_diagnosis")
    assert early[5] == pytest.approx(prime["early_diagnosis"]["achieved"])
    assert early[6] == pytest.approx(float(prime["early_diagnosis"]["score"]))


def test_nothing_at_risk_leaves_the_zero_steps_out_of_the_waterfall(
    staffordshire: tuple[Contract, pl.DataFrame],
) -> None:
    contract, ledger = staffordshire
    view = statement_view(ledger, "MPFT", statement_context(contract, "MPFT", "run-1"))
    withheld = view.money_line("withheld")
    assert withheld is not None and withheld.pence == 0  # a subcontractor: nothing at risk
    bars = view.waterfall.bars
    assert [bar.label for bar in bars] == [
        "Base payment + withheld",  # + nothing: the starting bar is the base payment
        "Risk/gain share",
        "Subcontract money from UHNM",
        "Net payable",
    ]
    adds = [line.pence for line in view.money if not line.memo and not line.emphasis]
    net = view.money_line("net_payable")
    assert net is not None and sum(adds) == net.pence  # the table still adds up, and the bars to it
    page = statement_html(view)
    chart = page.split('<figure class="chart waterfall"')[1].split("</figure>")[0]
    assert "+£0.00" not in chart and ">Withheld<" not in chart and ">Earned<" not in chart
    assert chart_disagreements(page) == []
    prime = statement_view(ledger, "UHNM", statement_context(contract, "UHNM", "run-1"))
    assert [bar.label for bar in prime.waterfall.bars][:3] == [
        "Base payment + withheld",
        "Withheld",
        "Earned",
    ]


@pytest.mark.pdf
@NEEDS_POPPLER
def test_the_pdf_says_where_a_subcontractors_money_comes_from_without_zero_steps(
    staffordshire: tuple[Contract, pl.DataFrame], tmp_path: Path
) -> None:
    contract, ledger = staffordshire
    path = tmp_path / "KATH.pdf"
    write_statement_pdf(statement_view(ledger, "KATH", statement_context(contract, "KATH", "run-1")), path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    page = " ".join(text.stdout.split())
    assert "No outcome indicator money is attributed to you" not in page
    assert "your outcome money is a share of the prime's earnings, 20% of what" in page
    assert "+£0.00" not in page  # no empty Withheld or Earned step in the waterfall
    assert "0.2 × 399,856.47" in page and "= 79,971.294" in page
    assert not AMOUNT_WITH_MORE_THAN_TWO_DECIMALS.search(page)


def test_explain_derives_each_subcontract_line(staffordshire: tuple[Contract, pl.DataFrame]) -> None:
    contract, ledger = staffordshire
    document = explain_provider(ledger, contract, "MPFT", None, None, "run-1")
    (item,) = [i for i in document["other_payments"] if i["line_type"] == "subcontract"]
    derived = item["subcontract"]
    assert derived["prime"]["id"] == "UHNM" and derived["share"] == "0.15" and derived["adds_up"]
    early = next(i for i in derived["indicators"] if i["indicator_id"] == "early_diagnosis")
    assert (
        early["earned_pence"] == 28218623
        and early["exact"] == "4232793.45"
        and early["part_pence"] == 4232794
    )
    assert early["formula"] == "0.15 × 28218623 = 4232793.45 → 4232794"
    outcome = ledger.filter(
        (pl.col("party_id") == "UHNM")
        & (pl.col("indicator_id") == "early_diagnosis")
        & (pl.col("line_type") == "outcome")
    )
    assert early["earned_line_no"] == outcome["line_no"].item()
    assert "1 left over to the largest remainders: MPFT (0.45)" in early["rounding"]
    assert derived["total_pence"] == item["amount_pence"] == 36433301
    text = "\n".join(explanation_lines(document))
    assert "obc-settle explain --provider UHNM --indicator early_diagnosis" in text
    assert "the ledger line of 36433301" in text


def _settled(subcontracts: list[dict[str, Any]]) -> tuple[Contract, pl.DataFrame]:
    body = contract_dict(
        providers=(("PRIME", "0.7"), ("SUB1", "0.2"), ("SUB2", "0.1")),
        indicators=[indicator("i1", weight="0.5"), indicator("i2", weight="0.5")],
        share_rule={"method": "fixed", "fixed": {"PRIME": D("1")}},
        subcontracts=subcontracts,
    )
    loaded, findings = load_text(dump(body))
    assert loaded is not None and findings == [], findings
    rows = [("PRIME", "i1", "2025-10", 67, 100), ("PRIME", "i2", "2025-10", 63, 100)]
    return loaded.contract, settle(loaded.contract, monthly(rows), YEAR)


def test_a_subcontract_without_indicators_covers_all_the_prime_earns_on() -> None:
    contract, ledger = _settled([{"prime": "PRIME", "subcontractor": "SUB1", "share": D("0.3")}])
    assert violations(ledger, contract) == []
    (row,) = _subcontract_rows(ledger, "SUB1")
    steps = derivation_of(row["derivation"])
    assert [i["indicator_id"] for i in steps["indicators"]] == ["i1", "i2"]
    view = statement_view(ledger, "SUB1", statement_context(contract, "SUB1", "r"))
    assert view.subcontracts is not None and len(view.subcontracts.groups[0].rows) == 2
    assert view.subcontracts.total_pence == int(row["amount_pence"])


def test_a_prime_with_two_subcontractors_on_one_indicator() -> None:
    contract, ledger = _settled(
        [
            {"prime": "PRIME", "subcontractor": "SUB1", "share": D("0.35"), "indicators": ["i1"]},
            {"prime": "PRIME", "subcontractor": "SUB2", "share": D("0.25")},
        ]
    )
    assert violations(ledger, contract) == []
    earned = {
        r["indicator_id"]: int(r["amount_pence"])
        for r in ledger.filter(
            (pl.col("party_id") == "PRIME") & (pl.col("line_type") == "outcome")
        ).to_dicts()
    }
    (sub1,), (sub2,) = _subcontract_rows(ledger, "SUB1"), _subcontract_rows(ledger, "SUB2")
    first, second = derivation_of(sub1["derivation"]), derivation_of(sub2["derivation"])
    i1 = first["indicators"][0]
    assert [p["party"] for p in i1["split"]] == ["SUB1", "SUB2", "PRIME"]
    kept = next(p["pence"] for p in i1["split"] if p["party"] == "PRIME")
    assert i1["part_pence"] + second["indicators"][0]["part_pence"] + kept == earned["i1"]
    view = statement_view(ledger, "PRIME", statement_context(contract, "PRIME", "r"))
    assert view.subcontracts is not None
    assert [g.counterparty_id for g in view.subcontracts.groups] == ["SUB1", "SUB2"]
    assert view.subcontracts.total_pence == -(int(sub1["amount_pence"]) + int(sub2["amount_pence"]))


_BASE, _ = _settled([{"prime": "PRIME", "subcontractor": "SUB1", "share": D("0.1")}])


@settings(max_examples=max(20, settings.default.max_examples // 2))
@given(
    earned=st.lists(st.integers(min_value=0, max_value=10**9), min_size=2, max_size=2),
    shares=st.lists(st.integers(min_value=0, max_value=500), min_size=2, max_size=2),
    only=st.sampled_from([None, ["i1"], ["i2"], ["i1", "i2"]]),
)
def test_parts_add_up_to_the_line_and_are_within_a_penny_of_share_times_earned(
    earned: list[int], shares: list[int], only: list[str] | None
) -> None:
    terms = [
        Subcontract(prime="PRIME", subcontractor="SUB1", share=Decimal(shares[0]) / 1000, indicators=only),
        Subcontract(prime="PRIME", subcontractor="SUB2", share=Decimal(shares[1]) / 1000),
    ]
    contract = _BASE.model_copy(update={"subcontracts": terms})
    parts = pl.DataFrame(
        {
            "party_id": ["PRIME", "PRIME"],
            "indicator_id": ["i1", "i2"],
            "indicator_order": [0, 1],
            "earned_pence": earned,
        }
    )
    lines = subcontract_lines(contract, parts)
    passed: dict[str, int] = {"i1": 0, "i2": 0}
    for party, rows in lines.providers.items():
        for row in rows:
            steps = derivation_of(str(row["derivation"]))
            total = sum(int(item["part_pence"]) for item in steps["indicators"])
            assert total == abs(int(str(row["amount_pence"])))
            for item in steps["indicators"]:
                exact = Fraction(steps["share"]) * item["earned_pence"]
                assert exact - 1 < item["part_pence"] < exact + 1
                if party != "PRIME":
                    passed[item["indicator_id"]] += item["part_pence"]
    assert sum(sum(int(str(row["amount_pence"])) for row in rows) for rows in lines.providers.values()) == 0
    assert all(passed[i] <= earned[n] for n, i in enumerate(("i1", "i2")))


def test_a_subcontractors_key_figures_give_its_subcontract_money_not_empty_earned_and_withheld(
    staffordshire: tuple[Contract, pl.DataFrame],
) -> None:
    """Nothing is withheld from a subcontractor: "Earned £0.00" and "Withheld £0.00" said nothing at
    the top of its statement; its subcontract money is what makes up its net payable."""
    contract, ledger = staffordshire
    view = statement_view(ledger, "MPFT", statement_context(contract, "MPFT", "run-test"))
    figures = {line.label: line.pence for line in view.headline}
    assert "Withheld from you" not in figures and "Earned through outcomes" not in figures
    subcontract = sum(int(r["amount_pence"]) for r in view.lines if r["line_type"] == "subcontract")
    assert figures["Subcontract money"] == subcontract > 0
    prime = statement_view(ledger, "UHNM", statement_context(contract, "UHNM", "run-test"))
    assert "Withheld from you" in {line.label for line in prime.headline}  # money at risk: as before
