"""Invariants of the settlement for random contracts and data (hypothesis; the profile in conftest.py sets how many examples, and whether random).

Each scenario: 2-5 providers with base shares in thousandths summing to exactly 1; a random
contract value and withheld proportion; two domains (a collective higher-is-better proportion,
a collective lower-is-better rate with a small-numbers policy, an individual indicator for a
random provider); a random share rule (base share, fixed, caps) and unearned policy; random
monthly data; a year or a quarter. Properties:

(a) money is conserved to the penny, and each provider's lines add up;
(b) with unearned money retained, a better numerator on a higher-is-better indicator never
    lowers any provider's net payable;
(c) settling is repeatable, and the order of the monthly rows does not matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from engine_support import contract_from, domain, indicator, monthly
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from obc_settle.contract.models import Contract
from obc_settle.engine import settle
from obc_settle.ledger.invariants import violations
from obc_settle.periods import SettlementPeriod

SETTINGS = settings()  # the loaded profile's (tests/conftest.py): quick and derandomised, or long and random
pytestmark = pytest.mark.slow  # each example settles a contract, some a year of them
PERIODS = ["2025-26", "2025-26-Q1", "2025-26-Q2", "2025-26-Q3", "2025-26-Q4"]
MONTHS = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 4)]


@dataclass(frozen=True)
class Scenario:
    contract: Contract
    rows: list[tuple[Any, ...]]
    period: SettlementPeriod
    provider_ids: list[str]


@st.composite
def thousandths(draw: Any, parts: int) -> list[Decimal]:
    """`parts` positive proportions in thousandths that sum to exactly 1 (integers over 1,000)."""
    cuts = sorted(draw(st.lists(st.integers(1, 999), min_size=parts - 1, max_size=parts - 1, unique=True)))
    bounds = [0, *cuts, 1000]
    return [Decimal(bounds[i + 1] - bounds[i]) / Decimal(1000) for i in range(parts)]


@st.composite
def scenarios(draw: Any, unearned: str | None = None) -> Scenario:
    count = draw(st.integers(2, 5))
    ids = [f"P{i}" for i in range(count)]
    shares = draw(thousandths(count))
    pence = draw(st.integers(0, 10**10))
    withheld = Decimal(draw(st.integers(0, 1000))) / Decimal(1000)
    rule_kind = draw(st.sampled_from(["base_share", "fixed", "caps"]))
    share_rule: dict[str, Any] | None = None
    if rule_kind == "fixed":
        share_rule = {"method": "fixed", "fixed": dict(zip(ids, draw(thousandths(count)), strict=True))}
    elif rule_kind == "caps":
        capped = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=count, unique=True))
        share_rule = {"caps": {pid: Decimal(draw(st.integers(0, 1000))) / Decimal(1000) for pid in capped}}
    owner = draw(st.sampled_from(ids))
    policy = draw(st.sampled_from(["score_zero", "score_met", "reassign_weight"]))
    contract = contract_from(
        providers=[(pid, str(share)) for pid, share in zip(ids, shares, strict=True)],
        years=(("2025-26", str(Decimal(pence) / 100), str(withheld)),),
        domains=[
            domain(
                "d1",
                "0.7",
                indicator("hi", threshold="0.5", target="0.8", weight="0.6"),
                indicator(
                    "own",
                    threshold="0.3",
                    target="0.9",
                    weight="0.4",
                    attribution="individual",
                    provider=owner,
                ),
            ),
            domain(
                "d2",
                "0.3",
                indicator(
                    "rate",
                    kind="rate_per_1000",
                    direction="lower_is_better",
                    threshold="30",
                    target="10",
                    weight="1",
                    minimum_denominator=50,
                    small_numbers=policy,
                ),
            ),
        ],
        share_rule=share_rule,
        unearned=unearned or draw(st.sampled_from(["retained", "redistributed"])),
    )
    rows = []
    for provider in ids:
        for indicator_id in ("hi", "own", "rate"):
            for month in draw(st.lists(st.sampled_from(MONTHS), max_size=3, unique=True)):
                denominator = draw(st.integers(0, 200))
                limit = denominator if indicator_id != "rate" else 20
                rows.append((provider, indicator_id, month, draw(st.integers(0, limit)), denominator))
    period = SettlementPeriod.parse(draw(st.sampled_from(PERIODS)))
    return Scenario(contract, rows, period, ids)


def sums_by_party(ledger: pl.DataFrame, line_type: str) -> dict[str, int]:
    frame = (
        ledger.filter(pl.col("line_type") == line_type).group_by("party_id").agg(pl.col("amount_pence").sum())
    )
    return {row[0]: int(row[1]) for row in frame.iter_rows()}


@SETTINGS
@given(scenarios())
def test_money_is_conserved_to_the_penny_and_each_providers_lines_add_up(scenario: Scenario) -> None:
    ledger = settle(scenario.contract, monthly(scenario.rows), scenario.period)
    assert violations(ledger, scenario.contract) == []  # every invariant checked at run time holds
    paid = int(ledger.filter(pl.col("kind") == "payment").get_column("amount_pence").sum())
    kept = int(ledger.filter(pl.col("kind") == "retention").get_column("amount_pence").sum())
    (contract_value,) = (
        ledger.filter(pl.col("line_type") == "contract_value").get_column("amount_pence").to_list()
    )
    assert paid + kept == contract_value

    base = sums_by_party(ledger, "base_payment")
    earned = sums_by_party(ledger, "outcome")
    unearned = sums_by_party(ledger, "unearned")
    withheld = sums_by_party(ledger, "withheld")
    extra = sums_by_party(ledger, "redistributed_unearned")
    net = sums_by_party(ledger, "net_payable")
    for pid in scenario.provider_ids:
        assert net[pid] == base[pid] + earned.get(pid, 0) + extra.get(pid, 0)
        assert earned.get(pid, 0) + unearned[pid] == withheld[pid]
        assert 0 <= earned.get(pid, 0) <= withheld[pid]
    (pool,) = ledger.filter(pl.col("line_type") == "outcome_pool").get_column("amount_pence").to_list()
    assert sum(base.values()) == contract_value - pool
    (net_retained,) = (
        ledger.filter(pl.col("line_type") == "net_retained").get_column("amount_pence").to_list()
    )
    assert net_retained == kept
    assert sum(net[pid] for pid in scenario.provider_ids) + net_retained == contract_value


@SETTINGS
@given(scenarios(unearned="retained"), st.data())
def test_a_better_result_on_a_higher_is_better_indicator_never_lowers_anyones_net_payable(
    scenario: Scenario, data: Any
) -> None:
    candidates = [i for i, row in enumerate(scenario.rows) if row[1] in {"hi", "own"} and row[3] < row[4]]
    assume(candidates)  # a scenario with no result left to improve does not count as a test
    index = data.draw(st.sampled_from(candidates))
    provider, indicator_id, month, numerator, denominator = scenario.rows[index]
    better = data.draw(st.integers(numerator + 1, denominator))
    improved = list(scenario.rows)
    improved[index] = (provider, indicator_id, month, better, denominator)
    before = sums_by_party(settle(scenario.contract, monthly(scenario.rows), scenario.period), "net_payable")
    after = sums_by_party(settle(scenario.contract, monthly(improved), scenario.period), "net_payable")
    for pid in scenario.provider_ids:
        assert after[pid] >= before[pid]


@SETTINGS
@given(scenarios(), st.randoms(use_true_random=False))
def test_settling_twice_or_with_shuffled_rows_gives_the_identical_ledger(
    scenario: Scenario, rng: Any
) -> None:
    frame = monthly(scenario.rows)
    first = settle(scenario.contract, frame, scenario.period)
    again = settle(scenario.contract, frame, scenario.period)
    assert first.equals(again)
    shuffled_rows = list(scenario.rows)
    rng.shuffle(shuffled_rows)
    shuffled = settle(scenario.contract, monthly(shuffled_rows), scenario.period)
    assert first.equals(shuffled)
    assert first.schema == shuffled.schema
