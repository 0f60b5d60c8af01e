"""Exact rationals as text, held and rounded: the arithmetic every layer that scores or explains shares.

Achieved values, scores, weights and shares are Python `Fraction`s; nothing is rounded on the way
except where a scheme's published rule rounds (QOF points, HVBP points: `round_to`) and at the
end, where money is rounded once to the penny (`obc_settle.money.round_half_up`).

A rational is carried as text (`fraction_text`: the decimal when it terminates, like `0.85`, else
`n/d`, like `119/97`), which `Fraction(text)` parses back; a decimal with a fixed number of places
(`as_decimal`) is for reading, never for computing. `shown` and `in_formula` write a rational the
way a person checking the sums by hand reads it (`obc-settle explain`).

This module sits below the contract language and the scoring methods (`obc_settle.scoring_methods`)
so that both can use it; `obc_settle.engine.exact` re-exports it for the engine.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from obc_settle.money import round_half_up


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


def shown(value: Fraction | None, label: str = "") -> str | None:
    """An exact figure as written by hand: a decimal when it terminates, else `n/d ≈ decimal`
    (to ten places); `label` goes after the exact figure, before the approximation."""
    if value is None:
        return None
    text = str(fraction_text(value)) + label
    if terminates(value):
        return text
    rounded = as_decimal(value, 10)
    assert rounded is not None
    approximation = format(rounded.normalize(), "f")
    if "." in approximation:
        approximation = approximation.rstrip("0").rstrip(".")
    return f"{text} ≈ {approximation}"


def in_formula(value: Fraction | None) -> str | None:
    """A number inside a formula: negative ones in brackets, so `a − (−3)` reads right."""
    text = fraction_text(value)
    return f"({text})" if text is not None and text.startswith("-") else text
