"""Invariants of how the contract value is split: the period's contract value and outcome pool are
the contract's, base payments are each provider's largest-remainder share of the base pool, and
the indicator pools add up to the outcome pool and are each earned or retained, never both.
Each function is named after the invariant it checks (`obc_settle.ledger.invariants`).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from obc_settle.ledger.invariant_view import Line, T, View, Violation
from obc_settle.ledger.schema import COMMISSIONER
from obc_settle.money import largest_remainder, pounds_to_pence, round_half_up


def _quarters(view: View) -> list[int]:
    period = view.period
    if period.quarter is None:
        return [1, 2, 3, 4]
    if view.contract.payment_terms.outcome_on_account == "year_to_date":
        return list(range(1, period.quarter + 1))
    return [period.quarter]


def contract_value(view: View) -> list[Violation]:
    found: list[Violation] = []
    value = view.one(COMMISSIONER, T.CONTRACT_VALUE, "contract-value", found)
    pool = view.one(COMMISSIONER, T.OUTCOME_POOL, "contract-value", found)
    terms = view.contract.year_terms(view.period.contract_year.name)
    if value is None or pool is None or terms is None:
        return found + (
            [Violation("contract-value", None, f"the contract has no terms for {view.period.contract_year}")]
            if terms is None
            else []
        )
    if value < 0:
        found.append(Violation("contract-value", COMMISSIONER, f"a negative contract value {value} pence"))
    if terms.capitation is None:
        quarters = largest_remainder(pounds_to_pence(terms.contract_value or Decimal(0)), [1, 1, 1, 1])
        expected = sum(quarters[q - 1] for q in _quarters(view))
        if value != expected:
            found.append(
                Violation(
                    "contract-value",
                    COMMISSIONER,
                    f"contract value {value} pence, but the contract's value for {view.period} is {expected} pence",
                )
            )
    expected_pool = round_half_up(Fraction(value) * Fraction(terms.withheld_proportion))
    if pool != expected_pool:
        found.append(
            Violation(
                "contract-value",
                COMMISSIONER,
                f"outcome pool {pool} pence, not {value} x withheld proportion {terms.withheld_proportion} = {expected_pool} pence",
            )
        )
    return found


def base_split(view: View) -> list[Violation]:
    found: list[Violation] = []
    base_pool = view.total(COMMISSIONER, T.CONTRACT_VALUE) - view.total(COMMISSIONER, T.OUTCOME_POOL)
    paid = view.providers_total(T.BASE_PAYMENT)
    if paid != base_pool:
        found.append(
            Violation(
                "base-split",
                None,
                f"base payments add up to {paid} pence, not the base pool {base_pool} pence",
            )
        )
    shares = {p.id: Fraction(p.base_share) for p in view.contract.providers}
    whole = sum(shares.values()) or Fraction(1)
    for party in view.providers:
        lines = view.of(party, T.BASE_PAYMENT)
        base = sum(x.amount for x in lines)
        exact = base_pool * shares[party] / whole
        if abs(base - exact) >= 1:  # a largest-remainder part is its exact share rounded down or up
            found.append(
                Violation(
                    "base-split",
                    party,
                    f"base payment {base} pence, not its exact share {_pence(exact)} pence rounded down or up",
                )
            )
        if lines and max(x.amount for x in lines) - min(x.amount for x in lines) > 1:
            found.append(
                Violation(
                    "base-split",
                    party,
                    f"instalments {[x.amount for x in lines]} differ by more than a penny",
                )
            )
    return found


def _pence(value: Fraction) -> str:
    return (
        str(value.numerator)
        if value.denominator == 1
        else f"{Decimal(value.numerator) / Decimal(value.denominator):.4f}"
    )


def indicator_pools(view: View) -> list[Violation]:
    found: list[Violation] = []
    retained = view.of(COMMISSIONER, T.RETAINED)
    pools = sum(x.pool or 0 for x in retained)
    rest = view.total(COMMISSIONER, T.RETAINED_UNSCORED, T.HELD)
    outcome_pool = view.total(COMMISSIONER, T.OUTCOME_POOL)
    if pools + rest != outcome_pool:
        found.append(
            Violation(
                "indicator-pools",
                None,
                f"indicator pools {pools} + unscored or held {rest} = {pools + rest} pence, not the outcome pool {outcome_pool} pence",
            )
        )
    by_indicator = {x.indicator: x for x in retained}
    if len(by_indicator) != len(retained):
        found.append(
            Violation("indicator-pools", COMMISSIONER, "an indicator has more than one retained line")
        )
    outcome: dict[str | None, list[Line]] = {}
    for y in view.of(None, T.OUTCOME):
        outcome.setdefault(y.indicator, []).append(y)
    for x in retained:
        parts = outcome.get(x.indicator, [])
        earned, available, pool = (
            sum(y.amount for y in parts),
            sum(y.available or 0 for y in parts),
            x.pool or 0,
        )
        if pool < 0:
            found.append(
                Violation("indicator-pools", None, f"indicator {x.indicator}: a negative pool {pool} pence")
            )
        if x.amount + earned != pool:
            found.append(
                Violation(
                    "indicator-pools",
                    None,
                    f"indicator {x.indicator}: retained {x.amount} + earned {earned} = {x.amount + earned} pence, not its pool {pool} pence",
                )
            )
        if available > pool:
            found.append(
                Violation(
                    "indicator-pools",
                    None,
                    f"indicator {x.indicator}: parties have {available} pence available, more than its pool {pool} pence",
                )
            )
        for y in parts:
            if y.pool != pool:
                found.append(
                    Violation(
                        "indicator-pools",
                        y.party,
                        f"indicator {x.indicator}: its outcome line's pool {y.pool} pence is not the indicator pool {pool} pence",
                    )
                )
        if len({y.party for y in parts}) != len(parts):
            found.append(
                Violation("indicator-pools", None, f"indicator {x.indicator}: a party has two outcome lines")
            )
    for y in view.of(None, T.OUTCOME):
        if y.indicator not in by_indicator:
            found.append(
                Violation(
                    "indicator-pools",
                    y.party,
                    f"an outcome line of {y.amount} pence for indicator {y.indicator}, which has no pool",
                )
            )
    return found
