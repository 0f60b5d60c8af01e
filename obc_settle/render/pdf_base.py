"""What every PDF document shares: A4 pages, styles, tables, and a footer on every page.

Documents are built with reportlab's platypus: a heading and its intro keep with the start of
what they introduce (`pdf_flow`), tables repeat their header row on each page and split
only between rows, small blocks are kept together. Everything is laid out in a frame exactly the
16 mm margins wide (no frame padding), so `CONTENT_WIDTH` is the width a table or chart may take
and nothing runs past the footer's rule. Each page carries a footer with the document's identity (contract, period, run id) and
"Page N of M", drawn once the page count is known.

Repeatable bytes: the document is built in reportlab's invariant mode (a fixed creation date,
2000-01-01, and a document id derived from the content instead of the clock), in DejaVu Sans
Condensed, embedded as subsets from the font files shipped in the package (`pdf_fonts`: Welsh,
Greek and Cyrillic names are shown, and no font on the machine changes the output). A document
with text the font cannot show is refused before it is written (`pdf_fonts.UnprintableText`),
never sent with boxes. Contract and extract text is XML-escaped before it reaches reportlab's
paragraph markup.

Table cells are `pdf_cells.TextCell`s, not Paragraphs: plain text (no markup, so nothing to
escape) set as a Paragraph would set it, at a fraction of the cost (a run has thousands of
cells). Paragraphs are kept for the few real paragraphs: titles, headings, notes with <b> markup.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle

from obc_settle.render.pdf_cells import CellStyle, TextCell, unbreakable_figures, words_of
from obc_settle.render.pdf_flow import kept_with_their_start
from obc_settle.render.pdf_fonts import BOLD, FONT, unprintable_error, unprintable_texts

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
BOTTOM_MARGIN = 18 * mm  # the footer sits below it
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
"""The frame's width: it has no left or right padding, so this is all a table or chart may take."""
FRAME_PADDING = 6  # above and below only, reportlab's default
INK = colors.HexColor("#1a1a1a")
GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#bbbbbb")
HEADER_FILL = colors.HexColor("#eeeeee")
STATUS_COLOURS = {
    "provisional": (colors.HexColor("#7a4100"), colors.HexColor("#fff4e5"), colors.HexColor("#b35c00")),
    "final": (colors.HexColor("#0b5a2a"), colors.HexColor("#e9f7ee"), colors.HexColor("#137a3a")),
    "estimate": (colors.HexColor("#4a1d6e"), colors.HexColor("#f3ecfa"), colors.HexColor("#6b2fa0")),
}

STYLES = {
    "title": ParagraphStyle("title", fontName=BOLD, fontSize=16, leading=19, textColor=INK, spaceAfter=2),
    "subtitle": ParagraphStyle(
        "subtitle",
        fontName=BOLD,
        fontSize=11.5,
        leading=14,
        textColor=colors.HexColor("#333333"),
        spaceAfter=6,
    ),
    "h2": ParagraphStyle(
        "h2",
        fontName=BOLD,
        fontSize=11.5,
        leading=14,
        textColor=INK,
        spaceBefore=10,
        spaceAfter=4,
    ),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=9, leading=11.5, textColor=INK, spaceAfter=3),
    "small": ParagraphStyle("small", fontName=FONT, fontSize=7.5, leading=9.5, textColor=GREY, spaceAfter=2),
}
CELL_STYLES = {
    "cell": CellStyle(FONT, 7.5, 9, INK),
    "cell_bold": CellStyle(BOLD, 7.5, 9, INK),
    "cell_num": CellStyle(FONT, 7.5, 9, INK, right=True),
    "cell_num_bold": CellStyle(BOLD, 7.5, 9, INK, right=True),
    "cell_num_small": CellStyle(FONT, 6.5, 8, INK, right=True),
    "cell_num_small_bold": CellStyle(BOLD, 6.5, 8, INK, right=True),
    "head": CellStyle(BOLD, 7, 8.5, INK),
    "head_num": CellStyle(BOLD, 7, 8.5, INK, right=True),
    "figure_label": CellStyle(FONT, 7.5, 9, GREY),
}
CELL_PADDING = 3  # left and right of a data table's cell
META_FONT, META_SIZE = FONT, 6.5  # the smaller grey lines under a cell's value
TABLE_FONT = ("FONT", (0, 0), (-1, -1), FONT)
"""Every table's own font: no text is drawn in it (each cell is a TextCell), but a table sets it
before its cells, and reportlab's default, Helvetica, would be named in the PDF."""


