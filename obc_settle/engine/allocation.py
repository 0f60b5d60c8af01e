"""Exact splitting and rounding as Polars expressions, in integer (Int128) arithmetic.

`split_largest_remainder` is the one way money is divided in the engine: each part gets the floor
of its exact share and the pennies left over go, one each, to the largest remainders (ties to the
part that sorts first by the given order). `times_ppm_rounded` applies a score in millionths with
the one rounding rule (half away from zero, for the non-negative amounts it is used on).
"""

from __future__ import annotations

from fractions import Fraction

import polars as pl

from obc_settle.money import SCORE_SCALE


def split_largest_remainder(
    frame: pl.DataFrame, *, total: str, weight: str, by: list[str], order: list[str], into: str
) -> pl.DataFrame:
    """Add column `into`: `total` (same within each `by` group) split in proportion to `weight`.

    A group whose weights are all zero gets zero everywhere; the caller keeps its total.
    """
    big = pl.Int128
    weight_sum = pl.col(weight).cast(big).sum().over(by)
    raw = pl.col(total).cast(big) * pl.col(weight).cast(big)
    ranked = (
        frame.with_columns(
            __quotient=pl.when(weight_sum > 0).then(raw // weight_sum).otherwise(0),
            __remainder=pl.when(weight_sum > 0).then(raw % weight_sum).otherwise(0),
        )
        .with_columns(
            __left=pl.when(weight_sum > 0).then(pl.col(total).cast(big) - pl.col("__quotient").sum().over(by)).otherwise(0)
        )
        .sort([*by, "__remainder", *order], descending=[False] * len(by) + [True] + [False] * len(order))
        .with_columns(__position=pl.int_range(pl.len()).over(by))
    )
    allocated = ranked.with_columns(
        (pl.col("__quotient") + (pl.col("__position") < pl.col("__left")).cast(big)).cast(pl.Int64).alias(into)
    )
    return allocated.drop("__quotient", "__remainder", "__left", "__position").sort([*by, *order])


def times_ppm_rounded(amount: pl.Expr, ppm: pl.Expr, slope: Fraction = Fraction(1)) -> pl.Expr:
    """`amount x ppm / 1e6 x slope` rounded half up to a whole penny (amount, ppm, slope >= 0)."""
    big = pl.Int128
    scale = SCORE_SCALE * slope.denominator
    numerator = amount.cast(big) * ppm.cast(big) * (2 * slope.numerator) + scale
    return (numerator // (2 * scale)).cast(pl.Int64)


def exact_fraction(units: pl.Expr, scale: int, decimals: int) -> pl.Expr:
    """Integer `units` of 1/`scale` as an exact decimal with `decimals` places (for display)."""
    dtype = pl.Decimal(38, decimals)
    return units.cast(dtype) / pl.lit(scale).cast(dtype)
