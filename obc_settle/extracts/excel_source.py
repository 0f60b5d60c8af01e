"""Excel extracts (`.xlsx`): one worksheet read as text, every cell located as `file.xlsx[Sheet]!C17`.

GP and community providers send monthly returns in Excel templates. The sheet is read by calamine
(through fastexcel, the reader Polars itself uses; no openpyxl at run time), every cell as text,
for the same strict typing as a CSV (obc_settle.extracts.text_table). The first row is the header;
row 2 is the first data row, as Excel numbers it. Formulas are read as the values Excel last
calculated and saved; a cell holding an error value (#DIV/0!, #REF!, #N/A, ...) is refused (D039)
at its cell, since nobody can tell what number was meant. A date cell reads as `YYYY-MM-DD` (Excel
stores dates as numbers shown with a date format). The sheet read is the one the mapping names
(`sheet:`), else the first; one that does not exist is D039 naming those there are.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from obc_settle.errors import Diagnostic, Location
from obc_settle.extracts.text_table import LINE, TextTable

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
ERROR_VALUES = {
    "Div0": "#DIV/0!",
    "NA": "#N/A",
    "Name": "#NAME?",
    "Null": "#NULL!",
    "Num": "#NUM!",
    "Ref": "#REF!",
    "Value": "#VALUE!",
    "GettingData": "#GETTING_DATA",
}
SHOWN = 3
STAMP_SHEET = "obc-settle"
"""The hidden sheet of a return workbook made by `obc-settle template` (obc_settle.render.return_workbook)."""
_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$")


def is_excel(path: Path) -> bool:
    return path.suffix.lower() in EXCEL_SUFFIXES


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column's name as Excel shows it."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def read_excel_text(path: Path, name: str, sheet: str | None = None) -> TextTable:
    """The sheet of `path` (shown as `name`) with every cell as text and each row's number."""
    import fastexcel  # imported here: only runs that read workbooks pay for it

    try:
        workbook = fastexcel.read_excel(path)
        names = list(workbook.sheet_names)
    except Exception as error:  # fastexcel raises its own exception types, not all OSError
        return TextTable(
            None,
            [Diagnostic("D001", f"not a readable Excel workbook ({_first_line(error)})", Location(name))],
        )
    if sheet is not None and sheet not in names:
        message = f"no sheet {sheet!r} in the workbook (its sheets: {', '.join(repr(n) for n in names)})"
        return TextTable(None, [Diagnostic("D039", message, Location(name))])
    chosen = sheet if sheet is not None else names[0]
    where = f"{name}[{chosen}]"
    try:
        loaded = workbook.load_sheet(chosen, dtypes="string")
        batch, errors = loaded.to_arrow_with_errors()
    except Exception as error:
        return TextTable(
            None, [Diagnostic("D001", f"cannot read the sheet ({_first_line(error)})", Location(where))]
        )
    frame = pl.from_arrow(batch)
    assert isinstance(frame, pl.DataFrame)
    header = frame.columns
    findings = _error_cells(errors, where)
    frame = frame.with_columns(pl.col(column).str.replace(_MIDNIGHT.pattern, "${1}") for column in header)
    numbered = frame.with_row_index(LINE, offset=2).with_columns(pl.col(LINE).cast(pl.Int64)).lazy()

    def locate(row: int, column: str) -> Location:
        letter = column_letters(header.index(column)) if column in header else ""
        return Location(f"{where}!{letter}{row}")

    return TextTable(numbered, findings, header, where, locate)


def stamp_of(path: Path) -> dict[str, str] | None:
    """The stamp of a workbook written by `obc-settle template` (its hidden `obc-settle` sheet:
    contract id, version and SHA-256, period, provider), or None for any other workbook."""
    import fastexcel

    try:
        workbook = fastexcel.read_excel(path)
        if STAMP_SHEET not in workbook.sheet_names:
            return None
        frame = workbook.load_sheet(STAMP_SHEET, header_row=None, dtypes="string").to_polars()
    except Exception:  # an unreadable workbook is reported by read_excel_text
        return None
    return {str(row[0]): str(row[1] or "") for row in frame.iter_rows() if row[0] is not None}


def _error_cells(errors: object, where: str) -> list[Diagnostic]:
    """D039 for the cells holding an error value, grouped by error: the first cell, and the count."""
    cells = list(getattr(errors, "errors", None) or [])
    by_value: dict[str, list[str]] = {}
    for cell in cells:
        row, column = cell.position
        kind = re.search(r"Error\((\w+)\)", str(cell.detail))
        value = ERROR_VALUES.get(kind.group(1), kind.group(1)) if kind else str(cell.detail)
        by_value.setdefault(value, []).append(f"{column_letters(column)}{row + 1}")
    findings = []
    for value, places in by_value.items():
        others = (
            f" (and {len(places) - 1} more cells: {', '.join(places[1 : SHOWN + 1])}{', ...' if len(places) > SHOWN + 1 else ''})"
            if len(places) > 1
            else ""
        )
        message = f"the cell holds the error value {value}{others}: correct the formula or enter the value"
        findings.append(Diagnostic("D039", message, Location(f"{where}!{places[0]}")))
    return findings


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
