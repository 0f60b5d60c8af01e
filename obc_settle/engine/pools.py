"""From scores to money: indicator pools, each party's part, and what it earned.

1. Effective weight of an indicator = domain weight x indicator weight, each renormalised over
   what can be scored (an unscorable indicator whose policy is `reassign_weight` gives its weight
   to the other indicators of its domain; a domain with nothing scorable gives its weight to the
   other domains). Weights are integers in 1e-12 units.
2. The outcome pool is split into indicator pools by largest remainder on those weights.
3. A collective pool is split among parties by their shares (largest remainder); an individual
   pool belongs to its provider. That part is what the party has at risk ("available").
4. Earned = available x score (x the exchange slope, 1 unless the contract says otherwise),
   rounded half up to the penny; unearned = available - earned (negative when a slope above 1
   pays more than was withheld).
   Rounding each party's part (not the pool) makes every payment rise with the score.
"""

from __future__ import annotations

from fractions import Fraction

import polars as pl

from obc_settle.engine.allocation import exact_fraction, split_largest_remainder, times_ppm_rounded
from obc_settle.money import UNIT_SCALE, to_units


def indicator_pools(scored: pl.DataFrame, outcome_pool_pence: int) -> pl.DataFrame:
    """Add `weight_units`, `weight` and `pool_pence` to each indicator row."""
    big = pl.Int128
    active = pl.col("score_ppm").is_not_null()
    with_activity = scored.with_columns(active=active).with_columns(
        indicator_active_units=pl.when(pl.col("active")).then(pl.col("indicator_units")).otherwise(0).sum().over("domain_id"),
    )
    domains = (
        with_activity.group_by("domain_id")
        .agg(pl.col("domain_units").first(), pl.col("active").any().alias("domain_active"))
        .filter(pl.col("domain_active"))
    )
    active_domain_units = int(domains.get_column("domain_units").sum()) if domains.height else 0
    weighted = with_activity.with_columns(
        weight_units=pl.when(pl.col("active") & (pl.col("indicator_active_units") > 0) & (active_domain_units > 0))
        .then(
            pl.col("domain_units").cast(big)
            * pl.col("indicator_units").cast(big)
            * UNIT_SCALE
            // (pl.lit(max(active_domain_units, 1)).cast(big) * pl.col("indicator_active_units").cast(big))
        )
        .otherwise(0)
        .cast(pl.Int64),
        outcome_pool=pl.lit(outcome_pool_pence, dtype=pl.Int64),
        all=pl.lit(0),
    )
    pooled = split_largest_remainder(
        weighted, total="outcome_pool", weight="weight_units", by=["all"], order=["indicator_order"], into="pool_pence"
    )
    return pooled.with_columns(weight=exact_fraction(pl.col("weight_units"), UNIT_SCALE, 12)).drop(
        "all", "outcome_pool", "active", "indicator_active_units"
    )


def party_parts(
    pooled: pl.DataFrame, shares: dict[str, Fraction], party_order: dict[str, int], slope: Fraction = Fraction(1)
) -> pl.DataFrame:
    """One row per indicator and party with `share`, `available_pence`, `earned_pence`, `unearned_pence`."""
    parties = pl.DataFrame(
        {
            "party_id": list(shares),
            "party_order": [party_order[p] for p in shares],
            "share_units": [to_units(s) for s in shares.values()],
        },
        schema={"party_id": pl.String, "party_order": pl.Int64, "share_units": pl.Int64},
    ).with_columns(share=exact_fraction(pl.col("share_units"), UNIT_SCALE, 12))
    collective = pooled.filter(pl.col("attribution") == "collective").join(parties, how="cross")
    collective = split_largest_remainder(
        collective, total="pool_pence", weight="share_units", by=["indicator_id"], order=["party_order"], into="available_pence"
    ).drop("share_units")
    order_frame = pl.DataFrame(
        {"party_id": list(party_order), "party_order": list(party_order.values())},
        schema={"party_id": pl.String, "party_order": pl.Int64},
    )
    individual = (
        pooled.filter(pl.col("attribution") == "individual")
        .with_columns(party_id=pl.col("attributed_provider"), share=exact_fraction(pl.lit(UNIT_SCALE), UNIT_SCALE, 12), available_pence=pl.col("pool_pence"))
        .join(order_frame, on="party_id", how="left")
    )
    parts = pl.concat([collective, individual], how="diagonal_relaxed")
    parts = parts.with_columns(
        earned_pence=times_ppm_rounded(pl.col("available_pence"), pl.col("score_ppm").fill_null(0), slope),
    ).with_columns(unearned_pence=pl.col("available_pence") - pl.col("earned_pence"))
    return parts.sort("indicator_order", "party_order")
