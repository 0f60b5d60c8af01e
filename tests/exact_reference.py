"""An exact reference settlement for the property tests: simple, slow and obviously right.

Every figure is a `fractions.Fraction`. Money is rounded once, to the penny, halves away from zero
(`pence`); a whole is divided among parts by the largest-remainder method (`split`): each part the
floor of its exact share, the pennies left over one each to the largest remainders, ties to the
part listed first. Nothing here imports the engine or `obc_settle.money`: the property tests
compare the engine's ledger with these figures, to the penny (`differences`, `to_the_penny`).

The rules are those of docs/methodology.md, written out again from the text:

- scores: linear clip((a - T) / (G - T), 0, 1); all-or-nothing 1 if a reaches G; banded the best
  band reached; hvbp max(achievement, improvement points) / 10 (section 26); lower-is-better by
  negating every level; an indicator with no rows scores 0; one not scorable (denominator below
  its minimum) scores by its small-numbers policy (score_met 1, score_zero 0, reassign_weight: no
  score, its weight goes to the other indicators of its domain, or to the other domains);
- outcome pool split into indicator pools by effective weight (domain weight x indicator weight,
  each renormalised over what is scored: a weight reassigned for small numbers goes to the rest);
  a collective pool split among providers by their shares, an individual pool its provider's;
  earned = pence(available x exact score x exchange slope);
- points (section 24), capitation (21), risk share (23) and subcontracts (29) below.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl
from hypothesis import strategies as st

Row = tuple[str, str, str, int, int]
"""(provider, indicator, month, numerator, denominator) of the monthly extract sums."""


def pence(value: Fraction) -> int:
    """Round to a whole number of pence, halves away from zero."""
    whole = math.floor(abs(value) + Fraction(1, 2))
    return whole if value >= 0 else -whole


def round_to(value: Fraction, decimals: int | None) -> Fraction:
    """Round half away from zero to `decimals` places (unchanged when None)."""
    if decimals is None:
        return value
    return Fraction(pence(value * 10**decimals), 10**decimals)


def split(total: int, weights: Sequence[Fraction | int]) -> list[int]:
    """`total` (>= 0) in proportion to `weights` by largest remainder; all zeros if the weights are."""
    whole = sum(Fraction(w) for w in weights)
    if whole == 0:
        return [0] * len(weights)
    exact = [total * Fraction(w) / whole for w in weights]
    parts = [math.floor(e) for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


@dataclass(frozen=True)
class Indicator:
    id: str
    domain_weight: Fraction
    weight: Fraction
    higher: bool
    threshold: Fraction
    target: Fraction
    method: str = "linear"
    kind: str = "proportion"
    bands: tuple[tuple[Fraction, Fraction], ...] = ()
    baseline: Fraction | None = None
    point_decimals: int = 0
    minimum_denominator: int = 1
    small_numbers: str = "score_zero"
    provider: str | None = None
    """The provider of an individual indicator (None: collective)."""
    points: Fraction | None = None
    domain: str = "d"


def measure(
    rows: Sequence[Row], indicator_id: str, months: Sequence[str], provider: str | None
) -> tuple[int, Fraction, Fraction]:
    """(rows, numerator, denominator) of an indicator over the months, all providers' rows or one's."""
    mine = [
        r for r in rows if r[1] == indicator_id and r[2] in months and (provider is None or r[0] == provider)
    ]
    return (
        len(mine),
        sum((Fraction(r[3]) for r in mine), Fraction(0)),
        sum((Fraction(r[4]) for r in mine), Fraction(0)),
    )


def score(indicator: Indicator, count: int, numerator: Fraction, denominator: Fraction) -> Fraction | None:
    """The exact score; None when the indicator is not scorable and its weight is reassigned."""
    if count == 0:
        return Fraction(0)
    if denominator <= 0 or denominator < indicator.minimum_denominator:
        return {"score_met": Fraction(1), "score_zero": Fraction(0)}.get(indicator.small_numbers)
    achieved = numerator / denominator * (1000 if indicator.kind == "rate_per_1000" else 1)
    sign = 1 if indicator.higher else -1
    a, t, g = sign * achieved, sign * indicator.threshold, sign * indicator.target
    if indicator.method == "linear":
        return min(max((a - t) / (g - t), Fraction(0)), Fraction(1))
    if indicator.method == "all_or_nothing":
        return Fraction(1) if a >= g else Fraction(0)
    if indicator.method == "banded":
        return max((s for level, s in indicator.bands if a >= sign * level), default=Fraction(0))
    if indicator.method == "hvbp":
        return (
            hvbp_points(
                a,
                t,
                g,
                None if indicator.baseline is None else sign * indicator.baseline,
                indicator.point_decimals,
            )
            / 10
        )
    raise ValueError(indicator.method)


def hvbp_points(
    a: Fraction, threshold: Fraction, benchmark: Fraction, baseline: Fraction | None, decimals: int
) -> Fraction:
    """max(achievement, improvement) points, in the higher-is-better space (methodology section 26)."""

    def half_up(value: Fraction) -> Fraction:
        return Fraction(math.floor(value * 10**decimals + Fraction(1, 2)), 10**decimals)

    if a >= benchmark:
        achievement = Fraction(10)
    elif a < threshold:
        achievement = Fraction(0)
    else:
        achievement = min(
            max(half_up(9 * (a - threshold) / (benchmark - threshold) + Fraction(1, 2)), Fraction(1)),
            Fraction(9),
        )
    if baseline is None or a <= baseline or baseline >= benchmark:
        improvement = Fraction(0)
    elif a >= benchmark:
        improvement = Fraction(9)
    else:
        improvement = min(
            max(half_up(10 * (a - baseline) / (benchmark - baseline) - Fraction(1, 2)), Fraction(0)),
            Fraction(9),
        )
    return max(achievement, improvement)


@dataclass
class Expected:
    """What the reference says each line is, in pence."""

    contract_value: int = 0
    outcome_pool: int = 0
    base: dict[str, list[int]] = field(default_factory=dict)
    """Each provider's base payment lines (one, or one instalment a month)."""
    available: dict[tuple[str, str], int] = field(default_factory=dict)
    earned: dict[tuple[str, str], int] = field(default_factory=dict)
    retained: dict[str, int] = field(default_factory=dict)
    redistributed: dict[str, int] = field(default_factory=dict)
    net_payable: dict[str, int] = field(default_factory=dict)


