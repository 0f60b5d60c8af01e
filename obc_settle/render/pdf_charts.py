"""The chart models of `charts` drawn with reportlab.graphics, for the PDF documents.

Each chart is a list of flowables, one small drawing per row (plus a legend), so that a chart
with many indicators flows across pages instead of overflowing one. Layout: a label column on
the left, the bar in the middle, the figures on the right, as in the HTML documents.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from obc_settle.render.charts import COLOURS, AchievementRow, ShareRow, Waterfall
from obc_settle.render.pdf_base import BOLD, CONTENT_WIDTH, FONT, GREY, INK, RULE

LABEL_WIDTH = 150.0
VALUE_WIDTH = 130.0
GAP = 6.0


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
        lines = lines[: most - 1] + [_fit(" ".join(lines[most - 1 :]), FONT, size, width)]
    return lines


def waterfall_flowables(chart: Waterfall, width: float = CONTENT_WIDTH) -> list[Flowable]:
    left, span = _bar_area(width)
    row_height = 15.0
    drawing = Drawing(width, row_height * len(chart.bars) + 14)
    top = drawing.height
    for index, bar in enumerate(chart.bars):
        y = top - (index + 1) * row_height
        drawing.add(String(0, y + 4, _fit(bar.label, FONT, 8, LABEL_WIDTH), fontName=FONT, fontSize=8, fillColor=INK))
        drawing.add(Line(left, y + 7.5, left + span, y + 7.5, strokeColor=RULE, strokeWidth=0.3))
        bar_width = max((bar.end - bar.start) * span, 1.0)
        drawing.add(Rect(left + bar.start * span, y + 2, bar_width, row_height - 4, fillColor=_colour(bar.kind), strokeColor=None))
        drawing.add(String(width - VALUE_WIDTH, y + 4, bar.amount, fontName=BOLD if bar.kind == "total" else FONT, fontSize=8, fillColor=INK))
    note = f"Axis from {chart.axis_low} to {chart.axis_high}" + (" (does not start at zero)." if chart.axis_broken else ".")
    drawing.add(String(left, 2, note, fontName=FONT, fontSize=6.5, fillColor=GREY))
    return [drawing]


def _legend(items: Sequence[tuple[str, str, str]], width: float) -> Drawing:
    """(colour name, shape `band`/`bar`/`mark`, text) in one line."""
    drawing = Drawing(width, 14)
    x = 0.0
    for colour, shape, text in items:
        if shape == "band":
            drawing.add(Rect(x, 3, 14, 8, fillColor=_colour(colour), strokeColor=None))
        elif shape == "bar":
            drawing.add(Rect(x, 5, 14, 4, fillColor=_colour(colour), strokeColor=None))
        else:
            drawing.add(Rect(x + 5, 2, 2.5, 10, fillColor=_colour(colour), strokeColor=None))
        drawing.add(String(x + 17, 4, text, fontName=FONT, fontSize=7, fillColor=INK))
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
        drawing = Drawing(width, height)
        drawing.add(Line(0, height - 0.5, width, height - 0.5, strokeColor=RULE, strokeWidth=0.3))
        for index, line in enumerate(label):
            drawing.add(String(0, height - 10 - index * 9, line, fontName=FONT, fontSize=7.5, fillColor=INK))
        direction = "Lower is better" if row.direction == "lower_is_better" else "Higher is better"
        drawing.add(String(0, height - 12 - len(label) * 9, direction, fontName=FONT, fontSize=6, fillColor=GREY))
        band_y, band_h = height - 26, 16.0
        for band in row.bands:
            drawing.add(Rect(left + band.start * span, band_y, (band.end - band.start) * span, band_h, fillColor=_colour(band.kind), strokeColor=None))
        if row.bar_start is not None and row.bar_end is not None:
            bar_width = max((row.bar_end - row.bar_start) * span, 1.0)
            drawing.add(Rect(left + row.bar_start * span, band_y + 5, bar_width, 6, fillColor=_colour("bar"), strokeColor=None))
        for at, colour in ((row.threshold_at, "threshold"), (row.target_at, "target")):
            drawing.add(Rect(left + at * span - 1.2, band_y - 1, 2.4, band_h + 2, fillColor=_colour(colour), strokeColor=None))
        drawing.add(String(left, band_y - 8, row.axis_low, fontName=FONT, fontSize=5.5, fillColor=GREY))
        drawing.add(String(left + span, band_y - 8, row.axis_high, fontName=FONT, fontSize=5.5, fillColor=GREY, textAnchor="end"))
        x = width - VALUE_WIDTH
        lines = [(row.achieved, BOLD, 8.0, INK), (row.state_text, FONT, 6.5, GREY), (f"threshold {row.threshold}", FONT, 6.5, GREY), (f"target {row.target}", FONT, 6.5, GREY)]
        for index, (text, font, size, colour) in enumerate(lines):
            y = height - 10 - (index and 9 + (index - 1) * 8)
            drawing.add(String(x, y, _fit(text, font, size, VALUE_WIDTH), fontName=font, fontSize=size, fillColor=colour))
        flowables.append(drawing)
    return flowables


def share_flowables(rows: Sequence[ShareRow], width: float = CONTENT_WIDTH) -> list[Flowable]:
    left, span = _bar_area(width)
    flowables: list[Flowable] = [_legend([("withheld", "band", "withheld"), ("earned", "bar", "earned")], width)]
    for row in rows:
        drawing = Drawing(width, 22)
        label = _label_lines(row.label, 7.5, LABEL_WIDTH, 2)
        for index, line in enumerate(label):
            drawing.add(String(0, 8 + 4.5 * (len(label) - 1) - index * 9, line, fontName=FONT, fontSize=7.5, fillColor=INK))
        drawing.add(Rect(left, 3, row.withheld_end * span, 15, fillColor=_colour("withheld"), strokeColor=None))
        drawing.add(Rect(left, 7.5, row.earned_end * span, 6, fillColor=_colour("earned"), strokeColor=None))
        for index, line in enumerate(_label_lines(row.text, 6.5, VALUE_WIDTH, 2)):
            drawing.add(String(width - VALUE_WIDTH, 12 - index * 8, line, fontName=FONT, fontSize=6.5, fillColor=INK))
        flowables.append(drawing)
    return flowables
