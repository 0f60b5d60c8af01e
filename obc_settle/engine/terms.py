"""The contract's terms for one settlement, as small frames the engine joins to data.

Pure: reads the pydantic contract, never files. Levels come from the indicator's trajectory for
the contract year when it has one.

A settlement covers a `Span`: the months whose money it settles and over which `period`
windows measure. A quarter normally spans its own three months; under
`outcome_on_account: year_to_date` it spans April to the end of the quarter (it re-settles the
year so far and the payments already made are netted off); a contract year spans its twelve
months.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from statistics import NormalDist

import polars as pl

from obc_settle.contract.models import Contract, ContractYearTerms, Indicator
from obc_settle.money import apply_proportion, largest_remainder, pounds_to_pence, round_half_up
from obc_settle.periods import MONTH_NAMES, SettlementPeriod, month_of


@dataclass(frozen=True)
class Span:
    """What one settlement covers."""

    period: SettlementPeriod
    months: tuple[str, ...]
    quarters: tuple[int, ...]
    """The quarters of the annual value the settlement carries (all four for a contract year)."""
    on_account: str
    """`final` for a contract year; else the contract's `outcome_on_account`."""

    @property
    def is_year(self) -> bool:
        return self.period.is_year


def settlement_span(contract: Contract, period: SettlementPeriod) -> Span:
    if period.quarter is None:
        return Span(period, tuple(period.months()), (1, 2, 3, 4), "final")
    mode = contract.payment_terms.outcome_on_account
    if mode == "year_to_date":
        return Span(period, tuple(period.year_to_date_months()), tuple(range(1, period.quarter + 1)), mode)
    return Span(period, tuple(period.months()), (period.quarter,), mode)


@dataclass(frozen=True)
class PeriodMoney:
    """Contract value of the settlement and its division into base and outcome pools, in pence."""

    annual_value_pence: int | None
    contract_value_pence: int
    withheld_proportion: str
    outcome_pool_pence: int
    base_pool_pence: int
    value_note: str


def population_by_month(
    monthly: pl.DataFrame, population: str, months: tuple[str, ...] | list[str]
) -> dict[str, Decimal]:
    """The registered population of each month: the numerators of the population rows, all providers."""
    rows = (
        monthly.filter((pl.col("indicator_id") == population) & pl.col("period").is_in(list(months)))
        .group_by("period")
        .agg(pl.col("numerator").sum())
    )
    return {row["period"]: Decimal(row["numerator"]) for row in rows.iter_rows(named=True)}


def capitated_value(
    rate_pounds: Decimal, population: dict[str, Decimal], months: tuple[str, ...] | list[str]
) -> tuple[int, Fraction]:
    """rate per head per year x person-years (the sum of the months' populations / 12), rounded once."""
    person_months = sum((Fraction(population.get(month, Decimal(0))) for month in months), Fraction(0))
    exact = Fraction(pounds_to_pence(rate_pounds)) * person_months / 12
    return round_half_up(exact), person_months


def period_money(contract: Contract, span: Span, monthly: pl.DataFrame) -> PeriodMoney:
    terms = year_terms(contract, span.period)
    if terms.capitation is not None:
        capitation = terms.capitation
        population = population_by_month(monthly, capitation.population, span.months)
        value, person_months = capitated_value(capitation.rate_per_head, population, span.months)
        average = person_months / len(span.months)
        note = (
            f"capitation: {capitation.rate_per_head} pounds per head per year x {float(person_months):,.2f} person-months / 12 "
            f"({len(span.months)} months of {capitation.population}, on average {float(average):,.1f} people)"
        )
        annual = None
    else:
        annual = pounds_to_pence(terms.contract_value or Decimal(0))
        quarters = largest_remainder(annual, [1, 1, 1, 1])
        value = sum(quarters[q - 1] for q in span.quarters)
        note = f"annual contract value {annual} pence"
        if span.is_year:
            pass  # the whole year
        elif len(span.quarters) == 1:
            note = f"quarter {span.quarters[0]} of the {note}, split into four by largest remainder"
        else:
            note = f"quarters 1 to {span.quarters[-1]} of the {note}, split into four by largest remainder (year to date)"
    pool = apply_proportion(value, terms.withheld_proportion)
    return PeriodMoney(annual, value, str(terms.withheld_proportion), pool, value - pool, note)


def year_terms(contract: Contract, period: SettlementPeriod) -> ContractYearTerms:
    terms = contract.year_terms(period.contract_year.name)
    if terms is None:
        raise ValueError(f"contract {contract.id} has no terms for {period.contract_year}")
    return terms


def window_months(window: str, span: Span, first_term_month: str) -> list[str]:
    """The months an indicator is measured over, never before the term starts."""
    last = span.months[-1]
    if window == "year_to_date":
        months = _months_between(span.period.contract_year.first_month_name, last)
    elif window == "rolling_12_months":
        months = _months_between(_add_months(last, -11), last)
    else:
        months = list(span.months)
    return [month for month in months if month >= first_term_month]


