"""Payments on account, year-end reconciliation and restated data, in the engine.

A year is settled as four quarters, each netted against the ones before it, and a year-end
settlement netted against all four. What is paid over the year (each run's `due_now`) adds up
to what the year-end rules give, to the penny, whatever the contract's payment terms.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from engine_support import COMMISSIONER, contract_from, indicator, lines, monthly

from obc_settle.contract.models import Contract
from obc_settle.engine import settle, settle_with_history
from obc_settle.engine.reconcile import history_of
from obc_settle.periods import SettlementPeriod

QUARTERS = [f"2025-26-Q{q}" for q in range(1, 5)]
MONTHS = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 4)]


def year_rows(numerators: dict[str, int] | None = None) -> list[tuple[Any, ...]]:
    """i1 for A and B every month: 100 people each, a numerator that moves through the year."""
    rows = []
    for index, month in enumerate(MONTHS):
        for provider, offset in (("A", 0), ("B", 5)):
            numerator = (numerators or {}).get(f"{provider}:{month}", 60 + index + offset)
            rows.append((provider, "i1", month, numerator, 100))
    return rows


def due(ledger: pl.DataFrame) -> dict[str, int]:
    frame = lines(ledger, "due_now") if lines(ledger, "due_now").height else lines(ledger, "net_payable")
    return {
        row["party_id"]: int(row["amount_pence"])
        for row in frame.filter(pl.col("party_id") != COMMISSIONER).iter_rows(named=True)
    }


def conserved(ledger: pl.DataFrame) -> bool:
    value = int(lines(ledger, "contract_value")["amount_pence"].sum())
    money = ledger.filter(pl.col("kind").is_in(["payment", "retention"]))["amount_pence"].sum()
    return value == money


def settle_year(
    contract: Contract,
    rows: list[tuple[Any, ...]],
    quarter_rows: dict[str, list[tuple[Any, ...]]] | None = None,
) -> tuple[list[pl.DataFrame], pl.DataFrame]:
    """Settle Q1..Q4 in turn (each on the data known then), then the year, each netted against the runs before it."""
    runs: list[tuple[pl.DataFrame, str]] = []
    ledgers = []
    for name in QUARTERS:
        data = monthly((quarter_rows or {}).get(name, rows))
        history = history_of(runs) if runs else None
        ledger = settle_with_history(contract, data, SettlementPeriod.parse(name), history)
        assert conserved(ledger)
        runs.append((ledger, name))
        ledgers.append(ledger)
    year = settle_with_history(contract, monthly(rows), SettlementPeriod.parse("2025-26"), history_of(runs))
    assert conserved(year)
    return ledgers, year


def paid_over_the_year(ledgers: list[pl.DataFrame], year: pl.DataFrame) -> dict[str, int]:
    total: dict[str, int] = {}
    for ledger in [*ledgers, year]:
        for party, amount in due(ledger).items():
            total[party] = total.get(party, 0) + amount
    return total


def year_end_rules(contract: Contract, rows: list[tuple[Any, ...]]) -> dict[str, int]:
    return due(settle(contract, monthly(rows), SettlementPeriod.parse("2025-26")))


def odd_contract(**extra: Any) -> Contract:
    """A value of 100,000.21 pounds, 10% withheld: quarters of 2,500,006 and 2,500,005 pence, whose pools
    (250,001 each) add up to 1,000,004 pence while the year's pool is 1,000,002."""
    body: dict[str, Any] = {
        "providers": (("A", "0.6"), ("B", "0.4")),
        "years": (("2025-26", "100000.21", "0.1"),),
        "indicators": [indicator(threshold="0.6", target="0.75", window="year_to_date")],
    }
    return contract_from(**(body | extra))


@pytest.mark.parametrize("mode", ["each_quarter", "year_to_date", "in_full", "year_end"])
def test_quarterly_payments_plus_the_year_end_reconciliation_equal_the_year_end_rules(mode: str) -> None:
    contract = odd_contract(payment_terms={"outcome_on_account": mode})
    rows = year_rows()
    ledgers, year = settle_year(contract, rows)
    assert paid_over_the_year(ledgers, year) == year_end_rules(contract, rows)


