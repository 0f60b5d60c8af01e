"""Shared savings against a benchmark (Medicare Shared Savings Program style).

The Axene example (a generic commercial shared-savings contract): target $500.00 PMPM, actual
$495.50 PMPM, 125,000 member months, 50% sharing: $281,250 without a minimum savings rate, and $0
with an MSR of 1% (the savings rate is 0.9%). Amounts are in the contract's units, so dollars
are written where the language says pounds and cents where it says pence.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from engine_support import COMMISSIONER, lines
from schemes_support import MONTHS_2025_26, amounts, conserved, settle_rows, varied

D = Decimal


def april_year(body: dict[str, Any]) -> None:
    """The template's terms on the April-to-March year 2025-26 in pounds, which these examples settle
    (the template's own calendar may change; the risk share's rules do not depend on it)."""
    body["currency"] = "GBP"
    body["term"] = {"start": datetime.date(2025, 4, 1), "end": datetime.date(2026, 3, 31)}
    body["contract_years"] = [{"year": "2025-26", "contract_value": D("0.00"), "withheld_proportion": D("0")}]


def mssp_varied(change: Callable[[dict[str, Any]], None]) -> Any:
    """The MSSP template on the year 2025-26, changed by `change`."""

    def both(body: dict[str, Any]) -> None:
        april_year(body)
        change(body)

    return varied("mssp", both)


def axene(minimum_rate: str, quality: bool = False) -> Any:
    def change(body: dict[str, Any]) -> None:
        risk = body["risk_share"]
        risk["budget"]["rate_per_head"] = D("6000.00")  # $500 PMPM x 12
        risk["gains"] = {"minimum_rate": D(minimum_rate), "bands": [{"provider_share": D("0.5")}]}
        if quality:
            risk["gains"]["quality"] = {"method": "scale"}

    return mssp_varied(change)


def member_rows(
    actual_total: str = "61937500", quality: tuple[int, int] = (10, 100)
) -> list[tuple[Any, ...]]:
    """125,000 member months over the year; the year's spend; the quality measures."""
    rows: list[tuple[Any, ...]] = []
    monthly_spend = D(actual_total) / 12
    for index, month in enumerate(MONTHS_2025_26):
        rows.append(("ACO", "assigned_beneficiaries", month, 10413 if index == 11 else 10417, 0))
        spend = (
            monthly_spend.quantize(D("0.01"))
            if index < 11
            else D(actual_total) - 11 * monthly_spend.quantize(D("0.01"))
        )
        rows.append(("ACO", "actual_spend", month, spend, 0))
    rows += [
        ("ACO", "DIABETES_HBA1C_POOR", "2025-10", quality[0], quality[1]),
        ("ACO", "CONTROLLING_BP", "2025-10", 80, 100),
    ]
    return rows


def test_axene_without_a_minimum_savings_rate_pays_half_the_gross_savings() -> None:
    ledger = settle_rows(axene("0"), member_rows())
    assert amounts(ledger, "risk_share") == {"ACO": 28125000, COMMISSIONER: -28125000}  # $281,250.00
    note = lines(ledger, "risk_share", "ACO")["note"].item()
    assert "budget 6250000000 pence" in note and "saving 56250000 pence (0.9000% of the budget)" in note
    assert conserved(ledger)


def test_axene_with_a_one_percent_minimum_savings_rate_pays_nothing() -> None:
    ledger = settle_rows(axene("0.01"), member_rows())
    assert amounts(ledger, "risk_share")["ACO"] == 0
    assert (
        "below the minimum rate 1.0000%: nothing is shared"
        in lines(ledger, "risk_share", "ACO")["note"].item()
    )


def test_at_495_pmpm_the_saving_reaches_the_minimum_rate_and_is_shared_from_the_first_dollar() -> None:
    """To qualify, actual cost had to be at most $495.00 PMPM: $625,000 saved, $312,500 shared."""
    ledger = settle_rows(axene("0.01"), member_rows("61875000"))
    assert amounts(ledger, "risk_share")["ACO"] == 31250000


@pytest.mark.parametrize(("poor_control", "quality", "expected"), [(10, 1.0, 28125000), (15, 0.75, 21093750)])
def test_the_sharing_rate_is_scaled_by_the_quality_score(
    poor_control: int, quality: float, expected: int
) -> None:
    ledger = settle_rows(axene("0", quality=True), member_rows(quality=(poor_control, 100)))
    assert float(lines(ledger, "risk_share", "ACO")["score"].item()) == quality
    assert amounts(ledger, "risk_share")["ACO"] == expected


def test_the_payment_is_capped_at_ten_percent_of_the_benchmark() -> None:
    def big_saving(body: dict[str, Any]) -> None:
        body["risk_share"]["gains"].update(minimum_rate=D("0"), quality=None)
        del body["risk_share"]["gains"]["quality"]

    ledger = settle_rows(
        mssp_varied(big_saving), member_rows("50000000")
    )  # 50m against a 125m benchmark: half the saving is above the cap
    budget = 12000_00 * 125000 // 12
    assert amounts(ledger, "risk_share")["ACO"] == budget // 10


def test_a_year_without_spend_for_every_month_is_refused_before_settling() -> None:
    from engine_support import monthly

    from obc_settle.app.data_quality import quantity_findings
    from obc_settle.periods import SettlementPeriod

    rows = [
        row for row in member_rows() if not (row[1] == "actual_spend" and row[2] in {"2025-11", "2026-02"})
    ]
    findings = quantity_findings(
        axene("0"), SettlementPeriod.parse("2025-26"), monthly(rows), "finance.parquet"
    )
    assert [(f.code, f.location.file) for f in findings] == [("D031", "finance.parquet")]
    assert "for 2 of the 12 months of 2025-26: 2025-11, 2026-02" in findings[0].message


@pytest.mark.parametrize(
    ("poor_control", "loss_rate", "expected"), [(10, "0.4", -100000000), (20, "0.6", -150000000)]
)
def test_a_two_sided_track_recovers_losses_at_one_minus_the_quality_adjusted_sharing_rate(
    poor_control: int, loss_rate: str, expected: int
) -> None:
    """Track 2: sharing rate 60% x quality; shared loss rate 1 - that, held to 40%..60%. An
    overspend of $2.5m (2% of a $125m benchmark, at the 2% minimum loss rate): quality 1 gives a
    40% loss rate ($1m); quality 0.5 gives 1 - 0.3 = 70%, held at 60% ($1.5m)."""

    def track2(body: dict[str, Any]) -> None:
        body["risk_share"]["losses"] = {
            "minimum_rate": D("0.02"),
            "bands": [{"provider_share": D("0.6")}],
            "cap": D("0.05"),
            "quality": {"method": "complement", "minimum_share": D("0.4"), "maximum_share": D("0.6")},
        }

    ledger = settle_rows(mssp_varied(track2), member_rows("127500000", quality=(poor_control, 100)))
    assert amounts(ledger, "risk_share") == {"ACO": expected, COMMISSIONER: -expected}
    assert (
        f"{float(D(loss_rate)):.6g} (1 - 0.6 x quality" in lines(ledger, "risk_share", "ACO")["note"].item()
    )
    assert conserved(ledger)
