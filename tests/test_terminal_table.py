"""The settlement table on a terminal: it fits the width, never cuts an amount, hides columns
that are zero for every provider, and says where the exact figures are when it rounds."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from obc_settle.money import format_pounds
from obc_settle.render.terminal import compact_pounds, settlement_table

KEYS = (
    "base_pence",
    "withheld_pence",
    "earned_pence",
    "unearned_pence",
    "redistributed_pence",
    "points_pence",
    "risk_share_pence",
    "subcontract_pence",
    "net_payable_pence",
    "restated_pence",
    "paid_to_date_pence",
    "due_now_pence",
)


def summary(providers: int, amount: int) -> dict[str, object]:
    rows = [
        {"provider_id": f"P{number:02d}", "role": "member", **dict.fromkeys(KEYS, amount - number)}
        for number in range(providers)
    ]
    return {
        "contract_name": "A contract with a long name, to see the title wrap where it must",
        "settlement_period": "2025-26",
        "status": "final",
        "contract_value_pence": amount,
        "outcome_pool_pence": amount,
        "paid_to_providers_pence": amount,
        "retained_pence": 0,
        "reconciled": True,
        "providers": rows,
    }


def rendered(table: object, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, markup=False, emoji=False)
    console.print(table)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert all(len(line) <= width for line in output.splitlines())
    return output


@pytest.mark.parametrize("width", [80, 100, 160])
@pytest.mark.parametrize("providers", [1, 12, 60])
def test_every_amount_is_shown_whole_at_any_width(width: int, providers: int) -> None:
    largest = 99_999_999_999  # £999,999,999.99
    data = summary(providers, largest)
    output = rendered(settlement_table(data, width), width)
    exact = format_pounds(largest - providers + 1) in output
    assert exact or compact_pounds(largest - providers + 1) in output
    if not exact:
        assert "exact in --json, summary.json, ledger.csv" in output
    for number in range(providers):
        assert f"P{number:02d}" in output


def test_a_column_that_is_zero_for_every_provider_is_not_shown() -> None:
    data = summary(2, 1_000_00)
    for provider in data["providers"]:  # type: ignore[attr-defined]
        provider["points_pence"] = 0
        provider["redistributed_pence"] = 0
    headings = [column.header for column in settlement_table(data, 400).columns]
    assert "points" not in headings and "redistributed" not in headings
    assert "net payable" in headings


@pytest.mark.parametrize(
    ("pence", "text"),
    [
        (2_185_000_000, "£21.85m"),
        (99_999_999_999, "£1.00bn"),
        (99_999_400, "£1.00m"),
        (99_449_400, "£994.49k"),
        (100_000_000_000, "£1.00bn"),
        (-66_258_700, "-£662.59k"),
        (99_999, "£999.99"),
        (150_000_500, "£1.50m"),
    ],
)
def test_rounded_amounts_name_their_unit(pence: int, text: str) -> None:
    assert compact_pounds(pence) == text
