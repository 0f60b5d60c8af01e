"""Exact rationals between the extract sums and the one rounding to pence.

Achieved values, scores, weights and shares are Python `Fraction`s from the exact decimal sums
of the extracts and the exact decimals of the contract; nothing is rounded on the way except
where a scheme's published rule rounds (QOF points, HVBP points: `round_to`) and at the end,
where money is rounded once to the penny (`obc_settle.money.round_half_up`).

Polars frames carry an exact rational as text (`fraction_text`: the decimal when it terminates,
like `0.85`, else `n/d`, like `119/97`), which `Fraction(text)` parses back; beside it a decimal
column with a fixed number of places (`as_decimal`) is for reading, never for computing.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from math import lcm

from obc_settle.money import largest_remainder, round_half_up

SCORE_PLACES = 15
"""Decimal places of the ledger's `score` column (the exact score is `score_exact`)."""
WEIGHT_PLACES = 12
"""Decimal places of the ledger's `weight` and `share` columns (exact: `weight_exact`, `share_exact`)."""


def fraction_of(value: Decimal | int | str | Fraction | None) -> Fraction | None:
    """An exact rational from a decimal, an integer, a `fraction_text` or a Fraction (None stays None)."""
    if value is None:
        return None
    return value if isinstance(value, Fraction) else Fraction(value)


def terminates(value: Fraction) -> bool:
    """Whether the decimal expansion of `value` is finite (its denominator is 2^a 5^b)."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def decimal_places(value: Fraction) -> int:
    """The number of decimal places of a terminating `value`."""
    places, scaled = 0, value
    while scaled.denominator != 1:
        scaled *= 10
        places += 1
    return places


def fraction_text(value: Fraction | None) -> str | None:
    """`value` exactly as text: `0.85`, `3`, `-0.125` when the decimal terminates, else `119/97`."""
    if value is None:
        return None
    if value.denominator == 1:
        return str(value.numerator)
    if not terminates(value):
        return f"{value.numerator}/{value.denominator}"
    places = decimal_places(value)
    digits = abs(value.numerator) * (10**places // value.denominator)
    whole, part = divmod(digits, 10**places)
    return f"{'-' if value < 0 else ''}{whole}.{part:0{places}d}"


def as_decimal(value: Fraction | None, places: int) -> Decimal | None:
    """`value` rounded half away from zero to `places` decimals, for display columns."""
    if value is None:
        return None
    return Decimal(round_half_up(value * 10**places)).scaleb(-places)


def round_to(value: Fraction, decimals: int | None) -> Fraction:
    """`value` rounded half up to `decimals` places, as a scheme's rule says; unchanged when None."""
    if decimals is None:
        return value
    scale = 10**decimals
    return Fraction(round_half_up(value * scale), scale)


def clip(value: Fraction, low: Fraction = Fraction(0), high: Fraction = Fraction(1)) -> Fraction:
    return min(max(value, low), high)


def split_exact(total: int, weights: list[Fraction]) -> list[int]:
    """Split `total` pence in proportion to exact non-negative `weights`, by largest remainder.

    The weights are scaled to whole numbers over their common denominator, so the split is the
    exact one; ties go to the weight listed first. All-zero weights give all zeros."""
    if not weights:
        return []
    common = lcm(*(w.denominator for w in weights))
    return largest_remainder(total, [int(w * common) for w in weights])


def times_rounded(amount: int, *factors: Fraction) -> int:
    """`amount x factors`, rounded once to a whole penny, halves away from zero."""
    exact = Fraction(amount)
    for factor in factors:
        exact *= factor
    return round_half_up(exact)
