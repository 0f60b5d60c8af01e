"""Capitation, contract variations and phasing across a contract's years."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from engine_support import COMMISSIONER, D, contract_dict, dump, indicator, lines, load_text, monthly

from obc_settle.contract.models import Contract
from obc_settle.engine import settle
from obc_settle.periods import SettlementPeriod

MONTHS = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 4)]
YEARS = (("2025-26", "100000.00", "0.1"), ("2026-27", "100000.00", "0.1"), ("2027-28", "100000.00", "0.1"))


def load(body: dict[str, Any]) -> Contract:
    loaded, findings = load_text(dump(body))
    assert findings == [], [f.render() for f in findings]
    assert loaded is not None
    return loaded.contract


def findings_of(body: dict[str, Any]) -> list[tuple[str, int | None, str]]:
    _, findings = load_text(dump(body))
    return [(f.code, f.location.line, f.message) for f in findings]


def capitated(rate: str = "300.00", withheld: str = "0.1") -> dict[str, Any]:
    body = contract_dict(providers=(("A", "0.6"), ("B", "0.4")))
    body["contract_years"] = [
        {
            "year": "2025-26",
            "capitation": {"rate_per_head": D(rate), "population": "registered"},
            "withheld_proportion": D(withheld),
        }
    ]
    return body


def population_rows(a: int = 1000, b: int = 2000, growth: int = 0) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for index, month in enumerate(MONTHS):
        rows += [
            ("A", "registered", month, a + growth * index, 0),
            ("B", "registered", month, b + growth * index, 0),
            ("A", "i1", month, 65, 100),
        ]
    return rows


def test_capitation_pays_the_rate_per_head_per_year_times_person_years_of_the_period() -> None:
    contract = load(capitated())
    q1 = settle(contract, monthly(population_rows()), SettlementPeriod.parse("2025-26-Q1"))
    assert int(lines(q1, "contract_value")["amount_pence"].item()) == 30000 * 3000 * 3 // 12  # £225,000
    assert "capitation: 300.00 pounds per head per year" in lines(q1, "contract_value")["note"].item()


def test_a_growing_population_raises_each_quarters_value_and_the_year_is_the_sum_of_its_months() -> None:
    contract = load(capitated("123.45"))
    data = monthly(population_rows(growth=7))
    quarters = [
        int(
            lines(settle(contract, data, SettlementPeriod.parse(f"2025-26-Q{q}")), "contract_value")[
                "amount_pence"
            ].item()
        )
        for q in range(1, 5)
    ]
    assert quarters == sorted(quarters) and len(set(quarters)) == 4
    year = int(
        lines(settle(contract, data, SettlementPeriod.parse("2025-26")), "contract_value")[
            "amount_pence"
        ].item()
    )
    person_months = sum(1000 + 2000 + 14 * index for index in range(12))
    exact = Decimal(12345) * person_months / 12
    assert year == int(exact.quantize(Decimal(1), rounding="ROUND_HALF_UP"))
    assert abs(year - sum(quarters)) <= 2


def test_a_contract_year_needs_a_contract_value_or_a_capitation_but_not_both() -> None:
    body = capitated()
    del body["contract_years"][0]["capitation"]
    assert [code for code, _, _ in findings_of(body)] == ["C011"]
    body = capitated()
    body["contract_years"][0]["contract_value"] = D("100.00")
    assert [code for code, _, _ in findings_of(body)] == ["C027"]


def test_missing_population_months_are_refused_naming_the_file_and_months() -> None:
    from obc_settle.app.data_quality import quantity_findings

    rows = [row for row in population_rows() if not (row[1] == "registered" and row[2] == "2025-05")]
    findings = quantity_findings(
        load(capitated()), SettlementPeriod.parse("2025-26-Q1"), monthly(rows), "data/"
    )
    assert [(f.code, f.location.file) for f in findings] == [("D030", "data/")]
    assert "1 of the 3 months of 2025-26-Q1: 2025-05" in findings[0].message


def varied_contract(**variation: Any) -> dict[str, Any]:
    body = contract_dict(
        years=YEARS,
        providers=(("A", "0.5"), ("B", "0.5")),
        indicators=[indicator(threshold="0.6", target="0.7")],
    )
    body["variations"] = [
        {"version": "2", "effective": datetime.date(2026, 4, 1), "description": "C joins; a higher target"}
        | variation
    ]
    return body


NEW_TERMS = {
    "providers": [
        {"id": "A", "name": "Provider A", "role": "lead", "base_share": D("0.4")},
        {"id": "B", "name": "Provider B", "role": "member", "base_share": D("0.4")},
        {"id": "C", "name": "Provider C", "role": "member", "base_share": D("0.2")},
    ],
    "outcome_framework": {
        "domains": [
            {
                "id": "d1",
                "name": "Domain d1",
                "weight": D("1"),
                "indicators": [indicator(threshold="0.6", target="0.8")],
            }
        ]
    },
}


def test_each_settlement_uses_the_terms_in_force_and_names_the_version() -> None:
    contract = load(varied_contract(**NEW_TERMS))
    data = monthly([(p, "i1", m, 70, 100) for p in ("A", "B") for m in ["2025-10", "2026-10"]])
    before = settle(contract, data, SettlementPeriod.parse("2025-26-Q3"))
    after = settle(contract, data, SettlementPeriod.parse("2026-27-Q3"))
    assert set(before["contract_version"]) == {"1"} and set(after["contract_version"]) == {"2"}
    assert sorted(set(before["party_id"]) - {COMMISSIONER}) == ["A", "B"]
    assert sorted(set(after["party_id"]) - {COMMISSIONER}) == ["A", "B", "C"]
    assert (
        float(lines(before, "retained")["target"].item()) == 0.7
        and float(lines(before, "retained")["score"].item()) == 1.0
    )
    assert (
        float(lines(after, "retained")["target"].item()) == 0.8
        and float(lines(after, "retained")["score"].item()) == 0.5
    )


def test_the_terms_in_force_carry_every_variation_up_to_the_year() -> None:
    body = varied_contract(**NEW_TERMS)
    body["variations"].append(
        {"version": "3", "effective": datetime.date(2027, 4, 1), "unearned": "redistributed"}
    )
    contract = load(body)
    assert [contract.in_force(y).version for y in ("2025-26", "2026-27", "2027-28")] == ["1", "2", "3"]
    latest = contract.in_force("2027-28")
    assert latest.unearned == "redistributed" and [p.id for p in latest.providers] == ["A", "B", "C"]


@pytest.mark.parametrize(
    ("effective", "message"),
    [
        (
            datetime.date(2024, 4, 1),
            "variation dated 2024-04-01 is outside the term 2025-04-01 to 2028-03-31",
        ),
        (datetime.date(2028, 4, 1), "variation dated 2028-04-01 is outside the term"),
        (
            datetime.date(2026, 10, 1),
            "a variation takes effect at the start of a contract year (1 April), not 2026-10-01",
        ),
    ],
)
def test_a_variation_dated_outside_the_term_or_mid_year_is_refused_at_its_line(
    effective: datetime.date, message: str
) -> None:
    body = varied_contract(effective=effective)
    found = findings_of(body)
    line = (
        dump(body)
        .splitlines()
        .index(next(line for line in dump(body).splitlines() if line.strip().startswith("effective:")))
        + 1
    )
    assert any(code == "C029" and at == line and message in text for code, at, text in found), found


def test_a_variation_is_checked_by_the_same_rules_as_the_contract() -> None:
    terms = dict(NEW_TERMS)
    terms["providers"] = [dict(p) for p in NEW_TERMS["providers"]]
    terms["providers"][2]["base_share"] = D("0.3")
    found = findings_of(varied_contract(**terms))
    assert [(code, text) for code, _, text in found] == [
        ("C021", "in version '2' (from 2026-04-01): provider base shares sum to 1.1, not 1")
    ]


def test_extract_rows_of_a_provider_that_joins_later_are_known() -> None:
    contract = load(varied_contract(**NEW_TERMS))
    assert "C" in contract.all_provider_ids()


def test_phasing_a_fee_based_year_pays_no_outcome_money_and_later_years_do() -> None:
    body = contract_dict(
        years=(
            ("2025-26", "100000.00", "0"),
            ("2026-27", "100000.00", "0.05"),
            ("2027-28", "100000.00", "0.1"),
        )
    )
    contract = load(body)
    data = monthly([("A", "i1", m, 65, 100) for m in ["2025-10", "2026-10", "2027-10"]])
    pools = [
        int(lines(settle(contract, data, SettlementPeriod.parse(y)), "outcome_pool")["amount_pence"].item())
        for y in ("2025-26", "2026-27", "2027-28")
    ]
    assert pools == [0, 500000, 1000000]
    fee_based = settle(contract, data, SettlementPeriod.parse("2025-26"))
    assert int(lines(fee_based, "outcome")["amount_pence"].sum()) == 0
    assert pl.Series(lines(fee_based, "base_payment")["amount_pence"]).sum() == 10000000
