"""The contract loader: exact numbers, located findings, and the whole-file rules not in the corpus.

Contracts here are built with `engine_support.contract_dict` and edited; the expected line of a
finding is looked up as the line where a unique snippet of the written YAML stands.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

import pytest
from engine_support import D, contract_dict, contract_yaml, domain, dump, indicator, load_text

from obc_settle.contract import load_contract


def line_of(text: str, snippet: str) -> int:
    numbers = [number for number, line in enumerate(text.splitlines(), start=1) if snippet in line]
    assert len(numbers) == 1, (snippet, numbers)
    return numbers[0]


def codes_and_lines(text: str) -> list[tuple[str, int | None]]:
    loaded, findings = load_text(text)
    assert loaded is None
    return [(f.code, f.location.line) for f in findings]


def test_numbers_with_a_decimal_point_are_exact_decimals_never_floats() -> None:
    loaded, findings = load_text(contract_yaml(years=[("2025-26", "14200000.10", "0.075")]))
    assert findings == []
    assert loaded is not None
    terms = loaded.contract.contract_years[0]
    assert terms.contract_value == Decimal("14200000.10") and isinstance(terms.contract_value, Decimal)
    assert terms.withheld_proportion == Decimal("0.075")
    # 0.1 + 0.2 is exactly 0.3 as decimals (it is not as floats).
    shares = [
        p.base_share
        for p in load_text(contract_yaml(providers=[("A", "0.1"), ("B", "0.2"), ("C", "0.7")]))[
            0
        ].contract.providers
    ]  # type: ignore[union-attr]
    assert shares[0] + shares[1] == Decimal("0.3")


def test_the_loaded_contract_carries_the_sha256_of_its_bytes(tmp_path: Any) -> None:
    text = contract_yaml()
    path = tmp_path / "c.yaml"
    path.write_text(text)
    loaded, _ = load_contract(path)
    assert loaded is not None
    assert loaded.sha256 == hashlib.sha256(text.encode()).hexdigest()


def test_a_utf8_byte_order_mark_is_accepted() -> None:
    loaded, findings = load_text(b"\xef\xbb\xbf" + contract_yaml().encode())
    assert findings == [] and loaded is not None


def test_findings_are_sorted_top_to_bottom() -> None:
    # Shares 0.5 + 0.4 (providers, near the top), a threshold above target (near the end), and
    # the unknown year 2030-31 in by_year (between them in check order, after them in the file).
    text = contract_yaml(
        providers=[("A", "0.5"), ("B", "0.4")],
        indicators=[
            indicator(threshold="0.9", by_year={"2030-31": {"threshold": D("0.6"), "target": D("0.7")}})
        ],
    )
    _, findings = load_text(text)
    assert [f.code for f in findings] == ["C021", "C022", "C024"]
    lines = [f.location.line or 0 for f in findings]
    assert lines == sorted(lines)


def test_a_date_and_time_where_a_date_belongs_is_refused() -> None:
    text = contract_yaml().replace("start: 2025-04-01", "start: 2025-04-01 09:00:00")
    assert codes_and_lines(text) == [("C012", line_of(text, "start:"))]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("100000.001", "more than two decimal places"),  # a tenth of a penny
        ("-5.00", "negative"),
    ],
)
def test_a_contract_value_must_be_whole_pence_and_not_negative(value: str, reason: str) -> None:
    text = contract_yaml(years=[("2025-26", value, "0.1")])
    loaded, findings = load_text(text)
    assert loaded is None
    assert [(f.code, f.location.line) for f in findings] == [("C012", line_of(text, "contract_value:"))]
    assert reason in findings[0].message


def test_a_withheld_proportion_above_one_is_refused() -> None:
    text = contract_yaml(years=[("2025-26", "100.00", "1.5")])
    assert codes_and_lines(text) == [("C012", line_of(text, "withheld_proportion:"))]


def test_a_contract_year_whose_two_halves_do_not_follow_is_refused() -> None:
    body = contract_dict()
    body["contract_years"][0]["year"] = "2025-27"
    text = dump(body)
    loaded, findings = load_text(text)
    assert loaded is None
    assert ("C012", line_of(text, "year: 2025-27")) in [(f.code, f.location.line) for f in findings]


@pytest.mark.parametrize("text_value", ["'0.5'", "true"])
def test_text_or_a_boolean_where_a_number_belongs_is_refused(text_value: str) -> None:
    text = contract_yaml().replace("base_share: 0.5", f"base_share: {text_value}")
    assert codes_and_lines(text) == [("C012", line_of(text, f"base_share: {text_value}"))]


def test_only_schema_version_1_is_understood() -> None:
    text = contract_yaml().replace("schema_version: 1", "schema_version: 2")
    assert codes_and_lines(text) == [("C012", 1)]


def test_a_collective_indicator_must_not_name_a_provider() -> None:
    text = contract_yaml(indicators=[indicator(provider="A")])
    assert codes_and_lines(text) == [("C024", line_of(text, "provider: A"))]


def test_bands_must_run_from_worst_to_best() -> None:
    bands = [{"level": D("0.7"), "score": D("1")}, {"level": D("0.65"), "score": D("0.5")}]
    text = contract_yaml(indicators=[indicator(scoring={"method": "banded", "bands": bands})])
    # The second band (level 0.65) is worse than the first: the finding is at its level.
    assert codes_and_lines(text) == [("C027", line_of(text, "level: 0.65"))]


def test_bands_on_a_linear_indicator_are_refused() -> None:
    bands = [{"level": D("0.6"), "score": D("1")}]
    text = contract_yaml(indicators=[indicator(scoring={"method": "linear", "bands": bands})])
    assert [code for code, _ in codes_and_lines(text)] == ["C027"]


def test_a_change_from_baseline_indicator_needs_a_baseline_and_a_measure() -> None:
    text = contract_yaml(indicators=[indicator(kind="change_from_baseline", threshold="0.0", target="0.1")])
    indicator_line = line_of(text, "- id: i1")
    assert codes_and_lines(text) == [("C027", indicator_line), ("C027", indicator_line)]


def test_measure_is_only_for_change_from_baseline_indicators() -> None:
    text = contract_yaml(indicators=[indicator(measure="proportion")])
    assert codes_and_lines(text) == [("C027", line_of(text, "measure: proportion"))]


def test_a_by_quantity_share_rule_needs_a_quantity_that_is_not_an_outcome_indicator() -> None:
    without = contract_yaml(share_rule={"method": "by_quantity"})
    assert codes_and_lines(without) == [("C027", line_of(without, "method: by_quantity"))]
    clash = contract_yaml(share_rule={"method": "by_quantity", "quantity": "i1"})
    assert codes_and_lines(clash) == [("C027", line_of(clash, "quantity: i1"))]


def test_fixed_shares_with_another_method_are_refused() -> None:
    text = contract_yaml(share_rule={"method": "base_share", "fixed": {"A": D("1")}})
    assert [code for code, _ in codes_and_lines(text)] == ["C027"]


def test_a_term_that_ends_before_it_starts_is_refused() -> None:
    text = contract_yaml(term=("2026-04-01", "2025-03-31"))
    assert ("C028", line_of(text, "end: 2025-03-31")) in codes_and_lines(text)


def test_linear_scoring_needs_threshold_strictly_below_target_but_all_or_nothing_allows_equal() -> None:
    equal = contract_yaml(indicators=[indicator(threshold="0.7", target="0.7")])
    assert codes_and_lines(equal) == [("C022", line_of(equal, "threshold: 0.7"))]
    loaded, findings = load_text(
        contract_yaml(
            indicators=[indicator(threshold="0.7", target="0.7", scoring={"method": "all_or_nothing"})]
        )
    )
    assert findings == [] and loaded is not None


def test_a_duplicate_domain_id_is_refused() -> None:
    text = contract_yaml(domains=[domain("d1", "0.5", indicator("i1")), domain("d1", "0.5", indicator("i2"))])
    loaded, findings = load_text(text)
    assert loaded is None
    assert [f.code for f in findings] == ["C025"]
    # The second 'id: d1' is the one reported.
    d1_lines = [n for n, line in enumerate(text.splitlines(), start=1) if line.strip() == "- id: d1"]
    assert findings[0].location.line == d1_lines[1]


def test_a_string_year_key_in_by_year_must_be_a_contract_year() -> None:
    text = contract_yaml(
        indicators=[indicator(by_year={"2025": {"threshold": D("0.6"), "target": D("0.7")}})]
    )
    # `2025` names a calendar year: not of this contract's form (its years run April to March).
    assert [code for code, _ in codes_and_lines(text)] == ["C045"]
    text = contract_yaml(
        indicators=[indicator(by_year={"twenty": {"threshold": D("0.6"), "target": D("0.7")}})]
    )
    assert [code for code, _ in codes_and_lines(text)] == ["C012"]


def test_a_provider_may_not_take_the_commissioners_party_id() -> None:
    text = contract_yaml(providers=[("commissioner", "0.5"), ("B", "0.5")])
    assert codes_and_lines(text) == [("C025", line_of(text, "- id: commissioner"))]
