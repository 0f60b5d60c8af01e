"""Invariants of a contract year (hypothesis; the profile in conftest.py sets how many examples, and whether random).

Each scenario: 2-4 providers with base shares in thousandths; a random contract value and
withheld proportion; random payment terms (outcome money paid each quarter, on the year to date,
in full, or held; quarterly or monthly base instalments); two indicators (a collective proportion
and an individual one); random monthly data for the year. Properties:

(a) money is conserved to the penny in every quarter and at year end, and over the year the
    quarters' payments plus the year-end reconciliation equal the year-end rules for each provider;
(b) nothing is paid twice: settling the year again with its own earlier settlement in the
    history pays nothing, and a restated quarter is corrected once, naming the quarter;
(c) data that does not bear on a settlement (months after it, another provider's rows of an
    individual indicator) changes no amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from engine_support import COMMISSIONER, contract_from, domain, indicator, lines, monthly
from hypothesis import given, settings
from hypothesis import strategies as st

from obc_settle.contract.models import Contract
from obc_settle.engine import settle, settle_with_history
from obc_settle.engine.reconcile import history_of
from obc_settle.ledger.invariants import violations
from obc_settle.periods import SettlementPeriod

SETTINGS = settings(
    max_examples=settings.default.max_examples // 5
)  # one example settles a year five times or more
pytestmark = pytest.mark.slow  # each example settles a contract, some a year of them
MONTHS = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 4)]
QUARTERS = [f"2025-26-Q{q}" for q in range(1, 5)]


@dataclass(frozen=True)
class Year:
    contract: Contract
    rows: list[tuple[Any, ...]]
    ids: list[str]
    owner: str


@st.composite
def years(draw: Any) -> Year:
    count = draw(st.integers(2, 4))
    ids = [f"P{i}" for i in range(count)]
    cuts = sorted(draw(st.lists(st.integers(1, 999), min_size=count - 1, max_size=count - 1, unique=True)))
    bounds = [0, *cuts, 1000]
    shares = [Decimal(bounds[i + 1] - bounds[i]) / 1000 for i in range(count)]
    pence = draw(st.integers(0, 10**9))
    withheld = Decimal(draw(st.integers(0, 300))) / 1000
    owner = draw(st.sampled_from(ids))
    terms = {
        "outcome_on_account": draw(st.sampled_from(["each_quarter", "year_to_date", "in_full", "year_end"])),
        "base_instalments": draw(st.sampled_from(["quarterly", "monthly"])),
    }
    contract = contract_from(
        providers=[(pid, str(share)) for pid, share in zip(ids, shares, strict=True)],
        years=(("2025-26", str(Decimal(pence) / 100), str(withheld)), ("2026-27", "1000.00", "0.1")),
        domains=[
            domain(
                "d1",
                "1",
                indicator(
                    "hi",
                    threshold="0.4",
                    target="0.8",
                    weight="0.6",
                    window=draw(st.sampled_from(["period", "year_to_date"])),
                ),
                indicator(
                    "own",
                    threshold="0.3",
                    target="0.9",
                    weight="0.4",
                    attribution="individual",
                    provider=owner,
                ),
            )
        ],
        unearned=draw(st.sampled_from(["retained", "redistributed"])),
        payment_terms=terms,
    )
    rows = []
    for month in MONTHS:
        for pid in ids:
            if draw(st.booleans()):
                denominator = draw(st.integers(0, 200))
                rows.append((pid, "hi", month, draw(st.integers(0, denominator)), denominator))
        if draw(st.booleans()):
            denominator = draw(st.integers(1, 100))
            rows.append((owner, "own", month, draw(st.integers(0, denominator)), denominator))
    return Year(contract, rows, ids, owner)


def due(ledger: pl.DataFrame) -> dict[str, int]:
    kind = "due_now" if lines(ledger, "due_now").height else "net_payable"
    return {
        r["party_id"]: int(r["amount_pence"])
        for r in lines(ledger, kind).iter_rows(named=True)
        if r["party_id"] != COMMISSIONER
    }


def conserved(ledger: pl.DataFrame) -> bool:
    value = int(lines(ledger, "contract_value")["amount_pence"].item())
    return int(ledger.filter(pl.col("kind").is_in(["payment", "retention"]))["amount_pence"].sum()) == value


def run_year(contract: Contract, data: pl.DataFrame) -> tuple[list[tuple[pl.DataFrame, str]], pl.DataFrame]:
    runs: list[tuple[pl.DataFrame, str]] = []
    for name in QUARTERS:
        runs.append(
            (
                settle_with_history(
                    contract, data, SettlementPeriod.parse(name), history_of(runs) if runs else None
                ),
                name,
            )
        )
    return runs, settle_with_history(contract, data, SettlementPeriod.parse("2025-26"), history_of(runs))


@SETTINGS
@given(years())
def test_money_is_conserved_every_quarter_and_the_year_pays_exactly_the_year_end_rules(year: Year) -> None:
    data = monthly(year.rows)
    runs, final = run_year(year.contract, data)
    assert all(conserved(ledger) for ledger, _ in runs) and conserved(final)
    assert all(violations(ledger, year.contract) == [] for ledger in [*(run for run, _ in runs), final])
    paid = dict.fromkeys(year.ids, 0)
    for ledger in [*(run for run, _ in runs), final]:
        for pid, amount in due(ledger).items():
            paid[pid] += amount
    assert paid == due(settle(year.contract, data, SettlementPeriod.parse("2025-26")))


@SETTINGS
@given(years())
def test_nothing_is_paid_twice(year: Year) -> None:
    data = monthly(year.rows)
    runs, final = run_year(year.contract, data)
    again = settle_with_history(
        year.contract, data, SettlementPeriod.parse("2025-26"), history_of([*runs, (final, "2025-26")])
    )
    assert set(due(again).values()) == {0}
    q2_again = settle_with_history(
        year.contract, data, SettlementPeriod.parse("2025-26-Q2"), history_of(runs[:2])
    )
    assert set(due(q2_again).values()) <= {0}


@SETTINGS
@given(years(), st.integers(0, 2**32 - 1))
def test_a_restated_quarter_is_corrected_once_naming_the_quarter(year: Year, seed: int) -> None:
    import random

    rng = random.Random(seed)
    corrected = [
        (p, i, m, rng.randint(0, d), d) if m in MONTHS[:3] else (p, i, m, n, d) for p, i, m, n, d in year.rows
    ]
    q1_first = settle(year.contract, monthly(year.rows), SettlementPeriod.parse("2025-26-Q1"))
    q2 = settle_with_history(
        year.contract,
        monthly(corrected),
        SettlementPeriod.parse("2025-26-Q2"),
        history_of([(q1_first, "Q1")]),
    )
    assert conserved(q2)
    assert set(lines(q2, "restatement")["adjusts_period"].to_list()) <= {"2025-26-Q1"}
    q1_new = settle(year.contract, monthly(corrected), SettlementPeriod.parse("2025-26-Q1"))
    q2_alone = settle(year.contract, monthly(corrected), SettlementPeriod.parse("2025-26-Q2"))
    if year.contract.payment_terms.outcome_on_account != "year_to_date":
        for pid in year.ids:
            assert due(q1_first)[pid] + due(q2)[pid] == due(q1_new)[pid] + due(q2_alone)[pid]


@SETTINGS
@given(years(), st.data())
def test_unrelated_data_changes_no_amount(year: Year, data: Any) -> None:
    """Rows after the settlement period, and other providers' rows of an individual indicator."""
    later = [(pid, "hi", month, 5, 10) for pid in year.ids for month in ("2026-01", "2026-05", "2026-11")]
    others = [(pid, "own", month, 1, 1) for pid in year.ids if pid != year.owner for month in MONTHS]
    quarter = data.draw(st.sampled_from(["2025-26-Q1", "2025-26-Q2", "2025-26-Q3"]))
    before = settle(year.contract, monthly(year.rows), SettlementPeriod.parse(quarter))
    after = settle(year.contract, monthly(year.rows + later + others), SettlementPeriod.parse(quarter))
    assert before["amount_pence"].to_list() == after["amount_pence"].to_list()
