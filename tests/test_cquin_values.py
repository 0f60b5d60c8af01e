"""CQUIN indicators that state their money in pounds (`value`) instead of weights.

The HFMA's 2022/23 figures: the scheme is 1.25% of the fixed element, at most five indicators of
0.25% each. The template states each indicator's value (£600,000 of £240m); the values must add up
to the outcome pool, and a contract in which they do not is refused where the mistake is.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from engine_support import dump, lines, load_text
from schemes_support import MONTHS_2025_26, amounts, conserved, contract_of, settle_rows, template

from obc_settle.audit.explain import explain_provider
from obc_settle.audit.explain_text import explanation_lines
from obc_settle.render.statement_view import statement_context, statement_view

INDICATORS = ["CCG1", "CCG2", "CCG3", "CCG4", "CCG5"]
HALF_WAY = {"CCG1": 74, "CCG2": 50, "CCG3": 30, "CCG4": 80, "CCG5": 85}  # 0, 50%, 100%, 50%, 100%


def rows(achieved: dict[str, int]) -> list[tuple[Any, ...]]:
    return [("TRUST", i, month, achieved[i], 100) for i in achieved for month in MONTHS_2025_26]


def test_the_template_states_five_values_of_a_quarter_of_a_percent_adding_up_to_one_and_a_quarter() -> None:
    contract = contract_of(template("cquin"))
    value = contract.contract_years[0].contract_value
    assert value is not None
    indicators = [indicator for _, indicator in contract.indicators()]
    assert [i.value for i in indicators] == [value * Decimal("0.0025")] * 5  # £600,000 each
    assert sum(i.value or 0 for i in indicators) == value * contract.contract_years[0].withheld_proportion
    assert all(i.weight is None for i in indicators)


def test_each_indicator_earns_its_value_times_its_score_and_says_so() -> None:
    contract = contract_of(template("cquin"))
    ledger = settle_rows(contract, rows(HALF_WAY))
    outcome = lines(ledger, "outcome", "TRUST")
    assert outcome["pool_pence"].to_list() == [60_000_000] * 5
    assert outcome["amount_pence"].to_list() == [0, 30_000_000, 60_000_000, 30_000_000, 60_000_000]
    assert outcome["weight_exact"].to_list() == ["0.2"] * 5
    assert (
        "this indicator is worth 60000000 pence a year; score 50% earns 30000000 pence" in outcome["note"][1]
    )
    assert amounts(ledger, "outcome")["TRUST"] == 180_000_000
    assert conserved(ledger)
    view = statement_view(ledger, "TRUST", statement_context(contract, "TRUST", "run1"))
    notes = {note.indicator: note.text for note in view.notes}
    assert (
        "This indicator is worth £600,000.00 a year; score 50% earns £300,000.00."
        in notes["Appropriate antibiotic prescribing for UTI in adults"]
    )
    explained = explanation_lines(explain_provider(ledger, contract, "TRUST", "CCG2", None, "run1"))
    assert any(
        "this indicator is worth £600,000.00 a year; score 50% earns £300,000.00" in line
        and "60000000 / 300000000 = 0.2" in line
        for line in explained
    )


def test_a_quarter_holds_a_quarter_of_each_value_and_names_it() -> None:
    contract = contract_of(template("cquin"))
    ledger = settle_rows(contract, rows(HALF_WAY), "2025-26-Q2")
    outcome = lines(ledger, "outcome", "TRUST")
    assert outcome["pool_pence"].to_list() == [15_000_000] * 5  # in_full: paid as if achieved
    assert (
        "worth 60000000 pence a year, 15000000 pence of this period's outcome pool; score 100% earns 15000000 pence"
        in (outcome["note"][0])
    )


def unequal(body: dict[str, Any]) -> None:
    """Three indicators of £1,000,000, £1,500,000 and £500,000 (two domains), with a £3m pool."""
    first, second, third = body["outcome_framework"]["domains"][0]["indicators"][:3]
    first["value"], second["value"], third["value"] = (
        Decimal("1000000.00"),
        Decimal("1500000.00"),
        Decimal("500000.00"),
    )
    body["outcome_framework"]["domains"] = [
        {"id": "a", "name": "A", "indicators": [first, second]},
        {"id": "b", "name": "B", "indicators": [third]},
    ]


def test_unequal_values_in_two_domains_are_each_indicators_share_and_a_quarter_splits_by_largest_remainder() -> (
    None
):
    body = template("cquin")
    unequal(body)
    body["contract_years"][0]["contract_value"] = Decimal(
        "240000000.04"
    )  # pool 3,000,000.0005 -> 300000000 pence
    contract = contract_of(body)
    year = settle_rows(contract, rows({"CCG1": 80, "CCG2": 60, "CCG3": 30}))
    assert lines(year, "outcome", "TRUST")["pool_pence"].to_list() == [100_000_000, 150_000_000, 50_000_000]
    quarter = settle_rows(contract, rows({"CCG1": 80, "CCG2": 60, "CCG3": 30}), "2025-26-Q1")
    pools = lines(quarter, "outcome", "TRUST")["pool_pence"].to_list()
    assert sum(pools) == int(lines(quarter, "outcome_pool")["amount_pence"].item())
    assert pools == [25_000_000, 37_500_000, 12_500_000]


def test_an_unscored_indicator_gives_its_value_to_the_others_of_its_domain() -> None:
    contract = contract_of(template("cquin"))
    data = [row for row in rows(HALF_WAY) if row[1] != "CCG1"] + [
        ("TRUST", "CCG1", month, 0, 0) for month in MONTHS_2025_26
    ]
    ledger = settle_rows(contract, data)
    outcome = lines(ledger, "outcome", "TRUST")
    assert outcome["pool_pence"].to_list() == [0] + [75_000_000] * 4
    assert "not scored this period, so it earns nothing" in outcome["note"][0]


def findings_of(change: Any) -> tuple[set[tuple[str, int]], str]:
    """(code, line) of each finding of the template changed by `change`, and the text loaded."""
    body = template("cquin")
    change(body)
    text = dump(body)
    loaded, findings = load_text(text)
    assert loaded is None
    return {(f.code, f.location.line or 0) for f in findings}, text


def _indicator(body: dict[str, Any], index: int) -> dict[str, Any]:
    result: dict[str, Any] = body["outcome_framework"]["domains"][0]["indicators"][index]
    return result


def _line_of(text: str, needle: str, start: int = 0) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if n > start and needle in line)


def test_one_indicator_without_a_value_is_refused_at_that_indicator() -> None:
    found, text = findings_of(lambda body: _indicator(body, 4).pop("value"))
    assert found == {("C055", _line_of(text, "id: CCG5"))}


def test_a_weight_beside_values_is_refused_at_the_weight() -> None:
    def change(body: dict[str, Any]) -> None:
        _indicator(body, 1)["weight"] = Decimal("0.2")
        body["outcome_framework"]["domains"][0]["weight"] = Decimal(1)

    found, text = findings_of(change)
    assert {code for code, *_ in found} == {"C056"}
    assert {line for _, line in found} == {_line_of(text, "weight: 1"), _line_of(text, "weight: 0.2")}


def test_values_that_do_not_add_up_to_the_pool_are_refused_at_the_withheld_proportion() -> None:
    def change(body: dict[str, Any]) -> None:
        body["contract_years"][0]["withheld_proportion"] = Decimal("0.02")

    found, text = findings_of(change)
    assert found == {("C057", _line_of(text, "withheld_proportion"))}


def test_values_in_a_capitated_year_or_a_points_contract_and_a_zero_value_are_refused() -> None:
    def capitated(body: dict[str, Any]) -> None:
        year = body["contract_years"][0]
        year.pop("contract_value")
        year["capitation"] = {"rate_per_head": Decimal("100.00"), "population": "population"}

    found, text = findings_of(capitated)
    assert found == {("C058", _line_of(text, "capitation"))}

    def points(body: dict[str, Any]) -> None:
        body["points"] = {
            "point_value": Decimal("200.00"),
            "list_size": "list_size",
            "national_list_size": 9000,
        }
        body["contract_years"][0]["withheld_proportion"] = 0
        for indicator in body["outcome_framework"]["domains"][0]["indicators"]:
            indicator["points"] = 10

    found, _ = findings_of(points)
    assert "C058" in {code for code, _ in found}
    found, text = findings_of(lambda body: _indicator(body, 0).__setitem__("value", Decimal(0)))
    assert ("C059", _line_of(text, "value: 0")) in found


def test_a_variation_that_changes_the_value_and_the_values_together_is_valid_and_one_that_does_not_is_refused() -> (
    None
):
    def two_years(body: dict[str, Any], values: str) -> None:
        body["term"]["end"] = body["term"]["end"].replace(year=2027)
        body["contract_years"].append(
            {
                "year": "2026-27",
                "contract_value": Decimal("320000000.00"),
                "withheld_proportion": Decimal("0.0125"),
            }
        )
        framework = copy.deepcopy(body["outcome_framework"])
        framework["domains"][0]["indicators"] = [
            {key: Decimal(str(v)) if isinstance(v, Decimal) else v for key, v in indicator.items()}
            | {"value": Decimal(values)}  # new number objects: a shared one would be dumped as a YAML alias
            for indicator in framework["domains"][0]["indicators"]
        ]
        body["variations"] = [
            {
                "version": "2",
                "effective": body["term"]["start"].replace(year=2026),
                "outcome_framework": framework,
            }
        ]

    body = template("cquin")
    two_years(body, "800000.00")  # 0.25% of £320m
    assert contract_of(body).in_force("2026-27").indicators()[0][1].value == Decimal("800000.00")
    found, _ = findings_of(lambda b: two_years(b, "600000.00"))
    assert {code for code, _ in found} == {"C057"}
