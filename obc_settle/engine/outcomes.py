"""The outcome pool: measure, score, pool and share it, and the lines it gives each party.

achievement -> scoring -> indicator pools -> each party's part -> earned and unearned ->
redistribution. How the pool is paid on account in-year (`payment_terms.outcome_on_account`)
changes the lines, not the method:

- `each_quarter` and `year_to_date` (and every contract-year settlement): earned money is paid;
- `in_full`: the quarter's pool is paid on account as if every indicator were fully achieved;
- `year_end`: the quarter's pool is held by the commissioner until the year-end settlement.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.engine.achievement import measure_achievement
from obc_settle.engine.exchange_slope import Slope, earned_parts, with_derivation
from obc_settle.engine.lines import DERIVATION, line
from obc_settle.engine.pools import indicator_pools, indicator_values, value_notes, value_weights
from obc_settle.engine.scoring import SCHEME_POINTS, score_indicators, with_score
from obc_settle.engine.shares import collective_shares, period_quantities
from obc_settle.engine.terms import PeriodMoney, Span, indicator_terms, indicator_windows, scoring_bands
from obc_settle.ledger.schema import COMMISSIONER, LineKind, LineType
from obc_settle.money import largest_remainder
from obc_settle.money_columns import pence_sum, pence_total

_STEPS = ("derivation",)
"""The ledger's `derivation` column, carried when the indicator rows have it (values in pounds)."""
IN_FULL_NOTE = "paid on account as if fully achieved (outcome_on_account: in_full); the year-end settlement pays on the year's results"
HELD_NOTE = "held until the year-end settlement (outcome_on_account: year_end)"


@dataclass(frozen=True)
class Outcomes:
    pooled: pl.DataFrame
    """One row per indicator: terms, measurement, score, weight and pool."""
    parts: pl.DataFrame
    """One row per indicator and party: share, available, earned, unearned."""
    redistributed: dict[str, int]
    quality: Fraction | None
    """The outcome framework's overall score: the weighted mean of the scores of the active indicators (exact)."""
    slope: Slope
    """The exchange slope earned money was multiplied by: the contract's, or found budget neutral."""

    @property
    def provider_parts(self) -> pl.DataFrame:
        return self.parts.filter(pl.col("party_id") != COMMISSIONER)


def party_order(contract: Contract) -> dict[str, int]:
    return {p.id: index for index, p in enumerate(contract.providers)} | {
        COMMISSIONER: len(contract.providers)
    }


def score_framework(contract: Contract, monthly: pl.DataFrame, span: Span) -> pl.DataFrame:
    """Each indicator measured over its window and scored (no money)."""
    terms = indicator_terms(contract, span)
    measured = measure_achievement(monthly, terms, indicator_windows(contract, span))
    scored = score_indicators(measured, scoring_bands(contract)).sort("indicator_order")
    if span.on_account == "in_full":
        note = pl.concat_str([pl.col("note"), pl.lit(IN_FULL_NOTE)], separator="; ", ignore_nulls=True)
        scored = with_score(scored.with_columns(note=note), Fraction(1))
        # the points scored are not what was paid on
        scored = scored.with_columns(pl.lit(None, dtype=pl.String).alias(SCHEME_POINTS))
    return scored


def settle_outcomes(contract: Contract, monthly: pl.DataFrame, span: Span, money: PeriodMoney) -> Outcomes:
    values = indicator_values(contract)  # CQUIN-style values in pounds: weights are their shares
    scored = value_weights(score_framework(contract, monthly, span), values)
    pooled = indicator_pools(scored, money.outcome_pool_pence)
    quantities = period_quantities(monthly, contract.share_rule.quantity, list(span.months))
    shares, share_note = collective_shares(contract, quantities)
    parts, slope = earned_parts(contract, pooled, shares, party_order(contract))
    parts = value_notes(parts, values)
    if share_note:
        parts = parts.with_columns(
            note=pl.when(pl.col("attribution") == "collective")
            .then(pl.concat_str([pl.col("note"), pl.lit(share_note)], separator="; ", ignore_nulls=True))
            .otherwise(pl.col("note"))
        )
    held = span.on_account == "year_end"
    redistributed = (
        {} if held else _redistribution(contract, parts.filter(pl.col("party_id") != COMMISSIONER))
    )
    pooled = with_derivation(pooled, slope, party_lines=False)
    return Outcomes(pooled, parts, redistributed, quality_score(pooled), slope)


def quality_score(pooled: pl.DataFrame) -> Fraction | None:
    """Weighted mean score of the active indicators by their effective weights, exact (None if none)."""
    pairs = [
        (Fraction(weight), Fraction(score))
        for weight, score in pooled.select("weight_exact", "score_exact").iter_rows()
        if score is not None and Fraction(weight) > 0
    ]
    total = sum((weight for weight, _ in pairs), Fraction(0))
    if total == 0:
        return None
    return sum((weight * score for weight, score in pairs), Fraction(0)) / total


