"""A provider's statement as an Excel workbook, and the ledger sheets the commissioner's report shares.

Sheets: **Summary** (the contract, the period, the money lines), **Lines** (every ledger line of
the provider in a readable layout: one row per line, filterable; the `payment` lines add up to
the net payable) and **Ledger** (the provider's ledger rows with every column, pence and pounds).
Every figure is a ledger value; see `xlsx_base` for how cells are written.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, SupportsFloat

from obc_settle.periods import YearStart
from obc_settle.render import labels
from obc_settle.render.scheme_steps import scheme_note
from obc_settle.render.statement_view import StatementView
from obc_settle.render.subcontract_view import write_subcontract_sheet
from obc_settle.render.xlsx_base import Book, Column, period_end, pounds
from obc_settle.render.xlsx_risk_share import write_risk_share_fields

LINE_COLUMNS = (
    Column("Line no", "pence", 8),
    Column("Line"),
    Column("Kind", width=11),
    Column("Domain", "wrap", 24),
    Column("Indicator id"),
    Column("Indicator", "wrap", 40),
    Column("Attribution", width=12),
    Column("Window from", width=12),
    Column("Window to", width=12),
    Column("Numerator", "count"),
    Column("Denominator", "count"),
    Column("Achieved", "level"),
    Column("Threshold", "level"),
    Column("Target", "level"),
    Column("Score", "score"),
    Column("Scorable", width=10),
    Column("Weight", "percent"),
    Column("Share", "percent"),
    Column("Pool (£)", "pounds"),
    Column("Available (£)", "pounds"),
    Column("Amount (£)", "pounds"),
    Column("Amount (pence)", "pence"),
    Column("Note", "wrap", 60),
)


NO_NOTES = "No data quality notes for this period: every indicator had enough data to be scored."


def write_statement_xlsx(view: StatementView, path: Path) -> None:
    """Write the Excel statement of one provider to `path`."""
    context = view.context
    book = Book(
        path,
        title=f"{view.status_label} statement {view.period}: {context.provider_name}",
        subject=f"Outcome payment statement, {context.contract_name}",
        author=", ".join(context.commissioners),
        comments=f"Contract {context.contract_id} version {context.contract_version}, run {context.run_id}",
        created=period_end(view.period, YearStart.named(view.context.year_starts)),
    )
    write_summary_sheet(book, view)
    write_risk_share_fields(book, view.risk_share, "Risk share")
    if view.subcontracts is not None:
        write_subcontract_sheet(book, view.subcontracts)
    write_lines_sheet(book, "Lines", view.lines, context)
    write_ledger_sheet(book, "Ledger", view.lines)
    book.close()


def write_summary_sheet(book: Book, view: StatementView, name: str = "Summary") -> None:
    context = view.context
    sheet = book.sheet(name)
    book.write(sheet, 0, 0, context.contract_name, "title")
    book.write(sheet, 1, 0, f"Outcome payment statement for {context.provider_name}", "label")
    book.write(sheet, 2, 0, f"{view.status_label}: {view.status_text}")
    facts = [
        ("Provider", f"{context.provider_name} ({view.provider_id}), {view.role}"),
        ("Settlement period", f"{view.period} ({view.period_months})"),
        ("Contract year", view.contract_year),
        ("Status", view.status_label),
        ("Commissioners", ", ".join(context.commissioners)),
        ("Population", context.population_segment),
        ("Contract", f"{context.contract_name} ({context.contract_id}, version {context.contract_version})"),
        ("Run", context.run_id),
    ]
    book.write_summary(sheet, facts, view.money, view.notes, NO_NOTES)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 2, 18)
    sheet.set_column(3, 3, 80)
    sheet.freeze_panes(3, 0)


class Names(Protocol):
    """Names from the contract for the ids in ledger lines (a statement's or a report's context)."""

    # Read-only: the contexts are frozen dataclasses.
    @property
    def domain_names(self) -> dict[str, str]: ...
    @property
    def indicator_names(self) -> dict[str, str]: ...


def write_lines_sheet(book: Book, name: str, lines: Sequence[dict[str, Any]], context: Names) -> None:
    """One row per ledger line of one party, readable: names instead of ids, pounds beside pence."""
    sheet = book.sheet(name)
    rows = []
    for line in lines:
        indicator_id = line["indicator_id"]
        domain_id = line["domain_id"]
        rows.append(
            [
                line["line_no"],
                labels.LINE_LABELS.get(str(line["line_type"]), str(line["line_type"])),
                line["kind"],
                None if domain_id is None else context.domain_names.get(domain_id, domain_id),
                indicator_id,
                None if indicator_id is None else context.indicator_names.get(indicator_id, indicator_id),
                line["attribution"],
                line["window_first_month"],
                line["window_last_month"],
                line["numerator"],
                line["denominator"],
                line["achieved"],
                line["threshold"],
                line["target"],
                _number(line["score"]),
                line["scorable"],
                _number(line["weight"]) if indicator_id is not None else None,
                _number(line["share"]),
                pounds(line["pool_pence"]),
                pounds(line["available_pence"]),
                pounds(line["amount_pence"]),
                line["amount_pence"],
                scheme_note(line),
            ]
        )
    book.write_table(sheet, LINE_COLUMNS, rows, kinds=[str(line["indicator_kind"] or "") for line in lines])


def write_ledger_sheet(book: Book, name: str, lines: Sequence[dict[str, Any]]) -> None:
    """The ledger rows with every column, in ledger order; each `*_pence` column followed by its pounds."""
    column_names = list(lines[0]) if lines else []
    columns: list[Column] = []
    sources: list[tuple[str, bool]] = []
    for column in column_names:
        columns.append(Column(column, _ledger_style(column)))
        sources.append((column, False))
        if column.endswith("_pence"):
            columns.append(Column(column.removesuffix("_pence") + "_pounds", "pounds"))
            sources.append((column, True))
    rows = [
        [pounds(line[column]) if as_pounds else _cell_value(line[column]) for column, as_pounds in sources]
        for line in lines
    ]
    book.write_table(
        sheet=book.sheet(name),
        columns=columns,
        rows=rows,
        kinds=[str(line.get("indicator_kind") or "") for line in lines],
    )


def _ledger_style(column: str) -> str:
    if column.endswith("_pence") or column in ("line_no", "extract_rows", "excluded", "minimum_denominator"):
        return "pence"
    if column == "score":
        return "score"
    if column in ("weight", "share"):
        return "ratio"
    if column in ("numerator", "denominator", "achieved", "baseline", "threshold", "target"):
        return "general"
    return "text"


def _number(value: SupportsFloat | None) -> float | None:
    """Scores, weights and shares (exact decimals in the ledger) as numbers for filtering; the Ledger sheet keeps every digit."""
    return None if value is None else float(value)


def _cell_value(value: object) -> object:
    """Ledger values as cells; exact decimals (score, weight, share) as numbers."""
    return float(value) if isinstance(value, Decimal) else value
