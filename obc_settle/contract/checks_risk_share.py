"""Whole-file rules on a risk/gain share: a budget with the keys its basis needs, sides with
bands that rise in one unit, a minimum rate fixed or read from a table by population, caps whose
bases are given, adjustments on the side they belong to, and quality inputs that name indicators
and domains of the outcome framework.

`check_risk_share` runs among the rules of `checks_mechanisms` (its `CHECKS`).
"""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

from obc_settle.contract.checks_structure import check_a_share_rule
from obc_settle.contract.rule_reader import (
    Findings,
    Unusable,
    indicator_nodes,
    one_rule,
    suggestion,
    usable_values,
)


def check_risk_share(contract: Any, findings: Findings) -> None:
    risk = contract.risk_share
    if risk is None:
        return
    with one_rule():
        if risk.gains is None and risk.losses is None:
            findings.add(("risk_share",), "C027", "risk_share needs gains, losses or both")
    with one_rule():
        budget = risk.budget
        needs = {"amount": ["amount"], "capitation": ["rate_per_head", "population"], "contract_value": []}[
            budget.basis
        ]
        for key in needs:
            if getattr(budget, key) is None:
                findings.add(
                    ("risk_share", "budget"),
                    "C011",
                    f"required key {key!r} is missing in risk_share.budget (basis {budget.basis})",
                )
        for key in ("amount", "rate_per_head", "population"):
            if key not in needs and getattr(budget, key) is not None:
                findings.add(
                    ("risk_share", "budget", key),
                    "C027",
                    f"{key!r} is not used by budget basis {budget.basis}",
                )
    for side in ("gains", "losses"):
        with one_rule():
            node = getattr(risk, side)
            if node is not None:
                _check_side(contract, node, ("risk_share", side), findings)
    with one_rule():
        if risk.years is not None:
            years = usable_values(contract.contract_years, "year")
            for index, year in enumerate(risk.years):
                if year not in years:
                    findings.add(
                        ("risk_share", "years", index),
                        "C024",
                        f"contract year {year} is not one of the contract's years",
                    )
    with one_rule():
        if risk.share_rule is not None:
            check_a_share_rule(contract, risk.share_rule, ("risk_share", "share_rule"), findings)


def _check_side(contract: Any, side: Any, at: tuple[Any, ...], findings: Findings) -> None:
    _check_bands(side, at, findings)
    with one_rule():
        _check_minimum_rate_table(contract, side, at, findings)
    with one_rule():
        _check_quality(contract, side, at, findings)
    with one_rule():
        limit = side.cap_revenue
        if limit is not None and (limit.amount is None) == (limit.indicator is None):
            findings.add(
                (*at, "cap_revenue"),
                "C042",
                "a revenue-based cap needs its revenue: give amount or indicator (one of them)",
            )
    with one_rule():
        if side.loss_forgiven is not None and at[-1] != "losses":
            findings.add(
                (*at, "loss_forgiven"), "C043", "loss_forgiven reduces shared losses: it belongs on losses"
            )


def _check_bands(side: Any, at: tuple[Any, ...], findings: Findings) -> None:
    with one_rule():
        bands = side.bands
        previous = Decimal(0)
        units: set[str] = set()
        for index, band in enumerate(bands):
            with one_rule():
                up_to, amount = band.up_to, band.up_to_amount
                if up_to is not None and amount is not None:
                    findings.add(
                        (*at, "bands", index, "up_to_amount"),
                        "C041",
                        "give a band's upper end as up_to (a proportion of the budget) or up_to_amount, not both",
                    )
                    continue
                end = up_to if up_to is not None else amount
                unit = "up_to" if up_to is not None else "up_to_amount"
                if end is not None and units and unit not in units:
                    findings.add(
                        (*at, "bands", index, unit),
                        "C041",
                        f"the bands of a side use one unit: {unit} here, {next(iter(units))} before",
                    )
                    continue
                if end is None and index != len(bands) - 1:
                    findings.add(
                        (*at, "bands", index, "up_to"), "C027", "only the last band may have no upper end"
                    )
                elif end is not None and end <= previous:
                    findings.add(
                        (*at, "bands", index, unit),
                        "C027",
                        f"bands are listed by rising {unit}: {end} is not above {previous}",
                    )
                if end is not None:
                    previous = end
                    units.add(unit)


def _check_minimum_rate_table(contract: Any, side: Any, at: tuple[Any, ...], findings: Findings) -> None:
    table = side.minimum_rate_table
    if table is None:
        return
    where = (*at, "minimum_rate_table")
    if side.minimum_rate != 0:
        findings.add(
            (*at, "minimum_rate"),
            "C040",
            "give minimum_rate or minimum_rate_table, not both",
        )
    if (table.table is None) == (table.points is None):
        findings.add(
            where, "C040", "a minimum rate table needs table (a published one) or points, one of them"
        )
    elif table.points is not None:
        if not table.points:
            findings.add((*where, "points"), "C040", "a minimum rate table needs at least one point")
        previous = None
        for index, point in enumerate(table.points):
            with one_rule():
                population = point.population
                if previous is not None and population <= previous:
                    findings.add(
                        (*where, "points", index, "population"),
                        "C040",
                        f"points are listed by rising population: {population} is not above {previous}",
                    )
                previous = population
    if table.population is None and contract.risk_share.budget.population is None:
        findings.add(
            where,
            "C040",
            "a minimum rate table needs a population to count: give population (an extract indicator_id)",
        )


def _check_quality(contract: Any, side: Any, at: tuple[Any, ...], findings: Findings) -> None:
    quality = side.quality
    if quality is None:
        return
    with one_rule():
        if quality.method == "gate" and quality.minimum_score is None:
            findings.add(
                (*at, "quality"), "C011", "required key 'minimum_score' is missing for quality method gate"
            )
        elif quality.method != "gate" and quality.minimum_score is not None:
            findings.add(
                (*at, "quality", "minimum_score"), "C027", "minimum_score is only used by quality method gate"
            )
    with one_rule():
        if quality.method != "complement":
            for key in ("minimum_share", "maximum_share"):
                if getattr(quality, key) is not None:
                    findings.add(
                        (*at, "quality", key), "C027", f"{key} is only used by quality method complement"
                    )
        if quality.method == "complement" and at[-1] != "losses":
            findings.add(
                (*at, "quality", "method"),
                "C027",
                "quality method complement is for losses (a shared loss rate)",
            )
    indicator_ids: set[str] = set()
    for _, node in indicator_nodes(contract):
        indicator_ids |= set(usable_values([node], "id"))
    domain_ids: set[str] = set()
    with contextlib.suppress(Unusable):
        domain_ids = set(usable_values(contract.outcome_framework.domains, "id"))
    for key, known, what in (("indicators", indicator_ids, "indicator"), ("domains", domain_ids, "domain")):
        with one_rule():
            for index, name in enumerate(getattr(quality, key) or []):
                if name not in known:
                    findings.add(
                        (*at, "quality", key, index),
                        "C044",
                        f"unknown {what} {name!r}{suggestion(name, known)}",
                    )


def risk_share_quantities(side: Any, at: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], Any]]:
    """The extract ids a side reads (a table's population, a revenue), with their places: quantities,
    which must not be outcome indicators."""
    places: list[tuple[tuple[Any, ...], Any]] = []
    with one_rule():
        table = side.minimum_rate_table
        if table is not None and table.population is not None:
            places.append(((*at, "minimum_rate_table", "population"), table.population))
    with one_rule():
        limit = side.cap_revenue
        if limit is not None and limit.indicator is not None:
            places.append(((*at, "cap_revenue", "indicator"), limit.indicator))
    return places
