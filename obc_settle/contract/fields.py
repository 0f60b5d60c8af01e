"""The value types of the contract language and the strict base model every section derives from.

Numbers arrive from the YAML reader as `int` or `Decimal` and stay exact: `Number`, `Proportion`
(0 to 1) and `Pounds` (pounds and pence, not negative) reject floats, booleans and strings ("10%"
is refused with the proportion to write instead). `Model` forbids unknown keys and is frozen.

Every number is bounded, so that no contract can reach the engine with figures its arithmetic does
not hold exactly: an amount of pounds at most £10^12 (`MAX_AMOUNT_PENCE`, C031), any other number
at most 10^15 in size and 30 decimal places (C032), and the multipliers of money (slopes, upratings,
points, per-unit prices) at most their own plausible maxima (`at_most`, C032).
"""

from __future__ import annotations

import datetime
import unicodedata
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from obc_settle.money import MAX_AMOUNT_PENCE
from obc_settle.periods import APRIL, CALENDAR, CALENDAR_YEAR_PATTERN, ContractYear

SCHEMA_VERSION = 1
COMMISSIONER = "commissioner"
"""Reserved party id: the commissioner's lines in the ledger. No provider may use it."""

IDENTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
Identifier = Annotated[
    str,
    Strict(),
    StringConstraints(pattern=IDENTIFIER_PATTERN),
    Field(
        description="Letters, digits, '_', '.', '-'; starts with a letter or digit; at most 64 characters."
    ),
]
Text = Annotated[
    str,
    Strict(),
    StringConstraints(min_length=1, max_length=500),
    AfterValidator(lambda text: unicodedata.normalize("NFC", text)),
]
"""A name or description. Composed (NFC): a letter typed with a separate combining accent (w + ̂)
becomes the one letter (ŵ), which every document then shows as one glyph, and two spellings of
one name compare equal."""

MAX_POUNDS = Decimal(MAX_AMOUNT_PENCE) / 100
"""The largest amount of pounds a contract may state (£10^12), and the largest sum of them."""
MAX_UNIT_POUNDS = Decimal(1_000_000)
"""The most a price per unit may be (per head, per point, per participant): it is multiplied by counts."""
MAX_NUMBER = Decimal(10) ** 15
"""The largest size of any other number (a threshold, a level, a national list size)."""
MAX_DECIMAL_PLACES = 30
AMOUNT_ABOVE_LIMIT = "amount_above_limit"
"""The pydantic error type of an amount above its limit: the loader reports it as C031."""
NUMBER_BEYOND_LIMIT = "number_beyond_limit"
"""The pydantic error type of a number beyond its limit: the loader reports it as C032."""


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f"the text {value!r}"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"


def _exact_number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        hint = ""
        if isinstance(value, str) and value.strip().endswith("%"):
            try:
                hint = f" (write {Decimal(value.strip()[:-1]) / 100}, not {value!r})"
            except ArithmeticError:
                hint = " (write a proportion such as 0.1, not a percentage)"
        raise ValueError(f"expected a number, got {_describe(value)}{hint}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError("expected a finite number")
    exponent = Decimal(value).as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        raise PydanticCustomError(
            NUMBER_BEYOND_LIMIT,
            f"{value} has more than {MAX_DECIMAL_PLACES} decimal places; a contract needs far fewer",
        )
    return Decimal(value)


def _number(value: Decimal) -> Decimal:
    if abs(value) > MAX_NUMBER:
        raise PydanticCustomError(
            NUMBER_BEYOND_LIMIT, f"{value} is beyond 10^15, the largest number a contract may hold"
        )
    return value


def at_most(maximum: Decimal, what: str) -> AfterValidator:
    """A number that multiplies money, held to a plausible maximum (the docs state each one)."""

    def check(value: Decimal) -> Decimal:
        if value > maximum:
            raise PydanticCustomError(
                NUMBER_BEYOND_LIMIT, f"{value} is above {maximum}, the most {what} may be"
            )
        return value

    return AfterValidator(check)


def at_least(minimum: Decimal, what: str) -> AfterValidator:
    """A divisor of money, held above a plausible minimum (so that the quotient stays bounded)."""

    def check(value: Decimal) -> Decimal:
        if 0 < value < minimum:
            raise PydanticCustomError(
                NUMBER_BEYOND_LIMIT, f"{value} is below {minimum}, the least {what} may be"
            )
        return value

    return AfterValidator(check)


def _proportion(value: Decimal) -> Decimal:
    if not Decimal(0) <= value <= Decimal(1):
        raise ValueError(f"{value} is not a proportion between 0 and 1")
    return value


def _money(value: Decimal) -> Decimal:
    if value > MAX_POUNDS:  # first: quantizing 10^28 pounds would overflow the decimal context
        raise PydanticCustomError(
            AMOUNT_ABOVE_LIMIT,
            f"{value} is above {MAX_POUNDS:,.2f} (10^12), the most an amount may be",
        )
    if value < 0:
        raise ValueError(f"{value} is negative")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"{value} has more than two decimal places (amounts are whole pence or cents)")
    return value


def _contract_year(value: Any) -> str:
    """A year of either form: `2025-26`, or `2025` (a calendar year, which YAML reads as a number).
    Whether it is the contract's form (`term.year_starts`) is a whole-file rule (C045)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a contract year like '2025-26' (or 2025), got {_describe(value)}")
    year_start = CALENDAR if CALENDAR_YEAR_PATTERN.match(value) else APRIL
    return ContractYear.parse(value, year_start).name


Number = Annotated[
    Decimal, BeforeValidator(_exact_number), AfterValidator(_number), WithJsonSchema({"type": "number"})
]
Proportion = Annotated[
    Decimal,
    BeforeValidator(_exact_number),
    AfterValidator(_proportion),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1}),
]
Pounds = Annotated[
    Decimal,
    BeforeValidator(_exact_number),
    AfterValidator(_money),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1e12, "multipleOf": 0.01}),
]
UnitPounds = Annotated[
    Pounds,
    at_most(MAX_UNIT_POUNDS, "a price per unit (per head, per point, per participant)"),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1e6, "multipleOf": 0.01}),
]
Count = Annotated[int, Strict(), Field(ge=0, le=10**15)]
DecimalPlaces = Annotated[int, Strict(), Field(ge=0, le=12)]
"""Decimal places a figure is rounded to: more than 12 is no rounding a scheme uses."""
Day = Annotated[datetime.date, Strict()]
ContractYearName = Annotated[
    str,
    BeforeValidator(_contract_year),
    WithJsonSchema({"type": ["string", "integer"], "pattern": r"^\d{4}(-\d{2})?$"}),
]
MonthNumber = Annotated[int, Strict(), Field(ge=1, le=12)]
PeriodName = Annotated[str, Strict(), StringConstraints(pattern=r"^\d{4}(-\d{2})?(-Q[1-4])?$")]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
