"""Table cells drawn as plain text lines: the fast replacement for a reportlab Paragraph per cell.

A statement has hundreds of table cells and a run thousands. A `Paragraph` parses markup (with
html.parser) when made, breaks lines with its general machinery when wrapped, and draws through
a fragment engine; for a few words of one font that was most of the time spent on the PDFs.
`TextCell` holds lines of plain text, each in one font, size and colour (a cell's value, then the
smaller grey lines under it), wraps them with the same greedy rule as a Paragraph (words that do
not fit go to the next line, a word wider than the column is cut between characters, a line may
be 5% of a space per word too wide and then has its spaces squeezed) and draws them with one text
object. Figures are the exception: one is never broken (`unbreakable_figures` glues fractions and
rates, `cell` in pdf_base applies it) nor cut, but set on its own row in a smaller size that fits. So the cells look as they did: same line breaks, same baselines (the first at the top
less the font size, then one leading per line), right alignment by each line's width
(tests/test_pdf_cells.py compares the line breaks with Paragraphs').

Text is drawn as given: no markup is read, so "<b>" or "&" in contract text shows literally.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab import rl_config
from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

SHRINK = rl_config.spaceShrinkage  # how much of a space per word a line may overrun, as in Paragraph
_BREAKS = re.compile(r"[^\S\xa0]+")


@dataclass(frozen=True)
class CellStyle:
    """How the first line of a cell is set; `right` aligns every line to the right edge."""

    font: str
    size: float
    leading: float
    colour: Color
    right: bool = False


Line = tuple[str, str, float, Color]  # text, font name, size, colour


def _split_long(word: str, start: float, width: float, font: str, size: float) -> list[str]:
    """A word too wide for the column, cut between characters: the first piece fills what is left
    of the current line (from `start`), the others whole lines, the last piece what remains."""
    pieces, piece, used = [], "", start
    for char in word:
        char_width = stringWidth(char, font, size)
        if used + char_width > width and (piece or char_width <= width):
            pieces.append(piece)
            piece, used = "", 0.0
        piece += char
        used += char_width
    return [*pieces, piece]


def words_of(text: str) -> list[str]:
    """The words of `text`, split at white space but not at a no-break space, as in a Paragraph."""
    return text.split() if "\xa0" not in text else [word for word in _BREAKS.split(text) if word]


def wrap_text(text: str, font: str, size: float, width: float) -> list[tuple[str, float]]:
    """`text` broken into lines of at most `width` points: (line, its width), as a Paragraph breaks it."""
    words = words_of(text)
    whole = " ".join(words)
    whole_width = stringWidth(whole, font, size)
    if whole_width <= width:  # most cells: all on one line, no need to measure word by word
        return [(whole, whole_width)] if words else []
    space = stringWidth(" ", font, size)
    queue = [(word, False) for word in reversed(words)]
    lines: list[tuple[str, float]] = []
    line: list[str] = []
    used = -space
    while queue:
        word, piece = queue.pop()
        if piece and not word:  # a long word's first piece that is empty: it starts on the next line
            lines.append((" ".join(line), used))
            line, used = [], -space
            continue
        word_width = stringWidth(word, font, size)
        wider = used + space + word_width
        if wider > width + SHRINK * space * len(line):
            if not piece and word_width > width and not is_figure(word):
                queue += [
                    (part, True) for part in reversed(_split_long(word, used + space, width, font, size))
                ]
                continue
            if line:
                lines.append((" ".join(line), used))
                line, used = [word], word_width
                continue
        line.append(word)
        used = wider
    if line:
        lines.append((" ".join(line), used))
    return lines


_AMOUNT = r"[-\u2212+]?[£$€]?[\d,]+(\.\d+)?(%|k|m|bn)?"
_FIGURE = re.compile(rf"^[(\[]?(per\xa0)?{_AMOUNT}(\xa0/\xa0{_AMOUNT})?[)\]]?[.,;:]?$")
"""A word that is one figure: `£4,741,054.57`, `41.1%`, `(40938\xa0/\xa059995)`, `per\xa01,000`."""
_FRACTION = re.compile(r"(?<=[\d%)])[ \t]+/[ \t]+(?=[(\[]?[-\u2212]?[£$€]?\d)")
_RATE = re.compile(r"\bper[ \t]+(?=\d)")
SMALLEST = 4.0
"""The smallest size a figure is set in to fit its column (it is never cut between digits)."""


def unbreakable_figures(text: str) -> str:
    """`text` with no-break spaces inside its fractions and rates ("40938 / 59995", "per 1,000"),
    so that a line is never broken inside one: "(40938 /" over "59995)" reads as two figures."""
    if "/" in text:
        text = _FRACTION.sub("\xa0/\xa0", text)
    return _RATE.sub("per\xa0", text) if "per" in text else text


def is_figure(word: str) -> bool:
    """Whether `word` (no breakable space in it) is one figure, which is set smaller, never cut."""
    return bool(_FIGURE.match(word))


def _fitted(row: str, row_width: float, font: str, size: float, width: float) -> tuple[float, float]:
    """A wrapped row's size and width: a figure alone on a row and wider than the column
    (`£4,741,054.57` in a narrow column, wrap_text never cuts one) is set smaller to fit whole. A
    figure broken between its digits, `£4,741,054.5` over `7`, reads as two figures. Only that row
    shrinks: "68.2357%" stays at its size over a fitted "(40938 / 59995)"."""
    if row_width <= width or not is_figure(row):
        return size, row_width
    smaller = max(SMALLEST, int(size * width / row_width * 10) / 10)
    return smaller, stringWidth(row, font, smaller)


class TextCell(Flowable):
    """A table cell of plain text lines, each (text, font, size, colour), one `leading` apart.

    Its width is what the column offers; its height is the wrapped lines times the leading. It is
    never split: a table row is kept on one page anyway.
    """

    def __init__(self, lines: Sequence[Line], leading: float, right: bool = False) -> None:
        super().__init__()
        lines = list(lines)
        if lines and not words_of(lines[-1][0]):
            lines.pop()  # as a Paragraph drops an empty last line (other empty lines stay, blank)
        if len(lines) == 1 and not words_of(lines[0][0]):
            lines.pop()  # and has no line at all when it has no words
        self._lines = lines
        self._leading = leading
        self._right = right
        self._wrapped_at: float | None = None
        self._rows: list[tuple[str, float, str, float, Color]] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if availWidth != self._wrapped_at:
            self._rows = []
            for line, font, size, colour in self._lines:
                for text, text_width in wrap_text(line, font, size, availWidth) or [("", 0.0)]:
                    row_size, row_width = _fitted(text, text_width, font, size, availWidth)
                    self._rows.append((text, row_width, font, row_size, colour))
            self._wrapped_at = availWidth
        self.width, self.height = availWidth, len(self._rows) * self._leading
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        return []

    def draw(self) -> None:
        if not self._rows:
            return
        text = self.canv.beginText()
        current: tuple[str, float] | None = None
        colour: Color | None = None
        y = self.height - self._rows[0][3]
        for line, line_width, font, size, line_colour in self._rows:
            if line:
                if (font, size) != current:
                    text.setFont(font, size, self._leading)
                    current = (font, size)
                if line_colour is not colour:
                    text.setFillColor(line_colour)
                    colour = line_colour
                spaces = line.count(" ") + line.count("\xa0")
                if line_width > self.width + 1e-8 and spaces:  # a line a little too wide: squeeze its spaces
                    text.setTextOrigin(0, y)
                    text.setWordSpace((self.width - line_width) / spaces)
                    text.textLine(line)
                    text.setWordSpace(0)
                else:
                    text.setTextOrigin(self.width - line_width if self._right else 0, y)
                    text.textLine(line)
            y -= self._leading
        self.canv.drawText(text)
