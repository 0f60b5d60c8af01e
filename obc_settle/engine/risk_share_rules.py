"""The rules of one side of a risk/gain share: from a saving (or overspend) to the providers' part.

A settlement of a risk share must be checkable by hand, so every step here both computes its
exact figure and records it in a structured derivation (the ledger's `derivation` column):

    gate          nothing is shared when the rate r = X / B is below the minimum rate, which is
                  fixed or read from a table by the population (MSSP 42 CFR 425.604(b): straight
                  lines between the published points, flat beyond the first and the last)
    bands         part = sum over bands of share x (the part of X inside the band), a band's upper
                  end a proportion of B or an amount
    quality       scale (part x q), gate (0 unless q >= minimum score) or complement (each band's
                  share becomes 1 - share x q, held to its limits: a shared loss rate)
    caps          part = min(part, every limit given: a proportion of B, an amount, a proportion
                  of a revenue figure); the lowest limit applies
    sequestration part x (1 - s), after the caps
    forgiveness   losses: part x (1 - f), a loss forgiven in whole or in part (a disaster year)

Everything is an exact `Fraction` of pence; the caller rounds the result once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Any

from obc_settle.contract.models import RiskSide
from obc_settle.engine.exact import as_decimal, fraction_text, terminates

MSSP_ONE_SIDED: tuple[tuple[int, str], ...] = (
    (5000, "0.039"),
    (6000, "0.036"),
    (7000, "0.034"),
    (8000, "0.032"),
    (9000, "0.031"),
    (10000, "0.030"),
    (15000, "0.027"),
    (20000, "0.025"),
    (50000, "0.022"),
    (60000, "0.020"),
)
"""The minimum savings rate of 42 CFR 425.604(b) by number of assigned beneficiaries: each band's
rate at its low end, falling in a straight line to the next band's (5,000 -> 3.9%, 5,500 -> 3.75%,
60,000 and more -> 2%)."""

TABLES = {"mssp_one_sided": MSSP_ONE_SIDED}


def rate_at(points: list[tuple[Fraction, Fraction]], population: Fraction) -> Fraction:
    """The rate of a table at a population: exact linear interpolation between its points, the
    first point's rate below it and the last's above it."""
    if population <= points[0][0]:
        return points[0][1]
    for (low, low_rate), (high, high_rate) in pairwise(points):
        if population < high:
            return low_rate + (high_rate - low_rate) * (population - low) / (high - low)
    return points[-1][1]


def table_points(side: RiskSide) -> list[tuple[Fraction, Fraction]]:
    table = side.minimum_rate_table
    assert table is not None
    if table.table is not None:
        return [(Fraction(n), Fraction(rate)) for n, rate in TABLES[table.table]]
    return [(Fraction(p.population), Fraction(p.rate)) for p in table.points or []]


@dataclass(frozen=True)
class SideInputs:
    """What the rules of a side need besides the contract: figures of the year, in pence."""

    budget: int
    difference: int
    """|budget - spend|, the saving or overspend."""
    quality: Fraction | None
    """The side's quality score (None: no scored indicator, taken as 1)."""
    quality_input: str
    population: Fraction | None = None
    """The population a minimum-rate table is read at (mean monthly count)."""
    population_indicator: str | None = None
    revenue: int | None = None
    """The revenue figure of a revenue-based limit, in pence."""
    revenue_source: str | None = None


def exact(value: Fraction) -> str:
    """An exact figure as ledger text (`0.85`, `119/97`)."""
    return str(fraction_text(value))


def providers_part(side: RiskSide, given: SideInputs) -> tuple[Fraction, dict[str, Any], list[str]]:
    """The providers' exact part of a saving or overspend, its structured derivation and the
    steps as notes (amounts in pence)."""
    budget, difference = given.budget, given.difference
    steps: list[str] = []
    derivation: dict[str, Any] = {}
    rate = Fraction(difference, budget)
    minimum = _minimum_rate(side, given, derivation, steps)
    met = rate >= minimum
    derivation["gate"]["met"] = met
    if not met:
        steps.append(
            f"rate {float(rate):.4%} is below the minimum rate {float(minimum):.4%}: nothing is shared"
        )
        derivation.update(bands=[], bands_total_pence="0", quality=None, caps=[], capped_pence="0")
        derivation.update(sequestration=None, loss_forgiven=None, providers_part_exact="0")
        return Fraction(0), derivation, steps
    part = _bands(side, given, derivation, steps)
    part = _quality(side, given, part, derivation, steps)
    part = _caps(side, given, part, derivation, steps)
    part = _after_caps(side, part, derivation, steps)
    derivation["providers_part_exact"] = exact(part)
    return part, derivation, steps


