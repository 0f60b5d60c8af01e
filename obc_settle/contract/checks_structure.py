"""Whole-file rules on the contract's structure: ids used once, provider base shares and weights
that sum to 1, a term of whole contract years listed exactly once, and the share rule.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

from obc_settle.contract.checks_values import states_values
from obc_settle.contract.models import COMMISSIONER
from obc_settle.contract.rule_reader import (
    ONE,
    Findings,
    Unusable,
    indexed_values,
    indicator_nodes,
    one_rule,
    provider_ids_of,
    same_id,
    suggestion,
    usable_values,
)
from obc_settle.contract.yaml_source import Path_
from obc_settle.periods import YearStart


def check_ids(contract: Any, findings: Findings) -> None:
    providers = indexed_values(contract.providers, "id")
    for index, provider_id in providers:
        if same_id(provider_id) == COMMISSIONER:
            findings.add(
                ("providers", index, "id"),
                "C025",
                f"provider id {provider_id!r} is reserved for the commissioner's lines",
            )
    findings.add_repeated_ids("provider", [(("providers", index, "id"), value) for index, value in providers])
    with one_rule():
        domains = indexed_values(contract.outcome_framework.domains, "id")
        findings.add_repeated_ids(
            "domain", [(("outcome_framework", "domains", index, "id"), value) for index, value in domains]
        )
    with one_rule():
        paths = []
        for path, indicator in indicator_nodes(contract):
            with contextlib.suppress(Unusable):
                paths.append(((*path, "id"), indicator.id))
        findings.add_repeated_ids("indicator", paths)


def check_shares(contract: Any, findings: Findings) -> None:
    total = sum((p.base_share for p in contract.providers), Decimal(0))
    if total != ONE:
        findings.add(("providers",), "C021", f"provider base shares sum to {total}, not 1")


def check_weights(contract: Any, findings: Findings) -> None:
    if contract.points is not None:
        return  # a points contract pays by points, not by weights
    if states_values(contract):
        return  # weights are the values' shares (obc_settle.contract.checks_values)
    domains = contract.outcome_framework.domains
    if not domains:
        return
    missing = False
    for d, domain in enumerate(domains):
        with one_rule():
            if domain.weight is None:
                findings.add(
                    ("outcome_framework", "domains", d),
                    "C011",
                    f"required key 'weight' is missing in outcome_framework.domains.{d}",
                )
                missing = True
        with one_rule():
            for i, indicator in enumerate(domain.indicators):
                with one_rule():
                    if indicator.weight is None:
                        where = f"outcome_framework.domains.{d}.indicators.{i}"
                        findings.add(
                            ("outcome_framework", "domains", d, "indicators", i),
                            "C011",
                            f"required key 'weight' is missing in {where}",
                        )
    with one_rule():
        if not missing:
            total = sum((d.weight for d in domains), Decimal(0))
            if total != ONE:
                findings.add(
                    ("outcome_framework", "domains"), "C020", f"domain weights sum to {total}, not 1"
                )
    for index, domain in enumerate(domains):
        with one_rule():
            if any(i.weight is None for i in domain.indicators):
                continue
            domain_total = sum((i.weight for i in domain.indicators), Decimal(0))
            if domain_total != ONE:
                name = next(iter(usable_values([domain], "id")), f"#{index + 1}")
                findings.add(
                    ("outcome_framework", "domains", index, "indicators"),
                    "C020",
                    f"indicator weights in domain {name!r} sum to {domain_total}, not 1",
                )


def check_years(contract: Any, findings: Findings) -> None:
    term = contract.term
    year_start = YearStart.named(term.year_starts)
    first = year_start.year(2000)
    with one_rule():
        if term.start.month != year_start.month or term.start.day != 1:
            findings.add(
                ("term", "start"),
                "C028",
                f"the term must start on 1 {year_start.month_name} (a contract year), not {term.start}",
            )
    with one_rule():
        if (term.end.month, term.end.day) != (first.end.month, first.end.day):
            findings.add(
                ("term", "end"),
                "C028",
                f"the term must end on {first.end.day} {year_start.last_month_name} (a contract year), "
                f"not {term.end}",
            )
    start, end = term.start, term.end
    if end <= start:
        findings.add(("term", "end"), "C028", f"the term ends ({end}) before it starts ({start})")
        return
    expected = [
        year_start.year(year).name
        for year in range(year_start.containing(start).start_year, year_start.containing(end).start_year + 1)
    ]
    listed = contract.contract_years
    years = indexed_values(listed, "year")
    seen: set[str] = set()
    for index, year in years:
        if (problem := year_form_problem(year, year_start)) is not None:
            findings.add(("contract_years", index, "year"), "C045", problem)
        elif year in seen:
            findings.add(("contract_years", index, "year"), "C023", f"contract year {year} is listed twice")
        elif year not in expected:
            findings.add(
                ("contract_years", index, "year"),
                "C023",
                f"contract year {year} is outside the term {start} to {end}",
            )
        seen.add(year)
    missing = [year for year in expected if year not in seen]
    if (
        missing
        and len(years) == len(listed)
        and all(year_form_problem(y, year_start) is None for _, y in years)
    ):
        findings.add(
            ("contract_years",), "C023", f"contract years missing from the term: {', '.join(missing)}"
        )


def year_form_problem(name: str, year_start: YearStart) -> str | None:
    """Why a contract year named in the contract is not of the contract's form, or None."""
    try:
        year_start.parse_year(name)
    except ValueError as error:
        return str(error)
    return None


