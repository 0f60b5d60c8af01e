"""The documents people read, written into a run folder: a statement per provider and the
commissioner's report, each in the formats asked for (HTML, PDF, Excel; all by default).

    statements/<provider_id>.html | .pdf | .xlsx
    report/commissioner.html | .pdf | .xlsx

Each document is a view of the ledger (`statement_view`, `report_view`), built once and written
in every format, so the formats cannot disagree. `on_progress(stage, done, total)` is called after
each file, for a progress bar; this module knows nothing of terminals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import polars as pl

from obc_settle.render.document_formats import FORMATS, parse_formats
from obc_settle.contract.models import Contract
from obc_settle.render.commissioner_report import REPORT_FILE_STEM, ReportView, report_context, report_html, report_view
from obc_settle.render.pdf_commissioner import write_report_pdf
from obc_settle.render.pdf_statement import write_statement_pdf
from obc_settle.render.statement_view import StatementView, document_file_name, statement_context, statement_view
from obc_settle.render.statements import statement_html
from obc_settle.render.xlsx_commissioner import write_report_xlsx
from obc_settle.render.xlsx_statement import write_statement_xlsx

STATEMENTS_FOLDER = "statements"
REPORT_FOLDER = "report"
STAGE = "Writing statements"

Progress = Callable[[str, int, int], None]


def _html_statement(view: StatementView, path: Path) -> None:
    path.write_text(statement_html(view), encoding="utf-8", newline="\n")


def _html_report(view: ReportView, path: Path) -> None:
    path.write_text(report_html(view), encoding="utf-8", newline="\n")


STATEMENT_WRITERS: dict[str, Callable[[StatementView, Path], None]] = {
    "html": _html_statement,
    "pdf": write_statement_pdf,
    "xlsx": write_statement_xlsx,
}
REPORT_WRITERS: dict[str, Callable[[ReportView, Path], None]] = {
    "html": _html_report,
    "pdf": write_report_pdf,
    "xlsx": write_report_xlsx,
}


def document_count(contract: Contract, formats: Iterable[str] = FORMATS) -> int:
    return (len(contract.providers) + 1) * len(tuple(formats))


def write_documents(
    folder: Path,
    contract: Contract,
    ledger: pl.DataFrame,
    run_id: str,
    formats: Iterable[str] = FORMATS,
    on_progress: Progress | None = None,
) -> list[Path]:
    """Write every statement and the commissioner's report in `formats`; returns the files written."""
    chosen = parse_formats(formats)
    total, written = document_count(contract, chosen), []

    def wrote(path: Path) -> None:
        written.append(path)
        if on_progress is not None:
            on_progress(STAGE, len(written), total)

    statements = folder / STATEMENTS_FOLDER
    statements.mkdir(exist_ok=True)
    for provider in contract.providers:
        view = statement_view(ledger, provider.id, statement_context(contract, provider.id, run_id))
        for name in chosen:
            path = statements / document_file_name(provider.id, name)
            STATEMENT_WRITERS[name](view, path)
            wrote(path)
    report = folder / REPORT_FOLDER
    report.mkdir(exist_ok=True)
    summary = report_view(ledger, report_context(contract, run_id))
    for name in chosen:
        path = report / f"{REPORT_FILE_STEM}.{name}"
        REPORT_WRITERS[name](summary, path)
        wrote(path)
    return written