def _minimum_rate(
    side: RiskSide, given: SideInputs, derivation: dict[str, Any], steps: list[str]
) -> Fraction:
    table = side.minimum_rate_table
    if table is None:
        derivation["gate"] = {"minimum_rate": exact(Fraction(side.minimum_rate)), "source": "the contract"}
        return Fraction(side.minimum_rate)
    population = given.population or Fraction(0)
    minimum = rate_at(table_points(side), population)
    source = f"the {table.table} table" if table.table else "the contract's table"
    derivation["gate"] = {
        "minimum_rate": exact(minimum),
        "source": source,
        "population": exact(population),
        "population_indicator": given.population_indicator,
    }
    steps.append(
        f"minimum rate {_percent(minimum)} from {source} at a population of {_number(population)} "
        f"({given.population_indicator}: person-months / months)"
    )
    return minimum


def _bands(side: RiskSide, given: SideInputs, derivation: dict[str, Any], steps: list[str]) -> Fraction:
    budget, difference = given.budget, Fraction(given.difference)
    quality = Fraction(1) if given.quality is None else given.quality
    complement = side.quality is not None and side.quality.method == "complement"
    part, lower = Fraction(0), Fraction(0)
    rows = []
    for band in side.bands:
        upper = (
            Fraction(band.up_to) * budget
            if band.up_to is not None
            else Fraction(band.up_to_amount) * 100
            if band.up_to_amount is not None
            else None
        )
        inside = max(Fraction(0), (difference if upper is None else min(difference, upper)) - lower)
        share = Fraction(band.provider_share)
        if complement and side.quality is not None:
            share = _held(1 - share * quality, side.quality.minimum_share, side.quality.maximum_share)
        part += share * inside
        rows.append(
            {
                "from_pence": exact(lower),
                "to_pence": None if upper is None else exact(upper),
                "up_to": None if band.up_to is None else str(band.up_to),
                "provider_share": str(band.provider_share),
                "share": exact(share),
                "inside_pence": exact(inside),
                "part_pence": exact(share * inside),
            }
        )
        if inside:
            shown = f"{float(share):.6g}" + (
                f" (1 - {band.provider_share} x quality {shown_score(quality)}, held to its limits)"
                if complement
                else ""
            )
            end = (
                band.up_to
                if band.up_to is not None
                else f"{band.up_to_amount} pounds"
                if band.up_to_amount is not None
                else "the end"
            )
            steps.append(f"{shown} of {_pounds(inside)} pounds in the band up to {end}")
        if upper is None or difference <= upper:
            break
        lower = upper
    derivation["bands"] = rows
    derivation["bands_total_pence"] = exact(part)
    return part


def _quality(
    side: RiskSide, given: SideInputs, part: Fraction, derivation: dict[str, Any], steps: list[str]
) -> Fraction:
    rule = side.quality
    if rule is None:
        derivation["quality"] = None
        return part
    quality = Fraction(1) if given.quality is None else given.quality
    record: dict[str, Any] = {
        "method": rule.method,
        "input": given.quality_input,
        "score": exact(quality),
        "scored": given.quality is not None,
    }
    if rule.method == "scale":
        part *= quality
        steps.append(f"scaled by the quality score {shown_score(quality)}")
    elif rule.method == "gate" and rule.minimum_score is not None:
        record["minimum_score"] = str(rule.minimum_score)
        record["met"] = quality >= Fraction(rule.minimum_score)
        if not record["met"]:
            part = Fraction(0)
            steps.append(
                f"quality score {shown_score(quality)} is below the minimum {rule.minimum_score}: nothing is shared"
            )
    elif rule.method == "complement":
        record["minimum_share"] = None if rule.minimum_share is None else str(rule.minimum_share)
        record["maximum_share"] = None if rule.maximum_share is None else str(rule.maximum_share)
    if given.quality_input != "the outcome framework":
        steps.append(f"quality score from {given.quality_input}")
    record["after_pence"] = exact(part)
    derivation["quality"] = record
    return part


