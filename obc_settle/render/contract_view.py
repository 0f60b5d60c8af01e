"""`obc-settle contract show`: what a contract asks of the data, indicator by indicator.

A data team preparing extracts, or a provider filling a return, needs to know for each indicator
which columns carry it, in what unit, over which window, and how much of the outcome pool rides on
it. The contract says all of that, spread over domains, years and variations; this puts it on one
line per indicator, for the contract year asked for (its levels and weights as varied for it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from obc_settle.contract.models import Contract, Indicator
from obc_settle.extracts.completeness import measure_columns
from obc_settle.extracts.schema import KEY_COLUMNS
from obc_settle.money import currency_of, format_money, pounds_to_pence
from obc_settle.rationals import fraction_text

RECORD_LEVEL_COLUMNS = ("patient_id", "in_denominator", "in_numerator")
"""The columns every record-level row has besides the keys (`excluded` is optional)."""

WINDOWS = {
    "period": "the months of the period settled",
    "year_to_date": "the contract year up to the period's last month",
    "rolling_12_months": "the 12 months up to the period's last month",
}


@dataclass(frozen=True)
class IndicatorView:
    """One indicator as a data team sees it."""

    id: str
    name: str
    domain: str
    kind: str
    direction: str
    unit: str
    aggregated_columns: tuple[str, ...]
    record_level_columns: tuple[str, ...]
    window: str
    window_means: str
    weight: str
    """Its share of the outcome pool: the domain's weight times its weight in the domain, exact;
    for an indicator that states its money (`value:`), that value's share of all the indicators'
    values; or its points (points-based contracts); '' where the contract pays it otherwise."""
    threshold: str
    target: str
    scoring: str
    minimum_denominator: int
    attribution: str
    reported_by: tuple[str, ...]
    collected_in: tuple[int, ...]
    value: str = ""
    """CQUIN-style: the indicator's money for the year as written in the contract's currency
    (`£600,000.00`); '' for an indicator weighted instead."""
    value_pence: int | None = None
    """The same in the currency's minor unit (pence, cents)."""


@dataclass(frozen=True)
class QuantityView:
    """An extract id that is a quantity the money depends on, not an outcome (population, spend)."""

    id: str
    used_for: str
    aggregated_columns: tuple[str, ...] = ("numerator",)


@dataclass(frozen=True)
class ContractView:
    contract_id: str
    contract_name: str
    version: str
    contract_year: str
    key_columns: tuple[str, ...]
    indicators: list[IndicatorView]
    quantities: list[QuantityView]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def contract_view(contract: Contract, contract_year: str | None = None) -> ContractView:
    """The indicators and quantities of `contract` in force in `contract_year` (default: its first year)."""
    year = contract_year or contract.contract_years[0].year
    terms = contract.in_force(year)
    values = _values(terms)
    indicators = [
        _with_value(_indicator_view(domain.id, domain.weight, indicator, year), values, terms.currency)
        for domain, indicator in terms.indicators()
    ]
    return ContractView(
        contract_id=contract.id,
        contract_name=contract.name,
        version=terms.version,
        contract_year=year,
        key_columns=KEY_COLUMNS,
        indicators=indicators,
        quantities=_quantities(terms),
    )


def _indicator_view(
    domain_id: str, domain_weight: Decimal | None, indicator: Indicator, year: str
) -> IndicatorView:
    levels = indicator.levels_for(year)
    needed = measure_columns(indicator)
    columns = tuple(name for name in needed if name != "value")
    return IndicatorView(
        id=indicator.id,
        name=indicator.name,
        domain=domain_id,
        kind=_kind(indicator),
        direction=indicator.direction.replace("_", " "),
        unit=indicator.unit or "",
        aggregated_columns=columns,
        record_level_columns=(*RECORD_LEVEL_COLUMNS, *(("value",) if "value" in needed else ())),
        window=indicator.window.replace("_", " "),
        window_means=WINDOWS[indicator.window],
        weight=_weight(domain_weight, indicator),
        threshold=_plain(levels.threshold),
        target=_plain(levels.target),
        scoring=indicator.scoring.method,
        minimum_denominator=indicator.minimum_denominator,
        attribution=indicator.attribution
        if indicator.provider is None
        else f"individual ({indicator.provider})",
        reported_by=tuple(indicator.data.reported_by or ()),
        collected_in=tuple(indicator.data.collected_in or ()),
    )


def _values(terms: Contract) -> dict[str, int]:
    """Each indicator's value in pence, when the framework states values (else empty)."""
    stated = {indicator.id: indicator.value for _, indicator in terms.indicators()}
    if all(value is None for value in stated.values()):
        return {}
    return {key: pounds_to_pence(value or Decimal(0)) for key, value in stated.items()}


def _with_value(view: IndicatorView, values: dict[str, int], currency: str) -> IndicatorView:
    """An indicator that states its money: the value, and as its weight the value's exact share of
    the indicators' values (which add up to the outcome pool: the contract checks say so)."""
    if view.id not in values:
        return view
    total = sum(values.values())
    share = fraction_text(Fraction(values[view.id], total)) if total else "0"
    money = format_money(values[view.id], currency_of(currency))
    return replace(view, weight=share or "0", value=money, value_pence=values[view.id])


def _kind(indicator: Indicator) -> str:
    kind = indicator.kind.replace("_", " ")
    if indicator.measure is not None:
        kind += f" ({indicator.measure})"
    if indicator.rate_denominator is not None:
        kind += f", denominator in {indicator.rate_denominator.replace('_', ' ')}"
    return kind


def _weight(domain_weight: Decimal | None, indicator: Indicator) -> str:
    if indicator.points is not None:
        return f"{_plain(indicator.points)} points"
    if domain_weight is None or indicator.weight is None:
        return ""
    return _plain(domain_weight * indicator.weight)


def _plain(number: Decimal) -> str:
    """A decimal as written, without exponent or trailing zeros (0.30 -> 0.3, 1E+1 -> 10)."""
    return format(number.normalize(), "f")


def _quantities(terms: Contract) -> list[QuantityView]:
    uses: dict[str, list[str]] = {}
    if terms.share_rule.quantity:
        uses.setdefault(terms.share_rule.quantity, []).append("the share rule")
    for year in terms.contract_years:
        if year.capitation is not None:
            uses.setdefault(year.capitation.population, []).append(f"capitation in {year.year}")
    if terms.risk_share is not None:
        uses.setdefault(terms.risk_share.spend, []).append("the risk/gain share's spend")
        if terms.risk_share.budget.population:
            uses.setdefault(terms.risk_share.budget.population, []).append("the risk/gain share's budget")
        if terms.risk_share.share_rule is not None and terms.risk_share.share_rule.quantity:
            uses.setdefault(terms.risk_share.share_rule.quantity, []).append("the risk/gain share's split")
    if terms.points is not None:
        uses.setdefault(terms.points.list_size, []).append("points: list size")
        for _, indicator in terms.indicators():
            if indicator.prevalence:
                register = indicator.prevalence.disease_register
                uses.setdefault(register, []).append(f"prevalence of {indicator.id}")
    return [QuantityView(id=key, used_for=", ".join(dict.fromkeys(used))) for key, used in uses.items()]
