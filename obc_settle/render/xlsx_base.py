"""What every Excel workbook shares: safe cell writing, number formats, filterable tables.

- **Text is text.** The workbook is opened with `strings_to_formulas`, `strings_to_numbers` and
  `strings_to_urls` off, and every text goes through `write_string`: a name or note that begins
  with `=`, `+`, `-` or `@` is stored as a string, never as a formula.
- **Pounds are exact.** Money is stored twice: the ledger's integer pence, and pounds as the
  exact decimal pence / 100 (written as the decimal text `81488.29`, not a binary float) shown
  with a `£#,##0.00` format (the contract's currency: `$#,##0.00` for USD, headers `Amount ($)` and
  `(cents)`). Nothing is rounded and nothing is computed by formulas.
- **Tables a contract manager can work with:** a bold header row, frozen, with an autofilter,
  column widths from the content, printed landscape, one page wide, header repeated.
- **Same inputs, same bytes.** The zip entries carry xlsxwriter's fixed timestamp (in-memory
  mode), and the document's `created` property is given by the caller (the last day of the
  settlement period), never the clock.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from obc_settle.money import in_unit_words, shown_currency
from obc_settle.periods import APRIL, YearStart

WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "nan_inf_to_errors": True,
}
NUMBER_FORMATS = {
    "pounds": '"£"#,##0.00;-"£"#,##0.00',
    "pence": "#,##0",
    "count": "#,##0.##",
    "percent": "0.0###%",
    "score": "0.000000#########",
    "ratio": "0.000000000000",
    "level": "#,##0.00####",
    "level_proportion": "0.0###%",
    "level_change": "0.0000##",
    "text": "@",
}
MAX_WIDTH = 60
RESERVED_SHEET_CHARS = set("[]:*?/\\")


@dataclass(frozen=True)
class Column:
    header: str
    style: str = "text"
    """A key of `NUMBER_FORMATS`, or `text`/`wrap`; `level:<kind>` picks a format by indicator kind per row."""
    width: float | None = None


def pounds(pence: int | None) -> Decimal | None:
    """Integer pence as exact pounds (a Decimal with two places): written to the cell as its decimal text."""
    return None if pence is None else Decimal(int(pence)).scaleb(-2)


def period_end(settlement_period: str, year_start: YearStart = APRIL) -> dt.datetime:
    """The last day of a settlement period: the workbook's fixed `created` date."""
    last = year_start.parse_period(settlement_period).months()[-1]
    year, month = int(last[:4]), int(last[5:7])
    return dt.datetime(year, month, calendar.monthrange(year, month)[1], tzinfo=dt.UTC)