def test_the_year_end_settlement_nets_off_the_quarters_pennies_of_rounding() -> None:
    contract = odd_contract()
    ledgers, year = settle_year(contract, year_rows())
    quarter_pools = sum(int(lines(q, "outcome_pool")["amount_pence"].sum()) for q in ledgers)
    year_pool = int(lines(year, "outcome_pool")["amount_pence"].sum())
    assert quarter_pools != year_pool  # four roundings of the quarters' pools differ from the year's
    on_account = lines(year, "paid_on_account")
    assert sorted(on_account["adjusts_period"].unique().to_list()) == QUARTERS
    for party in ("A", "B"):
        net = int(lines(year, "net_payable", party)["amount_pence"].sum())
        paid = int(lines(year, "paid_on_account", party)["amount_pence"].sum())
        assert int(lines(year, "due_now", party)["amount_pence"].item()) == net - paid
        assert int(lines(year, "paid_to_date", party)["amount_pence"].item()) == paid


def test_a_provider_paid_more_on_account_than_the_year_gives_has_money_to_recover() -> None:
    contract = odd_contract()
    strong_first_half = {f"{p}:{m}": 75 for p in "AB" for m in MONTHS[:6]}
    weak = {f"{p}:{m}": 40 for p in "AB" for m in MONTHS[6:]}
    rows = year_rows(strong_first_half | weak)
    ledgers, year = settle_year(contract, rows)
    due_now = lines(year, "due_now", "A")
    assert int(due_now["amount_pence"].item()) < 0
    assert "to recover from the provider" in due_now["note"].item()
    assert paid_over_the_year(ledgers, year) == year_end_rules(contract, rows)


def test_restated_data_for_a_settled_quarter_shows_an_adjustment_naming_the_quarter() -> None:
    contract = odd_contract(indicators=[indicator(threshold="0.6", target="0.75")])
    first = year_rows({"A:2025-04": 10, "A:2025-05": 10})  # Q1 as first reported: poor
    corrected = year_rows()  # the corrected extract: Q1 much better
    q1 = settle(contract, monthly(first), SettlementPeriod.parse("2025-26-Q1"))
    q2 = settle_with_history(
        contract, monthly(corrected), SettlementPeriod.parse("2025-26-Q2"), history_of([(q1, "Q1 run")])
    )
    assert conserved(q2)
    restated = lines(q2, "restatement")
    assert set(restated["adjusts_period"].to_list()) == {"2025-26-Q1"}
    again = settle(contract, monthly(corrected), SettlementPeriod.parse("2025-26-Q1"))
    for party in ("A", "B"):
        expected = int(lines(again, "net_payable", party)["amount_pence"].item()) - int(
            lines(q1, "net_payable", party)["amount_pence"].item()
        )
        assert int(lines(q2, "restatement", party)["amount_pence"].sum()) == expected
    commissioner = lines(q2, "restatement", COMMISSIONER)
    assert int(commissioner["amount_pence"].item()) == -int(
        restated.filter(pl.col("party_id") != COMMISSIONER)["amount_pence"].sum()
    )
    net = {p: int(lines(q2, "net_payable", p)["amount_pence"].item()) for p in ("A", "B")}
    assert due(q2) == {p: net[p] + int(lines(q2, "restatement", p)["amount_pence"].sum()) for p in ("A", "B")}


def test_restatements_paid_in_year_are_not_paid_again_at_year_end() -> None:
    contract = odd_contract(indicators=[indicator(threshold="0.6", target="0.75")])
    late = year_rows({"A:2025-04": 10, "B:2025-05": 12})
    rows = year_rows()
    ledgers, year = settle_year(contract, rows, {"2025-26-Q1": late})
    assert lines(ledgers[1], "restatement").height > 0  # Q2 corrects Q1
    assert paid_over_the_year(ledgers, year) == year_end_rules(contract, rows)


def test_unchanged_data_restates_nothing() -> None:
    contract = odd_contract(indicators=[indicator(threshold="0.6", target="0.75")])
    ledgers, _ = settle_year(contract, year_rows())
    assert all(lines(ledger, "restatement").height == 0 for ledger in ledgers)