def check_share_rule(contract: Any, findings: Findings) -> None:
    check_a_share_rule(contract, contract.share_rule, ("share_rule",), findings)


def check_a_share_rule(contract: Any, rule: Any, at: Path_, findings: Findings) -> None:
    provider_ids = provider_ids_of(contract)
    method = rule.method
    with one_rule():
        fixed = rule.fixed
        if method == "fixed":
            if fixed is None:
                findings.add((*at, "method"), "C027", "share_rule method fixed needs 'fixed' shares")
            else:
                for provider_id in fixed:
                    if provider_id not in provider_ids:
                        findings.add(
                            (*at, "fixed", provider_id),
                            "C024",
                            f"unknown provider {provider_id!r}{suggestion(provider_id, provider_ids)}",
                            key=True,
                        )
                total = sum(fixed.values(), Decimal(0))
                if total != ONE:
                    findings.add((*at, "fixed"), "C026", f"fixed shares sum to {total}, not 1")
        elif fixed is not None:
            findings.add(
                (*at, "fixed"), "C027", f"'fixed' shares are only used by method fixed, not {method}"
            )
    with one_rule():
        quantity = rule.quantity
        if method == "by_quantity":
            indicator_ids = set()
            with one_rule():
                indicator_ids = {
                    node.id for _, node in indicator_nodes(contract) if usable_values([node], "id")
                }
            if quantity is None:
                findings.add(
                    (*at, "method"),
                    "C027",
                    "share_rule method by_quantity needs 'quantity' (an extract indicator_id)",
                )
            elif quantity in indicator_ids:
                findings.add(
                    (*at, "quantity"),
                    "C027",
                    f"quantity {quantity!r} is an outcome indicator; name a separate quantity",
                )
        elif quantity is not None:
            findings.add(
                (*at, "quantity"), "C027", f"'quantity' is only used by method by_quantity, not {method}"
            )
    with one_rule():
        for provider_id in rule.caps:
            if provider_id not in provider_ids:
                findings.add(
                    (*at, "caps", provider_id),
                    "C024",
                    f"unknown provider {provider_id!r}{suggestion(provider_id, provider_ids)}",
                    key=True,
                )


CHECKS = (check_ids, check_shares, check_weights, check_years, check_share_rule)
"""In the order they run, before those of `checks_mechanisms`."""
