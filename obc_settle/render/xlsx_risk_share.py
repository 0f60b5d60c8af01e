"""The risk/gain share field by field on a sheet of the Excel statement and the Excel report,
laid out from `risk_share_view`; nothing here computes."""

from __future__ import annotations

from obc_settle.render.risk_share_view import RiskShareFields
from obc_settle.render.xlsx_base import Book, Column


def write_risk_share_fields(
    book: Book, fields: RiskShareFields | None, name: str, first_row: int = 0
) -> None:
    """A sheet `name` with one row per field: step, value (as shown, in the contract's currency; blank
    for a step that leaves the amount as it is) and how it is found."""
    if fields is None:
        return
    columns = [Column("Step", "wrap", 36), Column("Value", "text", 22), Column("How it is found", "wrap", 90)]
    rows = [[f.label, f.value or None, f.working] for f in fields.fields]
    book.write_table(book.sheet(name), columns, rows, first_row=first_row)
