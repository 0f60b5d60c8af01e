"""The documents people read, written into a run folder: a statement per provider and the
commissioner's report, each in the formats asked for (HTML, PDF, Excel; all by default).

    statements/<provider_id>.html | .pdf | .xlsx
    report/commissioner.html | .pdf | .xlsx

Each document is a view of the ledger (`statement_view`, `report_view`), built once and written
in every format, so the formats cannot disagree. `on_progress(stage, done, total)` is called after
each file, for a progress bar; this module knows nothing of terminals.

Rendering is single-threaded Python (reportlab, xlsxwriter, jinja2), so with `workers` (from
`document_workers`) a worker process renders some of the documents while the main process renders
the rest (`obc_settle.render.workers`). Each document is a function of its view alone, so the
files are the same bytes either way; the list returned is in the same order, and progress still
counts up one by one in the calling process. `run_settlement` starts the worker once the extracts
are read, not before: its start-up (about 0.8 s of CPU, importing the renderers) then overlaps the
single-threaded engine and the first documents instead of slowing Polars' scan, which keeps every
core busy; and a run refused for its data never starts one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.render.commissioner_report import (
    REPORT_FILE_STEM,
    ReportView,
    report_context,
    report_html,
    report_view,
)
from obc_settle.render.document_formats import FORMATS, Progress, parse_formats
from obc_settle.render.pdf_commissioner import write_report_pdf
from obc_settle.render.pdf_statement import write_statement_pdf
from obc_settle.render.statement_view import (
    StatementView,
    document_file_name,
    statement_context,
    statement_view,
)
from obc_settle.render.statements import statement_html
from obc_settle.render.workers import RenderWorkers, render_workers, worker_count
from obc_settle.render.xlsx_commissioner import write_report_xlsx
from obc_settle.render.xlsx_statement import write_statement_xlsx

STATEMENTS_FOLDER = "statements"
REPORT_FOLDER = "report"
STAGE = "Writing statements"


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


RENDER_SECONDS = {"pdf": 0.04, "xlsx": 0.03, "html": 0.01}
"""Rough seconds to render a statement in each format (measured on the 2-core benchmark machine),
to judge whether a worker process is worth starting (`workers.WORTH_A_WORKER`) and to give out
the slow documents first."""


@dataclass(frozen=True)
class Document:
    """One file to write: a view and the writer of its format."""

    kind: str
    """statement | report"""
    format: str
    view: StatementView | ReportView
    path: Path


def render_document(document: Document) -> None:
    writer = (STATEMENT_WRITERS if document.kind == "statement" else REPORT_WRITERS)[document.format]
    writer(document.view, document.path)  # type: ignore[arg-type]


def document_count(contract: Contract, formats: Iterable[str] = FORMATS) -> int:
    return (len(contract.providers) + 1) * len(tuple(formats))


def document_workers(
    contract: Contract, formats: Iterable[str] = FORMATS
) -> AbstractContextManager[RenderWorkers | None]:
    """Worker processes to render the documents of `contract` with, for a `with` block: one when
    the machine has a second CPU and the documents take long enough to render to repay a
    process's start-up (about 25 providers or more in all three formats), else None (serial);
    `OBC_SETTLE_RENDER_WORKERS` sets the number."""
    chosen = parse_formats(formats)
    seconds = (len(contract.providers) + 1) * sum(RENDER_SECONDS[name] for name in chosen)
    return render_workers(worker_count(seconds))


def write_documents(
    folder: Path,
    contract: Contract,
    ledger: pl.DataFrame,
    run_id: str,
    formats: Iterable[str] = FORMATS,
    on_progress: Progress | None = None,
    workers: RenderWorkers | None = None,
) -> list[Path]:
    """Write every statement and the commissioner's report in `formats`; returns the files written.

    With `workers`, they render some of the documents in parallel with this process.
    """
    chosen = parse_formats(formats)
    statements = folder / STATEMENTS_FOLDER
    statements.mkdir(exist_ok=True)
    report = folder / REPORT_FOLDER
    report.mkdir(exist_ok=True)
    documents: list[Document] = []
    for provider in contract.providers:
        view = statement_view(ledger, provider.id, statement_context(contract, provider.id, run_id))
        documents += [
            Document("statement", name, view, statements / document_file_name(provider.id, name))
            for name in chosen
        ]
    summary = report_view(ledger, report_context(contract, run_id))
    documents += [Document("report", name, summary, report / f"{REPORT_FILE_STEM}.{name}") for name in chosen]
    done = 0

    def wrote(_: Document) -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            on_progress(STAGE, done, len(documents))

    if workers is None:
        for document in documents:
            render_document(document)
            wrote(document)
    else:  # the slow first, so that the last to finish are quick: the report (every provider), then PDF, Excel, HTML
        slowest_first = sorted(documents, key=lambda d: (d.kind != "report", -RENDER_SECONDS[d.format]))
        workers.run(render_document, slowest_first, wrote)
    return [document.path for document in documents]
