"""The risk/gain share field by field in the PDF statement and the PDF report (a table of step,
how it is found, value), laid out from `risk_share_view`; nothing here computes."""

from __future__ import annotations

from reportlab.platypus import Flowable

from obc_settle.render.pdf_base import CONTENT_WIDTH, cell, data_table, para
from obc_settle.render.risk_share_view import RiskShareFields


def risk_share_flowables(fields: RiskShareFields | None, heading: bool = True) -> list[Flowable]:
    """The heading (optional), a line saying what the table is and the table of fields."""
    if fields is None:
        return []
    rows = [
        [cell(f.label, style="cell_bold"), cell(f.working), cell(f.value, style="cell_num")]
        for f in fields.fields
    ]
    story: list[Flowable] = [para("Risk and gain share", "h2")] if heading else []
    story += [
        para(f"How the {fields.what} was shared, step by step:", "small"),
        data_table(
            ["Step", "How it is found", "Value"],
            rows,
            [CONTENT_WIDTH * 0.25, CONTENT_WIDTH * 0.55, CONTENT_WIDTH * 0.2],
            numeric=(2,),
        ),
    ]
    return story
