"""The Jinja environment of the HTML documents (the provider statement and the commissioner's report).

Templates (`render/templates/*.html.j2`) are rendered with autoescaping and `StrictUndefined`:
every text that comes from a contract or an extract (names, notes) is escaped, and a missing value
is an error, not a blank. Amounts are formatted by the `pounds` filter (`format_pounds`) and
proportions by `pct`; the chart palette is passed to every template as `colours`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2

from obc_settle.money import format_pounds
from obc_settle.render import labels
from obc_settle.render.charts import COLOURS

__all__ = ["TEMPLATE_DIR", "render_html"]

TEMPLATE_DIR = Path(__file__).parent / "templates"


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
    environment.filters["pounds"] = format_pounds  # in the currency shown (money.shown_in)
    environment.filters["currency_name"] = labels.currency_name
    environment.globals["unit_words"] = labels.unit_words
    environment.globals["smallest_coin"] = labels.smallest_coin
    environment.filters["pct"] = _percent_or_blank
    return environment


def _percent_or_blank(value: float | None) -> str:
    return labels.percent(value, 1)
