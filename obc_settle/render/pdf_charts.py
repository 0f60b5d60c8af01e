"""The chart models of `charts` drawn with reportlab.graphics, for the PDF documents.

Each chart is a list of flowables, one small drawing per row (plus a legend), so that a chart
with many indicators flows across pages instead of overflowing one. Layout: a label column on
the left, the bar in the middle, the figures on the right, as in the HTML documents.

The rows are `Sketch`es, not reportlab.graphics Drawings: they hold only filled rectangles, lines
and strings, which a Sketch draws straight on the canvas, so the page looks the same. A Drawing
validates every attribute of every shape when made and walks a tree of graphic states to draw
it: once the table cells were fast, that was about half of the time spent on a statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from obc_settle.render.charts import COLOURS, AchievementRow, ShareRow, Waterfall
from obc_settle.render.pdf_base import BOLD, CONTENT_WIDTH, FONT, GREY, INK, RULE

LABEL_WIDTH = 150.0
VALUE_WIDTH = 130.0
GAP = 6.0


class Sketch(Flowable):
    """A fixed-size drawing of filled rectangles, lines and strings, drawn in the order added."""

    def __init__(self, width: float, height: float) -> None:
        super().__init__()
        self.width, self.height = width, height
        self._shapes: list[tuple[Any, ...]] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def rect(self, x: float, y: float, width: float, height: float, colour: colors.Color) -> None:
        self._shapes.append(("rect", x, y, width, height, colour))

    def line(self, x1: float, y1: float, x2: float, y2: float, colour: colors.Color, width: float) -> None:
        self._shapes.append(("line", x1, y1, x2, y2, colour, width))

    def text(
        self,
        x: float,
        y: float,
        text: str,
        font: str,
        size: float,
        colour: colors.Color,
        *,
        end: bool = False,
    ) -> None:
        """`text` from `x` (or ending at `x`), its baseline at `y`."""
        self._shapes.append(("text", x, y, text, font, size, colour, end))

    def draw(self) -> None:
        canvas = self.canv
        for kind, *shape in self._shapes:
            if kind == "rect":
                x, y, width, height, colour = shape
                canvas.setFillColor(colour)
                canvas.rect(x, y, width, height, stroke=0, fill=1)
            elif kind == "line":
                x1, y1, x2, y2, colour, width = shape
                canvas.setStrokeColor(colour)
                canvas.setLineWidth(width)
                canvas.line(x1, y1, x2, y2)
            else:
                x, y, text, font, size, colour, end = shape
                canvas.setFillColor(colour)
                canvas.setFont(font, size)
                (canvas.drawRightString if end else canvas.drawString)(x, y, text)


def _colour(name: str) -> colors.Color:
    return colors.HexColor(COLOURS[name])


def _bar_area(width: float) -> tuple[float, float]:
    left = LABEL_WIDTH + GAP
    return left, width - VALUE_WIDTH - GAP - left


def _fit(text: str, font: str, size: float, width: float) -> str:
    """One line of at most `width` points, cut with an ellipsis if needed."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "...", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "..."


def _label_lines(text: str, size: float, width: float, most: int) -> list[str]:
    lines = simpleSplit(text, FONT, size, width)
    if len(lines) > most:
        lines = [*lines[: most - 1], _fit(" ".join(lines[most - 1 :]), FONT, size, width)]
    return lines


def waterfall_flowables(chart: Waterfall, width: float = CONTENT_WIDTH) -> list[Flowable]:
    left, span = _bar_area(width)
    row_height = 15.0
    drawing = Sketch(width, row_height * len(chart.bars) + 14)
    top = drawing.height
    for index, bar in enumerate(chart.bars):
        y = top - (index + 1) * row_height
        drawing.text(0, y + 4, _fit(bar.label, FONT, 8, LABEL_WIDTH), FONT, 8, INK)
        drawing.line(left, y + 7.5, left + span, y + 7.5, RULE, 0.3)
        bar_width = max((bar.end - bar.start) * span, 1.0)
        drawing.rect(left + bar.start * span, y + 2, bar_width, row_height - 4, _colour(bar.kind))
        drawing.text(width - VALUE_WIDTH, y + 4, bar.amount, BOLD if bar.kind == "total" else FONT, 8, INK)
    note = f"Axis from {chart.axis_low} to {chart.axis_high}" + (
        " (does not start at zero)." if chart.axis_broken else "."
    )
    drawing.text(left, 2, note, FONT, 6.5, GREY)
    return [drawing]


