"""The commissioner's consolidated report as an Excel workbook.

Sheets: **Summary** (the settlement's totals), **Providers** (each provider's money and share of
the earned money), **Indicators** (each indicator's achievement, pool, earned and retained, and
what each provider earned on it), **Ledger** (the whole ledger, every column), then one sheet
per provider (its ledger lines in the readable layout of a statement's Lines sheet). Every
figure is a ledger value or a sum of ledger lines; see `xlsx_base` for how cells are written.
"""

from __future__ import annotations

from pathlib import Path

from obc_settle.ledger import COMMISSIONER
from obc_settle.periods import YearStart
from obc_settle.render.commissioner_report import ReportView
from obc_settle.render.xlsx_base import Book, Column, period_end, pounds
from obc_settle.render.xlsx_risk_share import write_risk_share_fields
from obc_settle.render.xlsx_statement import write_ledger_sheet, write_lines_sheet


def write_report_xlsx(view: ReportView, path: Path) -> None:
    """Write the commissioner's report as an Excel workbook to `path`."""
    context = view.context
    book = Book(
        path,
        title=f"{view.status_label} settlement report {view.period}: {context.contract_name}",
        subject="Outcome-based contract settlement report",
        author=", ".join(context.commissioners),
        comments=f"Contract {context.contract_id} version {context.contract_version}, run {context.run_id}",
        created=period_end(view.period, YearStart.named(view.context.year_starts)),
    )
    _summary(book, view)
    _providers(book, view)
    _risk_share(book, view)
    _indicators(book, view)
    write_ledger_sheet(book, "Ledger", view.lines)
    for provider in view.providers:
        lines = [
            line
            for line in view.lines
            if line["party_id"] == provider.provider_id and line["party_role"] != COMMISSIONER
        ]
        write_lines_sheet(book, provider.provider_id, lines, context)
    book.close()


def _summary(book: Book, view: ReportView) -> None:
    context = view.context
    sheet = book.sheet("Summary")
    book.write(sheet, 0, 0, context.contract_name, "title")
    book.write(sheet, 1, 0, "Settlement report for the commissioners, all providers", "label")
    book.write(sheet, 2, 0, f"{view.status_label}: {view.status_text}")
    facts = [
        ("Settlement period", f"{view.period} ({view.period_months})"),
        ("Contract year", view.contract_year),
        ("Status", view.status_label),
        ("Commissioners", ", ".join(context.commissioners)),
        ("Population", context.population_segment),
        (
            "Contract",
            f"{context.contract_name} ({context.contract_id}, version {context.contract_version}), {context.model}",
        ),
        ("Providers", str(len(view.providers))),
        ("Run", context.run_id),
    ]
    book.write_summary(sheet, facts, view.totals, view.notes, None)
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, 2, 18)
    sheet.set_column(3, 3, 80)
    sheet.freeze_panes(3, 0)


def _providers(book: Book, view: ReportView) -> None:
    keys = [key for key, _ in view.provider_money]
    headers = [heading for _, heading in view.provider_money]
    columns = [
        Column("Provider id"),
        Column("Provider", "wrap", 36),
        Column("Role"),
        *(Column(f"{header} (£)", "pounds") for header in headers),
        Column("Share of earned", "percent"),
        Column("Earned of withheld", "percent"),
        *(Column(f"{header} (pence)", "pence") for header in headers),
    ]
    rows = [
        [
            p.provider_id,
            p.name,
            p.role,
            *(pounds(getattr(p, f"{key}_pence")) for key in keys),
            p.earned_share,
            p.earned_rate,
            *(getattr(p, f"{key}_pence") for key in keys),
        ]
        for p in view.providers
    ]
    book.write_table(book.sheet("Providers"), columns, rows)


def _risk_share(book: Book, view: ReportView) -> None:
    """The risk/gain share: how the providers' part was found, then each provider's share of it."""
    shared = view.risk_share
    if shared is None:
        return
    sheet = book.sheet("Risk share")
    book.write(sheet, 0, 0, "Risk and gain share", "title")
    book.write(sheet, 1, 0, shared.derivation, "wrap")
    if shared.commissioner:
        book.write(sheet, 2, 0, shared.commissioner, "wrap")
    sheet.set_column(0, 0, 110)
    write_risk_share_fields(book, shared.fields, "Risk share working")
    rows = [
        [row.provider_id, row.name, float(str(row.share)), pounds(row.pence), row.pence]
        for row in shared.rows
    ]
    rows.append(["", "All providers", None, pounds(shared.providers_part_pence), shared.providers_part_pence])
    columns = [
        Column("Provider id"),
        Column("Provider", "wrap", 36),
        Column(f"Share of the providers' part of the {shared.side}", "percent"),
        Column("Amount (£)", "pounds"),
        Column("Amount (pence)", "pence"),
    ]
    book.write_table(book.sheet("Risk share by provider"), columns, rows)


def _indicators(book: Book, view: ReportView) -> None:
    columns = [
        Column("Domain", "wrap", 24),
        Column("Indicator id"),
        Column("Indicator", "wrap", 40),
        Column("Kind"),
        Column("Attribution"),
        Column("Direction"),
        Column("Window", width=22),
        Column("Achieved", "level"),
        Column("Threshold", "level"),
        Column("Target", "level"),
        Column("Score", "score"),
        Column("Scorable", width=10),
        Column("Weight", "percent"),
        Column("Pool (£)", "pounds"),
        Column("Earned by providers (£)", "pounds"),
        Column("Retained (£)", "pounds"),
        *(Column(f"Earned: {p.provider_id} (£)", "pounds") for p in view.providers),
        Column("Pool (pence)", "pence"),
        Column("Earned by providers (pence)", "pence"),
        Column("Retained (pence)", "pence"),
    ]
    rows = []
    for i in view.indicators:
        line = i.line
        rows.append(
            [
                i.domain,
                i.indicator_id,
                i.name,
                i.kind,
                i.attribution,
                i.direction,
                i.window,
                line["achieved"],
                line["threshold"],
                line["target"],
                None if line["score"] is None else float(line["score"]),
                line["scorable"],
                None if line["weight"] is None else float(line["weight"]),
                pounds(i.pool_pence),
                pounds(i.earned_pence),
                pounds(i.retained_pence),
                *(pounds(amount) for amount in i.earned_by_provider),
                i.pool_pence,
                i.earned_pence,
                i.retained_pence,
            ]
        )
    book.write_table(book.sheet("Indicators"), columns, rows, kinds=[i.kind for i in view.indicators])
