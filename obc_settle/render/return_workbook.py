"""The data-collection workbook a commissioner sends to providers: `obc-settle template`.

One row per expected provider x indicator x month of the period (the cells the settlement will
read for those months: obc_settle.engine.coverage), keys pre-filled and locked; the measure columns
the indicators need, and in each row only that indicator's cells open (yellow), the others locked
(grey); Excel data validation on every open cell (whole numbers at least 0 for counts, numerator
at most denominator for a proportion, a number for a sum of values); an instructions sheet with
each indicator's definition, unit, and what its numerator and denominator count; and a hidden
sheet stamping the contract (id, version, SHA-256), the period and the provider, so that a return
made for another contract or period is refused when it is read back (D040). A filled-in return is
read straight back as an extract: the returns sheet is the first, in the schema's columns.

Same inputs, same bytes: xlsxwriter's fixed zip timestamps and a `created` date that is the
period's last day (obc_settle.render.xlsx_base).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from obc_settle import __version__
from obc_settle.contract.models import Contract, Indicator
from obc_settle.engine.coverage import collected, collection_text, reporting_providers
from obc_settle.extracts.completeness import measure_columns
from obc_settle.extracts.excel_source import STAMP_SHEET, column_letters
from obc_settle.extracts.schema import KEY_COLUMNS, MEASURE_COLUMNS
from obc_settle.periods import SettlementPeriod
from obc_settle.render.xlsx_base import WORKBOOK_OPTIONS, period_end

RETURNS_SHEET = "Returns"
INSTRUCTIONS_SHEET = "Instructions"
TEMPLATE_VERSION = "1"

WHAT_TO_ENTER = {
    "proportion": "numerator: the people in the denominator who meet the standard; denominator: the people eligible",
    "rate_per_1000": "numerator: the events (e.g. admissions); denominator: {denominator}",
    "mean": "value_sum: the sum of the values reported (e.g. survey scores); value_count: how many values",
}
RATE_DENOMINATORS = {
    "person_years": "the person-years at risk in the month",
    "people_each_month": "the people registered in the month",
}


@dataclass(frozen=True)
class ReturnRow:
    provider_id: str
    indicator_id: str
    period: str
    columns: tuple[str, ...]
    """The measure columns this row's indicator needs."""
    proportion: bool


def return_rows(
    contract: Contract, period: SettlementPeriod, provider_id: str | None = None
) -> list[ReturnRow]:
    """The rows a return for `period` must fill: each reporting provider x indicator x month of
    the period in which the indicator is collected, by provider, then indicator, then month."""
    terms = contract.in_force(period.contract_year.name)
    rows = []
    for provider in terms.providers:
        if provider_id is not None and provider.id != provider_id:
            continue
        for _, indicator in terms.indicators():
            if provider.id not in reporting_providers(terms, indicator):
                continue
            columns = tuple(name for name in measure_columns(indicator) if name != "value")
            for month in period.months():
                if collected(indicator, month):
                    rows.append(
                        ReturnRow(provider.id, indicator.id, month, columns, _is_proportion(indicator))
                    )
    return rows


def write_return_workbook(
    path: Path,
    contract: Contract,
    contract_sha256: str,
    period: SettlementPeriod,
    provider_id: str | None = None,
) -> int:
    """Write the workbook; the number of rows to fill."""
    rows = return_rows(contract, period, provider_id)
    book = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    book.set_properties(
        {
            "title": f"Data return: {contract.name}, {period.name}",
            "author": "obc-settle",
            "comments": f"Template {TEMPLATE_VERSION} made by obc-settle {__version__}",
            "created": period_end(period.name, period.year_start),
        }
    )
    columns = [*KEY_COLUMNS, *(name for name in MEASURE_COLUMNS if any(name in row.columns for row in rows))]
    _returns_sheet(book, book.add_worksheet(RETURNS_SHEET), columns, rows)
    _instructions(book, book.add_worksheet(INSTRUCTIONS_SHEET), contract, period, provider_id, columns)
    stamp = book.add_worksheet(STAMP_SHEET)
    for number, (key, value) in enumerate(
        stamp_values(contract, contract_sha256, period, provider_id).items()
    ):
        stamp.write_string(number, 0, key)
        stamp.write_string(number, 1, value)
    stamp.hide()
    book.close()
    return len(rows)


def stamp_values(
    contract: Contract, contract_sha256: str, period: SettlementPeriod, provider_id: str | None
) -> dict[str, str]:
    return {
        "template_version": TEMPLATE_VERSION,
        "contract_id": contract.id,
        "contract_version": str(contract.version),
        "contract_sha256": contract_sha256,
        "period": period.name,
        "provider_id": provider_id or "",
    }