def _redistribution(contract: Contract, provider_parts: pl.DataFrame) -> dict[str, int]:
    """Unearned money shared among providers that earned outcome money, by what each earned."""
    if contract.unearned != "redistributed":
        return {}
    earned = dict(provider_parts.group_by("party_id").agg(pence_sum("earned_pence")).iter_rows())
    unearned_total = pence_total(provider_parts.get_column("unearned_pence"))
    ids = [p.id for p in contract.providers]
    weights = [max(earned.get(pid, 0), 0) for pid in ids]
    if sum(weights) == 0:
        return {}
    return dict(zip(ids, largest_remainder(unearned_total, weights), strict=True))


def provider_outcome_lines(
    contract: Contract, outcomes: Outcomes, span: Span, provider_id: str, role: str
) -> tuple[list[dict[str, object]], pl.DataFrame, list[dict[str, object]]]:
    """(withheld line, outcome lines, unearned and redistributed lines) of one provider."""
    mine = outcomes.provider_parts.filter(pl.col("party_id") == provider_id)
    withheld = pence_total(mine.get_column("available_pence"))
    earned = pence_total(mine.get_column("earned_pence"))
    head = [
        line(
            provider_id,
            role,
            LineType.WITHHELD,
            LineKind.MEMO,
            withheld,
            note="your part of the outcome pool: earned plus unearned",
        )
    ]
    if span.on_account == "year_end":
        tail = [line(provider_id, role, LineType.UNEARNED, LineKind.MEMO, withheld, note=HELD_NOTE)]
        return head, mine.head(0).select([pl.col(name) for name in DERIVATION]), tail
    outcome = mine.select(
        pl.lit(provider_id).alias("party_id"),
        pl.lit(role).alias("party_role"),
        pl.lit(str(LineType.OUTCOME)).alias("line_type"),
        pl.lit(str(LineKind.PAYMENT)).alias("kind"),
        pl.col("earned_pence").alias("amount_pence"),
        *[pl.col(name) for name in DERIVATION],
        *[pl.col(name) for name in _STEPS if name in mine.columns and name not in DERIVATION],
    )
    tail = [line(provider_id, role, LineType.UNEARNED, LineKind.MEMO, withheld - earned)]
    if contract.unearned == "redistributed":
        extra = outcomes.redistributed.get(provider_id, 0)
        unearned_total = pence_total(outcomes.provider_parts.get_column("unearned_pence"))
        if extra:
            note = "share of all providers' unearned money, in proportion to outcome money earned"
        elif unearned_total == 0:
            note = "no unearned money to share this period"
        else:
            note = "earned no outcome money this period, so takes no share of unearned money"
        tail.append(
            line(provider_id, role, LineType.REDISTRIBUTED_UNEARNED, LineKind.PAYMENT, extra, note=note)
        )
    return head, outcome, tail


def commissioner_outcome_lines(
    contract: Contract, outcomes: Outcomes, span: Span, money: PeriodMoney
) -> tuple[pl.DataFrame | None, list[dict[str, object]]]:
    """(retained lines, tail lines) of the commissioner for the outcome pool."""
    role = COMMISSIONER
    if span.on_account == "year_end":
        held = line(
            COMMISSIONER, role, LineType.HELD, LineKind.RETENTION, money.outcome_pool_pence, note=HELD_NOTE
        )
        return None, [held]
    parts, pooled = outcomes.parts, outcomes.pooled
    retained = (
        parts.with_columns(
            kept=pl.when(pl.col("party_id") == COMMISSIONER)
            .then(pl.col("available_pence"))
            .otherwise(pl.col("unearned_pence"))
        )
        .group_by("indicator_id", maintain_order=True)
        .agg(pence_sum("kept"), pl.col("indicator_order").first())
    )
    indicator_rows = pooled.join(retained, on="indicator_id", how="left").sort("indicator_order")
    retained_frame = indicator_rows.select(
        pl.lit(COMMISSIONER).alias("party_id"),
        pl.lit(role).alias("party_role"),
        pl.lit(str(LineType.RETAINED)).alias("line_type"),
        pl.lit(str(LineKind.RETENTION)).alias("kind"),
        pl.col("kept").fill_null(0).alias("amount_pence"),
        *[pl.col(name) for name in DERIVATION if name not in {"share", "share_exact", "available_pence"}],
        *[pl.col(name) for name in _STEPS if name in indicator_rows.columns and name not in DERIVATION],
    )
    tail = []
    unscored = money.outcome_pool_pence - pence_total(pooled.get_column("pool_pence"))
    if unscored:
        tail.append(
            line(
                COMMISSIONER,
                role,
                LineType.RETAINED_UNSCORED,
                LineKind.RETENTION,
                unscored,
                note="no indicator could be scored: the outcome pool is retained",
            )
        )
    given = sum(outcomes.redistributed.values())
    if contract.unearned == "redistributed":
        unearned_total = pence_total(outcomes.provider_parts.get_column("unearned_pence"))
        if given:
            note = "unearned money shared among providers that achieved"
        elif unearned_total == 0:
            note = "no unearned money to share this period"
        else:
            note = "no provider earned outcome money: unearned money is retained"
        tail.append(
            line(COMMISSIONER, role, LineType.REDISTRIBUTED_UNEARNED, LineKind.RETENTION, -given, note=note)
        )
    return retained_frame, tail
