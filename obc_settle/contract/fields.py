"""The value types of the contract language and the strict base model every section derives from.

Numbers arrive from the YAML reader as `int` or `Decimal` and stay exact: `Number`, `Proportion`
(0 to 1) and `Pounds` (pounds and pence, not negative) reject floats, booleans and strings ("10%"
is refused with the proportion to write instead). `Model` forbids unknown keys and is frozen.
"""

from __future__ import annotations

import datetime
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

from obc_settle.periods import ContractYear

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
Text = Annotated[str, Strict(), StringConstraints(min_length=1, max_length=500)]


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
    return Decimal(value)


def _proportion(value: Decimal) -> Decimal:
    if not Decimal(0) <= value <= Decimal(1):
        raise ValueError(f"{value} is not a proportion between 0 and 1")
    return value


def _money(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError(f"{value} is negative")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"{value} has more than two decimal places (amounts are in pounds and pence)")
    return value


def _contract_year(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a contract year like '2025-26', got {_describe(value)}")
    return ContractYear.parse(value).name


Number = Annotated[Decimal, BeforeValidator(_exact_number), WithJsonSchema({"type": "number"})]
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
    WithJsonSchema({"type": "number", "minimum": 0, "multipleOf": 0.01}),
]
Count = Annotated[int, Strict(), Field(ge=0)]
Day = Annotated[datetime.date, Strict()]
ContractYearName = Annotated[
    str, BeforeValidator(_contract_year), WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{2}$"})
]
MonthNumber = Annotated[int, Strict(), Field(ge=1, le=12)]
PeriodName = Annotated[str, Strict(), StringConstraints(pattern=r"^\d{4}-\d{2}(-Q[1-4])?$")]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
