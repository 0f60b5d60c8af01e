"""The contract's terms for one settlement period, as small frames the engine joins to data.

Pure: reads the pydantic contract, never files. Levels come from the indicator's trajectory for
the contract year when it has one.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.money import apply_proportion, largest_remainder, pounds_to_pence, to_units
from obc_settle.periods import SettlementPeriod, month_of


@dataclass(frozen=True)
class PeriodMoney:
    """Contract value of the period and its division into base and outcome pools, in pence."""

    annual_value_pence: int
    contract_value_pence: int
    withheld_proportion: str
    outcome_pool_pence: int
    base_pool_pence: int


def period_money(contract: Contract, period: SettlementPeriod) -> PeriodMoney:
    terms = contract.year_terms(period.contract_year.name)
    if terms is None:
        raise ValueError(f"contract {contract.id} has no terms for {period.contract_year}")
    annual = pounds_to_pence(terms.contract_value)
    value = annual if period.quarter is None else largest_remainder(annual, [1, 1, 1, 1])[period.quarter - 1]
    pool = apply_proportion(value, terms.withheld_proportion)
    return PeriodMoney(annual, value, str(terms.withheld_proportion), pool, value - pool)


def window_months(window: str, period: SettlementPeriod, first_term_month: str) -> list[str]:
    """The months an indicator is measured over, never before the term starts."""
    if window == "year_to_date":
        months = period.year_to_date_months()
    elif window == "rolling_12_months":
        months = period.rolling_twelve_months()
    else:
        months = period.months()
    return [month for month in months if month >= first_term_month]


def indicator_terms(contract: Contract, period: SettlementPeriod) -> pl.DataFrame:
    """One row per indicator, in contract order, with everything scoring needs."""
    year = period.contract_year.name
    rows = []
    for order, (domain, indicator) in enumerate(contract.indicators()):
        levels = indicator.levels_for(year)
        months = window_months(indicator.window, period, month_of(contract.term.start))
        window_note = None
        if indicator.window == "rolling_12_months" and len(months) < 12:
            window_note = f"rolling window has {len(months)} of 12 months: the term starts {months[0]}"
        rows.append(
            {
                "indicator_order": order,
                "domain_id": domain.id,
                "domain_units": to_units(domain.weight),
                "indicator_id": indicator.id,
                "indicator_units": to_units(indicator.weight),
                "indicator_kind": indicator.kind,
                "measure": indicator.measure or indicator.kind,
                "direction": indicator.direction,
                "sign": 1.0 if indicator.direction == "higher_is_better" else -1.0,
                "baseline": None if indicator.baseline is None else float(indicator.baseline),
                "threshold": float(levels.threshold),
                "target": float(levels.target),
                "scoring_method": indicator.scoring.method,
                "minimum_denominator": indicator.minimum_denominator,
                "small_numbers_policy": indicator.small_numbers,
                "attribution": indicator.attribution,
                "attributed_provider": indicator.provider,
                "window": indicator.window,
                "window_first_month": months[0],
                "window_last_month": months[-1],
                "window_note": window_note,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "indicator_order": pl.Int64,
            "domain_id": pl.String,
            "domain_units": pl.Int64,
            "indicator_id": pl.String,
            "indicator_units": pl.Int64,
            "indicator_kind": pl.String,
            "measure": pl.String,
            "direction": pl.String,
            "sign": pl.Float64,
            "baseline": pl.Float64,
            "threshold": pl.Float64,
            "target": pl.Float64,
            "scoring_method": pl.String,
            "minimum_denominator": pl.Int64,
            "small_numbers_policy": pl.String,
            "attribution": pl.String,
            "attributed_provider": pl.String,
            "window": pl.String,
            "window_first_month": pl.String,
            "window_last_month": pl.String,
            "window_note": pl.String,
        },
    )


def indicator_windows(contract: Contract, period: SettlementPeriod) -> pl.DataFrame:
    """(indicator_id, period) pairs: which months count towards each indicator."""
    pairs = [
        (indicator.id, month)
        for _, indicator in contract.indicators()
        for month in window_months(indicator.window, period, month_of(contract.term.start))
    ]
    return pl.DataFrame(pairs, schema={"indicator_id": pl.String, "period": pl.String}, orient="row")


def scoring_bands(contract: Contract) -> pl.DataFrame:
    rows = [
        (indicator.id, float(band.level), float(band.score))
        for _, indicator in contract.indicators()
        for band in (indicator.scoring.bands or [])
    ]
    return pl.DataFrame(rows, schema={"indicator_id": pl.String, "level": pl.Float64, "band_score": pl.Float64}, orient="row")
