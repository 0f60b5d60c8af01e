"""Contract years, settlement periods and months: plain calendar arithmetic."""

from __future__ import annotations

from datetime import date

import pytest

from obc_settle.periods import ContractYear, SettlementPeriod, add_months, month_of, month_range


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