def _returns_sheet(
    book: xlsxwriter.Workbook, sheet: Worksheet, columns: list[str], rows: list[ReturnRow]
) -> None:
    header = book.add_format({"bold": True, "bg_color": "#EEEEEE", "bottom": 2, "locked": True})
    key = book.add_format({"locked": True, "bg_color": "#F2F2F2", "num_format": "@"})
    shut = book.add_format({"locked": True, "bg_color": "#BFBFBF"})
    open_cell = book.add_format(
        {"locked": False, "bg_color": "#FFF2CC", "border": 1, "border_color": "#BF9000"}
    )
    for number, name in enumerate(columns):
        sheet.write_string(0, number, name, header)
        sheet.set_column(number, number, max(14, len(name) + 2))
    for number, row in enumerate(rows, start=1):
        for position, value in enumerate((row.provider_id, row.indicator_id, row.period)):
            sheet.write_string(number, position, value, key)
        for position, name in enumerate(columns[3:], start=3):
            sheet.write_blank(number, position, None, open_cell if name in row.columns else shut)
    _validation(sheet, columns, rows)
    sheet.freeze_panes(1, 3)
    sheet.protect("", {"autofilter": True, "sort": False, "format_columns": True})
    if rows:
        sheet.autofilter(0, 0, len(rows), len(columns) - 1)


def _validation(sheet: Worksheet, columns: list[str], rows: list[ReturnRow]) -> None:
    """Data validation on the open cells, one range per run of rows of one indicator."""
    start = 0
    while start < len(rows):
        end = start
        while end + 1 < len(rows) and (rows[end + 1].indicator_id, rows[end + 1].provider_id) == (
            rows[start].indicator_id,
            rows[start].provider_id,
        ):
            end += 1
        row = rows[start]
        first, last = start + 1, end + 1
        for name in row.columns:
            column = columns.index(name)
            sheet.data_validation(first, column, last, column, _rule(name, row, columns, first))
        start = end + 1


def _rule(name: str, row: ReturnRow, columns: list[str], first: int) -> dict[str, object]:
    if name == "value_sum":
        return {
            "validate": "decimal",
            "criteria": "between",
            "minimum": -1e15,
            "maximum": 1e15,
            "error_title": "A number",
            "error_message": "value_sum is the sum of the values: a number.",
        }
    if name == "numerator" and row.proportion and "denominator" in columns:
        cell = _cell(first, columns.index("numerator"))
        denominator = _cell(first, columns.index("denominator"))
        return {
            "validate": "custom",
            "value": f'=AND(ISNUMBER({cell}),{cell}>=0,{cell}=INT({cell}),OR({denominator}="",{cell}<={denominator}))',
            "error_title": "Numerator",
            "error_message": "A whole number, at least 0 and no more than the denominator.",
        }
    return {
        "validate": "integer",
        "criteria": ">=",
        "value": 0,
        "error_title": "A whole number",
        "error_message": f"{name} counts: a whole number, at least 0.",
    }


def _cell(row: int, column: int) -> str:
    return f"{column_letters(column)}{row + 1}"


def _instructions(
    book: xlsxwriter.Workbook,
    sheet: Worksheet,
    contract: Contract,
    period: SettlementPeriod,
    provider_id: str | None,
    columns: list[str],
) -> None:
    title = book.add_format({"bold": True, "font_size": 14})
    bold = book.add_format(
        {"bold": True, "bg_color": "#EEEEEE", "bottom": 2, "text_wrap": True, "valign": "top"}
    )
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    who = f" for {provider_id}" if provider_id else ""
    sheet.write_string(0, 0, f"Data return{who}: {contract.name}, {period.name}", title)
    lines = [
        f"Fill the yellow cells of the '{RETURNS_SHEET}' sheet, one row per provider, indicator and month; "
        "grey cells are not needed for that indicator. Keys (provider_id, indicator_id, period) are filled in "
        "and locked: do not add, move or rename rows or columns.",
        "Counts are whole numbers, at least 0; a numerator is never above its denominator. Leave a cell empty "
        "only if the figure is not known: an empty cell is reported back as missing, not as zero.",
        f"Save the workbook as .xlsx and send it back. It is stamped for contract {contract.id} version "
        f"{contract.version} and period {period.name}: a return for another contract or period is refused.",
    ]
    for number, line in enumerate(lines, start=2):
        sheet.merge_range(number, 0, number, 6, line, wrap)
        sheet.set_row(number, 45)
    headings = ["indicator_id", "name", "kind", "unit", "months", "columns to fill", "what to enter"]
    top = len(lines) + 3
    for position, heading in enumerate(headings):
        sheet.write_string(top, position, heading, bold)
    widths = [22, 40, 18, 14, 24, 24, 60]
    for position, width in enumerate(widths):
        sheet.set_column(position, position, width)
    for number, (_, indicator) in enumerate(
        contract.in_force(period.contract_year.name).indicators(), start=top + 1
    ):
        cells = (
            indicator.id,
            indicator.name,
            indicator.kind.replace("_", " "),
            indicator.unit or "",
            collection_text(indicator) if indicator.data.collected_in else "every month",
            ", ".join(name for name in measure_columns(indicator) if name in columns),
            _what_to_enter(indicator),
        )
        for position, text in enumerate(cells):
            sheet.write_string(number, position, text, wrap)


def _what_to_enter(indicator: Indicator) -> str:
    measure = (
        indicator.measure
        if indicator.kind == "change_from_baseline" and indicator.measure
        else indicator.kind
    )
    text = WHAT_TO_ENTER.get(measure, WHAT_TO_ENTER["proportion"])
    return text.format(
        denominator=RATE_DENOMINATORS.get(indicator.rate_denominator or "", "the population at risk")
    )


def _is_proportion(indicator: Indicator) -> bool:
    measure = (
        indicator.measure
        if indicator.kind == "change_from_baseline" and indicator.measure
        else indicator.kind
    )
    return measure == "proportion"