def outcome_settlement(
    providers: Sequence[tuple[str, Fraction]],
    shares: dict[str, Fraction],
    indicators: Sequence[Indicator],
    rows: Sequence[Row],
    months: Sequence[str],
    contract_value: int,
    withheld: Fraction,
    *,
    slope: Fraction = Fraction(1),
    redistribute: bool = False,
    instalments: int = 1,
) -> Expected:
    """The ledger of a pooled contract (shares without caps): base, outcome, redistribution."""
    out = Expected(contract_value=contract_value, outcome_pool=pence(contract_value * withheld))
    ids = [pid for pid, _ in providers]
    base_pool = contract_value - out.outcome_pool
    for pid, base in zip(ids, split(base_pool, [s for _, s in providers]), strict=True):
        out.base[pid] = split(base, [1] * instalments) if instalments > 1 else [base]
    scores = [score(i, *measure(rows, i.id, months, i.provider)) for i in indicators]
    pools = split(out.outcome_pool, weights(indicators, scores))
    for indicator, value, pool in zip(indicators, scores, pools, strict=True):
        value = value or Fraction(0)
        owners = [indicator.provider] if indicator.provider else ids
        parts = [pool] if indicator.provider else split(pool, [shares[pid] for pid in ids])
        for pid, available in zip(owners, parts, strict=True):
            out.available[(pid, indicator.id)] = available
            out.earned[(pid, indicator.id)] = pence(available * value * slope)
        out.retained[indicator.id] = pool - sum(out.earned[(pid, indicator.id)] for pid in owners)
    earned_by = {pid: sum(v for (p, _), v in out.earned.items() if p == pid) for pid in ids}
    unearned = sum(out.available.values()) - sum(out.earned.values())
    extra = split(unearned, [max(earned_by[pid], 0) for pid in ids]) if redistribute else [0] * len(ids)
    for pid, more in zip(ids, extra, strict=True):
        out.redistributed[pid] = more
        out.net_payable[pid] = sum(out.base[pid]) + earned_by[pid] + more
    return out


