"""The subcontract table (render/subcontract_view.py) laid out in the PDF statement and the workbook.

The same columns as the HTML table: the indicator, the prime's achieved value and score (why it
earned what it did), its earned money, the share, share x earned as a product with its exact
result, and the part paid to the penny (a † when the largest-remainder split moved it a penny).
reportlab and xlsxwriter are imported inside the functions, so that building a statement's view
does not load them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from obc_settle.render.subcontract_view import SubcontractTable

MARK = "\u2020"
SPLIT_NOTE = "a penny from ordinary rounding: the largest-remainder split"


def pdf_flowables(table: SubcontractTable) -> list[Any]:
    """The table in the PDF statement: a heading, the intro, one table of every group, the note."""
    from reportlab.lib.units import mm
    from reportlab.platypus import TableStyle

    from obc_settle.render.pdf_base import CONTENT_WIDTH, cell, data_table, para

    widths = (CONTENT_WIDTH - 126 * mm, 26 * mm, 24 * mm, 12 * mm, 36 * mm, 28 * mm)
    blank = ["", "", "", "", ""]
    rows: list[list[Any]] = []
    rules: list[int] = []
    totals: list[int] = []
    for group in table.groups:
        rules.append(len(rows))
        rows.append([cell(group.heading, style="cell_bold"), *blank])
        for row in group.rows:
            rows.append(
                [
                    cell(row.indicator),
                    cell(row.prime_achieved, [f"score {row.prime_score}"], style="cell_num"),
                    cell(row.earned, style="cell_num"),
                    cell(row.share, style="cell_num"),
                    cell(row.product, [f"= {row.exact}"], style="cell_num"),
                    cell(f"{MARK} {row.part}" if row.by_split else row.part, style="cell_num"),
                ]
            )
        totals.append(len(rows))
        rows.append(
            [
                cell(group.total_label, style="cell_bold"),
                *blank[:-1],
                cell(group.total, style="cell_num_bold"),
            ]
        )
    totals.append(len(rows))
    rows.append(
        [cell(table.total_label, style="cell_bold"), *blank[:-1], cell(table.total, style="cell_num_bold")]
    )
    header = [
        "Indicator",
        f"{table.whose} achieved (score)",
        f"{table.whose} earned money",
        "Share",
        "Share \u00d7 earned (exact)",
        "Part, to the penny",
    ]
    grid = data_table(header, rows, widths, numeric=range(1, 6), total_rows=1, rules=rules[1:])
    spans = [("SPAN", (0, row + 1), (-1, row + 1)) for row in rules]  # +1: the header row
    spans += [
        ("SPAN", (0, row + 1), (-2, row + 1)) for row in totals
    ]  # a total's words over all but its figure
    grid.setStyle(TableStyle(spans))
    return [para(table.title, "h2"), para(table.intro, "small"), grid, para(table.how, "small")]


def write_subcontract_sheet(book: Any, table: SubcontractTable, name: str = "Subcontracts") -> None:
    """The table as a workbook sheet: one row per indicator part, then each line's total and the total."""
    from obc_settle.render.xlsx_base import Column, pounds

    columns = (
        Column("Passed on or received", width=14),
        Column("Counterparty id", width=14),
        Column("Counterparty", "wrap", 40),
        Column("Indicator id"),
        Column("Indicator", "wrap", 40),
        Column(f"{table.whose} achieved", "level"),
        Column(f"{table.whose} score", "score"),
        Column(f"{table.whose} earned money (£)", "pounds"),
        Column("Share", "text", 10),
        Column("Share × earned (exact)", "text", 34),
        Column("Part (£)", "pounds"),
        Column("Part (pence)", "pence"),
        Column("Note", "wrap", 50),
    )
    rows: list[list[object]] = []
    kinds: list[str] = []
    for group in table.groups:
        direction = "passed on" if group.passed_on else "received"
        for row in group.rows:
            rows.append(
                [
                    direction,
                    group.counterparty_id,
                    group.counterparty,
                    row.indicator_id,
                    row.indicator,
                    row.prime_achieved_value,
                    row.prime_score_value,
                    pounds(row.earned_pence),
                    row.share,
                    row.product_text,
                    pounds(row.part_pence),
                    row.part_pence,
                    SPLIT_NOTE if row.by_split else None,
                ]
            )
            kinds.append(row.kind or "")
        total = [None, None, None, None, None, pounds(group.total_pence), group.total_pence]
        rows.append(
            [
                direction,
                group.counterparty_id,
                group.counterparty,
                None,
                group.total_label,
                *total,
                "the ledger's subcontract line",
            ]
        )
        kinds.append("")
    last = [None, None, None, None, None, pounds(table.total_pence), table.total_pence, table.how]
    rows.append([None, None, None, None, table.total_label, *last])
    kinds.append("")
    book.write_table(book.sheet(name), columns, rows, kinds=kinds)
