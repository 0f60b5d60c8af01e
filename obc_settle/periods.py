"""Contract years, settlement periods and months.

A contract's years start in one month, the same every year (`YearStart`; the contract's
`term.year_starts`, April unless it says otherwise). An April year runs 1 April to 31 March and is
named `2025-26`; a calendar year (January to December) is named `2025`; a year starting in any
other month is named by the two calendar years it spans (`2025-26` for October 2025 to September
2026, the US federal fiscal year 2026). A settlement period is either a quarter of a contract year
(`2025-26-Q3`, `2025-Q3`: the third three months from the year's start) or a whole contract year.
A period's name alone does not say when its year starts, so periods are parsed by the contract's
`YearStart`; `SettlementPeriod.parse` without one reads April years. Months are `YYYY-MM` strings.
Everything here is plain calendar arithmetic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, get_args

YEAR_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
CALENDAR_YEAR_PATTERN = re.compile(r"^(\d{4})$")
PERIOD_PATTERN = re.compile(r"^(\d{4})-(\d{2})(?:-Q([1-4]))?$")
CALENDAR_PERIOD_PATTERN = re.compile(r"^(\d{4})(?:-Q([1-4]))?$")
MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MonthName = Literal[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
"""A month by its English name, as contracts write it (`year_starts: January`)."""
MONTH_NAMES: tuple[str, ...] = get_args(MonthName)
APRIL_MONTH = 4


@dataclass(frozen=True)
class YearStart:
    """The month every contract year of a contract starts in: it names the years and periods
    (`2025` for a calendar year, `2025-26` otherwise) and parses them."""

    month: int = APRIL_MONTH

    @classmethod
    def named(cls, month_name: str) -> YearStart:
        return cls(MONTH_NAMES.index(month_name) + 1)

    @property
    def is_calendar(self) -> bool:
        return self.month == 1

    @property
    def month_name(self) -> str:
        return MONTH_NAMES[self.month - 1]

    @property
    def last_month_name(self) -> str:
        return MONTH_NAMES[(self.month - 2) % 12]

    def year(self, start_year: int) -> ContractYear:
        return ContractYear(start_year, self.month)

    def containing(self, day: date) -> ContractYear:
        return self.year(day.year if day.month >= self.month else day.year - 1)

    def describe(self) -> str:
        """`calendar years (January to December)`, `years of April to March`."""
        if self.is_calendar:
            return "calendar years (January to December)"
        return f"years of {self.month_name} to {self.last_month_name}"

    def forms(self) -> str:
        """The forms of a period of this contract, for messages."""
        if self.is_calendar:
            return "a contract year (2025) or a quarter (2025-Q3)"
        return "a contract year (2025-26) or a quarter (2025-26-Q3)"

    def _wrong_form(self, what: str, text: str) -> ValueError:
        return ValueError(
            f"{what} {text!r} is not of this contract's form: its contract years are {self.describe()}, "
            f"named like {'2025' if self.is_calendar else '2025-26'} (quarters "
            f"{'2025-Q3' if self.is_calendar else '2025-26-Q3'})"
        )

    def parse_year(self, name: str) -> ContractYear:
        if self.is_calendar:
            match = CALENDAR_YEAR_PATTERN.match(name)
            if not match:
                if YEAR_PATTERN.match(name):
                    raise self._wrong_form("contract year", name)
                raise ValueError(f"contract year {name!r} is not of the form 2025")
            return self.year(int(match.group(1)))
        match = YEAR_PATTERN.match(name)
        if not match:
            if CALENDAR_YEAR_PATTERN.match(name):
                raise self._wrong_form("contract year", name)
            raise ValueError(f"contract year {name!r} is not of the form 2025-26")
        start, end = int(match.group(1)), int(match.group(2))
        if (start + 1) % 100 != end:
            raise ValueError(f"contract year {name!r}: {end:02d} does not follow {start}")
        return self.year(start)

    def parse_period(self, text: str) -> SettlementPeriod:
        if self.is_calendar:
            match = CALENDAR_PERIOD_PATTERN.match(text)
            if not match:
                if PERIOD_PATTERN.match(text):
                    raise self._wrong_form("settlement period", text)
                raise ValueError(f"settlement period {text!r} is not {self.forms()}")
            quarter = match.group(2)
            return SettlementPeriod(self.year(int(match.group(1))), int(quarter) if quarter else None)
        match = PERIOD_PATTERN.match(text)
        if not match:
            if CALENDAR_PERIOD_PATTERN.match(text):
                raise self._wrong_form("settlement period", text)
            raise ValueError(f"settlement period {text!r} is not {self.forms()}")
        year = self.parse_year(f"{match.group(1)}-{match.group(2)}")
        quarter = int(match.group(3)) if match.group(3) else None
        return SettlementPeriod(year, quarter)


APRIL = YearStart()
"""Years of 1 April to 31 March, named `2025-26`: a contract's years unless it says otherwise."""
CALENDAR = YearStart(1)
"""Calendar years, named `2025`."""


