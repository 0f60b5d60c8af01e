"""A mapping's `financial_month` counts from the first month of the contract's years.

Month 1 is April of an April year (`financial_year: 2025-26`), January of a calendar year
(`financial_year: 2025`) and October of a year from October; a financial year not named as the
contract names its years is refused at the mapping's line (D037).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from test_calendar_years import calendar_contract_text

from obc_settle.contract import load_contract
from obc_settle.extracts import read_extracts
from obc_settle.extracts.csv_source import read_csv_text
from obc_settle.extracts.mapping import load_mapping
from obc_settle.extracts.mapping_apply import apply_mapping
from obc_settle.extracts.text_table import typed
from obc_settle.periods import APRIL, CALENDAR, YearStart

CSV = "provider_id,indicator_id,period,numerator,denominator\n" + "".join(
    f"WHIT,hba1c_control,{month},1,2\n" for month in (1, 9, 10, 12)
)


def months(tmp_path: Path, year: str, year_start: YearStart) -> tuple[list[str] | None, list[str]]:
    (tmp_path / "mapping.yaml").write_text(
        f"mapping_version: 1\nperiod_format: financial_month\nfinancial_year: '{year}'\n", encoding="utf-8"
    )
    (tmp_path / "q.csv").write_text(CSV, encoding="utf-8")
    used, findings = load_mapping(tmp_path / "mapping.yaml", "mapping.yaml")
    assert used is not None, [f.render() for f in findings]
    mapped = apply_mapping(read_csv_text(tmp_path / "q.csv", "q.csv"), replace(used, year_start=year_start))
    rendered = [f.render() for f in mapped.findings]
    frame, _ = typed(mapped)
    if frame is None or rendered:
        return None, rendered
    return frame.collect()["period"].to_list(), rendered


@pytest.mark.parametrize(
    ("year", "year_start", "expected"),
    [
        ("2025-26", APRIL, ["2025-04", "2025-12", "2026-01", "2026-03"]),
        ("2025", CALENDAR, ["2025-01", "2025-09", "2025-10", "2025-12"]),
        ("2025-26", YearStart(10), ["2025-10", "2026-06", "2026-07", "2026-09"]),
    ],
)
def test_month_one_is_the_first_month_of_the_contracts_year(
    tmp_path: Path, year: str, year_start: YearStart, expected: list[str]
) -> None:
    assert months(tmp_path, year, year_start) == (expected, [])


def test_a_financial_year_of_the_other_form_is_refused_at_the_mappings_line(tmp_path: Path) -> None:
    found, findings = months(tmp_path, "2025-26", CALENDAR)
    assert found is None
    assert len(findings) == 1 and findings[0].startswith("mapping.yaml:3:17: D037 financial_year:")
    assert "calendar years" in findings[0]


def test_the_reader_counts_from_the_contracts_year_start(tmp_path: Path) -> None:
    """A calendar-year contract's extracts read through a mapping: month 1 is January 2025."""
    (tmp_path / "contract.yaml").write_text(calendar_contract_text(), encoding="utf-8")
    loaded, findings = load_contract(tmp_path / "contract.yaml")
    assert loaded is not None, [f.render() for f in findings]
    data = tmp_path / "data"
    data.mkdir()
    (data / "q.csv").write_text(CSV, encoding="utf-8")
    (data / "mapping.yaml").write_text(
        "mapping_version: 1\nperiod_format: financial_month\nfinancial_year: 2025\n", encoding="utf-8"
    )
    extracts, found = read_extracts(data, loaded.contract)
    assert extracts is not None, [f.render() for f in found]
    assert sorted(extracts.monthly["period"].to_list()) == ["2025-01", "2025-09", "2025-10", "2025-12"]
