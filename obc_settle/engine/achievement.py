"""Achieved value of each indicator over its measurement window.

Collective indicators are measured on all providers' rows together; an individual indicator on
its named provider's rows only. Sums arrive exact (decimal) and become floats only for the single
division that gives the achieved value.
"""

from __future__ import annotations

import polars as pl

# Achieved values are rounded to ten decimal places before scoring, so that binary floating point
# cannot put an achievement that equals its target exactly (0.70 - 0.60 = 0.1) a hair below it.
ACHIEVED_DECIMALS = 10


def measure_achievement(monthly: pl.DataFrame, terms: pl.DataFrame, windows: pl.DataFrame) -> pl.DataFrame:
    """`terms` plus extract_rows, numerator, denominator, achieved, scorable, note."""
    in_window = monthly.join(windows, on=["indicator_id", "period"], how="inner").join(
        terms.select("indicator_id", "attributed_provider"), on="indicator_id", how="inner"
    )
    counted = in_window.filter(
        pl.col("attributed_provider").is_null() | (pl.col("provider_id") == pl.col("attributed_provider"))
    )
    sums = counted.group_by("indicator_id").agg(
        pl.col("rows").sum().alias("extract_rows"),
        pl.col("numerator").sum().alias("numerator_exact"),
        pl.col("denominator").sum().alias("denominator_exact"),
        pl.col("value_sum").sum().alias("value_sum_exact"),
        pl.col("value_count").sum().alias("value_count"),
    )
    measured = terms.join(sums, on="indicator_id", how="left").with_columns(
        pl.col("extract_rows").fill_null(0),
        pl.col("value_count").fill_null(0),
    )
    is_mean = pl.col("measure") == "mean"
    numerator = pl.when(is_mean).then(pl.col("value_sum_exact")).otherwise(pl.col("numerator_exact")).cast(pl.Float64).fill_null(0.0)
    denominator = (
        pl.when(is_mean).then(pl.col("value_count").cast(pl.Float64)).otherwise(pl.col("denominator_exact").cast(pl.Float64)).fill_null(0.0)
    )
    measured = measured.with_columns(numerator=numerator, denominator=denominator)
    ratio = pl.col("numerator") / pl.col("denominator")
    raw = (
        pl.when(pl.col("indicator_kind") == "rate_per_1000")
        .then(pl.col("numerator") * 1000.0 / pl.col("denominator"))
        .when(pl.col("indicator_kind") == "change_from_baseline")
        .then(ratio - pl.col("baseline"))
        .otherwise(ratio)
    )
    scorable = (pl.col("denominator") > 0) & (pl.col("denominator") >= pl.col("minimum_denominator").cast(pl.Float64))
    lower, upper = _interval(ratio)
    shift = pl.when(pl.col("indicator_kind") == "change_from_baseline").then(pl.col("baseline")).otherwise(0.0)
    measured = measured.with_columns(
        achieved=pl.when(pl.col("denominator") > 0).then(raw.round(ACHIEVED_DECIMALS)).otherwise(None),
        scorable=scorable,
        confidence_lower=pl.when(pl.col("denominator") > 0).then((lower - shift).round(ACHIEVED_DECIMALS)).otherwise(None),
        confidence_upper=pl.when(pl.col("denominator") > 0).then((upper - shift).round(ACHIEVED_DECIMALS)).otherwise(None),
    )
    note = pl.concat_str([_data_note(), pl.col("window_note")], separator="; ", ignore_nulls=True)
    return measured.with_columns(note=pl.when(note == "").then(None).otherwise(note)).drop("numerator_exact", "denominator_exact", "value_sum_exact", "value_count", "window_note")


def _interval(ratio: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The confidence interval of the measure (before any baseline is subtracted), or nulls.

    Wilson score interval of a proportion p from n people, with z the normal quantile:
        centre = (p + z^2/2n) / (1 + z^2/n),  half = z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n)
    Normal interval of a mean from n values with standard deviation s: mean +- z s / sqrt(n).
    """
    n, z = pl.col("denominator"), pl.col("confidence_z")
    p = ratio.clip(0.0, 1.0)
    scale = 1.0 + z * z / n
    centre = (p + z * z / (2.0 * n)) / scale
    half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / scale
    normal_half = z * pl.col("confidence_sd") / n.sqrt()
    wilson = pl.col("confidence_interval") == "wilson"
    normal = pl.col("confidence_interval") == "normal"
    lower = pl.when(wilson).then(centre - half).when(normal).then(ratio - normal_half).otherwise(None)
    upper = pl.when(wilson).then(centre + half).when(normal).then(ratio + normal_half).otherwise(None)
    return lower, upper


def _data_note() -> pl.Expr:
    denominator_name = pl.when(pl.col("measure") == "mean").then(pl.lit("value count")).otherwise(pl.lit("denominator"))
    policy_text = (
        pl.when(pl.col("small_numbers_policy") == "score_zero")
        .then(pl.lit("scored as zero"))
        .when(pl.col("small_numbers_policy") == "score_met")
        .then(pl.lit("scored as met"))
        .otherwise(pl.lit("its weight is given to the other indicators"))
    )
    return (
        pl.when(pl.col("extract_rows") == 0)
        .then(pl.lit("no data in the window: scored as zero"))
        .when(pl.col("scorable").not_())
        .then(
            pl.concat_str(
                pl.lit("small numbers: "),
                denominator_name,
                pl.lit(" "),
                _count_text(pl.col("denominator")),
                pl.lit(" is below the minimum "),
                pl.col("minimum_denominator").cast(pl.String),
                pl.lit("; "),
                policy_text,
            )
        )
        .otherwise(None)
    )


def _count_text(value: pl.Expr) -> pl.Expr:
    """A count as text: whole numbers without decimals, others to two places."""
    return (
        pl.when(value == value.floor())
        .then(value.cast(pl.Int64).cast(pl.String))
        .otherwise(value.round(2).cast(pl.String))
    )
