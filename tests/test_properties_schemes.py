"""Points, capitation, risk/gain share and rate cards settle to the penny of an exact reference,
and money is conserved whatever mechanisms a contract combines (hypothesis).

- points (QOF): random practices, list sizes, registers, prevalences, point values and each of the
  contract's roundings, against `exact_reference.point_payment`; aspiration payments on account;
- capitation: the contract value of random populations, then its pools, against the reference;
- risk/gain share on one band: random budgets, spend, shares, gates and caps;
- rate card: random claims and caps, against a reference that pays them in time order, and the
  quarters add up to the year;
- every mechanism at once (pools with caps and redistribution, monthly instalments, risk share,
  rate card, subcontracts; quarters netted against the earlier ones): every ledger invariant holds.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl
import pytest
from engine_support import COMMISSIONER, contract_dict, domain, dump, indicator, load_text, monthly
from exact_reference import (
    Indicator,
    between,
    capitation_value,
    differences,
    measure,
    outcome_settlement,
    parts,
    pence,
    point_payment,
    risk_share_one_band,
    score,
    split,
    text,
    thousandths,
    to_the_penny,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from obc_settle.contract.models import Contract
from obc_settle.engine import settle, settle_with_history
from obc_settle.engine.reconcile import history_of
from obc_settle.extracts.schema import CLAIMS_SCHEMA
from obc_settle.ledger.invariants import violations
from obc_settle.periods import SettlementPeriod

SETTINGS = settings(max_examples=max(10, settings.default.max_examples // 4))
pytestmark = pytest.mark.slow  # each example settles a contract, some a year of them
YEAR = SettlementPeriod.parse("2025-26")
MONTHS = YEAR.months()
QUARTERS = [SettlementPeriod.parse(f"2025-26-Q{q}") for q in range(1, 5)]


def load(body: dict[str, Any]) -> Contract:
    loaded, findings = load_text(dump(body))
    assert findings == [], [f.render() for f in findings]
    assert loaded is not None
    return loaded.contract


def by_party(ledger: pl.DataFrame, line_type: str) -> dict[str, int]:
    frame = (
        ledger.filter(pl.col("line_type") == line_type)
        .group_by("party_id", maintain_order=True)
        .agg(pl.col("amount_pence").sum())
    )
    return {str(p): int(a) for p, a in frame.iter_rows()}


def pounds(draw: Any, most: int) -> Decimal:
    return Decimal(draw(st.integers(0, most))) / 100


def conserved(ledger: pl.DataFrame, contract: Contract) -> None:
    assert violations(ledger, contract) == []
    value = int(ledger.filter(pl.col("line_type") == "contract_value")["amount_pence"].item())
    assert int(ledger.filter(pl.col("kind").is_in(["payment", "retention"]))["amount_pence"].sum()) == value


# --- points ------------------------------------------------------------------------------------------


@settings()  # the profile's examples: a score that misses by a millionth shows only on some practices
@given(st.data())
def test_points_payments_are_exact_with_the_contracts_roundings(data: Any) -> None:
    draw = data.draw
    ids = [f"GP{i}" for i in range(draw(st.integers(1, 3)))]
    count = draw(st.integers(1, 3))
    weights = draw(parts(count))
    rounding = {
        key: draw(st.sampled_from(choices))
        for key, choices in (
            ("points", [None, 0, 1, 2]),
            ("cpi", [None, 2, 4]),
            ("apdf", [None, 2, 4]),
            ("point_value", [None, 2]),
        )
    }
    point_value = Decimal(draw(st.integers(1, 50000))) / 100
    national = draw(st.integers(1000, 20000))
    items, bodies = [], []
    for index, weight in enumerate(weights):
        low, high = sorted(draw(st.lists(st.integers(0, 1000), min_size=2, max_size=2, unique=True)))
        method = draw(st.sampled_from(["linear", "all_or_nothing"]))
        maximum = Fraction(draw(st.integers(1, 200)), draw(st.sampled_from([1, 2, 4])))
        prevalence = draw(st.none() | st.integers(1, 200).map(lambda n: Fraction(n, 1000)))
        items.append(
            (
                Indicator(
                    f"q{index}", Fraction(1), weight, True, thousandths(low), thousandths(high), method
                ),
                maximum,
                prevalence,
            )
        )
        extra: dict[str, Any] = {"points": text(maximum), "scoring": {"method": method}}
        if prevalence is not None:
            extra["prevalence"] = {"disease_register": f"reg{index}", "national": text(prevalence)}
        bodies.append(
            indicator(
                f"q{index}",
                threshold=str(text(thousandths(low))),
                target=str(text(thousandths(high))),
                weight=str(text(weight)),
                **extra,
            )
        )
    shares = draw(parts(len(ids)))
    body = contract_dict(
        providers=[(pid, str(text(s))) for pid, s in zip(ids, shares, strict=True)],
        years=(("2025-26", "0.00", "0"),),
        domains=[domain("clinical", "1", *bodies)],
        points={
            "point_value": point_value,
            "list_size": "list_size",
            "national_list_size": national,
            "rounding": rounding,
        },
    )
    contract = load(body)
    rows: list[tuple[Any, ...]] = []
    for pid in ids:
        list_size = draw(st.integers(0, 30000) | st.integers(5000, 30000))
        if draw(st.booleans()) or list_size:
            rows.append((pid, "list_size", "2026-03", list_size, 0))
        for index, (item, _, prevalence) in enumerate(items):
            if prevalence is not None:
                rows.append((pid, f"reg{index}", "2026-03", draw(st.integers(0, max(list_size, 1))), 0))
            for month in draw(st.lists(st.sampled_from(MONTHS), max_size=3, unique=True)):
                rows.append((pid, f"q{index}", month, *draw(between(item.threshold, item.target, 500))))
    ledger = settle(contract, monthly(rows), YEAR)
    conserved(ledger, contract)
    got = {
        (str(p), str(i)): int(a)
        for p, i, a in ledger.filter(pl.col("line_type") == "points")
        .select("party_id", "indicator_id", "amount_pence")
        .iter_rows()
        if p != COMMISSIONER
    }
    expected = {}
    for pid in ids:
        snapshot = {
            r[1]: Fraction(r[3])
            for r in rows
            if r[0] == pid and r[2] == "2026-03" and not r[1].startswith("q")
        }
        list_size = snapshot.get("list_size", Fraction(0))
        for index, (item, maximum, prevalence) in enumerate(items):
            value = score(
                item, *measure([r for r in rows if r[0] == pid], item.id, MONTHS, None)
            ) or Fraction(0)
            register = snapshot.get(f"reg{index}", Fraction(0)) if prevalence is not None else None
            expected[(pid, item.id)] = point_payment(
                value,
                maximum,
                Fraction(point_value),
                list_size,
                Fraction(national),
                register,
                prevalence,
                rounding,
            )
    found = [
        (f"points {p} on {i}", got.get((p, i), 0), amount, got.get((p, i), 0) - amount)
        for (p, i), amount in expected.items()
        if got.get((p, i)) != amount
    ]
    assert not found, to_the_penny(found)


@SETTINGS
@given(st.data())
def test_aspiration_payments_on_account_are_exact_twelfths_and_conserved(data: Any) -> None:
    draw = data.draw
    ids = [f"GP{i}" for i in range(draw(st.integers(1, 3)))]
    shares = draw(parts(len(ids)))
    basis = pounds(draw, 10**9)
    proportion = thousandths(draw(st.integers(0, 1000)))
    uprating = Fraction(draw(st.integers(500, 1500)), 1000)
    body = contract_dict(
        providers=[(pid, str(text(s))) for pid, s in zip(ids, shares, strict=True)],
        years=(("2025-26", "0.00", "0"),),
        domains=[domain("clinical", "1", indicator("q0", points=Decimal(10)))],
        points={
            "point_value": Decimal("200.00"),
            "list_size": "list_size",
            "national_list_size": 9000,
            "aspiration": {"proportion": text(proportion), "uprating": text(uprating)},
        },
    )
    body["contract_years"][0]["aspiration_basis"] = basis
    contract = load(body)
    annual = pence(Fraction(basis) * 100 * proportion * uprating)
    twelfths = split(annual, [1] * 12)
    for quarter in QUARTERS:
        ledger = settle(contract, monthly([]), quarter)
        conserved(ledger, contract)
        amount = sum(twelfths[MONTHS.index(m)] for m in quarter.months())
        expected = dict(zip(ids, split(amount, shares), strict=True)) | {COMMISSIONER: -amount}
        assert by_party(ledger, "aspiration") == expected


# --- capitation --------------------------------------------------------------------------------------


@SETTINGS
@given(st.data())
def test_a_capitated_contract_value_and_its_pools_are_exact(data: Any) -> None:
    draw = data.draw
    ids = [f"P{i}" for i in range(draw(st.integers(1, 3)))]
    shares = draw(parts(len(ids)))
    rate = pounds(draw, 10**6)
    withheld = thousandths(draw(st.integers(0, 1000)))
    item = Indicator("i1", Fraction(1), Fraction(1), True, Fraction(3, 5), Fraction(7, 10))
    body = contract_dict(
        providers=[(pid, str(text(s))) for pid, s in zip(ids, shares, strict=True)],
        years=(("2025-26", "0", str(text(withheld))),),
    )
    body["contract_years"][0] = {
        "year": "2025-26",
        "capitation": {"rate_per_head": rate, "population": "registered"},
        "withheld_proportion": text(withheld),
    }
    contract = load(body)
    period = draw(st.sampled_from([YEAR, *QUARTERS]))
    rows: list[tuple[Any, ...]] = [
        (pid, "registered", m, draw(st.integers(0, 10**6)), 0)
        for m in MONTHS
        for pid in ids
        if draw(st.booleans())
    ]
    for pid in ids:
        numerator, denominator = draw(between(item.threshold, item.target, 400))
        rows.append((pid, "i1", period.months()[-1], numerator, max(denominator, 1)))
    ledger = settle(contract, monthly(rows), period)
    conserved(ledger, contract)
    populations = [
        Fraction(sum(r[3] for r in rows if r[1] == "registered" and r[2] == m)) for m in period.months()
    ]
    value = capitation_value(pence(Fraction(rate) * 100), populations)
    expected = outcome_settlement(
        list(zip(ids, shares, strict=True)),
        dict(zip(ids, shares, strict=True)),
        [item],
        [r for r in rows if r[1] == "i1"],
        period.months(),
        value,
        withheld,
    )
    found = differences(ledger, expected)
    assert not found, to_the_penny(found)


# --- risk and gain share ---------------------------------------------------------------------------


@SETTINGS
@given(st.data())
def test_risk_and_gain_share_on_one_band_is_exact(data: Any) -> None:
    draw = data.draw
    ids = [f"P{i}" for i in range(draw(st.integers(1, 4)))]
    shares = draw(parts(len(ids)))
    budget = pounds(draw, 10**11) + Decimal("0.01")
    sides = draw(st.sampled_from([("gains",), ("losses",), ("gains", "losses")]))
    terms = {}
    for side in sides:
        share, minimum = thousandths(draw(st.integers(0, 1000))), thousandths(draw(st.integers(0, 100)))
        cap = draw(st.none() | st.integers(1, 1000).map(thousandths))
        terms[side] = (share, minimum, cap)
    risk = {
        "spend": "spend",
        "budget": {"basis": "amount", "amount": budget},
        **{
            side: {
                "minimum_rate": text(m),
                "bands": [{"provider_share": text(s)}],
                **({} if c is None else {"cap": text(c)}),
            }
            for side, (s, m, c) in terms.items()
        },
    }
    body = contract_dict(
        providers=[(pid, str(text(s))) for pid, s in zip(ids, shares, strict=True)],
        years=(("2025-26", "1000000.00", "0"),),
        domains=[],
        risk_share=risk,
    )
    contract = load(body)
    monthly_spend = [
        (draw(st.sampled_from(ids)), "spend", m, pounds(draw, 2 * 10**10 // 12), 0) for m in MONTHS
    ]
    ledger = settle(contract, monthly(monthly_spend), YEAR)
    conserved(ledger, contract)
    budget_pence = int(budget * 100)
    spend = sum(int(r[3] * 100) for r in monthly_spend)
    side = "gains" if spend < budget_pence else "losses"
    total = 0
    if side in terms and spend != budget_pence:
        share, minimum, cap = terms[side]
        total = risk_share_one_band(budget_pence, spend, share, minimum, cap)
    parts_ = split(abs(total), shares)
    expected = {pid: part if total >= 0 else -part for pid, part in zip(ids, parts_, strict=True)} | {
        COMMISSIONER: -total
    }
    got = by_party(ledger, "risk_share")
    found = [
        (f"risk share {p}", got.get(p, 0), v, got.get(p, 0) - v)
        for p, v in expected.items()
        if got.get(p, 0) != v
    ]
    assert not found, to_the_penny(found)


# --- rate card -------------------------------------------------------------------------------------------


def paid_claims(
    claims: list[tuple[str, str, str, str]],
    prices: dict[str, int],
    per_person: int | None,
    overall: int | None,
) -> list[int]:
    """What each claim (participant, outcome, provider, month) is paid, taken by month, participant and card order."""
    order = list(prices)
    ranked = sorted(
        range(len(claims)),
        key=lambda i: (claims[i][3], claims[i][0], order.index(claims[i][1]), claims[i][2]),
    )
    seen: set[tuple[str, str]] = set()
    by_person: dict[str, int] = defaultdict(int)
    total, paid = 0, [0] * len(claims)
    for i in ranked:
        participant, outcome = claims[i][0], claims[i][1]
        if (participant, outcome) in seen:
            continue
        seen.add((participant, outcome))
        amount = prices[outcome]
        if per_person is not None:
            amount = min(amount, per_person - by_person[participant])
        if overall is not None:
            amount = min(amount, overall - total)
        by_person[participant] += amount
        total += amount
        paid[i] = amount
    return paid


@SETTINGS
@given(st.data())
def test_rate_card_payments_are_exact_and_the_quarters_add_up_to_the_year(data: Any) -> None:
    draw = data.draw
    ids = [f"P{i}" for i in range(draw(st.integers(1, 3)))]
    shares = draw(parts(len(ids)))
    prices = {f"o{i}": draw(st.integers(1, 500000)) for i in range(draw(st.integers(1, 4)))}
    per_person = draw(st.none() | st.integers(0, 1000000))
    overall = draw(st.none() | st.integers(0, 5000000))
    card: dict[str, Any] = {
        "outcomes": [{"id": o, "name": f"Outcome {o}", "price": Decimal(p) / 100} for o, p in prices.items()]
    }
    if per_person is not None:
        card["cap_per_participant"] = Decimal(per_person) / 100
    if overall is not None:
        card["cap_total"] = Decimal(overall) / 100
    body = contract_dict(
        providers=[(pid, str(text(s))) for pid, s in zip(ids, shares, strict=True)],
        years=(("2025-26", "0.00", "0"),),
        domains=[],
        rate_card=card,
    )
    contract = load(body)
    claims = draw(
        st.lists(
            st.tuples(
                st.sampled_from([f"y{i}" for i in range(6)]),
                st.sampled_from(list(prices)),
                st.sampled_from(ids),
                st.sampled_from(MONTHS),
            ),
            max_size=25,
        )
    )
    frame = pl.DataFrame(claims, schema=CLAIMS_SCHEMA, orient="row")
    year = settle(contract, monthly([]), YEAR, frame)
    conserved(year, contract)
    paid = paid_claims(claims, prices, per_person, overall)
    expected = {pid: sum(p for c, p in zip(claims, paid, strict=True) if c[2] == pid) for pid in ids}
    got = by_party(year, "rate_card")
    assert {pid: got.get(pid, 0) for pid in ids} == expected and got[COMMISSIONER] == -sum(expected.values())
    quarters = [by_party(settle(contract, monthly([]), q, frame), "rate_card") for q in QUARTERS]
    assert {pid: sum(q.get(pid, 0) for q in quarters) for pid in ids} == expected


# --- every mechanism at once ------------------------------------------------------------------------------


@settings(max_examples=max(5, settings.default.max_examples // 10))  # a year of five settlements each
@given(st.data())
def test_money_is_conserved_and_every_invariant_holds_whatever_the_contract_combines(data: Any) -> None:
    draw = data.draw
    ids = ["A", "B", "C"]
    shares = draw(parts(3))
    value = pounds(draw, 10**10)
    withheld = thousandths(draw(st.integers(0, 500)))
    items = [
        indicator(
            "i1",
            threshold="0.4",
            target="0.8",
            weight="0.5",
            small_numbers=draw(st.sampled_from(["score_zero", "reassign_weight"])),
            minimum_denominator=30,
        ),
        indicator(
            "i2",
            kind="rate_per_1000",
            direction="lower_is_better",
            threshold="90",
            target="30",
            weight="0.3",
            scoring={"method": "hvbp"},
            baseline="100",
        ),
        indicator(
            "own",
            threshold="0.2",
            target="0.9",
            weight="0.2",
            attribution="individual",
            provider=draw(st.sampled_from(ids)),
        ),
    ]
    sections: dict[str, Any] = {
        "payment_terms": {
            "base_instalments": draw(st.sampled_from(["monthly", "quarterly"])),
            "outcome_on_account": draw(
                st.sampled_from(["each_quarter", "year_to_date", "in_full", "year_end"])
            ),
        }
    }
    if draw(st.booleans()):
        sections["risk_share"] = {
            "spend": "spend",
            "budget": {"basis": "contract_value"},
            "gains": {
                "minimum_rate": Decimal("0.01"),
                "bands": [
                    {"up_to": Decimal("0.05"), "provider_share": Decimal("0.5")},
                    {"provider_share": Decimal("0.25")},
                ],
                "quality": {"method": "scale"},
            },
            "losses": {
                "minimum_rate": Decimal(0),
                "bands": [{"provider_share": Decimal("0.4")}],
                "cap": Decimal("0.05"),
            },
        }
    if draw(st.booleans()):
        sections["rate_card"] = {
            "outcomes": [{"id": "job", "name": "Job", "price": Decimal("1234.56")}],
            "cap_total": Decimal("10000.00"),
        }
    if draw(st.booleans()):
        sections["subcontracts"] = [{"prime": "A", "subcontractor": "C", "share": Decimal("0.3")}]
    rule: dict[str, Any] = {"method": "base_share"}
    if draw(st.booleans()):
        rule["caps"] = {"A": text(thousandths(draw(st.integers(0, 1000))))}
    body = contract_dict(
        providers=[(pid, str(text(s))) for pid, s in zip(ids, shares, strict=True)],
        years=(("2025-26", str(value), str(text(withheld))),),
        domains=[domain("d1", "1", *items)],
        share_rule=rule,
        unearned=draw(st.sampled_from(["retained", "redistributed"])),
        **sections,
    )
    contract = load(body)
    rows: list[tuple[Any, ...]] = []
    for month in MONTHS:
        for pid in ids:
            denominator = draw(st.integers(0, 60))
            rows += [
                (pid, "i1", month, draw(st.integers(0, denominator)), denominator),
                (pid, "i2", month, draw(st.integers(0, 10)), draw(st.integers(1, 100))),
                (pid, "own", month, draw(st.integers(0, denominator)), denominator),
                (pid, "spend", month, pounds(draw, int(value * 100) // 10 + 1), 0),
            ]
    claims = pl.DataFrame(
        [
            (f"y{draw(st.integers(0, 9))}", "job", draw(st.sampled_from(ids)), draw(st.sampled_from(MONTHS)))
            for _ in range(draw(st.integers(0, 12)))
        ],
        schema=CLAIMS_SCHEMA,
        orient="row",
    )
    frame = monthly(rows)
    runs: list[tuple[pl.DataFrame, str]] = []
    for quarter in QUARTERS:
        ledger = settle_with_history(contract, frame, quarter, history_of(runs) if runs else None, claims)
        conserved(ledger, contract)
        runs.append((ledger, quarter.name))
    final = settle_with_history(contract, frame, YEAR, history_of(runs), claims)
    conserved(final, contract)
    conserved(settle(contract, frame, YEAR, claims), contract)
