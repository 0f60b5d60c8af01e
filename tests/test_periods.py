"""Contract years, settlement periods and months: plain calendar arithmetic."""

from __future__ import annotations

from datetime import date

import pytest

from obc_settle.periods import (
    APRIL,
    ContractYear,
    SettlementPeriod,
    YearStart,
    add_months,
    month_of,
    month_range,
    netting_problem,
)


@pytest.mark.parametrize(
    ("name", "months"),
    [
        ("2025-26-Q1", ["2025-04", "2025-05", "2025-06"]),
        ("2025-26-Q2", ["2025-07", "2025-08", "2025-09"]),
        ("2025-26-Q3", ["2025-10", "2025-11", "2025-12"]),
        ("2025-26-Q4", ["2026-01", "2026-02", "2026-03"]),
    ],
)
def test_a_quarter_is_three_months_of_its_contract_year(name: str, months: list[str]) -> None:
    assert SettlementPeriod.parse(name).months() == months


def test_a_contract_year_runs_april_to_march() -> None:
    months = SettlementPeriod.parse("2025-26").months()
    assert months == [
        "2025-04",
        "2025-05",
        "2025-06",
        "2025-07",
        "2025-08",
        "2025-09",
        "2025-10",
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    year = ContractYear.parse("2025-26")
    assert (year.start, year.end) == (date(2025, 4, 1), date(2026, 3, 31))


@pytest.mark.parametrize(
    ("name", "first", "count"),
    [
        ("2025-26-Q1", "2025-04", 3),
        ("2025-26-Q3", "2025-04", 9),  # April to December
        ("2025-26-Q4", "2025-04", 12),  # April to March
        ("2025-26", "2025-04", 12),
    ],
)
def test_year_to_date_runs_from_april_to_the_end_of_the_period(name: str, first: str, count: int) -> None:
    months = SettlementPeriod.parse(name).year_to_date_months()
    assert months == month_range(first, count)
    assert months[-1] == SettlementPeriod.parse(name).months()[-1]


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("2025-26-Q1", "2024-07", "2025-06"),  # twelve months back from June cross into 2024
        ("2025-26-Q3", "2025-01", "2025-12"),
        ("2025-26-Q4", "2025-04", "2026-03"),
        ("2025-26", "2025-04", "2026-03"),
    ],
)
def test_rolling_twelve_months_end_with_the_period_and_cross_years(name: str, first: str, last: str) -> None:
    months = SettlementPeriod.parse(name).rolling_twelve_months()
    assert len(months) == 12
    assert (months[0], months[-1]) == (first, last)
    assert len(set(months)) == 12


@pytest.mark.parametrize(
    "text",
    [
        "2025-27",
        "2025/26",
        "25-26",
        "2025-26-Q5",
        "2025-26-Q0",
        "2025-26-q3",
        "2025-26Q3",
        "",
        "2025-26-Q3 ",
        "2025",
    ],
)
def test_a_settlement_period_that_is_not_a_year_or_quarter_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        SettlementPeriod.parse(text)


def test_a_contract_year_across_the_century_is_named_with_two_digits() -> None:
    # 2099 + 1 = 2100, whose last two digits are 00.
    assert ContractYear.parse("2099-00").start_year == 2099
    assert ContractYear(2099).name == "2099-00"
    with pytest.raises(ValueError):
        ContractYear.parse("2099-01")


def test_the_contract_year_containing_a_day_changes_on_1_april() -> None:
    assert ContractYear.containing(date(2026, 3, 31)) == ContractYear(2025)
    assert ContractYear.containing(date(2026, 4, 1)) == ContractYear(2026)
    assert ContractYear.containing(date(2026, 1, 1)).name == "2025-26"


def test_quarters_are_provisional_and_years_final() -> None:
    assert SettlementPeriod.parse("2025-26-Q2").status == "provisional"
    assert SettlementPeriod.parse("2025-26").status == "final"
    assert SettlementPeriod.parse("2025-26-Q2").name == "2025-26-Q2"
    assert str(SettlementPeriod.parse("2025-26")) == "2025-26"


