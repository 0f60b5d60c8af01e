"""Money: the one rounding rule, the one way to split, pounds to pence and back to text."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from obc_settle.money import (
    apply_proportion,
    format_pounds,
    largest_remainder,
    pounds_to_pence,
    round_half_up,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("2.5"), 3),  # a half goes away from zero
        (Decimal("-2.5"), -3),
        (Decimal("0.5"), 1),
        (Decimal("-0.5"), -1),
        (Decimal("3.5"), 4),  # not to even (banker's rounding would give 4 here but 2 for 2.5)
        (Decimal("2.4999999"), 2),
        (Decimal("2.5000001"), 3),
        (Decimal("-2.4999999"), -2),
        (Decimal("7"), 7),
        (Decimal("0"), 0),
    ],
)
def test_round_half_up_rounds_decimal_halves_away_from_zero(value: Decimal, expected: int) -> None:
    assert round_half_up(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(5, 2), 3),  # 2.5
        (Fraction(-5, 2), -3),  # -2.5
        (Fraction(1, 2), 1),
        (Fraction(-1, 2), -1),
        (Fraction(7, 3), 2),  # 2.333...
        (Fraction(-7, 3), -2),
        (Fraction(8, 3), 3),  # 2.666...
        (Fraction(-8, 3), -3),
        (Fraction(1, 3), 0),
        (Fraction(-1, 3), 0),
        (Fraction(10, 1), 10),
    ],
)
def test_round_half_up_rounds_fraction_halves_away_from_zero(value: Fraction, expected: int) -> None:
    assert round_half_up(value) == expected


@given(st.fractions(min_value=-(10**6), max_value=10**6))
def test_round_half_up_agrees_for_a_fraction_and_its_decimal_when_the_decimal_is_exact(
    value: Fraction,
) -> None:
    # Cut to thousandths, the value has an exact decimal form (denominator divides 1000).
    exact = Fraction(round(value * 1000), 1000)
    as_decimal = Decimal(exact.numerator) / Decimal(exact.denominator)
    assert round_half_up(exact) == round_half_up(as_decimal)
    assert abs(round_half_up(exact) - exact) <= Fraction(1, 2)


def test_largest_remainder_splits_exactly_and_gives_leftover_pennies_to_the_largest_remainders() -> None:
    # 1000 over weights 1:2:3 (sum 6): exact 166.67, 333.33, 500 -> floors 166, 333, 500 = 999;
    # remainders (1000 x w mod 6) are 4, 2, 0, so the one penny left goes to the first part.
    assert largest_remainder(1000, [1, 2, 3]) == [167, 333, 500]
    # 100 over 3:3:4 (sum 10): exact 30, 30, 40, nothing left over.
    assert largest_remainder(100, [3, 3, 4]) == [30, 30, 40]
    # 10 over 1:1:1:7 (sum 10) is exact too.
    assert largest_remainder(10, [1, 1, 1, 7]) == [1, 1, 1, 7]


def test_largest_remainder_gives_tied_remainders_to_the_earlier_part() -> None:
    # 2 pence over three equal weights: floors 0, 0, 0, all remainders equal -> parts 1 and 2 get them.
    assert largest_remainder(2, [1, 1, 1]) == [1, 1, 0]
    # 100 over three equal weights: 33 each, the one penny to the first.
    assert largest_remainder(100, [5, 5, 5]) == [34, 33, 33]
    # 10001 over four equal parts (an annual value split into quarters): 2500 each + 1 to Q1.
    assert largest_remainder(10001, [1, 1, 1, 1]) == [2501, 2500, 2500, 2500]
    # A tie that is not at the front: remainders 0, 1, 1 (weights 2, 1, 1 of 5 pence over 4).
    # floors 2, 1, 1 = 4; remainders 10 mod 4 = 2, 5 mod 4 = 1, 5 mod 4 = 1 -> the first gets it.
    assert largest_remainder(5, [2, 1, 1]) == [3, 1, 1]
    # 7 pence over 1, 2, 2 (sum 5): floors 1, 2, 2 = 5; remainders 2, 4, 4 -> parts 2 then 3.
    assert largest_remainder(7, [1, 2, 2]) == [1, 3, 3]


def test_largest_remainder_gives_nothing_to_zero_weights_and_nothing_at_all_when_all_are_zero() -> None:
    assert largest_remainder(100, [0, 5, 0]) == [0, 100, 0]
    assert largest_remainder(101, [0, 1, 1]) == [0, 51, 50]
    assert largest_remainder(100, [0, 0, 0]) == [0, 0, 0]
    assert largest_remainder(100, []) == []
    assert largest_remainder(0, [1, 2]) == [0, 0]


@given(
    st.integers(min_value=0, max_value=10**12),
    st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=8),
)
def test_largest_remainder_parts_always_add_up_to_the_whole_and_are_within_a_penny_of_exact(
    total: int, weights: list[int]
) -> None:
    parts = largest_remainder(total, weights)
    if sum(weights) == 0:
        assert parts == [0] * len(weights)
        return
    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        exact = Fraction(total * weight, sum(weights))
        # each part is the floor of its exact share, or one penny more
        assert exact - 1 < part < exact + 1
        assert part >= 0


@pytest.mark.parametrize(
    ("pounds", "pence"),
    [("100.01", 10001), ("12.30", 1230), ("1.2", 120), ("7", 700), ("0.00", 0), ("14200000.00", 1420000000)],
)
def test_pounds_to_pence_is_exact(pounds: str, pence: int) -> None:
    assert pounds_to_pence(Decimal(pounds)) == pence


@pytest.mark.parametrize("pounds", ["1.234", "0.001", "100.005"])
def test_pounds_to_pence_rejects_three_decimal_places(pounds: str) -> None:
    with pytest.raises(ValueError, match="more than two decimal places"):
        pounds_to_pence(Decimal(pounds))


def test_pounds_to_pence_accepts_trailing_zeros_beyond_two_places() -> None:
    # 1.230 is 123 pence exactly: the third place is zero.
    assert pounds_to_pence(Decimal("1.230")) == 123


@pytest.mark.parametrize(
    ("pence", "text"),
    [
        (123456, "£1,234.56"),
        (0, "£0.00"),
        (5, "£0.05"),
        (-5, "-£0.05"),
        (100, "£1.00"),
        (-123456789, "-£1,234,567.89"),
        (100000000, "£1,000,000.00"),
    ],
)
def test_format_pounds_writes_pounds_with_thousands_separators(pence: int, text: str) -> None:
    assert format_pounds(pence) == text


def test_apply_proportion_rounds_once_half_up() -> None:
    # 10001 x 0.05 = 500.05 -> 500; 10 x 0.05 = 0.5 -> 1; 10,000,000 x 0.075 = 750,000 exactly.
    assert apply_proportion(10001, Decimal("0.05")) == 500
    assert apply_proportion(10, Decimal("0.05")) == 1
    assert apply_proportion(10_000_000, Decimal("0.075")) == 750_000
    # 333 x 0.5 = 166.5 -> 167.
    assert apply_proportion(333, Decimal("0.5")) == 167
