"""Scores in [0, 1] from achieved values, for every scoring method.

Lower-is-better indicators are scored by negating achieved value, baseline, threshold, target and
band levels, so one set of formulas serves both directions:

- linear:         clip((a - T) / (G - T), 0, 1)
- all_or_nothing: 1 if a >= G else 0
- improvement:    clip((a - B) / (G - B), 0, 1); all_or_nothing when the baseline already meets G
- best_of:        max(linear, improvement)
- banded:         the highest band score whose level a reaches, else 0

An indicator with no extract rows at all in its window is missing data, not small numbers: it
scores zero whatever its small-numbers policy, so missing data never moves money elsewhere.

Scores are then rounded to six decimal places (half away from zero) and carried as integer
millionths (`score_ppm`), from which money is computed exactly. Before that rounding the score in
millionths is cleaned of binary floating-point noise by rounding it to six decimals, so that a
score that is exactly halfway in decimal (0.4938285) rounds up as the rule says.
"""

from __future__ import annotations

import polars as pl

from obc_settle.engine.allocation import exact_fraction
from obc_settle.money import SCORE_SCALE


def score_indicators(measured: pl.DataFrame, bands: pl.DataFrame) -> pl.DataFrame:
    """Add `score_ppm` (null where the indicator's weight is reassigned) and `score`."""
    sign = pl.col("sign")
    achieved = sign * pl.col("achieved")
    threshold = sign * pl.col("threshold")
    target = sign * pl.col("target")
    baseline = sign * pl.col("baseline")
    linear = ((achieved - threshold) / (target - threshold)).clip(0.0, 1.0)
    all_or_nothing = (achieved >= target).cast(pl.Float64)
    improvement = (
        pl.when(baseline >= target).then(all_or_nothing).otherwise(((achieved - baseline) / (target - baseline)).clip(0.0, 1.0))
    )
    banded = _banded_scores(measured, bands)
    method = pl.col("scoring_method")
    raw = (
        pl.when(method == "linear")
        .then(linear)
        .when(method == "all_or_nothing")
        .then(all_or_nothing)
        .when(method == "improvement")
        .then(improvement)
        .when(method == "best_of")
        .then(pl.max_horizontal(linear, improvement))
        .otherwise(pl.col("banded_score"))
    )
    unscorable_score = (
        pl.when(pl.col("extract_rows") == 0)
        .then(pl.lit(0, dtype=pl.Int64))
        .when(pl.col("small_numbers_policy") == "score_met")
        .then(pl.lit(SCORE_SCALE, dtype=pl.Int64))
        .when(pl.col("small_numbers_policy") == "score_zero")
        .then(pl.lit(0, dtype=pl.Int64))
        .otherwise(pl.lit(None, dtype=pl.Int64))
    )
    scored = banded.with_columns(
        score_ppm=pl.when(pl.col("scorable"))
        .then((raw * SCORE_SCALE).round(6).round(0, mode="half_away_from_zero").cast(pl.Int64))
        .otherwise(unscorable_score)
    )
    return scored.with_columns(score=exact_fraction(pl.col("score_ppm"), SCORE_SCALE, 6)).drop("banded_score")


def _banded_scores(measured: pl.DataFrame, bands: pl.DataFrame) -> pl.DataFrame:
    reached = (
        measured.select("indicator_id", "sign", "achieved")
        .join(bands, on="indicator_id", how="inner")
        .filter(pl.col("sign") * pl.col("achieved") >= pl.col("sign") * pl.col("level"))
        .group_by("indicator_id")
        .agg(pl.col("band_score").max().alias("banded_score"))
    )
    return measured.join(reached, on="indicator_id", how="left").with_columns(pl.col("banded_score").fill_null(0.0))
