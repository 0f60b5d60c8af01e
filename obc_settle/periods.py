"""Contract years, settlement periods and months.

A contract year runs 1 April to 31 March and is named `2025-26`. A settlement period is either a
quarter of a contract year (`2025-26-Q3`: October to December 2025) or a whole contract year
(`2025-26`). Months are `YYYY-MM` strings. Everything here is plain calendar arithmetic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

YEAR_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
PERIOD_PATTERN = re.compile(r"^(\d{4})-(\d{2})(?:-Q([1-4]))?$")
MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, order=True)
class ContractYear:
    start_year: int

    @classmethod
    def parse(cls, name: str) -> ContractYear:
        match = YEAR_PATTERN.match(name)
        if not match:
            raise ValueError(f"contract year {name!r} is not of the form 2025-26")
        start, end = int(match.group(1)), int(match.group(2))
        if (start + 1) % 100 != end:
            raise ValueError(f"contract year {name!r}: {end:02d} does not follow {start}")
        return cls(start)

    @classmethod
    def containing(cls, day: date) -> ContractYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def name(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, 3, 31)

    def months(self) -> list[str]:
        return month_range(f"{self.start_year}-04", 12)

    def __str__(self) -> str:
        return self.name


def month_range(first: str, count: int) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return months


def months_through(first: str, last: str) -> list[str]:
    """Every month from `first` to `last`, both included ("YYYY-MM")."""
    count = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7]) + 1
    return month_range(first, max(count, 0))


def add_months(month: str, delta: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass(frozen=True)
class SettlementPeriod:
    """A quarter (`2025-26-Q3`) or a whole contract year (`2025-26`)."""

    contract_year: ContractYear
    quarter: int | None

    @classmethod
    def parse(cls, text: str) -> SettlementPeriod:
        match = PERIOD_PATTERN.match(text)
        if not match:
            raise ValueError(
                f"settlement period {text!r} is not a contract year (2025-26) or a quarter (2025-26-Q3)"
            )
        year = ContractYear.parse(f"{match.group(1)}-{match.group(2)}")
        quarter = int(match.group(3)) if match.group(3) else None
        return cls(year, quarter)

    @property
    def name(self) -> str:
        return (
            self.contract_year.name if self.quarter is None else f"{self.contract_year.name}-Q{self.quarter}"
        )

    @property
    def is_year(self) -> bool:
        return self.quarter is None

    @property
    def status(self) -> str:
        """A whole-year settlement is final; a quarter is provisional (in-year)."""
        return "final" if self.is_year else "provisional"

    def months(self) -> list[str]:
        if self.quarter is None:
            return self.contract_year.months()
        first = add_months(f"{self.contract_year.start_year}-04", 3 * (self.quarter - 1))
        return month_range(first, 3)

    def year_to_date_months(self) -> list[str]:
        last = self.months()[-1]
        first = f"{self.contract_year.start_year}-04"
        count = (int(last[:4]) * 12 + int(last[5:7])) - (int(first[:4]) * 12 + int(first[5:7])) + 1
        return month_range(first, count)

    def rolling_twelve_months(self) -> list[str]:
        last = self.months()[-1]
        return month_range(add_months(last, -11), 12)

    def __str__(self) -> str:
        return self.name


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def netting_problem(name: str, period: SettlementPeriod) -> str | None:
    """Why the earlier period `name` (of a run or a payment) cannot be netted off or restated by a
    settlement of `period`, or None: it must parse, be of the same contract year, and (for a
    quarter settled) be a quarter no later than it."""
    try:
        earlier = SettlementPeriod.parse(name)
    except ValueError as error:
        return str(error)
    if earlier.contract_year != period.contract_year:
        return f"{name} is not in the contract year settled ({period.contract_year})"
    if period.quarter is not None and (earlier.quarter is None or earlier.quarter > period.quarter):
        return f"{name} is after the period settled ({period})"
    return None