def _add_months(month: str, delta: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _months_between(first: str, last: str) -> list[str]:
    months = [first]
    while months[-1] < last:
        months.append(_add_months(months[-1], 1))
    return months


def collection_note(indicator: Indicator, months: list[str], span: Span) -> str | None:
    """Why an indicator collected less often than monthly is not measured in this settlement,
    or None when its window holds at least one of its collection months (or it has none listed)."""
    collected = indicator.data.collected_in
    if not collected or any(int(month[5:7]) in collected for month in months):
        return None
    first = span.period.contract_year.year_start.month  # in the order of the contract year
    names = [MONTH_NAMES[m - 1] for m in sorted(set(collected), key=lambda m: (m - first) % 12)]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return (
        f"collected in {listed} only: not measured in {span.period.name}; its weight goes to the other indicators "
        "(of its domain, or other domains if it is alone), and the settlement of a window with those months measures it"
    )


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def indicator_terms(contract: Contract, span: Span) -> pl.DataFrame:
    """One row per indicator, in contract order, with everything scoring needs.

    Levels and weights come twice: as floats for the ledger's display columns and as exact
    decimal text (`*_exact`, `domain_weight`, `indicator_weight`) for the arithmetic."""
    year = span.period.contract_year.name
    rows = []
    for order, (domain, indicator) in enumerate(contract.indicators()):
        levels = indicator.levels_for(year)
        months = window_months(indicator.window, span, month_of(contract.term.start))
        window_note = None
        if indicator.window == "rolling_12_months" and len(months) < 12:
            window_note = f"rolling window has {len(months)} of 12 months: the term starts {months[0]}"
        not_measured = collection_note(indicator, months, span)
        confidence = indicator.confidence
        rows.append(
            {
                "indicator_order": order,
                "domain_id": domain.id,
                "domain_weight": str(domain.weight if domain.weight is not None else 0),
                "indicator_id": indicator.id,
                "indicator_weight": str(indicator.weight if indicator.weight is not None else 0),
                "indicator_kind": indicator.kind,
                "measure": indicator.measure or indicator.kind,
                "rate_denominator": indicator.rate_denominator,
                "measured": not_measured is None,
                "collection_note": not_measured,
                "direction": indicator.direction,
                "sign": 1.0 if indicator.direction == "higher_is_better" else -1.0,
                "baseline": None if indicator.baseline is None else float(indicator.baseline),
                "threshold": float(levels.threshold),
                "target": float(levels.target),
                "baseline_exact": _text(indicator.baseline),
                "threshold_exact": str(levels.threshold),
                "target_exact": str(levels.target),
                "scoring_method": indicator.scoring.method,
                "point_decimals": indicator.scoring.point_decimals or 0,
                "minimum_denominator": indicator.minimum_denominator,
                "small_numbers_policy": indicator.small_numbers,
                "attribution": indicator.attribution,
                "attributed_provider": indicator.provider,
                "window": indicator.window,
                "window_first_month": months[0],
                "window_last_month": months[-1],
                "window_note": window_note,
                "confidence_interval": None if confidence is None else confidence.interval,
                "confidence_z": None if confidence is None else z_value(confidence.level),
                "confidence_sd": None
                if confidence is None or confidence.standard_deviation is None
                else float(confidence.standard_deviation),
            }
        )
    return pl.DataFrame(rows, schema=TERMS_SCHEMA)


TERMS_SCHEMA = {
    "indicator_order": pl.Int64,
    "domain_id": pl.String,
    "domain_weight": pl.String,
    "indicator_id": pl.String,
    "indicator_weight": pl.String,
    "indicator_kind": pl.String,
    "measure": pl.String,
    "rate_denominator": pl.String,
    "measured": pl.Boolean,
    "collection_note": pl.String,
    "direction": pl.String,
    "sign": pl.Float64,
    "baseline": pl.Float64,
    "threshold": pl.Float64,
    "target": pl.Float64,
    "baseline_exact": pl.String,
    "threshold_exact": pl.String,
    "target_exact": pl.String,
    "scoring_method": pl.String,
    "point_decimals": pl.Int64,
    "minimum_denominator": pl.Int64,
    "small_numbers_policy": pl.String,
    "attribution": pl.String,
    "attributed_provider": pl.String,
    "window": pl.String,
    "window_first_month": pl.String,
    "window_last_month": pl.String,
    "window_note": pl.String,
    "confidence_interval": pl.String,
    "confidence_z": pl.Float64,
    "confidence_sd": pl.Float64,
}


def z_value(level: Decimal) -> float:
    """The two-sided normal quantile of a confidence level: 1.959964 for 0.95."""
    return NormalDist().inv_cdf(1 - (1 - float(level)) / 2)


def indicator_windows(contract: Contract, span: Span) -> pl.DataFrame:
    """(indicator_id, period) pairs: which months count towards each indicator."""
    pairs = [
        (indicator.id, month)
        for _, indicator in contract.indicators()
        for month in window_months(indicator.window, span, month_of(contract.term.start))
    ]
    return pl.DataFrame(pairs, schema={"indicator_id": pl.String, "period": pl.String}, orient="row")


def scoring_bands(contract: Contract) -> pl.DataFrame:
    """(indicator_id, level, band_score): the bands of banded indicators, exact decimal text."""
    rows = [
        (indicator.id, str(band.level), str(band.score))
        for _, indicator in contract.indicators()
        for band in (indicator.scoring.bands or [])
    ]
    return pl.DataFrame(
        rows, schema={"indicator_id": pl.String, "level": pl.String, "band_score": pl.String}, orient="row"
    )