def esc(text: object) -> str:
    """Text from a contract or an extract, safe inside reportlab paragraph markup."""
    return html.escape(str(text), quote=False)


def para(text: object, style: str = "body", *, markup: str | None = None) -> Paragraph:
    """A paragraph of plain text (escaped); `markup` is trusted markup used instead when given."""
    return Paragraph(markup if markup is not None else esc(text), STYLES[style])


def cell(text: object, meta: Sequence[object] = (), *, style: str = "cell") -> TextCell:
    """A table cell: text (drawn as it is, no markup) with optional smaller grey lines under it.

    A fraction ("(40938 / 59995)") or a rate ("per 1,000") is never broken across lines: a reader
    would take its halves for two figures (`pdf_cells.unbreakable_figures`)."""
    chosen = CELL_STYLES[style]
    lines = [(unbreakable_figures(str(text)), chosen.font, chosen.size, chosen.colour)]
    lines += [(unbreakable_figures(str(item)), META_FONT, META_SIZE, GREY) for item in meta if item]
    return TextCell(lines, chosen.leading, chosen.right)


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    *,
    numeric: Sequence[int] = (),
    small_numbers: bool = False,
    total_rows: int = 0,
    highlight: Sequence[int] = (),
    rules: Sequence[int] = (),
) -> Table:
    """A table that repeats its header on every page and splits only between rows.

    `total_rows`: the last rows, set off by a rule; `rules`: body rows (from 0) with a rule above;
    `highlight`: body rows shaded (not scorable).
    """
    head = [cell(text, style="head_num" if i in numeric else "head") for i, text in enumerate(header)]
    number_style = "cell_num_small" if small_numbers else "cell_num"
    body = [
        [
            value
            if isinstance(value, Flowable)
            else cell(value, style=number_style if i in numeric else "cell")
            for i, value in enumerate(row)
        ]
        for row in rows
    ]
    table = Table([head, *body], colWidths=sized_to_headers(header, widths), repeatRows=1, hAlign="LEFT")
    style: list[tuple[Any, ...]] = [
        TABLE_FONT,
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 1, GREY),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if total_rows:
        style.append(("LINEABOVE", (0, -total_rows), (-1, -total_rows), 1, INK))
        if len(rows) > total_rows:  # the totals never start a page alone, under a repeated header
            style.append(("NOSPLIT", (0, -total_rows - 1), (-1, -1)))
    for index in rules:
        style.append(("LINEABOVE", (0, index + 1), (-1, index + 1), 1, INK))
    for index in highlight:
        style.append(("BACKGROUND", (0, index + 1), (-1, index + 1), colors.HexColor("#fdf2f2")))
    table.setStyle(TableStyle(style))
    return table


def sized_to_headers(header: Sequence[str], widths: Sequence[float]) -> list[float]:
    """`widths` with every column at least as wide as the longest word of its header (plus the
    cell padding), the room taken from the column with most to spare, so that a header wraps
    between its words only ("Redistributed" was cut into "Redistribu" / "ted"). The table keeps
    its width; a column is left as it is if no other has the room to give."""
    sized = [float(width) for width in widths]
    needs = [_header_need(text) for text in header]
    for index, need in enumerate(needs):
        short = need - sized[index]
        if short <= 0:
            continue
        spare = [width - need for width, need in zip(sized, needs, strict=True)]
        giver = max((other for other in range(len(sized)) if other != index), key=lambda other: spare[other])
        if spare[giver] >= short:
            sized[giver] -= short
            sized[index] += short
    return sized


def _header_need(text: str) -> float:
    """The width of a header's longest word in the header font, with the cell's padding."""
    head = CELL_STYLES["head"]
    longest = max((stringWidth(word, head.font, head.size) for word in words_of(text)), default=0.0)
    return longest + 2 * CELL_PADDING


