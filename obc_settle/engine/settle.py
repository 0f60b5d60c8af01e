"""The settlement: one pure function from (contract, monthly extract sums, period) to the ledger.

No files, no clock, no environment: everything arrives as arguments, so the same inputs give the
same ledger, row for row and byte for byte.

1. The terms in force for the period's contract year (the contract as varied).
2. The span settled and its money: contract value (fixed, or capitation), outcome and base pools.
3. Base payments (in instalments), the outcome pool (measured, scored, shared), and the
   mechanisms the contract declares: points and aspiration payments, risk/gain share, rate-card
   outcomes, and money passed from a prime to its subcontractors.
4. Each provider's `net_payable` is the sum of its payment lines; the commissioner's
   `net_retained` the sum of its retention lines.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.engine.exact import WEIGHT_PLACES, as_decimal, fraction_text, split_exact
from obc_settle.engine.lines import Lines, conform, frame_of, line, numbered
from obc_settle.engine.outcomes import (
    Outcomes,
    commissioner_outcome_lines,
    party_order,
    provider_outcome_lines,
    settle_outcomes,
)
from obc_settle.engine.points import PreviousYear, aspiration_lines, points_lines
from obc_settle.engine.rate_card import rate_card_lines
from obc_settle.engine.risk_share import risk_share_lines
from obc_settle.engine.subcontracts import subcontract_lines
from obc_settle.engine.terms import PeriodMoney, Span, period_money, settlement_span
from obc_settle.ledger.schema import COMMISSIONER, LEDGER_SCHEMA, LineKind, LineType
from obc_settle.money import largest_remainder
from obc_settle.money_columns import pence_total
from obc_settle.periods import SettlementPeriod

__all__ = ["settle", "terms_in_force"]


def terms_in_force(contract: Contract, period: SettlementPeriod) -> Contract:
    return contract.in_force(period.contract_year.name)


def settle(
    contract: Contract,
    monthly: pl.DataFrame,
    period: SettlementPeriod,
    claims: pl.DataFrame | None = None,
    previous_year: PreviousYear | None = None,
) -> pl.DataFrame:
    """The ledger of one contract for one settlement period (see `obc_settle.ledger.schema`).

    `claims` are the rate-card outcome claims (participant_id, outcome_id, provider_id, period),
    needed only by a contract with a rate card; `previous_year` the previous contract year's
    achievement payments, needed only by aspiration based on them (`aspiration_basis: previous_year_run`).
    """
    terms = terms_in_force(contract, period)
    span = settlement_span(terms, period)
    money = period_money(terms, span, monthly)
    outcomes = settle_outcomes(terms, monthly, span, money) if _pays_pool(terms) else None
    extra = Lines()
    if terms.points is not None:
        extra.extend(
            points_lines(terms, monthly, span)
            if span.is_year
            else aspiration_lines(terms, span, previous_year)
        )
    if terms.risk_share is not None and span.is_year:
        extra.extend(
            risk_share_lines(terms, monthly, span, money, None if outcomes is None else outcomes.quality)
        )
    if terms.rate_card is not None:
        extra.extend(rate_card_lines(terms, claims, span))
    if terms.subcontracts and outcomes is not None and span.on_account != "year_end":
        extra.extend(subcontract_lines(terms, outcomes.provider_parts))
    frames = [
        *_provider_frames(terms, money, span, outcomes, extra),
        _commissioner_frame(terms, money, span, outcomes, extra),
    ]
    ledger = pl.concat(frames, how="vertical")
    header = {
        "contract_id": terms.id,
        "contract_version": terms.version,
        "contract_year": period.contract_year.name,
        "settlement_period": period.name,
        "status": period.status,
    }
    ledger = ledger.with_columns([pl.lit(value, dtype=pl.String).alias(key) for key, value in header.items()])
    ordered = ledger.with_columns(
        party_order=pl.col("party_id").replace_strict(party_order(terms), return_dtype=pl.Int64)
    ).sort("party_order", "line_no")
    return ordered.select([pl.col(name).cast(dtype) for name, dtype in LEDGER_SCHEMA.items()])


def _pays_pool(contract: Contract) -> bool:
    return contract.points is None and bool(contract.indicators())


def _base_lines(contract: Contract, money: PeriodMoney, span: Span) -> dict[str, list[dict[str, object]]]:
    base_payments = split_exact(money.base_pool_pence, [Fraction(p.base_share) for p in contract.providers])
    monthly = (
        contract.payment_terms.base_instalments == "monthly" and not span.is_year and len(span.quarters) == 1
    )
    lines: dict[str, list[dict[str, object]]] = {}
    for provider, base in zip(contract.providers, base_payments, strict=True):
        note = f"base pool {money.base_pool_pence} pence x base share {provider.base_share}"
        share = {
            "share": as_decimal(Fraction(provider.base_share), WEIGHT_PLACES),
            "share_exact": fraction_text(Fraction(provider.base_share)),
        }
        if not monthly:
            lines[provider.id] = [
                line(
                    provider.id,
                    provider.role,
                    LineType.BASE_PAYMENT,
                    LineKind.PAYMENT,
                    base,
                    pool_pence=money.base_pool_pence,
                    note=note,
                    **share,
                )
            ]
            continue
        instalments = largest_remainder(base, [1] * len(span.months))
        lines[provider.id] = [
            line(
                provider.id,
                provider.role,
                LineType.BASE_PAYMENT,
                LineKind.PAYMENT,
                amount,
                pool_pence=money.base_pool_pence,
                **share,
                window_first_month=month,  # the month the instalment pays for
                window_last_month=month,
                note=f"monthly instalment for {month}: {index} of {len(span.months)} of {base} pence ({note})",
            )
            for index, (month, amount) in enumerate(zip(span.months, instalments, strict=True), start=1)
        ]
    return lines


def _provider_frames(
    contract: Contract, money: PeriodMoney, span: Span, outcomes: Outcomes | None, extra: Lines
) -> list[pl.DataFrame]:
    base_lines = _base_lines(contract, money, span)
    frames = []
    for provider in contract.providers:
        pid, role = provider.id, provider.role
        if outcomes is not None:
            head, outcome, tail = provider_outcome_lines(contract, outcomes, span, pid, role)
            outcome_frame = conform(outcome)
        else:
            head = [line(pid, role, LineType.WITHHELD, LineKind.MEMO, 0, note="no outcome pool")]
            tail = [line(pid, role, LineType.UNEARNED, LineKind.MEMO, 0)]
            outcome_frame = frame_of([])
        mechanism = [{**row, "party_role": role} for row in extra.providers.get(pid, [])]
        body = [frame_of(base_lines[pid] + head), outcome_frame, frame_of(tail + mechanism)]
        paid = sum(
            pence_total(f.filter(pl.col("kind") == LineKind.PAYMENT).get_column("amount_pence")) for f in body
        )
        body.append(frame_of([line(pid, role, LineType.NET_PAYABLE, LineKind.MEMO, paid)]))
        frames.append(numbered(body))
    return frames


def _commissioner_frame(
    contract: Contract, money: PeriodMoney, span: Span, outcomes: Outcomes | None, extra: Lines
) -> pl.DataFrame:
    role = COMMISSIONER
    head = [
        line(
            COMMISSIONER,
            role,
            LineType.CONTRACT_VALUE,
            LineKind.MEMO,
            money.contract_value_pence,
            note=money.value_note,
        ),
        line(
            COMMISSIONER,
            role,
            LineType.OUTCOME_POOL,
            LineKind.MEMO,
            money.outcome_pool_pence,
            share=Decimal(money.withheld_proportion),
            share_exact=fraction_text(Fraction(money.withheld_proportion)),
            note=f"withheld proportion {money.withheld_proportion} of contract value",
        ),
    ]
    body = [frame_of(head)]
    if outcomes is not None:
        retained, tail = commissioner_outcome_lines(contract, outcomes, span, money)
        if retained is not None:
            body.append(conform(retained))
    else:
        tail = []
        if money.outcome_pool_pence:
            tail.append(
                line(
                    COMMISSIONER,
                    role,
                    LineType.RETAINED_UNSCORED,
                    LineKind.RETENTION,
                    money.outcome_pool_pence,
                    note="no outcome indicator to earn the outcome pool: it is retained",
                )
            )
    body.append(frame_of(tail + extra.commissioner))
    kept = sum(
        pence_total(f.filter(pl.col("kind") == LineKind.RETENTION).get_column("amount_pence")) for f in body
    )
    body.append(frame_of([line(COMMISSIONER, role, LineType.NET_RETAINED, LineKind.MEMO, kept)]))
    return numbered(body)
