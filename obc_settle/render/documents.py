"""The documents people read, written into a run folder: a statement per provider and the
commissioner's report, each in the formats asked for (HTML, PDF, Excel; all by default).

    statements/<provider_id>.html | .pdf | .xlsx
    report/commissioner.html | .pdf | .xlsx

Each document is a view of the ledger (`statement_view`, `report_view`), built once and written
in every format, so the formats cannot disagree. `on_progress(stage, done, total)` is called after
each file, for a progress bar; this module knows nothing of terminals.

Rendering is single-threaded Python (reportlab, xlsxwriter, jinja2), so with `workers` (from
`document_workers`) a worker process renders some of the documents while the main process renders
the rest (`obc_settle.run_folder.workers`). Each document is a function of its view alone, so the
files are the same bytes either way; the list returned is in the same order, and progress still
counts up one by one in the calling process. `run_settlement` starts the worker once the extracts
are read, not before: its start-up (about 0.8 s of CPU, importing the renderers) then overlaps the
single-threaded engine and the first documents instead of slowing Polars' scan, which keeps every
core busy; and a run refused for its data never starts one.

The formats and their writers are the registry's (`obc_settle.render.document_formats`): a
document's file extension, writer and rendering time are its format's. Importing this module
imports the writers of every built-in format, so that importing it ahead (`ImportAhead`) or in a
worker process loads the renderers before the first document is due.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.money import shown_in
from obc_settle.render.commissioner_report import (
    ReportView,
    report_context,
    report_html,
    report_view,
)
from obc_settle.render.document_formats import BUILT_IN, FORMATS, OutputFormat, Progress, get, parse_formats
from obc_settle.render.html_statement import statement_html
from obc_settle.render.statement_view import (
    StatementView,
    document_file_name,
    statement_context,
    statement_view,
)
from obc_settle.run_folder.layout import REPORT_FILE_STEM, REPORT_FOLDER, STATEMENTS_FOLDER
from obc_settle.run_folder.workers import RenderWorkers, render_workers, worker_count

STAGE = "Writing statements"


def write_statement_html(view: StatementView, path: Path) -> None:
    path.write_text(statement_html(view), encoding="utf-8", newline="\n")


def write_report_html(view: ReportView, path: Path) -> None:
    path.write_text(report_html(view), encoding="utf-8", newline="\n")


for _output in BUILT_IN:  # import every built-in writer now (see the module's docstring)
    _output.writer("statement")
    _output.writer("report")


@dataclass(frozen=True)
class Document:
    """One file to write: a view and the writer of its format."""

    kind: str
    """statement | report"""
    output: OutputFormat
    """The format's record itself, not its name: a worker process renders a format registered at
    run time (a plug-in, a test) without that registration, since the record names its writers."""
    view: StatementView | ReportView
    path: Path


def render_document(document: Document) -> None:
    """Write one document, its amounts in its contract's currency (in a worker process too)."""
    writer = document.output.writer("statement" if document.kind == "statement" else "report")
    with shown_in(document.view.context.currency):
        writer(document.view, document.path)


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
    seconds = (len(contract.providers) + 1) * sum(get(name).render_seconds for name in chosen)
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
    with shown_in(contract.currency):  # the views word some amounts as they are built
        for provider in contract.providers:
            view = statement_view(ledger, provider.id, statement_context(contract, provider.id, run_id))
            documents += [
                Document(
                    "statement",
                    get(name),
                    view,
                    statements / document_file_name(provider.id, get(name).extension),
                )
                for name in chosen
            ]
        summary = report_view(ledger, report_context(contract, run_id))
    documents += [
        Document("report", get(name), summary, report / f"{REPORT_FILE_STEM}.{get(name).extension}")
        for name in chosen
    ]
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
        slowest_first = sorted(documents, key=lambda d: (d.kind != "report", -d.output.render_seconds))
        workers.run(render_document, slowest_first, wrote)
    return [document.path for document in documents]