@dataclass(frozen=True, order=True)
class ContractYear:
    start_year: int
    first_month: int = APRIL_MONTH
    """The month the year starts in (`YearStart.month`)."""

    @classmethod
    def parse(cls, name: str, year_start: YearStart = APRIL) -> ContractYear:
        return year_start.parse_year(name)

    @classmethod
    def containing(cls, day: date, year_start: YearStart = APRIL) -> ContractYear:
        return year_start.containing(day)

    @property
    def year_start(self) -> YearStart:
        return YearStart(self.first_month)

    @property
    def name(self) -> str:
        if self.first_month == 1:
            return f"{self.start_year}"
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def start(self) -> date:
        return date(self.start_year, self.first_month, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, self.first_month, 1) - timedelta(days=1)

    @property
    def first_month_name(self) -> str:
        """`2025-04`: the first month of the year."""
        return f"{self.start_year:04d}-{self.first_month:02d}"

    def months(self) -> list[str]:
        return month_range(self.first_month_name, 12)

    def previous(self) -> ContractYear:
        return ContractYear(self.start_year - 1, self.first_month)

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
    """A quarter (`2025-26-Q3`, `2025-Q3`) or a whole contract year (`2025-26`, `2025`)."""

    contract_year: ContractYear
    quarter: int | None

    @classmethod
    def parse(cls, text: str, year_start: YearStart = APRIL) -> SettlementPeriod:
        """`text` as a period of years starting at `year_start` (April unless given)."""
        return year_start.parse_period(text)

    @property
    def year_start(self) -> YearStart:
        return self.contract_year.year_start

    def sibling(self, text: str) -> SettlementPeriod:
        """Another period (an earlier run's, a payment's) named `text`, of this period's contract."""
        return self.year_start.parse_period(text)

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
        first = add_months(self.contract_year.first_month_name, 3 * (self.quarter - 1))
        return month_range(first, 3)

    def year_to_date_months(self) -> list[str]:
        return months_through(self.contract_year.first_month_name, self.months()[-1])

    def rolling_twelve_months(self) -> list[str]:
        last = self.months()[-1]
        return month_range(add_months(last, -11), 12)

    def __str__(self) -> str:
        return self.name


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def netting_problem(name: str, period: SettlementPeriod) -> str | None:
    """Why the earlier period `name` (of a run or a payment) cannot be netted off or restated by a
    settlement of `period`, or None: it must parse (as a period of the same contract), be of the
    same contract year, and (for a quarter settled) be a quarter no later than it."""
    try:
        earlier = period.sibling(name)
    except ValueError as error:
        return str(error)
    if earlier.contract_year != period.contract_year:
        return f"{name} is not in the contract year settled ({period.contract_year})"
    if period.quarter is not None and (earlier.quarter is None or earlier.quarter > period.quarter):
        return f"{name} is after the period settled ({period})"
    return None
