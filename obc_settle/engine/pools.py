"""From scores to money: indicator pools, each party's part, and what it earned.

1. Effective weight of an indicator = domain weight x indicator weight, each renormalised over
   what can be scored (an unscorable indicator whose policy is `reassign_weight`, or one not
   measured in the settlement, gives its weight to the other indicators of its domain; a domain
   with nothing scorable gives its weight to the other domains). Weights are exact fractions.
2. The outcome pool is split into indicator pools by largest remainder on those exact weights.
3. A collective pool is split among parties by their exact shares (largest remainder); an
   individual pool belongs to its provider. That part is what the party has at risk ("available").
4. Earned = available x score x the exchange slope (1 unless the contract says otherwise), all
   exact, rounded once half up to the penny; unearned = available - earned (negative when a
   slope above 1 pays more than was withheld).
   Rounding each party's part (not the pool) makes every payment rise with the score.

Indicators that state their value in pounds (CQUIN: `value`, instead of weights) take as weights
the values' shares: domain weight = the domain's values / all values, indicator weight = its value
/ its domain's values, so that with every indicator scored its effective weight is value / all
values, and a year's pool (which the contract checks equals the sum of the values) gives each
indicator exactly its value. Each such line says what the indicator is worth (its note, and
`indicator_value_pence` in the line's `derivation`).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.engine.exact import (
    WEIGHT_PLACES,
    as_decimal,
    fraction_of,
    fraction_text,
    split_exact,
    times_rounded,
)
from obc_settle.ledger.derivation import derivation_text
from obc_settle.money import pounds_to_pence

RATIO_DTYPE = pl.Decimal(38, WEIGHT_PLACES)


def effective_weights(scored: pl.DataFrame) -> list[Fraction]:
    """The exact effective weight of each indicator row, in the frame's order."""
    rows = scored.select("domain_id", "domain_weight", "indicator_weight", "score_exact").rows()
    active = [score is not None for *_, score in rows]
    domain_weight: dict[str, Fraction] = {}
    indicator_total: dict[str, Fraction] = {}
    for (domain_id, weight, indicator_weight, _), is_active in zip(rows, active, strict=True):
        if is_active:
            domain_weight[domain_id] = Fraction(weight)
            indicator_total[domain_id] = indicator_total.get(domain_id, Fraction(0)) + Fraction(
                indicator_weight
            )
    domain_total = sum(domain_weight.values(), Fraction(0))
    weights = []
    for (domain_id, weight, indicator_weight, _), is_active in zip(rows, active, strict=True):
        inside = indicator_total.get(domain_id, Fraction(0))
        if not is_active or inside == 0 or domain_total == 0:
            weights.append(Fraction(0))
        else:
            weights.append(Fraction(weight) * Fraction(indicator_weight) / (domain_total * inside))
    return weights


def indicator_pools(scored: pl.DataFrame, outcome_pool_pence: int) -> pl.DataFrame:
    """Add `weight_exact`, `weight` and `pool_pence` to each indicator row (rows in contract order)."""
    ordered = scored.sort("indicator_order")
    weights = effective_weights(ordered)
    pools = split_exact(outcome_pool_pence, weights)
    return ordered.with_columns(
        pl.Series("weight_exact", [fraction_text(w) for w in weights], dtype=pl.String),
        pl.Series("weight", [as_decimal(w, WEIGHT_PLACES) for w in weights], dtype=RATIO_DTYPE),
        pl.Series("pool_pence", pools, dtype=pl.Int64),
    )