def status_badge(status: str, label: str) -> Table:
    text, fill, border = STATUS_COLOURS.get(status, (INK, colors.white, INK))
    width = stringWidth(label.upper(), BOLD, 9) + 14
    badge = Table([[TextCell([(label.upper(), BOLD, 9, text)], 11)]], colWidths=[width], hAlign="LEFT")
    badge.setStyle(
        TableStyle(
            [TABLE_FONT, ("BOX", (0, 0), (-1, -1), 1.5, border), ("BACKGROUND", (0, 0), (-1, -1), fill)]
        )
    )
    return badge


def facts_table(facts: Sequence[tuple[str, str]]) -> Table:
    rows = [[cell(name, style="cell_bold"), cell(value)] for name, value in facts]
    table = Table(rows, colWidths=[32 * mm, CONTENT_WIDTH - 32 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                TABLE_FONT,
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def headline(figures: Sequence[tuple[str, str]]) -> Table:
    """Key figures in boxes across the page: (amount, what it is)."""
    size = 12.0 if len(figures) <= 4 else 10.5 if len(figures) == 5 else 9.0
    cells = [
        [TextCell([(amount, BOLD, size, INK)], size + 2), cell(label, style="figure_label")]
        for amount, label in figures
    ]
    width = CONTENT_WIDTH / max(len(cells), 1)
    table = Table([cells], colWidths=[width] * len(cells), hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [("BOX", (i, 0), (i, 0), 0.5, RULE) for i in range(len(cells))]
            + [TABLE_FONT, ("VALIGN", (0, 0), (-1, -1), "TOP")]
        )
    )
    return table


class _NumberedCanvas(Canvas):
    """Keeps each page until the end, then stamps the footer with "Page N of M" on all of them."""

    def __init__(self, *args: Any, footer: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, total)
            super().showPage()
        self._refuse_unprintable()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN, 12 * mm, PAGE_WIDTH - MARGIN, 12 * mm)
        page = f"Page {number} of {total}"
        room = CONTENT_WIDTH - stringWidth(page, FONT, 7) - 12
        size = max(5.5, min(7.0, 7.0 * room / max(stringWidth(self._footer, FONT, 7), 1)))
        footer = self._footer
        while footer and stringWidth(footer, FONT, size) > room:
            footer = footer[:-2] + "\u2026"
        self.setFillColor(GREY)
        self.setFont(FONT, size)
        self.drawString(MARGIN, 8.5 * mm, footer)
        self.setFont(FONT, 7)
        self.drawRightString(PAGE_WIDTH - MARGIN, 8.5 * mm, page)
        self.restoreState()

    def _refuse_unprintable(self) -> None:
        """Before a byte is written: stop if any text drawn has characters the font cannot show."""
        texts = unprintable_texts(self._doc)
        if texts:
            raise _Unprintable(texts)


class _Unprintable(Exception):
    """Raised by the canvas with the texts it could not show; `build_pdf` names the document."""

    def __init__(self, texts: list[str]) -> None:
        super().__init__(texts)
        self.texts = texts


def build_pdf(
    path: Path, story: list[Flowable], *, title: str, subject: str, author: str, footer: str
) -> None:
    """Lay out `story` on A4 pages and write it to `path`, the same bytes for the same story."""
    frame = Frame(
        MARGIN,
        BOTTOM_MARGIN,
        CONTENT_WIDTH,
        PAGE_HEIGHT - MARGIN - BOTTOM_MARGIN,
        leftPadding=0,
        rightPadding=0,
        topPadding=FRAME_PADDING,
        bottomPadding=FRAME_PADDING,
        id="content",
    )
    document = BaseDocTemplate(
        str(path),
        pagesize=A4,
        pageTemplates=[PageTemplate(id="page", frames=[frame])],
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=title,
        subject=subject,
        author=author,
        creator="obc-settle",
        invariant=1,
        pageCompression=1,
        lang="en-GB",
        initialFontName=FONT,  # the canvas's first font: its default, Helvetica, would be named in the PDF
    )
    try:
        document.build(
            kept_with_their_start(story), canvasmaker=functools.partial(_NumberedCanvas, footer=footer)
        )
    except _Unprintable as refused:
        raise unprintable_error(path, refused.texts) from None
