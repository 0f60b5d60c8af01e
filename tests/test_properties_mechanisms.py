"""Outcome pools settle to the penny of an exact reference, for every scoring method (hypothesis).

Each example draws a contract (1-4 providers, a contract value up to a billion pounds, a withheld
proportion, one or two domains of 1-3 indicators, each linear, all-or-nothing, banded or hvbp,
higher or lower is better, a proportion or a rate, collective or individual, with a minimum
denominator and a small-numbers policy), a share rule (base share or fixed), unearned money
retained (with an exchange slope) or redistributed, a year or a quarter paid in monthly or
quarterly base instalments, and monthly rows (some outside the period, some of other providers
for an individual indicator). The ledger must equal `exact_reference.outcome_settlement` line by
line (one rounding to the penny, half away from zero, of the exact rational; splits by largest
remainder) and hold every ledger invariant. Subcontracts and share caps are tested the same way.

Small numbers are scored zero, scored met or have their weight reassigned; effective weights are
the exact fractions of methodology section 9.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl
import pytest
from engine_support import COMMISSIONER, contract_dict, domain, dump, indicator, load_text, monthly
from exact_reference import (
    Expected,
    Indicator,
    Row,
    amounts,
    between,
    differences,
    outcome_settlement,
    parts,
    split,
    subcontracted,
    text,
    thousandths,
    to_the_penny,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from obc_settle.contract.models import Contract
from obc_settle.engine import settle
from obc_settle.ledger.invariants import violations
from obc_settle.periods import SettlementPeriod

SETTINGS = settings(
    max_examples=max(10, settings.default.max_examples // 4)
)  # one contract load and settlement each
pytestmark = pytest.mark.slow  # each example settles a contract, some a year of them
PERIODS = ["2025-26", "2025-26-Q1", "2025-26-Q2", "2025-26-Q3", "2025-26-Q4"]
MONTHS = SettlementPeriod.parse("2025-26").months()
METHODS = ("linear", "all_or_nothing", "banded", "hvbp")


@dataclass(frozen=True)
class Case:
    body: dict[str, Any] = field(repr=False)
    """The contract as written (a mapping for YAML), for tests that change it."""
    contract: Contract = field(repr=False)
    rows: list[Row]
    period: SettlementPeriod
    providers: list[tuple[str, Fraction]]
    shares: dict[str, Fraction]
    indicators: list[Indicator]
    contract_value: int
    withheld: Fraction
    slope: Fraction
    redistribute: bool
    instalments: int


@st.composite
def levels(draw: Any, kind: str, higher: bool, count: int) -> list[Fraction]:
    """`count` distinct levels from worst to best."""
    scale = (
        (1000, 1000) if kind == "proportion" else (2000, 10)
    )  # proportions in thousandths; rates 0-200 in tenths
    values = sorted(
        Fraction(n, scale[1])
        for n in draw(st.lists(st.integers(0, scale[0]), min_size=count, max_size=count, unique=True))
    )
    return values if higher else values[::-1]


@st.composite
def indicators(
    draw: Any,
    domain_id: str,
    domain_weight: Fraction,
    count: int,
    provider_ids: list[str],
    methods: tuple[str, ...],
) -> list[Indicator]:
    weights = draw(parts(count))
    made = []
    for index, weight in enumerate(weights):
        method = draw(st.sampled_from(methods))
        kind = draw(st.sampled_from(["proportion", "rate_per_1000"]))
        higher = draw(st.booleans())
        threshold, target = draw(levels(kind, higher, 2))
        bands: tuple[tuple[Fraction, Fraction], ...] = ()
        if method == "banded":
            band_levels = draw(levels(kind, higher, draw(st.integers(1, 3))))
            scores = sorted(
                thousandths(n)
                for n in draw(
                    st.lists(st.integers(0, 1000), min_size=len(band_levels), max_size=len(band_levels))
                )
            )
            bands = tuple(zip(band_levels, scores, strict=True))
        baseline = draw(st.none() | levels(kind, higher, 1).map(lambda v: v[0])) if method == "hvbp" else None
        made.append(
            Indicator(
                id=f"{domain_id}i{index}",
                domain_weight=domain_weight,
                weight=weight,
                higher=higher,
                threshold=threshold,
                target=target,
                method=method,
                kind=kind,
                bands=bands,
                baseline=baseline,
                point_decimals=draw(st.integers(0, 2)) if method == "hvbp" else 0,
                minimum_denominator=draw(st.integers(0, 60)),
                small_numbers=draw(st.sampled_from(["score_zero", "score_met", "reassign_weight"])),
                provider=draw(st.none() | st.sampled_from(provider_ids)),
                domain=domain_id,
            )
        )
    return made


def indicator_yaml(item: Indicator) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "minimum_denominator": item.minimum_denominator,
        "small_numbers": item.small_numbers,
    }
    scoring: dict[str, Any] = {"method": item.method}
    if item.bands:
        scoring["bands"] = [{"level": text(level), "score": text(score)} for level, score in item.bands]
    if item.method == "hvbp":
        scoring["point_decimals"] = item.point_decimals
    extra["scoring"] = scoring
    if item.baseline is not None:
        extra["baseline"] = str(text(item.baseline))
    if item.provider is not None:
        extra |= {"attribution": "individual", "provider": item.provider}
    return indicator(
        item.id,
        kind=item.kind,
        direction="higher_is_better" if item.higher else "lower_is_better",
        threshold=str(text(item.threshold)),
        target=str(text(item.target)),
        weight=str(text(item.weight)),
        **extra,
    )


def load(body: dict[str, Any]) -> Contract:
    loaded, findings = load_text(dump(body))
    assert findings == [], [f.render() for f in findings]
    assert loaded is not None
    return loaded.contract


@st.composite
def rows_for(draw: Any, items: list[Indicator], provider_ids: list[str], months: list[str]) -> list[Row]:
    """Rows in the period's months, a few outside it, and other providers' rows of individual indicators."""
    outside = [m for m in MONTHS if m not in months]
    rows: list[Row] = []
    for item in items:
        for pid in provider_ids:
            for month in draw(st.lists(st.sampled_from(months), max_size=2, unique=True)) + draw(
                st.lists(st.sampled_from(outside or months), max_size=1)
            ):
                if item.kind == "proportion":
                    rows.append((pid, item.id, month, *draw(between(item.threshold, item.target, 300))))
                else:
                    denominator = draw(st.integers(0, 3000))
                    rows.append((pid, item.id, month, draw(st.integers(0, 90)), denominator))
    return rows


@st.composite
def cases(draw: Any, methods: tuple[str, ...] = METHODS, share_rule: str | None = None) -> Case:
    count = draw(st.integers(1, 4))
    ids = [f"P{i}" for i in range(count)]
    base_shares = draw(parts(count))
    value = draw(
        st.integers(0, 10**6) | st.integers(10**9, 10**11)
    )  # large pools show any rounding before money
    withheld = thousandths(draw(st.integers(0, 1000)))
    domain_weights = draw(parts(draw(st.integers(1, 2))))
    items = [
        item
        for d, w in enumerate(domain_weights)
        for item in draw(indicators(f"d{d}", w, draw(st.integers(1, 3)), ids, methods))
    ]
    rule = share_rule or draw(st.sampled_from(["base_share", "fixed"]))
    shares = (
        dict(zip(ids, base_shares, strict=True))
        if rule == "base_share"
        else dict(zip(ids, draw(parts(count)), strict=True))
    )
    redistribute = draw(st.booleans())
    slope = (
        Fraction(1)
        if redistribute
        else draw(st.sampled_from([Fraction(1), Fraction(1, 2), Fraction(29, 10)]))
    )
    period = SettlementPeriod.parse(draw(st.sampled_from(PERIODS)))
    instalments = draw(st.sampled_from(["quarterly", "monthly"]))
    body = contract_dict(
        providers=[(pid, str(text(s))) for pid, s in zip(ids, base_shares, strict=True)],
        years=(("2025-26", str(Decimal(value) / 100), str(text(withheld))),),
        domains=[
            domain(f"d{d}", str(text(w)), *[indicator_yaml(i) for i in items if i.domain == f"d{d}"])
            for d, w in enumerate(domain_weights)
        ],
        share_rule={"method": "fixed", "fixed": {pid: text(s) for pid, s in shares.items()}}
        if rule == "fixed"
        else None,
        unearned="redistributed" if redistribute else "retained",
        payment_terms={"base_instalments": instalments, "outcome_on_account": "each_quarter"},
    )
    body["outcome_framework"]["exchange_slope"] = text(slope)
    annual = value
    if period.quarter is not None:
        value = split(annual, [1, 1, 1, 1])[period.quarter - 1]
    rows = draw(rows_for(items, ids, period.months()))
    per_month = 3 if instalments == "monthly" and period.quarter is not None else 1
    return Case(
        body,
        load(body),
        rows,
        period,
        list(zip(ids, base_shares, strict=True)),
        shares,
        items,
        value,
        withheld,
        slope,
        redistribute,
        per_month,
    )


def expected_of(case: Case) -> Expected:
    return outcome_settlement(
        case.providers,
        case.shares,
        case.indicators,
        case.rows,
        case.period.months(),
        case.contract_value,
        case.withheld,
        slope=case.slope,
        redistribute=case.redistribute,
        instalments=case.instalments,
    )


def check_exact(case: Case) -> None:
    ledger = settle(case.contract, monthly(case.rows), case.period)
    assert violations(ledger, case.contract) == []
    found = differences(ledger, expected_of(case))
    assert not found, to_the_penny(found)


@SETTINGS
@given(cases(methods=("linear",)))
def test_linear_scores_times_pools_split_by_largest_remainder_are_exact_to_the_penny(case: Case) -> None:
    check_exact(case)


@SETTINGS
@given(cases(methods=("all_or_nothing",)))
def test_all_or_nothing_scores_times_pools_are_exact_to_the_penny(case: Case) -> None:
    check_exact(case)


@SETTINGS
@given(cases(methods=("banded",)))
def test_banded_scores_times_pools_are_exact_to_the_penny(case: Case) -> None:
    check_exact(case)


@SETTINGS
@given(cases(methods=("hvbp",)))
def test_hvbp_points_times_pools_are_exact_to_the_penny(case: Case) -> None:
    check_exact(case)


@SETTINGS
@given(cases(), st.data())
def test_a_prime_passes_on_exactly_its_subcontractors_share_of_what_it_earned(case: Case, data: Any) -> None:
    ids = [pid for pid, _ in case.providers]
    if len(ids) < 2:
        ids.append("SUB")
    prime, others = ids[0], ids[1:]
    subs = data.draw(st.lists(st.sampled_from(others), min_size=1, max_size=len(others), unique=True))
    cut = data.draw(parts(len(subs) + 1))[: len(subs)]
    indicator_ids = [i.id for i in case.indicators]
    terms = [
        (sub, share, data.draw(st.none() | st.lists(st.sampled_from(indicator_ids), min_size=1, unique=True)))
        for sub, share in zip(subs, cut, strict=True)
    ]
    body = copy.deepcopy(case.body)
    if "SUB" in ids:
        body["providers"].append(
            {"id": "SUB", "name": "Subcontractor", "role": "subcontractor", "base_share": Decimal(0)}
        )
    body["subcontracts"] = [
        {
            "prime": prime,
            "subcontractor": sub,
            "share": text(share),
            **({} if only is None else {"indicators": only}),
        }
        for sub, share, only in terms
    ]
    contract = load(body)
    ledger = settle(contract, monthly(case.rows), case.period)
    assert violations(ledger, contract) == []
    providers = [*case.providers, *([("SUB", Fraction(0))] if "SUB" in ids else [])]
    shares = case.shares | ({"SUB": Fraction(0)} if "SUB" in ids else {})
    expected = outcome_settlement(
        providers,
        shares,
        case.indicators,
        case.rows,
        case.period.months(),
        case.contract_value,
        case.withheld,
        slope=case.slope,
        redistribute=case.redistribute,
        instalments=case.instalments,
    )
    earned = {
        str(i): int(a)
        for p, i, a in ledger.filter(pl.col("line_type") == "outcome")
        .select("party_id", "indicator_id", "amount_pence")
        .iter_rows()
        if p == prime
    }
    got, passed = subcontracted(
        earned, terms
    )  # the split of what the engine says the prime earned (checked to the penny below)
    engine = {
        str(p): int(a)
        for p, a in ledger.filter(pl.col("line_type") == "subcontract")
        .group_by("party_id")
        .agg(pl.col("amount_pence").sum())
        .iter_rows()
    }
    assert {pid: engine.get(pid, 0) for pid in got} == got
    assert engine.get(prime, 0) == -passed
    for sub, amount in got.items():
        expected.net_payable[sub] += amount
    expected.net_payable[prime] -= passed
    found = differences(ledger, expected)
    assert not found, to_the_penny(found)


@SETTINGS
@given(cases(share_rule="base_share"), st.data())
def test_capped_shares_conserve_money_and_hold_each_capped_provider_to_its_cap(case: Case, data: Any) -> None:
    ids = [pid for pid, _ in case.providers]
    capped = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=len(ids), unique=True))
    caps = {pid: thousandths(data.draw(st.integers(0, 1000))) for pid in capped}
    body = copy.deepcopy(case.body)
    body["share_rule"] = {"method": "base_share", "caps": {pid: text(cap) for pid, cap in caps.items()}}
    contract = load(body)
    ledger = settle(contract, monthly(case.rows), case.period)
    assert violations(ledger, contract) == []
    paid = int(ledger.filter(pl.col("kind").is_in(["payment", "retention"]))["amount_pence"].sum())
    assert paid == case.contract_value
    collective = {i.id for i in case.indicators if i.provider is None}
    for row in ledger.filter(
        (pl.col("line_type") == "outcome") & pl.col("indicator_id").is_in(list(collective))
    ).iter_rows(named=True):
        if row["party_id"] in caps:
            assert row["available_pence"] <= caps[row["party_id"]] * row["pool_pence"] + 1
    kept = {str(i): int(a) for (p, i), a in amounts(ledger, "retained").items() if p == COMMISSIONER}
    earned = amounts(ledger, "outcome")
    for indicator_id in collective:
        pool = int(
            ledger.filter((pl.col("line_type") == "retained") & (pl.col("indicator_id") == indicator_id))[
                "pool_pence"
            ].item()
        )
        assert kept[indicator_id] + sum(a for (_, i), a in earned.items() if i == indicator_id) == pool