def weights(indicators: Sequence[Indicator], scores: Sequence[Fraction | None]) -> list[Fraction]:
    """Effective weights: domain weight x indicator weight, each renormalised over the active
    (scored) indicators of its domain and the active domains; 0 for an inactive indicator."""
    active_in: dict[str, Fraction] = {}
    domain_of = [i.domain for i in indicators]
    for item, domain_id, value in zip(indicators, domain_of, scores, strict=True):
        if value is not None:
            active_in[domain_id] = active_in.get(domain_id, Fraction(0)) + item.weight
    domain_weight = {d: i.domain_weight for i, d in zip(indicators, domain_of, strict=True)}
    active_domains = sum((domain_weight[d] for d, total in active_in.items() if total > 0), Fraction(0))
    return [
        item.domain_weight * item.weight / (active_domains * active_in[d])
        if value is not None and active_in.get(d) and active_domains
        else Fraction(0)
        for item, d, value in zip(indicators, domain_of, scores, strict=True)
    ]


def subcontracted(
    earned: dict[str, int], terms: Sequence[tuple[str, Fraction, Sequence[str] | None]]
) -> tuple[dict[str, int], int]:
    """(what each subcontractor gets, what the prime passes on) from the prime's earned money by
    indicator: each indicator's amount split by largest remainder among the subcontractors that
    cover it (their shares) and the prime (the rest), ties to the subcontract listed first."""
    got = {sub: 0 for sub, _, _ in terms}
    for indicator_id, amount in earned.items():
        covering = [(sub, share) for sub, share, only in terms if only is None or indicator_id in only]
        if not covering or amount <= 0:
            continue
        parts = split(amount, [share for _, share in covering] + [1 - sum(share for _, share in covering)])
        for (sub, _), part in zip(covering, parts, strict=False):
            got[sub] += part
    return got, sum(got.values())


def capitation_value(rate_per_head_pence: int, populations: Sequence[Fraction]) -> int:
    """rate per head per year x person-months / 12, rounded once."""
    return pence(rate_per_head_pence * sum(populations, Fraction(0)) / 12)


def risk_share_one_band(
    budget: int, spend: int, share: Fraction, minimum_rate: Fraction, cap: Fraction | None
) -> int:
    """The providers' part of a saving (positive) or overspend (negative) shared in one band from the first pound."""
    difference = abs(budget - spend)
    if budget <= 0 or difference == 0 or Fraction(difference, budget) < minimum_rate:
        return 0
    part = share * difference
    if cap is not None:
        part = min(part, cap * budget)
    total = pence(part)
    return total if spend < budget else -total


def point_payment(
    score_value: Fraction,
    maximum: Fraction,
    point_value_pounds: Fraction,
    list_size: Fraction,
    national_list_size: Fraction,
    register: Fraction | None,
    national_prevalence: Fraction | None,
    rounding: dict[str, Any],
) -> int:
    """One practice's payment for one indicator (methodology section 24), rounded once to pence."""
    earned_points = round_to(score_value * maximum, rounding.get("points", 2))
    cpi = round_to(list_size / national_list_size, rounding.get("cpi"))
    value = point_value_pounds * cpi
    if register is not None and national_prevalence is not None:
        prevalence = register / list_size if list_size else Fraction(0)
        value *= round_to(prevalence / national_prevalence, rounding.get("apdf"))
    value = round_to(value, rounding.get("point_value"))
    return pence(earned_points * value * 100)