def test_settling_the_year_again_with_its_own_earlier_settlement_pays_nothing_twice() -> None:
    contract = odd_contract()
    rows = year_rows()
    ledgers, year = settle_year(contract, rows)
    runs = [(ledger, name) for ledger, name in zip([*ledgers, year], [*QUARTERS, "2025-26"], strict=True)]
    again = settle_with_history(contract, monthly(rows), SettlementPeriod.parse("2025-26"), history_of(runs))
    assert set(due(again).values()) == {0}


def test_year_to_date_quarters_resettle_the_year_so_far() -> None:
    contract = odd_contract(payment_terms={"outcome_on_account": "year_to_date"})
    ledgers, _ = settle_year(contract, year_rows())
    q3 = ledgers[2]
    assert int(lines(q3, "contract_value")["amount_pence"].item()) == 2500006 + 2500005 + 2500005
    assert "year to date" in lines(q3, "contract_value")["note"].item()
    assert sorted(lines(q3, "paid_on_account")["adjusts_period"].unique().to_list()) == [
        "2025-26-Q1",
        "2025-26-Q2",
    ]


def test_in_full_pays_the_whole_outcome_pool_on_account_and_the_year_end_claws_back() -> None:
    contract = odd_contract(payment_terms={"outcome_on_account": "in_full"})
    rows = year_rows()
    ledgers, year = settle_year(contract, rows)
    q1 = ledgers[0]
    assert int(lines(q1, "retained")["amount_pence"].sum()) == 0
    assert set(lines(q1, "outcome")["score"].cast(pl.Float64).to_list()) == {1.0}
    assert "as if fully achieved" in lines(q1, "outcome")["note"][0]
    assert all(v < 0 for v in due(year).values())  # under-achievement recovered at year end


def test_held_to_year_end_pays_only_the_base_in_year() -> None:
    contract = odd_contract(payment_terms={"outcome_on_account": "year_end"})
    ledgers, year = settle_year(contract, year_rows())
    q1 = ledgers[0]
    assert lines(q1, "outcome").height == 0
    held = lines(q1, "held", COMMISSIONER)
    assert int(held["amount_pence"].item()) == int(lines(q1, "outcome_pool")["amount_pence"].item())
    assert due(q1) == {p: int(lines(q1, "base_payment", p)["amount_pence"].sum()) for p in ("A", "B")}
    assert all(v > 0 for v in due(year).values())


def test_monthly_base_instalments_split_the_quarters_base_into_three() -> None:
    contract = odd_contract(payment_terms={"base_instalments": "monthly"})
    q3 = settle(contract, monthly(year_rows()), SettlementPeriod.parse("2025-26-Q3"))
    plain = settle(odd_contract(), monthly(year_rows()), SettlementPeriod.parse("2025-26-Q3"))
    for party in ("A", "B"):
        instalments = lines(q3, "base_payment", party)
        assert instalments.height == 3
        assert [n.split(":")[0] for n in instalments["note"]] == [
            f"monthly instalment for 2025-{m}" for m in ("10", "11", "12")
        ]
        assert instalments["amount_pence"].sum() == lines(plain, "base_payment", party)["amount_pence"].sum()
        assert max(instalments["amount_pence"]) - min(instalments["amount_pence"]) <= 1
    year = settle(contract, monthly(year_rows()), SettlementPeriod.parse("2025-26"))
    assert lines(year, "base_payment", "A").height == 1


def test_the_ledger_says_how_much_was_paid_before_and_what_is_due() -> None:
    contract = odd_contract()
    ledgers, _ = settle_year(contract, year_rows())
    q3 = ledgers[2]
    for party in ("A", "B"):
        paid_before = sum(due(ledger)[party] for ledger in ledgers[:2])
        assert int(lines(q3, "paid_to_date", party)["amount_pence"].item()) == paid_before
        assert int(lines(q3, "due_now", party)["amount_pence"].item()) == int(
            lines(q3, "net_payable", party)["amount_pence"].item()
        )
        numbers = (
            lines(q3, "due_now", party)["line_no"].item(),
            lines(q3, "net_payable", party)["line_no"].item(),
        )
        assert numbers[0] > numbers[1]
