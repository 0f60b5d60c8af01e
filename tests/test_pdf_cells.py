"""PDF table cells (`pdf_cells.TextCell`) break and stack lines exactly as the Paragraphs they replaced.

The statements used to build each table cell as a reportlab Paragraph (escaped text, the smaller
grey lines after <br/>); `TextCell` is the fast replacement and must not move a word: for many
seeded random cells (long words, narrow columns, markup characters, empty lines) its lines and
height are compared with a Paragraph's. No poppler needed.
"""

from __future__ import annotations

import html
import random

import pytest
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from obc_settle.render.pdf_base import CELL_STYLES, cell
from obc_settle.render.pdf_cells import TextCell, unbreakable_figures

ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,£%/()-<>&;·'    "
META = '<font name="Helvetica" size="6.5" color="#555555">{}</font>'
pytestmark = pytest.mark.pdf


def random_text(rng: random.Random, most_words: int) -> str:
    return " ".join(
        "".join(rng.choice(ALPHABET) for _ in range(rng.choice([1, 3, 6, 10, 25])))
        for _ in range(rng.randint(0, most_words))
    )


def paragraph_lines(paragraph: Paragraph) -> list[str]:
    lines = paragraph.blPara.lines
    if paragraph.blPara.kind == 0:
        return [" ".join(words) for _, words in lines]
    return ["".join(getattr(frag, "text", "") for frag in line.words).strip(" ") for line in lines]


@pytest.mark.parametrize("seed", range(4))
def test_text_cells_break_lines_as_paragraphs_did(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(400):
        font = rng.choice(["Helvetica", "Helvetica-Bold"])
        size, width = rng.choice([6.5, 7, 7.5, 9]), rng.choice([20, 28, 45, 70, 150]) + rng.random()
        text, meta = random_text(rng, 10), [random_text(rng, 5) for _ in range(rng.choice([0, 0, 1, 2]))]
        style = ParagraphStyle(
            "cell", fontName=font, fontSize=size, leading=size + 1.5, alignment=rng.choice([0, TA_RIGHT])
        )
        paragraph = Paragraph(
            "<br/>".join(
                [html.escape(text, quote=False)] + [META.format(html.escape(m, quote=False)) for m in meta]
            ),
            style,
        )
        _, expected_height = paragraph.wrap(width, 1000)
        text_cell = TextCell(
            [(text, font, size, colors.black)] + [(m, "Helvetica", 6.5, colors.grey) for m in meta],
            size + 1.5,
        )
        _, height = text_cell.wrap(width, 1000)
        drawn = [row[0] for row in text_cell._rows]
        assert (drawn, height) == (paragraph_lines(paragraph), expected_height), (text, meta, width)


def test_a_cell_draws_contract_text_literally_right_aligned_in_its_column() -> None:
    text_cell = cell("A & B <b>Trust</b>", ["x <i>&amp;</i>"], style="cell_num")
    width, height = text_cell.wrap(200, 1000)
    assert (width, height) == (200, 2 * CELL_STYLES["cell_num"].leading)
    canvas = Canvas("unused.pdf", pageCompression=0)
    text_cell.drawOn(canvas, 0, 0)
    stream = canvas.getpdfdata()
    assert b"(A & B <b>Trust</b>) Tj" in stream and b"(x <i>&amp;</i>) Tj" in stream


@pytest.mark.parametrize("amount", ["£4,741,054.57", "-£662,587.00", "£999,999,999.99", "41.1022%"])
def test_a_number_too_wide_for_its_column_is_set_smaller_never_cut(amount: str) -> None:
    """The commissioner's PDF once broke '£4,741,054.57' into '£4,741,054.5' over '7'."""
    narrow = TextCell([(amount, "Helvetica", 8.0, colors.black)], leading=10, right=True)
    width, height = narrow.wrap(30, 100)
    rows = narrow._rows
    assert height == 10 and len(rows) == 1  # one line: the whole number
    text, text_width, _, size, _ = rows[0]
    assert text == amount
    assert size < 8.0 and (text_width <= width or size == 4.0)
    words = TextCell([("Emergency admissions per 1,000", "Helvetica", 8.0, colors.black)], leading=10)
    assert words.wrap(30, 100)[1] > 10  # words still wrap onto more lines


def test_a_fraction_is_never_broken_but_set_smaller_on_its_own_row() -> None:
    """Scores once wrapped as "(40938 /" over "59995)": only the fraction's row shrinks."""
    score = cell("68.2357% (40938 / 59995)", style="cell_num")
    score.wrap(40, 1000)
    rows = [(text, size) for text, _, _, size, _ in score._rows]
    assert rows[0] == ("68.2357%", CELL_STYLES["cell_num"].size)
    assert (
        len(rows) == 2 and rows[1][0] == "(40938\xa0/\xa059995)" and rows[1][1] < CELL_STYLES["cell_num"].size
    )
    rate = cell("292.94 per 1,000", style="cell_num")
    rate.wrap(40, 1000)
    assert [row[0] for row in rate._rows] == ["292.94", "per\xa01,000"]


def test_fractions_and_rates_are_glued_but_other_slashes_and_words_are_not() -> None:
    assert unbreakable_figures("(553997297079469 / 847628126436000) from the") == (
        "(553997297079469\xa0/\xa0847628126436000) from the"
    )
    assert (
        unbreakable_figures("7,030 / 23,998 and £1.00 / £2.00")
        == "7,030\xa0/\xa023,998 and £1.00\xa0/\xa0£2.00"
    )
    assert unbreakable_figures("either / or, paid per quarter") == "either / or, paid per quarter"