def test_months_are_added_across_year_ends() -> None:
    assert add_months("2025-12", 1) == "2026-01"
    assert add_months("2025-01", -1) == "2024-12"
    assert add_months("2025-03", -14) == "2024-01"
    assert add_months("2025-03", 24) == "2027-03"
    assert month_range("2025-11", 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert month_of(date(2025, 7, 31)) == "2025-07"


CALENDAR = YearStart.named("January")
OCTOBER = YearStart.named("October")


@pytest.mark.parametrize(
    ("name", "months"),
    [
        ("2025-Q1", ["2025-01", "2025-02", "2025-03"]),
        ("2025-Q3", ["2025-07", "2025-08", "2025-09"]),
        ("2025-Q4", ["2025-10", "2025-11", "2025-12"]),
        ("2025", [f"2025-{m:02d}" for m in range(1, 13)]),
    ],
)
def test_a_calendar_year_is_named_2025_and_its_quarters_2025_q1_to_q4(name: str, months: list[str]) -> None:
    period = CALENDAR.parse_period(name)
    assert period.months() == months
    assert period.name == name and period.contract_year.name == "2025"
    year = CALENDAR.parse_year("2025")
    assert (year.start, year.end) == (date(2025, 1, 1), date(2025, 12, 31))


def test_a_calendar_year_to_date_starts_in_january_and_rolls_back_into_the_last_year() -> None:
    q3 = CALENDAR.parse_period("2025-Q3")
    assert q3.year_to_date_months() == month_range("2025-01", 9)
    assert CALENDAR.parse_period("2025-Q1").rolling_twelve_months() == month_range("2024-04", 12)
    assert CALENDAR.containing(date(2025, 12, 31)).name == "2025"
    assert CALENDAR.containing(date(2026, 1, 1)).name == "2026"


def test_an_october_year_is_named_by_the_two_years_it_spans_like_the_federal_fiscal_year() -> None:
    fy2026 = OCTOBER.parse_year("2025-26")
    assert (fy2026.start, fy2026.end) == (date(2025, 10, 1), date(2026, 9, 30))
    assert OCTOBER.parse_period("2025-26-Q1").months() == ["2025-10", "2025-11", "2025-12"]
    assert OCTOBER.parse_period("2025-26-Q4").months() == ["2026-07", "2026-08", "2026-09"]
    assert OCTOBER.parse_period("2025-26-Q2").year_to_date_months() == month_range("2025-10", 6)
    assert OCTOBER.parse_period("2025-26").rolling_twelve_months() == month_range("2025-10", 12)
    assert OCTOBER.containing(date(2025, 9, 30)).name == "2024-25"
    assert OCTOBER.containing(date(2025, 10, 1)).name == "2025-26"
    # The same name in an April contract is another twelve months.
    assert SettlementPeriod.parse("2025-26-Q1").months() != OCTOBER.parse_period("2025-26-Q1").months()


@pytest.mark.parametrize(
    ("year_start", "text", "says"),
    [
        (CALENDAR, "2025-26", "calendar years (January to December), named like 2025 (quarters 2025-Q3)"),
        (CALENDAR, "2025-26-Q3", "calendar years"),
        (APRIL, "2025", "years of April to March, named like 2025-26 (quarters 2025-26-Q3)"),
        (OCTOBER, "2025-Q1", "years of October to September"),
    ],
)
def test_a_period_of_another_form_than_the_contracts_is_refused_naming_its_form(
    year_start: YearStart, text: str, says: str
) -> None:
    with pytest.raises(ValueError, match="not of this contract's form") as refused:
        year_start.parse_period(text)
    assert says in str(refused.value)


@pytest.mark.parametrize("text", ["2025-Q5", "2025-q1", "25", "2025Q1", "", "2025 "])
def test_a_calendar_period_that_is_not_a_year_or_quarter_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"a contract year \(2025\) or a quarter \(2025-Q3\)"):
        CALENDAR.parse_period(text)


def test_netting_reads_an_earlier_period_as_one_of_the_same_contract() -> None:
    year = CALENDAR.parse_period("2025")
    assert netting_problem("2025-Q2", year) is None
    assert netting_problem("2024-Q4", year) == "2024-Q4 is not in the contract year settled (2025)"
    assert "not of this contract's form" in str(netting_problem("2025-26-Q1", year))
    assert (
        netting_problem("2025-Q3", CALENDAR.parse_period("2025-Q2"))
        == "2025-Q3 is after the period settled (2025-Q2)"
    )
