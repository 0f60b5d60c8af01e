"""Provider statements as self-contained HTML: a view of one provider's ledger lines.

Every amount shown is read from the ledger (`amount_pence`, `available_pence`, `pool_pence`) by
`statement_view` and only formatted with `format_pounds`; nothing here derives or rounds money.
Rows follow the ledger's `line_no` order and no clock is read, so identical inputs give
identical bytes.

The page is self-contained: inline CSS, charts as inline SVG shapes with their figures as text,
no scripts, no links to anything outside the file. Templates are rendered with autoescaping and
`StrictUndefined`: every text that comes from a contract or an extract (names, notes) is escaped,
and a missing value is an error, not a blank.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2
import polars as pl

from obc_settle.money import format_pounds
from obc_settle.render import formats
from obc_settle.render.charts import COLOURS
from obc_settle.render.statement_view import (
    StatementContext,
    StatementView,
    document_file_name,
    statement_context,
    statement_view,
)

__all__ = [
    "StatementContext",
    "render_html",
    "render_statement",
    "statement_context",
    "statement_file_name",
    "statement_html",
]

TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "statement.html.j2"


def statement_file_name(provider_id: str, extension: str = "html") -> str:
    """`<provider id>.html` (or another extension); refuses anything that is not a contract identifier."""
    return document_file_name(provider_id, extension)


def render_statement(ledger: pl.DataFrame, provider_id: str, context: StatementContext) -> str:
    """The HTML statement of one provider, from that provider's lines of the ledger."""
    return statement_html(statement_view(ledger, provider_id, context))


def statement_html(view: StatementView) -> str:
    return render_html(TEMPLATE_NAME, v=view)


def render_html(template_name: str, **values: Any) -> str:
    """Render one of the document templates (statement, commissioner report) with the chart palette."""
    return _environment().get_template(template_name).render(colours=COLOURS, **values)


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["pounds"] = format_pounds
    environment.filters["pct"] = _percent_or_blank
    return environment


def _percent_or_blank(value: float | None) -> str:
    return formats.percent(value, 1)
