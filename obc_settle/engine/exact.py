"""Exact rationals between the extract sums and the one rounding to pence.

Achieved values, scores, weights and shares are Python `Fraction`s from the exact decimal sums
of the extracts and the exact decimals of the contract; nothing is rounded on the way except
where a scheme's published rule rounds (QOF points, HVBP points: `round_to`) and at the end,
where money is rounded once to the penny (`obc_settle.money.round_half_up`).

Polars frames carry an exact rational as text (`fraction_text`: the decimal when it terminates,
like `0.85`, else `n/d`, like `119/97`), which `Fraction(text)` parses back; beside it a decimal
column with a fixed number of places (`as_decimal`) is for reading, never for computing.

The rational helpers themselves live in `obc_settle.rationals` (below the contract language, so
that the scoring methods can use them) and are re-exported here; this module adds the splits and
the rounding of money.
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm

from obc_settle.money import largest_remainder, round_half_up
from obc_settle.rationals import (
    as_decimal,
    clip,
    decimal_places,
    fraction_of,
    fraction_text,
    round_to,
    terminates,
)

__all__ = [
    "SCORE_PLACES",
    "WEIGHT_PLACES",
    "as_decimal",
    "clip",
    "decimal_places",
    "fraction_of",
    "fraction_text",
    "round_to",
    "split_exact",
    "terminates",
    "times_rounded",
]

SCORE_PLACES = 15
"""Decimal places of the ledger's `score` column (the exact score is `score_exact`)."""
WEIGHT_PLACES = 12
"""Decimal places of the ledger's `weight` and `share` columns (exact: `weight_exact`, `share_exact`)."""


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