def party_parts(
    pooled: pl.DataFrame,
    shares: dict[str, Fraction],
    party_order: dict[str, int],
    slope: Fraction = Fraction(1),
) -> pl.DataFrame:
    """One row per indicator and party with `share`, `available_pence`, `earned_pence`, `unearned_pence`."""
    parties = sorted(shares, key=lambda party: party_order[party])
    rows: list[dict[str, object]] = []
    for row in pooled.sort("indicator_order").iter_rows(named=True):
        if row["attribution"] == "individual":
            holders = [(row["attributed_provider"], Fraction(1), int(row["pool_pence"]))]
        else:
            parts = split_exact(int(row["pool_pence"]), [shares[p] for p in parties])
            holders = [(party, shares[party], part) for party, part in zip(parties, parts, strict=True)]
        score = fraction_of(row["score_exact"])
        for party_id, share, available in holders:
            earned = 0 if score is None else times_rounded(available, score, slope)
            rows.append(
                {
                    "indicator_id": row["indicator_id"],
                    "party_id": party_id,
                    "party_order": party_order.get(party_id),
                    "share_exact": fraction_text(share),
                    "share": as_decimal(share, WEIGHT_PLACES),
                    "available_pence": available,
                    "earned_pence": earned,
                    "unearned_pence": available - earned,
                }
            )
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        "indicator_id": pl.String,
        "party_id": pl.String,
        "party_order": pl.Int64,
        "share_exact": pl.String,
        "share": RATIO_DTYPE,
        "available_pence": pl.Int64,
        "earned_pence": pl.Int64,
        "unearned_pence": pl.Int64,
    }
    frame = pl.DataFrame(rows, schema=schema)
    joined = pooled.join(frame, on="indicator_id", how="inner")
    return joined.sort("indicator_order", "party_order")


def indicator_values(contract: Contract) -> dict[str, int]:
    """Each indicator's value for the year in pence, when the framework states values (else empty)."""
    pairs = [(indicator.id, indicator.value) for _, indicator in contract.indicators()]
    if not any(value is not None for _, value in pairs):
        return {}
    return {indicator_id: pounds_to_pence(value or Decimal(0)) for indicator_id, value in pairs}


def value_weights(scored: pl.DataFrame, values: dict[str, int]) -> pl.DataFrame:
    """The indicator rows with `domain_weight` and `indicator_weight` the shares of the indicators'
    values (in pence), and each row's `derivation` naming its value; unchanged without values."""
    if not values:
        return scored
    rows = scored.select("domain_id", "indicator_id").rows()
    in_domain: dict[str, int] = {}
    for domain_id, indicator_id in rows:
        in_domain[domain_id] = in_domain.get(domain_id, 0) + values[indicator_id]
    total = sum(in_domain.values())
    steps = [
        derivation_text({"indicator_value_pence": values[i], "values_total_pence": total}) for _, i in rows
    ]
    return scored.with_columns(
        pl.Series("domain_weight", [fraction_text(Fraction(in_domain[d], total)) for d, _ in rows]),
        pl.Series("indicator_weight", [fraction_text(Fraction(values[i], in_domain[d])) for d, i in rows]),
        pl.Series("derivation", steps, dtype=pl.String),
    )


def value_notes(parts: pl.DataFrame, values: dict[str, int]) -> pl.DataFrame:
    """Each part of an indicator that states its value, noted in words: "this indicator is worth
    N pence a year; score 50% earns M pence" (with this period's pool and the party's part when
    they are not the whole value)."""
    if not values:
        return parts
    notes = []
    for row in parts.iter_rows(named=True):
        value, pool, available = values[row["indicator_id"]], row["pool_pence"], row["available_pence"]
        said = f"this indicator is worth {value} pence a year"
        if pool != value:
            said += f", {pool} pence of this period's outcome pool"
        if available != pool:
            said += f"; your part is {available} pence"
        score = fraction_of(row["score_exact"])
        if score is None:
            said += "; not scored this period, so it earns nothing"
        else:
            said += f"; score {score_percent(score)} earns {row['earned_pence']} pence"
        notes.append("; ".join(filter(None, [row["note"], said])))
    return parts.with_columns(pl.Series("note", notes, dtype=pl.String))


def score_percent(score: Fraction) -> str:
    """A score as a percentage: every digit when the decimal ends, else four decimals."""
    text = fraction_text(score * 100) or ""
    return f"{as_decimal(score * 100, 4) if '/' in text else text}%"
