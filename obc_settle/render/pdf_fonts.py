"""The font embedded in every PDF: DejaVu Sans Condensed, regular and bold, shipped in the package.

Why a font of our own: reportlab's standard Helvetica is not embedded and has only the WinAnsi
letters, so a Welsh provider's name (ŵ, ŷ), or a name in Greek or Cyrillic, came out as boxes or
was lost. DejaVu Sans (version 2.37, the Bitstream Vera licence: fonts/LICENSE) covers the Latin,
Greek and Cyrillic alphabets in full, with the punctuation and symbols the documents use. Its
condensed cut is set, not the normal one: its letters are as wide as Helvetica's (2 to 3% wider;
DejaVu Sans's are 13% wider), so the tables' columns, sized for Helvetica, still hold their
headings and figures. The two TrueType files live in `obc_settle/render/fonts/`, beside their
licence, and go into the wheel with the code: the PDFs never depend on the machine's fonts.

Embedded as subsets, byte for byte the same: reportlab embeds only the glyphs a document draws,
in subsets of up to 256 glyphs named `AAAAAA+DejaVuSansCondensed`, `BAAAAA+...` by their order,
with the characters numbered in the order they are first drawn. Both depend only on the
document's content, never on the clock, the process or what was rendered before (a font's
subsets are kept per document), so the same story gives the same bytes in any process.

Never a box: a character the font lacks (Chinese, Japanese, Korean, Thai, Devanagari, ...) would
be drawn as the font's empty box, and right-to-left text (Hebrew, Arabic) would be drawn in the
wrong order, since reportlab does not lay it out. `CheckedFont` notes every text with such
characters as it is drawn, and the document is refused before it is written (`UnprintableText`:
O002, exit status 5, naming the document, the text and each character), rather than sent with
boxes. The HTML and Excel documents have no such limit.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase.pdfmetrics import registerFont
from reportlab.pdfbase.ttfonts import TTFont

from obc_settle.errors import Diagnostic, ExitCode, Location, SettlementError

FONTS_FOLDER = Path(__file__).with_name("fonts")
FAMILY = "DejaVu Sans Condensed"
FONT, BOLD = "DejaVuSansCondensed", "DejaVuSansCondensed-Bold"
FILES = {FONT: "DejaVuSansCondensed.ttf", BOLD: "DejaVuSansCondensed-Bold.ttf"}
RIGHT_TO_LEFT = frozenset({"R", "AL"})  # Unicode bidirectional classes of Hebrew, Arabic, Syriac, ...
SHOWN_AT_MOST = 8  # texts named in a refusal; the rest are counted
_UNPRINTABLE: WeakKeyDictionary[Any, list[str]] = WeakKeyDictionary()
"""Per document being built: the texts drawn with characters the PDF cannot show, in order."""


class CheckedFont(TTFont):
    """A TrueType font that notes, per document, each text it is asked to draw with a character it
    cannot show, instead of drawing an empty box silently (see the module's docstring)."""

    def __init__(self, name: str, path: Path) -> None:
        super().__init__(name, str(path))
        self.shown: frozenset[str] = frozenset()  # set by `register`: what every PDF font can show

    def splitString(self, text: Any, doc: Any, encoding: str = "utf-8") -> Any:
        if isinstance(text, bytes):
            text = text.decode(encoding)
        if not self.shown.issuperset(text):
            _UNPRINTABLE.setdefault(doc, []).append(text)
        return super().splitString(text, doc, encoding)


def _shown(fonts: Sequence[CheckedFont]) -> frozenset[str]:
    """The characters every one of `fonts` has a glyph for, less right-to-left ones; a no-break
    space is drawn as a space. The same set for regular and bold, so that a name that can be set
    in one can be set in the other."""
    codes = set.intersection(*(set(font.face.charToGlyph) for font in fonts))
    shown = {chr(code) for code in codes if unicodedata.bidirectional(chr(code)) not in RIGHT_TO_LEFT}
    return frozenset(shown | {"\xa0"})


def register() -> dict[str, CheckedFont]:
    """Load the two fonts from the package and register them with reportlab, as a family, so that
    `<b>` in a paragraph of the regular font picks the bold one."""
    fonts = {name: CheckedFont(name, FONTS_FOLDER / file) for name, file in FILES.items()}
    shown = _shown(list(fonts.values()))
    for font in fonts.values():
        font.shown = shown
        registerFont(font)
    for bold, italic in ((0, 0), (1, 0), (0, 1), (1, 1)):  # no italic is used: it maps to upright
        addMapping(FONT, bold, italic, BOLD if bold else FONT)
    return fonts


FONTS = register()


def unprintable_texts(doc: Any) -> list[str]:
    """The texts drawn in the document `doc` that have characters the PDF cannot show, each once,
    in the order first drawn."""
    return list(dict.fromkeys(_UNPRINTABLE.pop(doc, [])))


def _why(chars: list[str]) -> str:
    if all(unicodedata.bidirectional(char) in RIGHT_TO_LEFT for char in chars):
        return "right-to-left letters, which the PDF cannot lay out"
    return f"its font, {FAMILY}, has no such letters"


class UnprintableText(SettlementError):
    """A PDF refused because text in it has characters its font cannot show (exit status 5).

    Pickles by its findings, so that a worker process's refusal is raised in the main process."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(ExitCode.OUTPUT_ERROR, diagnostics)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.diagnostics,))


def unprintable_error(path: Path, texts: Sequence[str]) -> UnprintableText:
    """One O002 finding per text (at most `SHOWN_AT_MOST`), located at the document (its folder and
    name within the run folder), naming the text and each character it cannot show."""
    where = Location(f"{path.parent.name}/{path.name}")
    shown = FONTS[FONT].shown
    findings = []
    for text in texts[:SHOWN_AT_MOST]:
        chars = [char for char in dict.fromkeys(text) if char not in shown]
        listed = ", ".join(f"{char} (U+{ord(char):04X})" for char in chars)
        findings.append(
            Diagnostic(
                "O002",
                f'the PDF cannot show {listed} in "{text}": {_why(chars)}; no PDF is written rather than '
                "one with boxes (write it in letters the font has, or leave PDF out with --format html,xlsx)",
                where,
            )
        )
    if len(texts) > SHOWN_AT_MOST:
        findings.append(
            Diagnostic("O002", f"and {len(texts) - SHOWN_AT_MOST} more texts the PDF cannot show", where)
        )
    return UnprintableText(findings)
