"""Scores in [0, 1] from achieved values, for every scoring method.

Lower-is-better indicators are scored by negating achieved value, baseline, threshold, target and
band levels, so one set of formulas serves both directions:

- linear:         clip((a - T) / (G - T), 0, 1)
- all_or_nothing: 1 if a >= G else 0
- improvement:    clip((a - B) / (G - B), 0, 1); all_or_nothing when the baseline already meets G
- best_of:        max(linear, improvement)
- banded:         the highest band score whose level a reaches, else 0
- hvbp:           max(achievement points, improvement points) / 10, with the threshold as the
                  achievement threshold AT and the target as the benchmark BM (US Hospital
                  Value-Based Purchasing): achievement = 9 (a - AT) / (BM - AT) + 0.5 rounded half
                  up and held to 1..9 in [AT, BM), 10 at or beyond BM, 0 below AT; improvement =
                  10 (a - B) / (BM - B) - 0.5 rounded half up and held to 0..9, 0 at or below B.

Confidence-aware scoring: when an indicator declares a confidence interval and one of its levels
(threshold, target, a band level) is better than the achieved value but lies within the interval,
the indicator counts as meeting that level: it is scored as if it had achieved the best such level.

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
    credited = _credited(measured, bands)
    sign = pl.col("sign")
    achieved = pl.col("scored_signed")
    threshold = sign * pl.col("threshold")
    target = sign * pl.col("target")
    baseline = sign * pl.col("baseline")
    linear = ((achieved - threshold) / (target - threshold)).clip(0.0, 1.0)
    all_or_nothing = (achieved >= target).cast(pl.Float64)
    improvement = (
        pl.when(baseline >= target).then(all_or_nothing).otherwise(((achieved - baseline) / (target - baseline)).clip(0.0, 1.0))
    )
    banded = _banded_scores(credited, bands)
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
        .when(method == "hvbp")
        .then(_hvbp_points(achieved, threshold, target, baseline) / 10.0)
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
    return scored.with_columns(score=exact_fraction(pl.col("score_ppm"), SCORE_SCALE, 6)).drop("banded_score", "scored_signed")


def _round_half_up(value: pl.Expr, decimals: pl.Expr) -> pl.Expr:
    scale = pl.lit(10.0).pow(decimals.cast(pl.Float64))
    return ((value * scale).round(6) + 0.5).floor() / scale


def _hvbp_points(achieved: pl.Expr, threshold: pl.Expr, benchmark: pl.Expr, baseline: pl.Expr) -> pl.Expr:
    """max(achievement points, improvement points), 0 to 10, in the signed (higher-is-better) space."""
    decimals = pl.col("point_decimals")
    achievement = (
        pl.when(achieved >= benchmark)
        .then(10.0)
        .when(achieved < threshold)
        .then(0.0)
        .otherwise(_round_half_up(9.0 * (achieved - threshold) / (benchmark - threshold) + 0.5, decimals).clip(1.0, 9.0))
    )
    improvement = (
        pl.when(baseline.is_null() | (achieved <= baseline) | (baseline >= benchmark))
        .then(0.0)
        .when(achieved >= benchmark)
        .then(9.0)
        .otherwise(_round_half_up(10.0 * (achieved - baseline) / (benchmark - baseline) - 0.5, decimals).clip(0.0, 9.0))
    )
    return pl.max_horizontal(achievement, improvement)


def _credited(measured: pl.DataFrame, bands: pl.DataFrame) -> pl.DataFrame:
    """Add `scored_signed`: the signed achieved value scoring uses, and a note when a level within
    the confidence interval is counted as met."""
    sign = pl.col("sign")
    favourable = pl.when(sign > 0).then(pl.col("confidence_upper")).otherwise(-pl.col("confidence_lower"))
    frame = measured.with_columns(a_signed=sign * pl.col("achieved"), u_signed=favourable)
    with_interval = frame.filter(pl.col("u_signed").is_not_null() & pl.col("a_signed").is_not_null())
    levels = pl.concat(
        [
            with_interval.select("indicator_id", "sign", "a_signed", "u_signed", pl.col("threshold").alias("level"), pl.lit("threshold").alias("level_name")),
            with_interval.select("indicator_id", "sign", "a_signed", "u_signed", pl.col("target").alias("level"), pl.lit("target").alias("level_name")),
            with_interval.select("indicator_id", "sign", "a_signed", "u_signed")
            .join(bands, on="indicator_id", how="inner")
            .select("indicator_id", "sign", "a_signed", "u_signed", "level", pl.lit("band level").alias("level_name")),
        ],
        how="vertical",
    )
    best = (
        levels.with_columns(level_signed=pl.col("sign") * pl.col("level"))
        .filter((pl.col("a_signed") < pl.col("level_signed")) & (pl.col("level_signed") <= pl.col("u_signed")))
        .sort("indicator_id", "level_signed", descending=[False, True])
        .group_by("indicator_id", maintain_order=True)
        .first()
        .select("indicator_id", credited_signed=pl.col("level_signed"), credited_name=pl.col("level_name"), credited_level=pl.col("level"))
    )
    joined = frame.join(best, on="indicator_id", how="left")
    credit_note = pl.format(
        "{} {} lies within the confidence interval {} to {} of the achieved value: counted as met",
        pl.col("credited_name"),
        pl.col("credited_level").round(6),
        pl.col("confidence_lower").round(4),
        pl.col("confidence_upper").round(4),
    )
    note = pl.when(pl.col("credited_signed").is_not_null()).then(
        pl.concat_str([pl.col("note"), credit_note], separator="; ", ignore_nulls=True)
    ).otherwise(pl.col("note"))
    return joined.with_columns(
        scored_signed=pl.coalesce(pl.col("credited_signed"), pl.col("a_signed")),
        note=note,
    ).drop("a_signed", "u_signed", "credited_signed", "credited_name", "credited_level")


def _banded_scores(measured: pl.DataFrame, bands: pl.DataFrame) -> pl.DataFrame:
    reached = (
        measured.select("indicator_id", "sign", "scored_signed")
        .join(bands, on="indicator_id", how="inner")
        .filter(pl.col("scored_signed") >= pl.col("sign") * pl.col("level"))
        .group_by("indicator_id")
        .agg(pl.col("band_score").max().alias("banded_score"))
    )
    return measured.join(reached, on="indicator_id", how="left").with_columns(pl.col("banded_score").fill_null(0.0))
