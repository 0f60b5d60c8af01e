"""The exchange function's slope, and the `derivation` an outcome line keeps of how it was earned.

Earned = available x score x slope. The slope is the contract's number, or, with
`exchange_slope: budget_neutral`, the slope that pays the providers back exactly what was withheld
from them (HVBP: the pool is the total reduction):

    slope = sum_h W_h / sum_h (TPS_h/100 x W_h) = sum of available / sum of (available x score)

over the providers' outcome parts, where W_h is what was withheld from hospital (provider) h and
TPS_h/100 = sum of h's available x score / W_h its total performance score. The contract carries the
withhold as `withheld_proportion` (the applicable percentage) of the contract value shared among
the providers, so W_h = applicable% x B_h with B_h h's base payments, and the applicable
percentage cancels: the slope is CMS's sum_h B_h / sum_h (TPS_h/100 x B_h).

Each line's exact earning is available x score x slope; those add up to the withheld pool exactly,
and the pool is split over them by largest remainder (each line is its exact earning rounded down
or up, once), so the pennies paid add up to the pool exactly. When nothing is earned at a slope of
1 (every score 0) there is no slope and nothing is paid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.engine.exact import fraction_of, fraction_text, split_exact
from obc_settle.engine.pools import party_parts
from obc_settle.engine.scoring import SCHEME_POINTS
from obc_settle.ledger.derivation import derivation_of, derivation_text
from obc_settle.ledger.schema import COMMISSIONER

BUDGET_NEUTRAL = "budget_neutral"


@dataclass(frozen=True)
class Slope:
    """The slope of a settlement: given by the contract, or found from the providers' parts."""

    value: Fraction | None
    """The slope; None when it is budget neutral and nothing is earned at a slope of 1."""
    budget_neutral: bool = False
    withheld_pence: int = 0
    """Budget neutral: the providers' withheld money, sum of W_h (the pool paid back)."""
    weighted: Fraction = Fraction(0)
    """Budget neutral: sum of available x score = sum of TPS_h/100 x W_h."""
    by_provider: dict[str, tuple[int, Fraction]] = field(default_factory=dict)
    """Budget neutral: each provider's (W_h, sum of its available x score)."""

    def steps(self, party_id: str | None = None) -> dict[str, Any]:
        """How the slope was found, for the `derivation` of a line (of `party_id`, or the commissioner's)."""
        found: dict[str, Any] = {
            "rule": BUDGET_NEUTRAL,
            "slope": fraction_text(self.value),
            "withheld_pence": self.withheld_pence,
            "weighted": fraction_text(self.weighted),
        }
        if party_id in self.by_provider:
            withheld, weighted = self.by_provider[party_id]
            found |= {
                "party_withheld_pence": withheld,
                "party_weighted": fraction_text(weighted),
                "party_tps": fraction_text(100 * weighted / withheld) if withheld else None,
            }
        return found


def contract_slope(contract: Contract) -> Slope | None:
    """The contract's own slope, or None when it is computed from the parts (budget_neutral)."""
    fixed = contract.outcome_framework.fixed_slope
    return None if fixed is None else Slope(Fraction(fixed))


def budget_neutral_slope(parts: pl.DataFrame) -> Slope:
    """The slope that pays the providers' withheld parts back in full (exact)."""
    by_provider: dict[str, tuple[int, Fraction]] = {}
    for party_id, available, score in _provider_rows(parts):
        withheld, weighted = by_provider.get(party_id, (0, Fraction(0)))
        by_provider[party_id] = (withheld + available, weighted + available * (score or 0))
    withheld_total = sum(w for w, _ in by_provider.values())
    weighted_total = sum((x for _, x in by_provider.values()), Fraction(0))
    value = Fraction(withheld_total) / weighted_total if weighted_total else None
    return Slope(value, True, withheld_total, weighted_total, by_provider)


def earn_budget_neutral(parts: pl.DataFrame, slope: Slope) -> pl.DataFrame:
    """The providers' earned and unearned amounts at a budget-neutral slope: the withheld pool split
    by largest remainder over each part's exact earning (available x score x slope)."""
    rows = _provider_rows(parts)
    exact = [Fraction(available) * (score or 0) for _, available, score in rows]
    earned = split_exact(slope.withheld_pence, exact) if slope.value is not None else [0] * len(rows)
    earned_by_row = iter(earned)
    is_provider = parts.get_column("party_id") != COMMISSIONER
    column = [
        next(earned_by_row) if mine else old
        for mine, old in zip(is_provider, parts["earned_pence"], strict=True)
    ]
    return parts.with_columns(pl.Series("earned_pence", column, dtype=pl.Int64)).with_columns(
        unearned_pence=pl.col("available_pence") - pl.col("earned_pence")
    )


def earned_parts(
    contract: Contract, pooled: pl.DataFrame, shares: dict[str, Fraction], order: dict[str, int]
) -> tuple[pl.DataFrame, Slope]:
    """Each party's part of each indicator with what it earned at the contract's slope (its number,
    or the budget-neutral slope found from the parts), and the `derivation` of each part."""
    fixed = contract.outcome_framework.fixed_slope
    if fixed is not None:
        slope = Slope(Fraction(fixed))
        parts = party_parts(pooled, shares, order, Fraction(fixed))
    else:
        parts = party_parts(pooled, shares, order)
        slope = budget_neutral_slope(parts)
        parts = earn_budget_neutral(parts, slope)
    return with_derivation(parts, slope, party_lines=True), slope


def with_derivation(frame: pl.DataFrame, slope: Slope, *, party_lines: bool) -> pl.DataFrame:
    """`frame` (indicator parts, or indicator rows) with the `derivation` its lines keep: the
    scheme's points (HVBP) and, for a budget-neutral slope, how the slope was found and (a party's
    part) its exact earning, added to what the column already holds. Null where there is nothing to
    keep, so other contracts' ledgers are unchanged."""
    texts = []
    for row in frame.iter_rows(named=True):
        steps: dict[str, Any] = derivation_of(row.get("derivation"))
        if row.get(SCHEME_POINTS):
            steps["points"] = derivation_of(row[SCHEME_POINTS])
        if slope.budget_neutral:
            party = row.get("party_id") if party_lines else None
            steps["exchange_slope"] = slope.steps(party)
            score = fraction_of(row.get("score_exact"))
            if party_lines and party != COMMISSIONER and slope.value is not None and score is not None:
                steps["earned_exact"] = fraction_text(row["available_pence"] * score * slope.value)
        texts.append(derivation_text(steps) if steps else None)
    return frame.with_columns(pl.Series("derivation", texts, dtype=pl.String))


def _provider_rows(parts: pl.DataFrame) -> list[tuple[str, int, Fraction | None]]:
    providers = parts.filter(pl.col("party_id") != COMMISSIONER)
    return [
        (str(party_id), int(available), fraction_of(score))
        for party_id, available, score in providers.select(
            "party_id", "available_pence", "score_exact"
        ).iter_rows()
    ]
