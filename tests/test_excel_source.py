"""Excel extracts: a sheet read as text, formulas by their saved values, error cells refused,
every problem located as file.xlsx[Sheet]!C17."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import xlsxwriter

from obc_settle.extracts.excel_source import column_letters, read_excel_text
from obc_settle.extracts.text_table import typed

HEADER = ["provider_id", "indicator_id", "period", "numerator", "denominator"]


def workbook(path: Path, rows: list[list[object]], sheet: str = "Returns") -> Path:
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Notes").write(0, 0, "Read me first")
    sheet_ = book.add_worksheet(sheet)
    sheet_.write_row(0, 0, HEADER)
    dates = book.add_format({"num_format": "mmm-yy"})
    for number, row in enumerate(rows, start=1):
        for column, cell in enumerate(row):
            if isinstance(cell, tuple):  # (formula, the value Excel saved)
                sheet_.write_formula(number, column, cell[0], None, cell[1])
            elif isinstance(cell, datetime.date):
                sheet_.write_datetime(number, column, datetime.datetime.combine(cell, datetime.time()), dates)
            elif cell is not None:
                sheet_.write(number, column, cell)
    book.close()
    return path


@pytest.mark.parametrize(
    ("index", "letters"), [(0, "A"), (2, "C"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")]
)
def test_columns_are_named_as_excel_names_them(index: int, letters: str) -> None:
    assert column_letters(index) == letters


def test_the_named_sheet_is_read_with_formulas_as_their_saved_values(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "r.xlsx", [["A", "i1", "2025-10", ("=2+3", 5), 10], ["B", "i1", "2025-10", 7, 10.0]]
    )
    table = read_excel_text(path, "r.xlsx", "Returns")
    frame, findings = typed(table)
    assert table.findings == [] and findings == []
    assert frame is not None
    assert frame.collect().select("provider_id", "numerator", "denominator").rows() == [
        ("A", 5, 10),
        ("B", 7, 10),
    ]


def test_without_a_sheet_name_the_first_sheet_is_read_and_a_missing_one_is_named(tmp_path: Path) -> None:
    path = workbook(tmp_path / "r.xlsx", [["A", "i1", "2025-10", 5, 10]])
    assert read_excel_text(path, "r.xlsx").header == ["Read me first"]
    table = read_excel_text(path, "r.xlsx", "Return")
    assert [f.render() for f in table.findings] == [
        "r.xlsx: D039 no sheet 'Return' in the workbook (its sheets: 'Notes', 'Returns')"
    ]


def test_error_values_and_bad_cells_are_located_by_cell(tmp_path: Path) -> None:
    rows = [
        ["A", "i1", "2025-10", ("=1/0", "#DIV/0!"), 10],
        ["B", "i1", "2025-10", 5.5, 10],  # a fractional count is a number (person-years, pounds)
        ["C", "i1", "2025-10", ("=A1+#REF!", "#REF!"), "ten"],
        ["D", "i1", "2025-10", ("=1/0", "#DIV/0!"), 10],
    ]
    table = read_excel_text(workbook(tmp_path / "r.xlsx", rows), "r.xlsx", "Returns")
    _, typing = typed(table)
    assert [f.render() for f in table.findings + typing] == [
        "r.xlsx[Returns]!D2: D039 the cell holds the error value #DIV/0! (and 1 more cells: D5): correct the formula or enter the value",
        "r.xlsx[Returns]!D4: D039 the cell holds the error value #REF!: correct the formula or enter the value",
        "r.xlsx[Returns]!E4: D035 column denominator: 1 cell not a number ('ten')",
    ]


def test_a_date_cell_reads_as_its_day(tmp_path: Path) -> None:
    path = workbook(tmp_path / "r.xlsx", [["A", "i1", datetime.date(2025, 11, 1), 5, 10]])
    frame, _ = typed(read_excel_text(path, "r.xlsx", "Returns"))
    assert frame is not None
    assert frame.collect().item(0, "period") == "2025-11-01"


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    path.write_text("provider_id,period\n", encoding="utf-8")
    table = read_excel_text(path, "r.xlsx")
    assert table.frame is None
    assert table.findings[0].code == "D001"
    assert table.findings[0].render().startswith("r.xlsx: D001 not a readable Excel workbook")
