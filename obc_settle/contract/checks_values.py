"""Whole-file rules on indicators that state their money in pounds (`value`, CQUIN-style).

A CQUIN scheme is written as "1.25% of contract value, five indicators of 0.25% each": each
indicator's money for the year, in pounds. A framework may state that instead of weights; the
effective weight of an indicator is then its value over the sum of the values, and everything
else (quarters, instalments, unscorable indicators) follows the rules of weights.

The contract must then be consistent or it is refused: every indicator states a value, none a
weight (C055, C056); the values add up, to the penny, to the outcome pool of every contract year
they are in force in, `withheld_proportion x contract_value` (C057), so that the pool the base
payment is computed from and the money the indicators are worth cannot disagree; a points
contract or a capitated year, whose pool is not a sum of pounds known in advance, cannot use
them (C058); and a value is above 0 (C059).

`CHECKS` run on every set of terms (the contract and each variation's); `check_values_fill_each_pool`
once, on the document, because which framework is in force depends on the year.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

from obc_settle.contract.models import Contract
from obc_settle.contract.rule_reader import Findings, Node, Unusable, indicator_nodes, one_rule
from obc_settle.money import apply_proportion, format_pounds, pounds_to_pence
from obc_settle.periods import YearStart


def _value_of(indicator: Any) -> Decimal | None:
    with contextlib.suppress(Unusable):
        value: Decimal | None = indicator.value
        return value
    return None


def states_values(contract: Any) -> bool:
    """Whether any indicator of the contract's framework states its value in pounds."""
    with contextlib.suppress(Unusable):
        return any(_value_of(indicator) is not None for _, indicator in indicator_nodes(contract))
    return False


def _check_all_or_none(contract: Any, findings: Findings) -> None:
    """C055: every indicator states its value, or none does; C059: a value is above 0."""
    if not states_values(contract):
        return
    for path, indicator in indicator_nodes(contract):
        with one_rule():
            value = _value_of(indicator)
            if value is None:
                findings.add(
                    path,
                    "C055",
                    f"indicator {indicator.id!r} states no value: when one indicator states its money in pounds "
                    "(value), every indicator of the framework must",
                )
            elif value <= 0:
                findings.add((*path, "value"), "C059", f"indicator {indicator.id!r}: a value must be above 0")


def _check_no_weights(contract: Any, findings: Findings) -> None:
    """C056: with values, the weights are the values' shares; a weight beside them could disagree."""
    if not states_values(contract):
        return
    for d, domain in enumerate(contract.outcome_framework.domains):
        with one_rule():
            if domain.weight is not None:
                findings.add(
                    ("outcome_framework", "domains", d, "weight"),
                    "C056",
                    "a framework whose indicators state values takes its weights from them: leave out the domain's weight",
                    key=True,
                )
    for path, indicator in indicator_nodes(contract):
        with one_rule():
            if indicator.weight is not None:
                findings.add(
                    (*path, "weight"),
                    "C056",
                    f"indicator {indicator.id!r}: the framework's indicators state values, so leave out the weight "
                    "(an indicator's weight is its value's share of the pool)",
                    key=True,
                )


def _check_points(contract: Any, findings: Findings) -> None:
    """C058: a points contract pays by points, not from a pool the values could add up to."""
    if contract.points is None:
        return
    for path, indicator in indicator_nodes(contract):
        with one_rule():
            if _value_of(indicator) is not None:
                findings.add(
                    (*path, "value"),
                    "C058",
                    "a points contract pays by points: an indicator's value is not used",
                    key=True,
                )


CHECKS = (_check_all_or_none, _check_no_weights, _check_points)


def check_values_fill_each_pool(document: object, findings: Findings) -> None:
    """C057 and C058: in each contract year, the values of the framework in force add up to the
    year's outcome pool in pence (as the engine rounds it), and the year has a fixed value."""
    contract: Any = Node(Contract, document)
    for index, terms in enumerate(contract.contract_years):
        with one_rule():
            try:  # a year of another form than the contract's years is C045's
                year = YearStart.named(contract.term.year_starts).parse_year(terms.year)
            except ValueError:
                continue
            framework = _framework_in_force(contract, year.start)
            values = [_value_of(indicator) for _, indicator in indicator_nodes(framework)]
            if not values or any(value is None for value in values):
                continue  # no values, or some missing (C055 says so)
            if terms.capitation is not None:
                findings.add(
                    ("contract_years", index, "capitation"),
                    "C058",
                    f"{terms.year}: indicators that state values need a fixed contract_value, not capitation "
                    "(the pool is not known in pounds until the population is)",
                    key=True,
                )
                continue
            total = sum(pounds_to_pence(value) for value in values if value is not None)
            value = pounds_to_pence(terms.contract_value or Decimal(0))
            pool = apply_proportion(value, terms.withheld_proportion)
            if total != pool:
                findings.add(
                    ("contract_years", index, "withheld_proportion"),
                    "C057",
                    f"the indicators' values add up to {format_pounds(total)}, but the outcome pool of {terms.year} is "
                    f"{terms.withheld_proportion} x {format_pounds(value)} = {format_pounds(pool)}: "
                    "they must be equal (change the values or the withheld proportion)",
                )


def _framework_in_force(contract: Any, first_day: object) -> Any:
    """The contract (a node whose `outcome_framework` is in force from `first_day`): its own, or
    that of the latest variation effective by then that replaces it."""
    in_force = contract
    with contextlib.suppress(Unusable):
        dated = []
        for variation in contract.variations:
            with contextlib.suppress(Unusable):
                dated.append((variation.effective, variation))
        for effective, variation in sorted(dated, key=lambda pair: pair[0]):
            if effective <= first_day and variation.outcome_framework is not None:
                in_force = variation
    return in_force
