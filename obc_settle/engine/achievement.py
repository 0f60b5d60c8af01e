"""Achieved value of each indicator over its measurement window, as an exact rational.

Collective indicators are measured on all providers' rows together; an individual indicator on
its named provider's rows only. The sums arrive exact (decimals with six places) and the achieved
value is computed from them with `Fraction`s, so nothing is rounded before money is: the exact
value is carried as text in `achieved_exact` (engine.exact), and `achieved` (a float, rounded to
ten places) is only for reading and for the confidence interval, which needs square roots.

A rate per 1,000 divides by person-years: with `rate_denominator: person_years` each month's
denominator already is person-years, D = sum(denominator); with `people_each_month` it is the
people registered that month, so D = sum(denominator) / 12. Either way the ledger's `denominator`
is D, what the rate divides by: rate = N x 1000 / D.

An indicator whose window holds none of its collection months (`data.collected_in`) is not
measured in the settlement: it is not scorable and its weight goes to the other indicators of its
domain (engine.scoring), whatever its small-numbers policy.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl

from obc_settle.engine.exact import as_decimal, fraction_text

# Floats shown beside the exact figures (achieved, a person-years denominator) and the ends of the
# confidence interval (a float computation: square roots) are rounded to ten decimal places; the
# interval so that binary noise does not decide whether a level lies within it.
SHOWN_DECIMALS = 10


def measure_achievement(monthly: pl.DataFrame, terms: pl.DataFrame, windows: pl.DataFrame) -> pl.DataFrame:
    """`terms` plus extract_rows, numerator, denominator, achieved, achieved_exact, scorable,
    confidence_lower, confidence_upper and note."""
    in_window = monthly.join(windows, on=["indicator_id", "period"], how="inner").join(
        terms.select("indicator_id", "attributed_provider"), on="indicator_id", how="inner"
    )
    counted = in_window.filter(
        pl.col("attributed_provider").is_null() | (pl.col("provider_id") == pl.col("attributed_provider"))
    )
    sums = counted.group_by("indicator_id").agg(
        pl.col("rows").sum().alias("extract_rows"),
        (pl.col("excluded") if "excluded" in monthly.columns else pl.lit(0)).sum().alias("excluded"),
        pl.col("numerator").sum().alias("numerator_exact"),
        pl.col("denominator").sum().alias("denominator_exact"),
        pl.col("value_sum").sum().alias("value_sum_exact"),
        pl.col("value_count").sum().alias("value_count"),
    )
    measured = terms.join(sums, on="indicator_id", how="left").with_columns(
        pl.col("extract_rows").fill_null(0),
        pl.col("excluded").fill_null(0).cast(pl.Int64),
        pl.col("value_count").fill_null(0),
    )
    exact = [_measure(row) for row in measured.iter_rows(named=True)]
    measured = measured.with_columns(
        pl.Series("numerator", [m["numerator"] for m in exact], dtype=pl.Float64),
        pl.Series("denominator", [m["denominator"] for m in exact], dtype=pl.Float64),
        pl.Series("raw_denominator", [m["raw_denominator"] for m in exact], dtype=pl.Float64),
        pl.Series("achieved", [m["achieved"] for m in exact], dtype=pl.Float64),
        pl.Series("achieved_exact", [m["achieved_exact"] for m in exact], dtype=pl.String),
        pl.Series("scorable", [m["scorable"] for m in exact], dtype=pl.Boolean),
        pl.Series("rate_note", [m["rate_note"] for m in exact], dtype=pl.String),
    )
    lower, upper = _interval(pl.col("numerator") / pl.col("raw_denominator"))
    shift = (
        pl.when(pl.col("indicator_kind") == "change_from_baseline").then(pl.col("baseline")).otherwise(0.0)
    )
    has_value = pl.col("achieved").is_not_null()
    measured = measured.with_columns(
        confidence_lower=pl.when(has_value).then((lower - shift).round(SHOWN_DECIMALS)).otherwise(None),
        confidence_upper=pl.when(has_value).then((upper - shift).round(SHOWN_DECIMALS)).otherwise(None),
    )
    note = pl.concat_str(
        [_data_note(), pl.col("rate_note"), pl.col("window_note")], separator="; ", ignore_nulls=True
    )
    return measured.with_columns(note=pl.when(note == "").then(None).otherwise(note)).drop(
        "numerator_exact",
        "denominator_exact",
        "value_sum_exact",
        "value_count",
        "window_note",
        "raw_denominator",
        "rate_note",
    )


def _fraction(value: Decimal | int | None) -> Fraction:
    return Fraction(0) if value is None else Fraction(value)


def _measure(row: dict[str, Any]) -> dict[str, Any]:
    """N, D and the exact achieved value of one indicator row (D as the formula divides by it)."""
    kind = row["indicator_kind"]
    if row["measure"] == "mean":
        numerator, raw = _fraction(row["value_sum_exact"]), _fraction(row["value_count"])
    else:
        numerator, raw = _fraction(row["numerator_exact"]), _fraction(row["denominator_exact"])
    denominator = raw
    rate_note = None
    if kind == "rate_per_1000" and row["rate_denominator"] == "people_each_month":
        denominator = raw / 12
        rate_note = f"person-years = sum of monthly registers / 12 = {fraction_text(raw)} / 12 = {float(denominator):,.2f}"
    achieved = None
    if row["measured"] and denominator > 0:
        ratio = numerator / denominator
        if kind == "rate_per_1000":
            achieved = ratio * 1000
        elif kind == "change_from_baseline":
            achieved = ratio - Fraction(row["baseline_exact"])
        else:
            achieved = ratio
    scorable = bool(row["measured"]) and denominator > 0 and denominator >= row["minimum_denominator"]
    return {
        "numerator": float(numerator),
        "denominator": _shown(denominator),
        "raw_denominator": float(raw),
        "achieved": None if achieved is None else _shown(achieved),
        "achieved_exact": fraction_text(achieved),
        "scorable": scorable,
        "rate_note": rate_note,
    }


def _shown(value: Fraction) -> float:
    return float(as_decimal(value, SHOWN_DECIMALS) or 0)


def _interval(ratio: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The confidence interval of the measure (before any baseline is subtracted), or nulls.

    Wilson score interval of a proportion p from n people, with z the normal quantile:
        centre = (p + z^2/2n) / (1 + z^2/n),  half = z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n)
    Normal interval of a mean from n values with standard deviation s: mean +- z s / sqrt(n).
    """
    n, z = pl.col("raw_denominator"), pl.col("confidence_z")
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
    denominator_name = (
        pl.when(pl.col("measure") == "mean").then(pl.lit("value count")).otherwise(pl.lit("denominator"))
    )
    policy_text = (
        pl.when(pl.col("small_numbers_policy") == "score_zero")
        .then(pl.lit("scored as zero"))
        .when(pl.col("small_numbers_policy") == "score_met")
        .then(pl.lit("scored as met"))
        .otherwise(pl.lit("its weight is given to the other indicators"))
    )
    return (
        pl.when(pl.col("measured").not_())
        .then(pl.col("collection_note"))
        .when(pl.col("extract_rows") == 0)
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
