"""Provider statements as self-contained HTML: a view of one provider's ledger lines.

Every amount shown is read from the ledger (`amount_pence`, `available_pence`, `pool_pence`) by
`statement_view` and only formatted with `format_pounds`; nothing here derives or rounds money.
Rows follow the ledger's `line_no` order and no clock is read, so identical inputs give
identical bytes.

The page is self-contained: inline CSS, charts as inline SVG shapes with their figures as text,
no scripts, no links to anything outside the file. The template is rendered by `html_templates`
(autoescaped, `StrictUndefined`).
"""

from __future__ import annotations

import polars as pl

from obc_settle.render.html_templates import render_html
from obc_settle.render.statement_view import (
    StatementContext,
    StatementView,
    document_file_name,
    statement_context,
    statement_view,
)

__all__ = [
    "StatementContext",
    "render_statement",
    "statement_context",
    "statement_file_name",
    "statement_html",
]

TEMPLATE_NAME = "statement.html.j2"


def statement_file_name(provider_id: str, extension: str = "html") -> str:
    """`<provider id>.html` (or another extension); refuses anything that is not a contract identifier."""
    return document_file_name(provider_id, extension)


def render_statement(ledger: pl.DataFrame, provider_id: str, context: StatementContext) -> str:
    """The HTML statement of one provider, from that provider's lines of the ledger."""
    return statement_html(statement_view(ledger, provider_id, context))


def statement_html(view: StatementView) -> str:
    return render_html(TEMPLATE_NAME, v=view)
