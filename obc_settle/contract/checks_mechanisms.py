"""Whole-file rules on the money of each contract year and the payment mechanisms: a contract value
or a capitation for each year, withheld money with indicators to earn it, quantities that are not
outcome indicators, points, risk/gain share, rate cards and subcontracts.

`CHECKS` lists them in the order they run, after the rules of `checks_structure`.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

from obc_settle.contract.checks_structure import check_a_share_rule
from obc_settle.contract.rule_reader import (
    ONE,
    Findings,
    Unusable,
    indexed_values,
    indicator_nodes,
    one_rule,
    provider_ids_of,
    suggestion,
    usable_values,
)


def _years(contract: Any) -> list[str]:
    return usable_values(contract.contract_years, "year")


def _check_year_values(contract: Any, findings: Findings) -> None:
    """Each contract year has a contract value or a capitation, not both."""
    for index, terms in enumerate(contract.contract_years):
        with one_rule():
            value, capitation = terms.contract_value, terms.capitation
            if value is None and capitation is None:
                findings.add(
                    ("contract_years", index),
                    "C011",
                    f"required key 'contract_value' (or 'capitation') is missing in contract_years.{index}",
                )
            elif value is not None and capitation is not None:
                findings.add(
                    ("contract_years", index, "capitation"),
                    "C027",
                    "give either contract_value or capitation for a contract year, not both",
                )
        with one_rule():
            if terms.aspiration_basis is not None and (
                contract.points is None or contract.points.aspiration is None
            ):
                findings.add(
                    ("contract_years", index, "aspiration_basis"),
                    "C027",
                    "aspiration_basis is only used by a points contract with aspiration payments",
                )


def _check_pool(contract: Any, findings: Findings) -> None:
    """Withheld money needs indicators to earn it; a points contract withholds nothing."""
    withheld = [
        (index, proportion)
        for index, proportion in indexed_values(contract.contract_years, "withheld_proportion")
        if proportion > 0
    ]
    with one_rule():
        if not contract.outcome_framework.domains and withheld:
            index = withheld[0][0]
            findings.add(
                ("contract_years", index, "withheld_proportion"),
                "C027",
                "money is withheld but the contract has no outcome indicators to earn it",
            )
    with one_rule():
        if contract.points is not None and withheld:
            index = withheld[0][0]
            findings.add(
                ("contract_years", index, "withheld_proportion"),
                "C027",
                "a points contract pays by points: withheld_proportion must be 0",
            )
    with one_rule():
        slope = contract.outcome_framework.exchange_slope
        if slope <= 0:
            findings.add(
                ("outcome_framework", "exchange_slope"),
                "C027",
                f"exchange_slope must be above 0, not {slope}",
            )
        elif slope != ONE and contract.unearned == "redistributed":
            findings.add(
                ("outcome_framework", "exchange_slope"),
                "C027",
                "with an exchange_slope other than 1, unearned money cannot be redistributed",
            )


def _check_quantities(contract: Any, findings: Findings) -> None:
    """Quantity ids (population, spend, list size, registers) are not outcome indicators."""
    indicator_ids: set[str] = set()
    for _, node in indicator_nodes(contract):
        indicator_ids |= set(usable_values([node], "id"))
    places: list[tuple[tuple[Any, ...], Any]] = []
    for index, terms in enumerate(contract.contract_years):
        with contextlib.suppress(Unusable):
            if terms.capitation is not None:
                places.append(
                    (("contract_years", index, "capitation", "population"), terms.capitation.population)
                )
    with one_rule():
        risk = contract.risk_share
        if risk is not None:
            places.append((("risk_share", "spend"), risk.spend))
            with one_rule():
                if risk.budget.population is not None:
                    places.append((("risk_share", "budget", "population"), risk.budget.population))
    with one_rule():
        if contract.points is not None:
            places.append((("points", "list_size"), contract.points.list_size))
    for path, identifier in places:
        if identifier in indicator_ids:
            findings.add(path, "C027", f"{identifier!r} is an outcome indicator; name a separate quantity")


def _check_points(contract: Any, findings: Findings) -> None:
    points = contract.points
    if points is None:
        return
    with one_rule():
        if points.national_list_size <= 0:
            findings.add(("points", "national_list_size"), "C027", "national_list_size must be above 0")
    for path, indicator in indicator_nodes(contract):
        with one_rule():
            if indicator.points is None:
                findings.add(
                    path,
                    "C027",
                    f"indicator {indicator.id!r}: a points contract needs 'points' (the maximum) on every indicator",
                )


def _check_risk_share(contract: Any, findings: Findings) -> None:
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
                _check_side(node, ("risk_share", side), findings)
    with one_rule():
        if risk.years is not None:
            years = _years(contract)
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


def _check_side(side: Any, at: tuple[Any, ...], findings: Findings) -> None:
    with one_rule():
        bands = side.bands
        previous = Decimal(0)
        for index, band in enumerate(bands):
            with one_rule():
                up_to = band.up_to
                if up_to is None and index != len(bands) - 1:
                    findings.add(
                        (*at, "bands", index, "up_to"), "C027", "only the last band may have no upper end"
                    )
                elif up_to is not None and up_to <= previous:
                    findings.add(
                        (*at, "bands", index, "up_to"),
                        "C027",
                        f"bands are listed by rising up_to: {up_to} is not above {previous}",
                    )
                if up_to is not None:
                    previous = up_to
    with one_rule():
        quality = side.quality
        if quality is not None and quality.method == "gate" and quality.minimum_score is None:
            findings.add(
                (*at, "quality"), "C011", "required key 'minimum_score' is missing for quality method gate"
            )
        elif quality is not None and quality.method != "gate" and quality.minimum_score is not None:
            findings.add(
                (*at, "quality", "minimum_score"), "C027", "minimum_score is only used by quality method gate"
            )
    with one_rule():
        quality = side.quality
        if quality is not None and quality.method != "complement":
            for key in ("minimum_share", "maximum_share"):
                if getattr(quality, key) is not None:
                    findings.add(
                        (*at, "quality", key), "C027", f"{key} is only used by quality method complement"
                    )
        if quality is not None and quality.method == "complement" and at[-1] != "losses":
            findings.add(
                (*at, "quality", "method"),
                "C027",
                "quality method complement is for losses (a shared loss rate)",
            )


def _check_rate_card(contract: Any, findings: Findings) -> None:
    card = contract.rate_card
    if card is None:
        return
    outcomes = indexed_values(card.outcomes, "id")
    findings.add_repeated_ids(
        "outcome", [(("rate_card", "outcomes", index, "id"), value) for index, value in outcomes]
    )


def _check_subcontracts(contract: Any, findings: Findings) -> None:
    subcontracts = contract.subcontracts
    provider_ids = provider_ids_of(contract)
    indicator_ids: set[str] = set()
    for _, node in indicator_nodes(contract):
        indicator_ids |= set(usable_values([node], "id"))
    passed: dict[tuple[str, str | None], Decimal] = {}
    for index, item in enumerate(subcontracts):
        with one_rule():
            for key in ("prime", "subcontractor"):
                provider = getattr(item, key)
                if provider not in provider_ids:
                    findings.add(
                        ("subcontracts", index, key),
                        "C024",
                        f"unknown provider {provider!r}{suggestion(provider, provider_ids)}",
                    )
            if item.prime == item.subcontractor:
                findings.add(
                    ("subcontracts", index, "subcontractor"),
                    "C027",
                    "a provider cannot subcontract to itself",
                )
        with one_rule():
            for position, indicator_id in enumerate(item.indicators or []):
                if indicator_ids and indicator_id not in indicator_ids:
                    findings.add(
                        ("subcontracts", index, "indicators", position),
                        "C024",
                        f"unknown indicator {indicator_id!r}{suggestion(indicator_id, indicator_ids)}",
                    )
        with one_rule():
            for indicator_id in item.indicators or [None]:
                passed_key = (item.prime, indicator_id)
                passed[passed_key] = passed.get(passed_key, Decimal(0)) + item.share
                total = passed[passed_key] + (
                    passed.get((item.prime, None), Decimal(0)) if indicator_id is not None else Decimal(0)
                )
                if total > ONE:
                    findings.add(
                        ("subcontracts", index, "share"),
                        "C027",
                        f"{item.prime} passes on {total} of its outcome money{'' if indicator_id is None else f' on {indicator_id}'}, more than all of it",
                    )


CHECKS = (
    _check_year_values,
    _check_pool,
    _check_quantities,
    _check_points,
    _check_risk_share,
    _check_rate_card,
    _check_subcontracts,
)
