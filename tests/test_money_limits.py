"""No total can wrap: amounts up to the stated limit settle exactly, and totals are added in 128 bits.

A red-team run settled `contract_value: 50000000000000000.00` with everything withheld and an
exchange slope of 2: every ledger line was right, but summary.json and the terminal printed
`paid to providers -£84,467,440,737,095,516.16` because Polars adds an Int64 column in 64 bits and
wraps. Contracts are now held to `MAX_AMOUNT_PENCE` (£10^12; the contract checks refuse more), and
every total of pence is added as a 128-bit integer (`obc_settle.money.pence_sum`).
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from engine_support import YEAR, contract_dict, dump, load_text, monthly
from hypothesis import given, settings
from hypothesis import strategies as st

from obc_settle.contract.models import Contract
from obc_settle.engine import settle
from obc_settle.ledger import party_totals, provider_line_totals, settlement_totals
from obc_settle.ledger.invariants import violations
from obc_settle.money import MAX_AMOUNT_PENCE
from obc_settle.money_columns import pence_sum, pence_total
from obc_settle.periods import SettlementPeriod
from obc_settle.render.summary import settlement_summary

NEAR_THE_TOP = 2**62  # three of these pass 2^63 - 1, the largest 64-bit integer


def test_a_column_of_pence_adds_up_exactly_where_64_bits_would_wrap() -> None:
    amounts = pl.Series("amount_pence", [NEAR_THE_TOP, NEAR_THE_TOP, NEAR_THE_TOP], dtype=pl.Int64)
    assert amounts.sum() < 0  # what Polars does on its own: the total wraps
    assert pence_total(amounts) == 3 * NEAR_THE_TOP
    grouped = (
        pl.DataFrame({"party_id": ["A"] * 3, "amount_pence": amounts})
        .group_by("party_id")
        .agg(pence_sum("amount_pence"))
    )
    assert grouped.rows() == [("A", 3 * NEAR_THE_TOP)]


def test_the_ledger_views_add_lines_beyond_64_bits_exactly() -> None:
    ledger = _settled(MAX_AMOUNT_PENCE, "1", "2")
    # Scale every amount up to just under 2^62: each line still fits, their totals do not.
    scale = NEAR_THE_TOP // MAX_AMOUNT_PENCE
    big = ledger.with_columns(pl.col("amount_pence") * scale)
    lines = big.get_column("amount_pence").to_list()
    payments = big.filter(pl.col("kind") == "payment").get_column("amount_pence").to_list()
    assert settlement_totals(big).paid_to_providers_pence == sum(payments)
    sizes = big.get_column("amount_pence").abs()
    assert sum(sizes.to_list()) >= 2**63  # beyond what a 64-bit total holds
    assert pence_total(sizes) == sum(abs(amount) for amount in lines)
    for party in party_totals(big):
        mine = big.filter((pl.col("party_id") == party.provider_id) & (pl.col("line_type") == "net_payable"))
        assert party.net_payable_pence == sum(mine.get_column("amount_pence").to_list())
    by_type = provider_line_totals(big)
    for line_type, pence in by_type.items():
        rows = big.filter((pl.col("party_id") != "commissioner") & (pl.col("line_type") == line_type))
        assert pence == sum(rows.get_column("amount_pence").to_list())


@settings(max_examples=25, deadline=None)
@given(
    value_pence=st.integers(min_value=1, max_value=MAX_AMOUNT_PENCE),
    withheld=st.sampled_from(["0", "0.1", "0.5", "0.999", "1"]),
    slope=st.sampled_from(["1", "1.5", "2"]),
    achieved=st.integers(min_value=0, max_value=100),
)
def test_amounts_up_to_the_limit_settle_a_year_exactly_and_every_total_agrees(
    value_pence: int, withheld: str, slope: str, achieved: int
) -> None:
    ledger = _settled(value_pence, withheld, slope, achieved)
    assert violations(ledger, _contract(value_pence, withheld, slope)) == []
    payments = ledger.filter(pl.col("kind") == "payment").get_column("amount_pence").to_list()
    retentions = ledger.filter(pl.col("kind") == "retention").get_column("amount_pence").to_list()
    summary = settlement_summary(_contract(value_pence, withheld, slope), ledger)
    assert summary["paid_to_providers_pence"] == sum(payments)
    assert summary["retained_pence"] == sum(retentions)
    assert summary["paid_to_providers_pence"] + summary["retained_pence"] == summary["contract_value_pence"]
    assert summary["contract_value_pence"] == value_pence
    assert sum(p["net_payable_pence"] for p in summary["providers"]) == summary["paid_to_providers_pence"]


@pytest.mark.parametrize("value_pence", [MAX_AMOUNT_PENCE])
def test_the_limit_itself_is_accepted(value_pence: int) -> None:
    assert _contract(value_pence, "1", "2").contract_years[0].contract_value == Decimal(value_pence) / 100


def _contract(value_pence: int, withheld: str, slope: str) -> Contract:
    pounds = f"{value_pence // 100}.{value_pence % 100:02d}"
    body = contract_dict(
        providers=(("A", "0.6"), ("B", "0.4")), years=((YEAR, pounds, withheld),), unearned="retained"
    )
    body["outcome_framework"]["exchange_slope"] = Decimal(slope)
    loaded, findings = load_text(dump(body))
    assert findings == [], [f.render() for f in findings]
    assert loaded is not None
    return loaded.contract


def _settled(value_pence: int, withheld: str, slope: str, achieved: int = 100) -> pl.DataFrame:
    contract = _contract(value_pence, withheld, slope)
    months = SettlementPeriod.parse(YEAR).months()
    rows = [(p, "i1", month, achieved, 100) for p in ("A", "B") for month in months]
    return settle(contract, monthly(rows), SettlementPeriod.parse(YEAR))
