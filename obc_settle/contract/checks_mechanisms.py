"""Whole-file rules on the money of each contract year and the payment mechanisms: a contract value
or a capitation for each year, withheld money with indicators to earn it, quantities that are not
outcome indicators, points, risk/gain share, rate cards and subcontracts.

`CHECKS` lists them in the order they run, after the rules of `checks_structure`.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

from obc_settle.contract.checks_risk_share import check_risk_share, risk_share_quantities
from obc_settle.contract.indicators import BUDGET_NEUTRAL
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
        if slope == BUDGET_NEUTRAL:
            _check_budget_neutral(contract, withheld, findings)
        elif slope <= 0:
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


def _check_budget_neutral(contract: Any, withheld: list[tuple[int, Any]], findings: Findings) -> None:
    """A budget-neutral slope pays the withheld pool back in full (HVBP): it needs a pool and indicators
    to share it by (C050), and leaves no unearned money to redistribute (C027, as any slope but 1)."""
    at = ("outcome_framework", "exchange_slope")
    with one_rule():
        if not contract.outcome_framework.domains:
            findings.add(
                at, "C050", "exchange_slope: budget_neutral needs outcome indicators to share the pool by"
            )
        elif not withheld:
            findings.add(
                at,
                "C050",
                "exchange_slope: budget_neutral pays back the withheld money, but no contract year withholds any "
                "(withheld_proportion)",
            )
    with one_rule():
        if contract.unearned == "redistributed":
            findings.add(
                at,
                "C027",
                "with exchange_slope: budget_neutral the whole pool is paid back (a slope other than 1), so unearned "
                "money cannot be redistributed",
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
            for side in ("gains", "losses"):
                with one_rule():
                    node = getattr(risk, side)
                    if node is not None:
                        places += risk_share_quantities(node, ("risk_share", side))
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
    check_risk_share,
    _check_rate_card,
    _check_subcontracts,
)
