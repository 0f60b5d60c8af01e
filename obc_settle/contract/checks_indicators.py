"""Whole-file rules on each indicator: threshold and target agree with the direction (each year),
attribution names a provider of the contract, the scoring method has the keys it needs and no
others (bands, baseline; `obc_settle.scoring_methods`), a rate says what its denominator counts,
the data expectations are sound, and confidence intervals and points fit the indicator.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from obc_settle import scoring_methods
from obc_settle.contract.checks_structure import year_form_problem
from obc_settle.contract.rule_reader import (
    ONE,
    Findings,
    one_rule,
    provider_ids_of,
    suggestion,
    usable_values,
)
from obc_settle.contract.yaml_source import Path_
from obc_settle.periods import YearStart


def check_indicator(contract: Any, indicator: Any, path: Path_, findings: Findings) -> None:
    """Every rule on the indicator at `path`, in a fixed order."""
    with one_rule():
        _check_levels(indicator, indicator.threshold, indicator.target, (*path, "threshold"), findings)
    with one_rule():
        listed = contract.contract_years
        years = usable_values(listed, "year")
        complete = len(years) == len(listed)
        year_start = YearStart.named(contract.term.year_starts)
        for year, levels in indicator.by_year.items():
            if (form := year_form_problem(year, year_start)) is not None:
                findings.add((*path, "by_year", year), "C045", form, key=True)
            elif complete and year not in years:
                findings.add(
                    (*path, "by_year", year),
                    "C024",
                    f"contract year {year} is not one of the contract's years",
                    key=True,
                )
            with one_rule():
                _check_levels(
                    indicator,
                    levels.threshold,
                    levels.target,
                    (*path, "by_year", year, "threshold"),
                    findings,
                )
    with one_rule():
        _check_attribution(contract, indicator, path, findings)
    with one_rule():
        _check_scoring(indicator, path, findings)
    with one_rule():
        _check_units(indicator, path, findings)
    with one_rule():
        _check_data(contract, indicator, path, findings)
    _check_mechanism_parameters(contract, indicator, path, findings)


def _check_levels(
    indicator: Any, threshold: Decimal, target: Decimal, path: Path_, findings: Findings
) -> None:
    exact = scoring_methods.get(indicator.scoring.method).parameters.threshold_may_equal_target
    higher = indicator.direction == "higher_is_better"
    wrong = (
        (threshold > target if exact else threshold >= target)
        if higher
        else (threshold < target if exact else threshold <= target)
    )
    if wrong:
        relation = "below" if higher else "above"
        findings.add(
            path,
            "C022",
            f"threshold {threshold} must be {relation} target {target} for a "
            f"{'higher' if higher else 'lower'}-is-better indicator",
        )


def _check_attribution(contract: Any, indicator: Any, path: Path_, findings: Findings) -> None:
    provider = indicator.provider
    if indicator.attribution == "individual":
        provider_ids = provider_ids_of(contract)
        if provider is None:
            findings.add(
                path, "C024", f"indicator {indicator.id!r} is individual: name the provider that earns it"
            )
        elif provider not in provider_ids:
            findings.add(
                (*path, "provider"),
                "C024",
                f"unknown provider {provider!r}{suggestion(provider, provider_ids)}",
            )
    elif provider is not None:
        findings.add(
            (*path, "provider"),
            "C024",
            "a collective indicator is earned by the whole group: remove 'provider' or set attribution: individual",
        )


def _check_scoring(indicator: Any, path: Path_, findings: Findings) -> None:
    """The keys the scoring method needs and accepts (its `Parameters`, obc_settle.scoring_methods)."""
    method = indicator.scoring.method
    parameters = scoring_methods.get(method).parameters
    if parameters.bands:
        with one_rule():
            _check_bands(indicator, (*path, "scoring", "bands"), findings)
    elif indicator.scoring.bands is not None:
        findings.add(
            (*path, "scoring", "bands"),
            "C027",
            f"bands are only used by {scoring_methods.using('bands')} scoring, not {method}",
        )
    with one_rule():
        if parameters.baseline == "required" and indicator.baseline is None:
            findings.add(
                (*path, "scoring", "method"), "C027", f"{method} scoring needs the indicator's baseline"
            )
    with one_rule():
        value_range = indicator.value_range
        if value_range is not None:
            if value_range.min >= value_range.max:
                findings.add(
                    (*path, "value_range", "min"),
                    "C027",
                    f"value_range min {value_range.min} must be below max {value_range.max}",
                )
            measure = indicator.measure if indicator.kind == "change_from_baseline" else indicator.kind
            if measure != "mean":
                findings.add((*path, "value_range"), "C027", "value_range is only used by mean indicators")
    kind = indicator.kind
    if kind == "change_from_baseline":
        with one_rule():
            if indicator.baseline is None:
                findings.add(path, "C027", "a change_from_baseline indicator needs a baseline")
        with one_rule():
            if indicator.measure is None:
                findings.add(
                    path, "C027", "a change_from_baseline indicator needs measure: proportion or mean"
                )
        if not parameters.change_from_baseline:
            findings.add(
                (*path, "scoring", "method"),
                "C027",
                f"{method} scoring does not apply to a change_from_baseline indicator",
            )
    elif indicator.measure is not None:
        findings.add((*path, "measure"), "C027", "measure is only used by change_from_baseline indicators")


def _check_units(indicator: Any, path: Path_, findings: Findings) -> None:
    """A rate says what its denominator counts: the usual mistake is a 12-fold one."""
    kind, rate_denominator = indicator.kind, indicator.rate_denominator
    if kind == "rate_per_1000" and rate_denominator is None:
        findings.add(
            path,
            "C011",
            "a rate_per_1000 indicator needs rate_denominator: people_each_month (each month's "
            "denominator is the people registered that month) or person_years (it is person-years, population / 12)",
        )
    elif kind != "rate_per_1000" and rate_denominator is not None:
        findings.add(
            (*path, "rate_denominator"), "C027", "rate_denominator is only used by rate_per_1000 indicators"
        )


def _check_data(contract: Any, indicator: Any, path: Path_, findings: Findings) -> None:
    """Who reports the indicator, in which months, and what it can plausibly be."""
    data, at = indicator.data, (*path, "data")
    with one_rule():
        provider_ids = provider_ids_of(contract)
        for index, provider in enumerate(data.reported_by or []):
            if provider not in provider_ids:
                findings.add(
                    (*at, "reported_by", index),
                    "C024",
                    f"unknown provider {provider!r}{suggestion(provider, provider_ids)}",
                )
        if data.reported_by is not None and not data.reported_by:
            findings.add(
                (*at, "reported_by"), "C027", "reported_by lists no provider: leave it out for every provider"
            )
    with one_rule():
        months = data.collected_in
        if months is not None and (not months or len(set(months)) != len(months)):
            findings.add(
                (*at, "collected_in"),
                "C027",
                "collected_in lists each calendar month (1-12) once, at least one",
            )
    with one_rule():
        plausible = data.plausible_range
        if plausible is not None and plausible.min >= plausible.max:
            findings.add(
                (*at, "plausible_range", "min"),
                "C027",
                f"plausible_range min {plausible.min} must be below max {plausible.max}",
            )
    with one_rule():
        if data.plausible_ratio_to_baseline <= 1:
            findings.add(
                (*at, "plausible_ratio_to_baseline"), "C027", "plausible_ratio_to_baseline must be above 1"
            )
    with one_rule():
        years = set(usable_values(contract.contract_years, "year"))
        for period in data.accept_implausible:
            if period.split("-Q")[0] not in years:  # the year of a quarter (2025-26-Q3, 2025-Q3)
                findings.add(
                    (*at, "accept_implausible", period),
                    "C024",
                    f"{period} is not a period of the contract's years",
                    key=True,
                )


def _check_bands(indicator: Any, path: Path_, findings: Findings) -> None:
    bands = indicator.scoring.bands or []
    if not bands:
        findings.add(path, "C027", "banded scoring needs at least one band")
        return
    higher = indicator.direction == "higher_is_better"
    for index in range(1, len(bands)):
        before, band = bands[index - 1], bands[index]
        with one_rule():
            better = band.level > before.level if higher else band.level < before.level
            if not better or band.score < before.score:
                findings.add(
                    (*path, index, "level"),
                    "C027",
                    "bands must be listed from worst to best level, with scores that do not fall",
                )


def _check_mechanism_parameters(
    contract: Any, indicator: Any, path: tuple[Any, ...], findings: Findings
) -> None:
    """Confidence intervals, points and the scoring method's point_decimals of one indicator."""
    with one_rule():
        confidence = indicator.confidence
        if confidence is not None:
            measure = indicator.measure if indicator.kind == "change_from_baseline" else indicator.kind
            if confidence.interval == "wilson" and measure != "proportion":
                findings.add(
                    (*path, "confidence", "interval"),
                    "C027",
                    "a Wilson interval is for proportions; use normal for a mean",
                )
            if confidence.interval == "normal":
                if measure != "mean":
                    findings.add(
                        (*path, "confidence", "interval"),
                        "C027",
                        "a normal interval is for means; use wilson for a proportion",
                    )
                if confidence.standard_deviation is None:
                    findings.add(
                        (*path, "confidence"),
                        "C011",
                        "required key 'standard_deviation' is missing for a normal interval",
                    )
                elif confidence.standard_deviation <= 0:
                    findings.add(
                        (*path, "confidence", "standard_deviation"),
                        "C027",
                        "standard_deviation must be above 0",
                    )
            elif confidence.standard_deviation is not None:
                findings.add(
                    (*path, "confidence", "standard_deviation"),
                    "C027",
                    "standard_deviation is only used by a normal interval",
                )
            if not Decimal(0) < confidence.level < ONE:
                findings.add(
                    (*path, "confidence", "level"),
                    "C027",
                    f"confidence level must be between 0 and 1, not {confidence.level}",
                )
    with one_rule():
        has_points = contract.points is not None
        if not has_points:
            for key in ("points", "prevalence"):
                with one_rule():
                    if getattr(indicator, key) is not None:
                        findings.add(
                            (*path, key),
                            "C027",
                            f"{key} is only used by a points contract (give the contract a 'points' section)",
                        )
        else:
            with one_rule():
                if indicator.points is not None and indicator.points <= 0:
                    findings.add((*path, "points"), "C027", "points must be above 0")
            with one_rule():
                if indicator.prevalence is not None and indicator.prevalence.national <= 0:
                    findings.add(
                        (*path, "prevalence", "national"), "C027", "national prevalence must be above 0"
                    )
    with one_rule():
        scoring = indicator.scoring
        if (
            scoring.point_decimals is not None
            and not scoring_methods.get(scoring.method).parameters.point_decimals
        ):
            findings.add(
                (*path, "scoring", "point_decimals"),
                "C027",
                f"point_decimals is only used by {scoring_methods.using('point_decimals')} scoring, not {scoring.method}",
            )