def _caps(
    side: RiskSide, given: SideInputs, part: Fraction, derivation: dict[str, Any], steps: list[str]
) -> Fraction:
    limits: list[dict[str, Any]] = []
    if side.cap is not None:
        limits.append(
            {
                "limit": "budget",
                "proportion": str(side.cap),
                "base_pence": given.budget,
                "pence": Fraction(side.cap) * given.budget,
                "text": f"{side.cap} of the budget",
            }
        )
    if side.cap_amount is not None:
        pence = Fraction(side.cap_amount) * 100
        limits.append(
            {
                "limit": "amount",
                "proportion": None,
                "base_pence": None,
                "pence": pence,
                "text": f"{side.cap_amount} pounds",
            }
        )
    if side.cap_revenue is not None and given.revenue is not None:
        limits.append(
            {
                "limit": "revenue",
                "proportion": str(side.cap_revenue.proportion),
                "base_pence": given.revenue,
                "source": given.revenue_source,
                "pence": Fraction(side.cap_revenue.proportion) * given.revenue,
                "text": f"{side.cap_revenue.proportion} of the revenue of {given.revenue} pence",
            }
        )
    lowest = min((limit["pence"] for limit in limits), default=None)
    applied = lowest is not None and part > lowest
    chosen = False
    for limit in limits:
        limit["applied"] = applied and not chosen and limit["pence"] == lowest
        chosen = chosen or limit["applied"]
        if limit["applied"]:
            text = limit["text"]
            steps.append(
                f"capped at {text}"
                if len(limits) == 1
                else f"capped at {text}, the lowest of {len(limits)} limits"
            )
    if applied and lowest is not None:
        part = lowest
    derivation["caps"] = [
        {key: (exact(value) if key == "pence" else value) for key, value in limit.items() if key != "text"}
        for limit in limits
    ]
    derivation["capped_pence"] = exact(part)
    return part


def _after_caps(side: RiskSide, part: Fraction, derivation: dict[str, Any], steps: list[str]) -> Fraction:
    derivation["sequestration"] = None
    derivation["loss_forgiven"] = None
    if side.sequestration is not None and side.sequestration > 0:
        reduction = part * Fraction(side.sequestration)
        part -= reduction
        derivation["sequestration"] = {
            "rate": str(side.sequestration),
            "reduction_pence": exact(reduction),
            "after_pence": exact(part),
        }
        steps.append(f"less sequestration of {_percent(Fraction(side.sequestration))}")
    if side.loss_forgiven is not None and side.loss_forgiven > 0:
        forgiven = part * Fraction(side.loss_forgiven)
        part -= forgiven
        derivation["loss_forgiven"] = {
            "proportion": str(side.loss_forgiven),
            "forgiven_pence": exact(forgiven),
            "after_pence": exact(part),
        }
        steps.append(
            "the shared loss is forgiven in full (loss_forgiven 1): nothing is recovered"
            if side.loss_forgiven == 1
            else f"{_percent(Fraction(side.loss_forgiven))} of the shared loss is forgiven"
        )
    return part


def _held(value: Fraction, lowest: Decimal | None, highest: Decimal | None) -> Fraction:
    if lowest is not None:
        value = max(value, Fraction(lowest))
    if highest is not None:
        value = min(value, Fraction(highest))
    return value


def _percent(value: Fraction) -> str:
    return f"{float(value):.4%}"


def _pounds(pence: Fraction) -> str:
    """An exact amount in pence as pounds to the penny, halves up (a note's figure, never a float)."""
    pounds = Decimal(pence.numerator) / Decimal(pence.denominator) / 100
    return f"{pounds.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def _number(value: Fraction) -> str:
    return f"{float(value):,.2f}"


def shown_score(score: Fraction) -> str:
    """A score in a note: exact when its decimal terminates, else the fraction and 10 places."""
    text = fraction_text(score)
    return str(text) if terminates(score) else f"{text} (= {as_decimal(score, 10)}...)"
