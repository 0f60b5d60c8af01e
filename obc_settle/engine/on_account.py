"""What a contract pays on account during a contract year, before its year-end settlement.

A year-end settlement pays the whole year. When the quarters were already paid (base payments,
outcome money on account, aspiration payments, rate-card outcomes), its net payable is not what
is due now: the payments made must be netted off (`--paid` run folders or `--payments`), or the
user must say that nothing was paid. This module says which payments the terms make in-year, so
the application can refuse a year-end settlement that would invite paying the quarters twice.
"""

from __future__ import annotations

from obc_settle.contract.models import Contract
from obc_settle.periods import SettlementPeriod


def in_year_payments(contract: Contract, period: SettlementPeriod) -> list[str]:
    """What the quarterly settlements of `period`'s contract year pay, in words; empty if nothing."""
    terms = contract.in_force(period.contract_year.name)
    year = terms.year_terms(period.contract_year.name)
    if year is None:
        return []
    paid = []
    has_value = year.capitation is not None or (year.contract_value or 0) > 0
    if has_value and year.withheld_proportion < 1:
        paid.append(f"base payments ({terms.payment_terms.base_instalments} instalments)")
    pays_pool = (
        terms.points is None and bool(terms.indicators()) and year.withheld_proportion > 0 and has_value
    )
    if pays_pool and terms.payment_terms.outcome_on_account != "year_end":
        paid.append(
            f"outcome money on account (outcome_on_account: {terms.payment_terms.outcome_on_account})"
        )
    if terms.points is not None and terms.points.aspiration is not None and year.aspiration_basis:
        paid.append("aspiration payments in monthly twelfths")
    if terms.rate_card is not None:
        paid.append("rate-card outcomes as they are claimed")
    return paid
