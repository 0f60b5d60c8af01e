"""NHS CQUIN: 1.25% of contract value earned indicator by indicator, paid upfront, clawed back."""

from __future__ import annotations

from typing import Any

from engine_support import COMMISSIONER, lines, monthly
from schemes_support import MONTHS_2025_26, amounts, conserved, contract_of, settle_rows, template

from obc_settle.engine import settle_with_history
from obc_settle.engine.reconcile import history_of
from obc_settle.periods import SettlementPeriod

INDICATORS = ["CCG1", "CCG2", "CCG3", "CCG4", "CCG5"]


def rows(achieved: dict[str, int]) -> list[tuple[Any, ...]]:
    return [
        ("TRUST", indicator, month, achieved[indicator], 100)
        for indicator in INDICATORS
        for month in MONTHS_2025_26
    ]


def test_five_equally_weighted_indicators_are_each_worth_a_quarter_of_a_percent() -> None:
    """1.25% of the fixed element, 5 indicators x 0.25% each (HFMA 2022/23): the template states
    each indicator's value, £600,000 of £240m, and the pool is their sum."""
    contract = contract_of(template("cquin"))
    ledger = settle_rows(contract, rows(dict.fromkeys(INDICATORS, 100)))
    value = int(lines(ledger, "contract_value")["amount_pence"].item())
    assert int(lines(ledger, "outcome_pool")["amount_pence"].item()) == value * 125 // 10000
    pools = lines(ledger, "retained", COMMISSIONER)["pool_pence"].to_list()
    assert pools == [value * 25 // 10000] * 5
    assert amounts(ledger, "outcome")["TRUST"] == value * 125 // 10000


def test_each_indicator_pays_linearly_between_its_minimum_and_maximum() -> None:
    contract = contract_of(template("cquin"))
    achieved = {"CCG1": 74, "CCG2": 50, "CCG3": 30, "CCG4": 80, "CCG5": 85}  # below min, half, max, half, max
    ledger = settle_rows(contract, rows(achieved))
    scores = {
        row["indicator_id"]: float(row["score"])
        for row in lines(ledger, "outcome", "TRUST").iter_rows(named=True)
    }
    assert scores == {"CCG1": 0.0, "CCG2": 0.5, "CCG3": 1.0, "CCG4": 0.5, "CCG5": 1.0}
    assert amounts(ledger, "outcome")["TRUST"] == 60000000 * 3  # 3 of 5 indicators' £600,000
    assert conserved(ledger)


def test_paid_upfront_as_if_achieved_and_under_achievement_clawed_back_at_year_end() -> None:
    contract = contract_of(template("cquin"))
    data = monthly(rows({"CCG1": 74, "CCG2": 50, "CCG3": 30, "CCG4": 80, "CCG5": 85}))
    runs = []
    for quarter in range(1, 5):
        name = f"2025-26-Q{quarter}"
        ledger = settle_with_history(
            contract, data, SettlementPeriod.parse(name), history_of(runs) if runs else None
        )
        assert int(lines(ledger, "retained")["amount_pence"].sum()) == 0  # the whole quarter's CQUIN is paid
        assert lines(ledger, "base_payment", "TRUST").height == 3  # monthly instalments
        runs.append((ledger, name))
    year = settle_with_history(contract, data, SettlementPeriod.parse("2025-26"), history_of(runs))
    clawback = int(lines(year, "due_now", "TRUST")["amount_pence"].item())
    assert clawback == -(300000000 - 180000000)  # £3m paid on account, £1.8m earned
    assert "to recover" in lines(year, "due_now", "TRUST")["note"].item()