# --- drawing contracts, and comparing a ledger with the reference -----------------------------------------


def thousandths(n: int) -> Fraction:
    return Fraction(n, 1000)


def text(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


@st.composite
def parts(draw: Any, count: int) -> list[Fraction]:
    """`count` positive proportions in thousandths that add up to exactly 1."""
    cuts = sorted(draw(st.lists(st.integers(1, 999), min_size=count - 1, max_size=count - 1, unique=True)))
    bounds = [0, *cuts, 1000]
    return [thousandths(bounds[i + 1] - bounds[i]) for i in range(count)]


@st.composite
def between(draw: Any, low: Fraction, high: Fraction, most: int) -> tuple[int, int]:
    """(numerator, denominator) of a proportion, mostly between two levels (where scores are partial)."""
    denominator = draw(st.integers(0, most))
    lowest, highest = sorted((math.floor(low * denominator), math.ceil(high * denominator)))
    return draw(
        st.integers(max(lowest, 0), min(highest, denominator)) | st.integers(0, denominator)
    ), denominator


def amounts(ledger: pl.DataFrame, line_type: str) -> dict[tuple[str, str | None], int]:
    frame = ledger.filter(pl.col("line_type") == line_type)
    return {
        (str(p), i): int(a)
        for p, i, a in frame.select("party_id", "indicator_id", "amount_pence").iter_rows()
    }


def differences(ledger: pl.DataFrame, expected: Expected) -> list[tuple[str, int, int, int]]:
    """(what, engine, reference, engine - reference) for every line that is not to the penny."""
    found: dict[str, tuple[int, int]] = {}
    value = int(ledger.filter(pl.col("line_type") == "contract_value")["amount_pence"].item())
    pool = int(ledger.filter(pl.col("line_type") == "outcome_pool")["amount_pence"].item())
    found["contract_value"], found["outcome_pool"] = (
        (value, expected.contract_value),
        (pool, expected.outcome_pool),
    )
    for pid, base in expected.base.items():
        got = [
            int(a)
            for a in ledger.filter((pl.col("party_id") == pid) & (pl.col("line_type") == "base_payment"))[
                "amount_pence"
            ]
        ]
        for index, (mine, theirs) in enumerate(zip(got, base, strict=False)):
            found[f"base {pid} #{index + 1}"] = (mine, theirs)
        found[f"base lines {pid}"] = (len(got), len(base))
    outcome = ledger.filter(pl.col("line_type") == "outcome")
    got_outcome = {
        (str(p), str(i)): (int(a), int(v))
        for p, i, a, v in outcome.select(
            "party_id", "indicator_id", "amount_pence", "available_pence"
        ).iter_rows()
    }
    for key, earned in expected.earned.items():
        mine_earned, mine_available = got_outcome.get(key, (0, 0))
        found[f"earned {key[0]} on {key[1]}"] = (mine_earned, earned)
        found[f"available {key[0]} on {key[1]}"] = (mine_available, expected.available[key])
    found["outcome lines"] = (len(got_outcome), len(expected.earned))
    for (_party, indicator_id), amount in amounts(ledger, "retained").items():
        found[f"retained on {indicator_id}"] = (amount, expected.retained.get(str(indicator_id), 0))
    redistributed = amounts(ledger, "redistributed_unearned")
    for pid, amount in expected.redistributed.items():
        found[f"redistributed to {pid}"] = (redistributed.get((pid, None), 0), amount)
    for (pid, _), amount in amounts(ledger, "net_payable").items():
        found[f"net payable {pid}"] = (amount, expected.net_payable[pid])
    return [(what, mine, theirs, mine - theirs) for what, (mine, theirs) in found.items() if mine != theirs]


def to_the_penny(found: list[tuple[str, int, int, int]]) -> str:
    """The lines that are not to the penny, one a line: what, engine, reference, difference."""
    return "\n".join(
        f"{what}: engine {mine}, reference {theirs}, {delta:+d} pence" for what, mine, theirs, delta in found
    )