class Book:
    """A workbook with the formats above; `write_table` writes one filterable table per sheet."""

    def __init__(
        self, path: Path, *, title: str, subject: str, author: str, comments: str, created: dt.datetime
    ):
        self.workbook: Workbook = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
        self.workbook.set_properties(
            {
                "title": title,
                "subject": subject,
                "author": author,
                "comments": comments,
                "created": created,
                "company": "",
            }
        )
        self._formats: dict[str, Format] = {}
        self.taken: set[str] = set()
        self.currency = shown_currency()
        """The currency the book shows (`money.shown_in`): its symbol in formats and headers."""

    def header(self, text: str) -> str:
        """A column header in the book's currency: `Amount (£)` -> `Amount ($)`, `(pence)` -> `(cents)`,
        the ledger sheet's `amount_pounds` -> `amount_dollars` (its `*_pence` columns keep their names)."""
        text = text.replace("(£)", f"({self.currency.symbol})").replace("(pence)", f"({self.currency.minor})")
        if text.endswith("_pounds"):
            text = text.removesuffix("_pounds") + f"_{self.currency.major}"
        return text

    def in_units(self, text: str) -> str:
        """Text in the book's unit words: a ledger note's `100 pence` is `100 cents` in a book in dollars
        (the engine says pence and pounds for the minor and major unit of any currency)."""
        return in_unit_words(text, self.currency)

    def number_format(self, name: str) -> str:
        if name == "pounds":
            symbol = self.currency.symbol
            return f'"{symbol}"#,##0.00;-"{symbol}"#,##0.00'
        return NUMBER_FORMATS[name]

    def format(self, name: str) -> Format:
        if name not in self._formats:
            properties: dict[str, Any] = {"valign": "top"}
            if name in NUMBER_FORMATS:
                properties["num_format"] = self.number_format(name)
            if name == "wrap":
                properties["text_wrap"] = True
            if name == "header":
                properties |= {"bold": True, "bg_color": "#EEEEEE", "bottom": 2, "text_wrap": True}
            if name == "title":
                properties |= {"bold": True, "font_size": 14}
            if name == "label":
                properties |= {"bold": True}
            if name.startswith("bold_"):
                properties |= {"bold": True, "num_format": self.number_format(name.removeprefix("bold_"))}
            self._formats[name] = self.workbook.add_format(properties)
        return self._formats[name]

    def sheet(self, name: str) -> Worksheet:
        """A new sheet, its name made valid and unique (31 characters, no []:*?/\\)."""
        clean = "".join("_" if ch in RESERVED_SHEET_CHARS else ch for ch in name).strip("'")[:31] or "Sheet"
        candidate, number = clean, 2
        while candidate.lower() in self.taken:
            suffix = f" ({number})"
            candidate, number = clean[: 31 - len(suffix)] + suffix, number + 1
        self.taken.add(candidate.lower())
        worksheet = self.workbook.add_worksheet(candidate)
        worksheet.set_landscape()
        worksheet.set_paper(9)  # A4
        worksheet.fit_to_pages(1, 0)
        return worksheet

    def write(self, sheet: Worksheet, row: int, col: int, value: object, style: str = "text") -> None:
        """One cell: text always as a string, numbers as numbers, None as an empty cell."""
        fmt = self.format(style)
        if value is None:
            sheet.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value, fmt)
        elif isinstance(value, (int, float, Decimal)):
            sheet.write_number(row, col, value, fmt)
        else:
            sheet.write_string(row, col, self.in_units(str(value)), fmt)

    def write_summary(
        self,
        sheet: Worksheet,
        facts: Sequence[tuple[str, str]],
        money: Sequence[Any],
        notes: Sequence[Any],
        no_notes: str | None,
    ) -> None:
        """The summary block both workbooks open with: facts, the money table (pounds and pence),
        and the data-quality notes (with `no_notes` written when there are none)."""
        for offset, (label, value) in enumerate(facts):
            self.write(sheet, 4 + offset, 0, label, "label")
            self.write(sheet, 4 + offset, 1, value)
        top = 5 + len(facts)
        for col, header in enumerate(("Item", "Amount (£)", "Amount (pence)", "How it is made")):
            self.write(sheet, top, col, self.header(header), "header")
        for offset, line in enumerate(money, start=1):
            bold = "bold_" if line.emphasis else ""
            self.write(sheet, top + offset, 0, line.label, "label" if bold else "text")
            self.write(sheet, top + offset, 1, pounds(line.pence), f"{bold}pounds")
            self.write(sheet, top + offset, 2, line.pence, f"{bold}pence")
            self.write(sheet, top + offset, 3, line.explanation + (" (memo)" if line.memo else ""), "wrap")
        row = top + len(money) + 2
        self.write(sheet, row, 0, "Data quality notes", "label")
        for offset, note in enumerate(notes, start=1):
            self.write(sheet, row + offset, 0, note.indicator, "wrap")
            self.write(sheet, row + offset, 1, ("Not scorable. " if note.unscorable else "") + note.text)
        if not notes and no_notes:
            self.write(sheet, row + 1, 0, no_notes)

    def write_table(
        self,
        sheet: Worksheet,
        columns: Sequence[Column],
        rows: Sequence[Sequence[object]],
        *,
        first_row: int = 0,
        kinds: Sequence[str] | None = None,
    ) -> None:
        """A header row and the rows below it; header frozen (with the first column), autofilter on."""
        for col, column in enumerate(columns):
            sheet.write_string(first_row, col, self.header(column.header), self.format("header"))
        for offset, values in enumerate(rows, start=1):
            for col, (column, value) in enumerate(zip(columns, values, strict=True)):
                style = column.style
                if style.startswith("level"):
                    style = _level_style(kinds[offset - 1] if kinds else "")
                self.write(sheet, first_row + offset, col, value, style)
        last = first_row + len(rows)
        sheet.autofilter(first_row, 0, max(last, first_row), len(columns) - 1)
        sheet.freeze_panes(first_row + 1, 1)
        sheet.repeat_rows(first_row)
        for col, column in enumerate(columns):
            sheet.set_column(col, col, column.width or _width(column, [values[col] for values in rows]))

    def close(self) -> None:
        self.workbook.close()


def _level_style(kind: str) -> str:
    return {"proportion": "level_proportion", "change_from_baseline": "level_change"}.get(kind, "level")


def _width(column: Column, values: Sequence[object]) -> float:
    """Wide enough for the header word by word and the longest shown value, within limits."""
    longest_word = max((len(word) for word in column.header.split()), default=4)
    shown = [_shown_length(value, column.style) for value in values]
    return float(
        min(
            max([longest_word + 2, min(len(column.header), 14) + 2, *(length + 2 for length in shown)]),
            MAX_WIDTH,
        )
    )


def _shown_length(value: object, style: str) -> int:
    if value is None:
        return 0
    if style in ("pounds", "bold_pounds") and isinstance(value, (int, float, Decimal)):
        return len(f"£{value:,.2f}")
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return min(len(f"{value:,}"), 16)
    return len(str(value))
