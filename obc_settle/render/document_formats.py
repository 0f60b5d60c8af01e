"""The output formats of the documents (statements and the commissioner's report): one record each.

An `OutputFormat` carries everything the rest of the program needs: its name (the `--format`
value), its file extension, its label, the help text `--format` shows, its two writers (a
statement and the report) and a rough rendering time (to decide whether a worker process pays).
The command line builds `--format`'s help and completion from the registry (`format_help`,
`names`), `parse_formats` refuses any name that is not registered, the documents are written
by the registered writers (`obc_settle.render.documents`), and the test suite checks that the
table of formats in docs/outputs.md lists exactly these records (`docs_row`).

Kept apart from the renderers so that the command line can name the formats without importing
the PDF and Excel libraries (start-up time): a writer is named `"package.module:function"` and
imported when a document is first written in that format (in a worker process too, which
imports it by the same name).

`FORMATS` is the built-in formats, in their fixed order: what a run writes by default. A format
registered later (`register`, or `registered` for the length of a `with` block, as the tests do)
is accepted by `--format` but written only when asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from obc_settle.registry import Registry

Progress = Callable[[str, int, int], None]
"""`on_progress(stage, done, total)`, called as extracts are read and documents written."""

Writer = Callable[[Any, Path], None]
"""`write(view, path)`: a `StatementView` or `ReportView` written to `path` in one format."""


@dataclass(frozen=True)
class OutputFormat:
    """One document format: what `--format` names, and how its files are written."""

    name: str
    """The `--format` value, lower case: `pdf`."""
    extension: str
    """The file extension, without the dot: `statements/<provider>.<extension>`."""
    label: str
    """Its name for people: `PDF`."""
    help: str
    """What it is, in a few words, for `--format`'s help and completion and docs/outputs.md."""
    statement_writer: str
    """`"package.module:function"`: writes a provider's statement (a `StatementView`)."""
    report_writer: str
    """`"package.module:function"`: writes the commissioner's report (a `ReportView`)."""
    render_seconds: float
    """Rough seconds to render one statement (measured on the 2-core benchmark machine), to judge
    whether a worker process is worth starting and to give out the slow documents first."""

    def writer(self, kind: Literal["statement", "report"]) -> Writer:
        """The writer of a statement or of the report, imported on first use."""
        return _load(self.statement_writer if kind == "statement" else self.report_writer)

    def docs_row(self) -> str:
        """Its row in the table of formats in docs/outputs.md."""
        return f"| `{self.name}` | `.{self.extension}` | {self.label} | {self.help} |"


class UnknownOutputFormat(ValueError):
    """A format name that is not registered."""


HTML = OutputFormat(
    name="html",
    extension="html",
    label="HTML",
    help="one self-contained web page",
    statement_writer="obc_settle.render.documents:write_statement_html",
    report_writer="obc_settle.render.documents:write_report_html",
    render_seconds=0.01,
)
PDF = OutputFormat(
    name="pdf",
    extension="pdf",
    label="PDF",
    help="A4 pages, the document that is sent",
    statement_writer="obc_settle.render.pdf_statement:write_statement_pdf",
    report_writer="obc_settle.render.pdf_commissioner:write_report_pdf",
    render_seconds=0.04,
)
XLSX = OutputFormat(
    name="xlsx",
    extension="xlsx",
    label="Excel",
    help="a workbook to check and filter",
    statement_writer="obc_settle.render.xlsx_statement:write_statement_xlsx",
    report_writer="obc_settle.render.xlsx_commissioner:write_report_xlsx",
    render_seconds=0.03,
)
BUILT_IN = (HTML, PDF, XLSX)
"""The formats obc-settle writes, in the order they are written and listed."""

FORMATS = tuple(output.name for output in BUILT_IN)
"""What a run writes when `--format` is not given: every built-in format."""

NAME_PATTERN = r"^[a-z][a-z0-9]*$"
_REGISTRY: Registry[OutputFormat] = Registry(
    "format", NAME_PATTERN, "lower-case letters and digits", UnknownOutputFormat, "choose from"
)
register = _REGISTRY.register
unregister = _REGISTRY.unregister
registered = _REGISTRY.registered
get = _REGISTRY.get
names = _REGISTRY.names
output_formats = _REGISTRY.records


def parse_formats(values: Iterable[str]) -> tuple[str, ...]:
    """`["pdf,html"]` or `["pdf", "html"]` -> `("html", "pdf")` (the fixed order); unknown names are refused."""
    known = names()
    chosen = {part.strip().lower() for value in values for part in value.split(",") if part.strip()}
    unknown = sorted(chosen - set(known))
    if unknown:
        raise UnknownOutputFormat(
            f"unknown format {', '.join(map(repr, unknown))}: choose from {', '.join(known)}"
        )
    if not chosen:
        raise UnknownOutputFormat(f"no format given: choose from {', '.join(known)}")
    return tuple(name for name in known if name in chosen)


def format_help(documents: str = "Statement and report formats to write") -> str:
    """The help of `--format`: `<documents>: html (what it is), pdf (...), ...; comma-separated ...`."""
    listed = ", ".join(f"{output.name} ({output.help})" for output in _REGISTRY.records())
    return f"{documents}: {listed}; comma-separated or repeated (default: all)."


def _load(reference: str) -> Writer:
    module, _, function = reference.partition(":")
    writer: Writer = getattr(importlib.import_module(module), function)
    return writer


for _output in BUILT_IN:
    register(_output)
