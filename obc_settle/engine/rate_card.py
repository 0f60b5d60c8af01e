"""An outcomes rate card: a price per outcome achieved per participant, with caps.

Claims (participant_id, outcome_id, provider_id, period) are taken in time order, from the start
of the term: by month, then participant id, then the outcome's place on the rate card. Each
claim is paid

    min(price, per-participant cap - already paid for the participant, overall cap - already paid)

and a claim for an outcome already paid for the same participant is paid nothing: an outcome is
paid once per participant. A settlement pays the claims of the months it covers, so the payments
of the quarters add up to the payment of the year, and later data never re-pays an outcome.
The commissioner's `rate_card` retention line is the opposite of the total paid.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.engine.lines import Lines, line
from obc_settle.engine.terms import Span
from obc_settle.extracts.schema import CLAIMS_SCHEMA
from obc_settle.ledger.schema import COMMISSIONER, LineKind, LineType
from obc_settle.money import pounds_to_pence
from obc_settle.money_columns import pence_total


def paid_claims(contract: Contract, claims: pl.DataFrame, last_month: str) -> pl.DataFrame:
    """Every claim up to `last_month` with what it is paid (`paid_pence`) and why (`reason`)."""
    card = contract.rate_card
    assert card is not None
    order = {outcome.id: index for index, outcome in enumerate(card.outcomes)}
    prices = {outcome.id: pounds_to_pence(outcome.price) for outcome in card.outcomes}
    per_person = None if card.cap_per_participant is None else pounds_to_pence(card.cap_per_participant)
    overall = None if card.cap_total is None else pounds_to_pence(card.cap_total)
    rows = (
        claims.filter(pl.col("period") <= last_month)
        .with_columns(
            outcome_order=pl.col("outcome_id").replace_strict(
                order, default=len(order), return_dtype=pl.Int64
            )
        )
        .sort("period", "participant_id", "outcome_order", "provider_id")
    )
    seen: set[tuple[str, str]] = set()
    by_person: dict[str, int] = defaultdict(int)
    total = 0
    paid, reasons = [], []
    for participant, outcome, _period in rows.select("participant_id", "outcome_id", "period").iter_rows():
        price = prices.get(outcome, 0)
        amount, reason = price, None
        if (participant, outcome) in seen:
            amount, reason = 0, "already paid for this participant"
        else:
            seen.add((participant, outcome))
            if per_person is not None and by_person[participant] + amount > per_person:
                amount, reason = max(0, per_person - by_person[participant]), "per-participant cap"
            if overall is not None and total + amount > overall:
                amount, reason = max(0, overall - total), "overall cap"
        by_person[participant] += amount
        total += amount
        paid.append(amount)
        reasons.append(reason)
    return rows.with_columns(
        paid_pence=pl.Series(paid, dtype=pl.Int64), reason=pl.Series(reasons, dtype=pl.String)
    )


def rate_card_lines(contract: Contract, claims: pl.DataFrame | None, span: Span) -> Lines:
    card = contract.rate_card
    lines = Lines()
    if card is None:
        return lines
    claims = pl.DataFrame(schema=CLAIMS_SCHEMA) if claims is None else claims
    settled = paid_claims(contract, claims, span.months[-1]).filter(pl.col("period").is_in(list(span.months)))
    roles = {p.id: p.role for p in contract.providers}
    total = 0
    for provider in contract.providers:
        mine = settled.filter(pl.col("provider_id") == provider.id)
        for outcome in card.outcomes:
            rows = mine.filter(pl.col("outcome_id") == outcome.id)
            if rows.height == 0:
                continue
            price = pounds_to_pence(outcome.price)
            amount = pence_total(rows.get_column("paid_pence"))
            reasons = rows.get_column("reason").drop_nulls().value_counts(sort=True).sort("reason")
            detail = "".join(
                f"; {count} limited by the {reason}"
                if reason != "already paid for this participant"
                else f"; {count} already paid"
                for reason, count in reasons.iter_rows()
            )
            note = f"{rows.height} claims of {outcome.id} at {price} pence{detail}"
            lines.add(
                provider.id,
                line(
                    provider.id,
                    roles[provider.id],
                    LineType.RATE_CARD,
                    LineKind.PAYMENT,
                    amount,
                    indicator_id=outcome.id,
                    numerator=float(rows.height),
                    available_pence=price * rows.height,
                    note=note,
                ),
            )
            total += amount
    lines.commissioner.append(
        line(
            COMMISSIONER,
            COMMISSIONER,
            LineType.RATE_CARD,
            LineKind.RETENTION,
            -total,
            note="rate-card outcome payments, paid by the commissioner beyond the contract value",
        )
    )
    return lines