def _legend(items: Sequence[tuple[str, str, str]], width: float) -> Sketch:
    """(colour name, shape `band`/`bar`/`mark`, text) in one line."""
    drawing = Sketch(width, 14)
    x = 0.0
    for colour, shape, text in items:
        if shape == "band":
            drawing.rect(x, 3, 14, 8, _colour(colour))
        elif shape == "bar":
            drawing.rect(x, 5, 14, 4, _colour(colour))
        else:
            drawing.rect(x + 5, 2, 2.5, 10, _colour(colour))
        drawing.text(x + 17, 4, text, FONT, 7, INK)
        x += 17 + stringWidth(text, FONT, 7) + 12
    return drawing


def achievement_flowables(rows: Sequence[AchievementRow], width: float = CONTENT_WIDTH) -> list[Flowable]:
    left, span = _bar_area(width)
    legend = _legend(
        [
            ("below", "band", "below threshold"),
            ("partial", "band", "between threshold and target"),
            ("met", "band", "target met"),
            ("bar", "bar", "achieved"),
            ("threshold", "mark", "threshold"),
            ("target", "mark", "target"),
        ],
        width,
    )
    flowables: list[Flowable] = [legend]
    for row in rows:
        label = _label_lines(row.label, 7.5, LABEL_WIDTH, 3)
        height = max(42.0, 9.0 * len(label) + 18)
        drawing = Sketch(width, height)
        drawing.line(0, height - 0.5, width, height - 0.5, RULE, 0.3)
        for index, line in enumerate(label):
            drawing.text(0, height - 10 - index * 9, line, FONT, 7.5, INK)
        direction = "Lower is better" if row.direction == "lower_is_better" else "Higher is better"
        drawing.text(0, height - 12 - len(label) * 9, direction, FONT, 6, GREY)
        band_y, band_h = height - 26, 16.0
        for band in row.bands:
            drawing.rect(
                left + band.start * span, band_y, (band.end - band.start) * span, band_h, _colour(band.kind)
            )
        if row.bar_start is not None and row.bar_end is not None:
            bar_width = max((row.bar_end - row.bar_start) * span, 1.0)
            drawing.rect(left + row.bar_start * span, band_y + 5, bar_width, 6, _colour("bar"))
        for at, colour in ((row.threshold_at, "threshold"), (row.target_at, "target")):
            drawing.rect(left + at * span - 1.2, band_y - 1, 2.4, band_h + 2, _colour(colour))
        drawing.text(left, band_y - 8, row.axis_low, FONT, 5.5, GREY)
        drawing.text(left + span, band_y - 8, row.axis_high, FONT, 5.5, GREY, end=True)
        x = width - VALUE_WIDTH
        lines = [
            (row.achieved, BOLD, 8.0, INK),
            (row.state_text, FONT, 6.5, GREY),
            (f"threshold {row.threshold}", FONT, 6.5, GREY),
            (f"target {row.target}", FONT, 6.5, GREY),
        ]
        for index, (text, font, size, colour) in enumerate(lines):
            y = height - 10 - (index and 9 + (index - 1) * 8)
            drawing.text(x, y, _fit(text, font, size, VALUE_WIDTH), font, size, colour)
        flowables.append(drawing)
    return flowables


def share_flowables(rows: Sequence[ShareRow], width: float = CONTENT_WIDTH) -> list[Flowable]:
    left, span = _bar_area(width)
    flowables: list[Flowable] = [
        _legend([("withheld", "band", "withheld"), ("earned", "bar", "earned")], width)
    ]
    for row in rows:
        drawing = Sketch(width, 22)
        label = _label_lines(row.label, 7.5, LABEL_WIDTH, 2)
        for index, line in enumerate(label):
            drawing.text(0, 8 + 4.5 * (len(label) - 1) - index * 9, line, FONT, 7.5, INK)
        drawing.rect(left, 3, row.withheld_end * span, 15, _colour("withheld"))
        drawing.rect(left, 7.5, row.earned_end * span, 6, _colour("earned"))
        for index, line in enumerate(_label_lines(row.text, 6.5, VALUE_WIDTH, 2)):
            drawing.text(width - VALUE_WIDTH, 12 - index * 8, line, FONT, 6.5, INK)
        flowables.append(drawing)
    return flowables
