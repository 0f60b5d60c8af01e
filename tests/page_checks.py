"""Checks of documents as rendered pages, shared by tests/test_rendered_pages.py (the trial-shaped
sample contracts) and tests/test_document_limits.py (documents at the limits).

What a reader would notice, asked in ways that do not depend on the fonts of the machine (no pixel
comparison with golden images): a PDF page without ink, a last page holding only the colophon, a
money figure broken across lines or run into its neighbour, a word outside the printable box; in
a browser, an element running off the right edge of the window; a chart whose bars say something
other than the figures printed beside them.

PDFs are read with poppler (`pdftoppm`, `pdftotext -bbox-layout`); HTML pages are opened in
Debian's headless `chromium`, with a copy of the page carrying a small script that lists every
element wider than the window, read back through `--dump-dom` (no remote debugging protocol).
"""

from __future__ import annotations

import html
import itertools
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
POPPLER = all(shutil.which(tool) for tool in ("pdftoppm", "pdftotext", "pdfinfo"))
NEEDS_POPPLER = pytest.mark.skipif(
    not POPPLER,
    reason="needs poppler-utils for PDF page images and text (.ci/run installs it: apt-get install poppler-utils)",
)
NEEDS_CHROMIUM = pytest.mark.skipif(
    CHROMIUM is None,
    reason="needs Debian's chromium for the headless browser test (.ci/run installs it: apt-get install chromium)",
)

# A whole money figure as the documents print it: £1,234.56, signed or in brackets, perhaps
# followed by punctuation; an exact part before rounding has all its decimals (£46,910.5735). A
# figure cut by a line break ("£1,234," / "567.89") or run into the next column ("£0.00£12.00")
# is not one.
MONEY = re.compile(r"^[(\[]?[-+−]?£(0|[1-9]\d{0,2}(,\d{3})*)\.\d{2,}…?[)\].,;:]*$")
# The tail of a money figure left on its own: digits in thousands with pence, no pound sign,
# at the start of a line (the head "£12," ended the line before).
MONEY_TAIL = re.compile(r"^\d{3}(,\d{3})*\.\d\d\b")
# The printable box: across, the documents' own margin, 16 mm from each side (`pdf_base.MARGIN`),
# where the footer's rule ends: every table, chart and box is drawn inside it (they once ran 3 pt
# past it, drawn as wide as the frame but from inside its padding). Down, 5 mm from the top and
# the foot, the edge an office printer leaves unprinted: the footer sits at 8.5 mm from the foot.
MARGIN = 16 * 72 / 25.4
PRINTABLE_EDGE = 5 * 72 / 25.4
FOOTER_ZONE = 18 * 72 / 25.4  # below this from the foot of a page: the footer only
HEADING_SIZE = 11.5  # `pdf_base.STYLES["h2"]`: a line of words this tall is a section heading
KEPT_LINES = 3  # lines of its section a heading must have under it before its page ends


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    lines: tuple[tuple[Word, ...], ...]

    @property
    def words(self) -> list[Word]:
        return [word for line in self.lines for word in line]

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)


def pdf_pages(path: Path) -> list[Page]:
    """Every page of the PDF with its lines of words and their boxes (`pdftotext -bbox-layout`)."""
    output = subprocess.run(
        ["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    namespace = {"x": "http://www.w3.org/1999/xhtml"}
    root = ET.fromstring(output)
    pages = []
    for number, page in enumerate(root.iterfind(".//x:page", namespace), start=1):
        lines = tuple(
            tuple(
                Word(
                    html.unescape(word.text or ""),
                    float(word.get("xMin", 0)),
                    float(word.get("yMin", 0)),
                    float(word.get("xMax", 0)),
                    float(word.get("yMax", 0)),
                )
                for word in line.iterfind("x:word", namespace)
            )
            for line in page.iterfind(".//x:line", namespace)
        )
        pages.append(Page(number, float(page.get("width", 0)), float(page.get("height", 0)), lines))
    return pages


def broken_money(pages: list[Page]) -> list[str]:
    """Money figures that are not whole on the page: each with its page, for the failure message."""
    found = []
    for page in pages:
        for index, line in enumerate(page.lines):
            for word in line:
                if "£" in word.text and not MONEY.match(word.text):
                    found.append(f"page {page.number}: {word.text!r}")
            if index and line and MONEY_TAIL.match(line[0].text):
                before = page.lines[index - 1]
                if before and before[-1].text.endswith(","):
                    found.append(f"page {page.number}: {before[-1].text!r} / {line[0].text!r}")
    return found


def money_on(pages: list[Page]) -> list[str]:
    return [word.text for page in pages for word in page.words if "£" in word.text]


def outside_the_printable_box(pages: list[Page]) -> list[str]:
    """Words outside the printable box of their page (see MARGIN and PRINTABLE_EDGE)."""
    found = []
    for page in pages:
        for word in page.words:
            if (
                word.x_min < MARGIN - 0.01
                or word.x_max > page.width - MARGIN + 0.01
                or word.y_min < PRINTABLE_EDGE
                or word.y_max > page.height - PRINTABLE_EDGE
            ):
                found.append(f"page {page.number}: {word.text!r} at x {word.x_min:.1f} to {word.x_max:.1f}")
    return found


def _body(page: Page) -> list[tuple[Word, ...]]:
    """The page's lines above its footer."""
    return [line for line in page.lines if line and line[0].y_min < page.height - FOOTER_ZONE]


def _is_heading(line: tuple[Word, ...]) -> bool:
    return abs(line[0].y_max - line[0].y_min - HEADING_SIZE) < 0.3


def left_at_the_foot(pages: list[Page]) -> list[str]:
    """Headings and intros left at the foot of a page with what they introduce on the next: a
    heading with fewer than KEPT_LINES lines under it when the next page does not start a section
    of its own, or a page's last line ending with a colon ("Each provider's share ...:")."""
    found = []
    for page, following in itertools.pairwise(pages):
        body, next_body = _body(page), _body(following)
        continues = bool(next_body) and not _is_heading(next_body[0])
        headings = [index for index, line in enumerate(body) if _is_heading(line)]
        if headings and continues and len(body) - headings[-1] - 1 < KEPT_LINES:
            found.append(f"page {page.number}: heading {' '.join(w.text for w in body[headings[-1]])!r}")
        if body and continues and body[-1][-1].text.endswith(":"):
            found.append(f"page {page.number}: intro {' '.join(w.text for w in body[-1])!r}")
    return found


def broken_figures(pages: list[Page]) -> list[str]:
    """Fractions and rates broken across lines: a line ending or starting with "/" ("(40938 /"
    over "59995)"), or ending with "per" before a line starting with a number ("292.94 per" over
    "1,000")."""
    found = []
    for page in pages:
        lines = [line for line in page.lines if line]
        for line, after in zip(lines, [*lines[1:], ()], strict=True):
            if line[-1].text == "/" or line[0].text.startswith("/"):
                found.append(f"page {page.number}: {' '.join(w.text for w in line)!r}")
            elif line[-1].text == "per" and after and after[0].text[:1].isdigit():
                found.append(f"page {page.number}: {line[-1].text!r} / {after[0].text!r}")
    return found


def colophon_alone(pages: list[Page], contract_id: str) -> bool:
    """Whether the last page holds nothing but the colophon (and the footer)."""
    last = pages[-1].text
    marker = f"Contract {contract_id}, version"
    return marker in last and not last[: last.index(marker)].strip()


def page_images(path: Path, folder: Path, resolution: int = 40) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", str(resolution), "-png", str(path), str(folder / path.stem)], check=True
    )
    return sorted(folder.glob(f"{path.stem}-*.png"))


def ink(image: Image.Image, box: tuple[int, int, int, int] | None = None) -> float:
    """The share of pixels that are not (near) white."""
    region = (image.crop(box) if box else image).convert("L")
    histogram = region.histogram()
    return 1 - sum(histogram[245:]) / max(sum(histogram), 1)


# Lists every element, outside the tables that scroll in their own box, that reaches beyond the
# window's width, and the page's scroll width: written into the page for --dump-dom to show.
OVERFLOW_PROBE = """<script>
(() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const element of document.body.querySelectorAll("*")) {
    const wrap = element.closest(".table-wrap");
    if (wrap && wrap !== element) continue;
    const box = element.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5)) {
      wide.push(`${element.tagName.toLowerCase()}.${element.getAttribute("class") || ""} ` +
        `right ${Math.round(box.right)}: ${(element.textContent || "").trim().slice(0, 60)}`);
    }
  }
  const probe = document.createElement("pre");
  probe.id = "overflow-probe";
  probe.textContent = JSON.stringify({scrollWidth: document.documentElement.scrollWidth, width, wide});
  document.body.appendChild(probe);
})();
</script>"""


@dataclass(frozen=True)
class Browsed:
    screenshot: Path
    scroll_width: int
    width: int
    wide: list[str]
    console: list[str]


def headless(page: Path, shots: Path, name: str, width: int, height: int) -> subprocess.CompletedProcess[str]:
    """`page` opened in headless chromium at `width` x `height`: its screenshot written to
    `shots/<name>.png`, the DOM after scripts ran on stdout, console messages on stderr."""
    assert CHROMIUM is not None
    shot = shots / f"{name}.png"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--hide-scrollbars",
        f"--user-data-dir={shots / ('profile-' + name)}",
        "--enable-logging=stderr",
        "--v=0",
        f"--window-size={width},{height}",
        f"--screenshot={shot}",
        "--dump-dom",
        page.resolve().as_uri(),
    ]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
        env={**os.environ, "HOME": str(shots)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.is_file(), result.stderr[-2000:]
    return result


def browse(page: Path, shots: Path, name: str, width: int, height: int) -> Browsed:
    """Open a copy of `page` with the overflow probe in headless chromium: screenshot and probe."""
    assert CHROMIUM is not None
    shots.mkdir(parents=True, exist_ok=True)
    probed = shots / f"{name}.html"
    text = page.read_text(encoding="utf-8")
    assert "</body>" in text
    probed.write_text(text.replace("</body>", OVERFLOW_PROBE + "</body>"), encoding="utf-8")
    shot = shots / f"{name}.png"
    result = headless(probed, shots, name, width, height)
    found = re.search(r'<pre id="overflow-probe">(.*?)</pre>', result.stdout, re.S)
    assert found, "the overflow probe did not run"
    probe = json.loads(html.unescape(found.group(1)))
    console = [
        line
        for line in result.stderr.splitlines()
        if ("CONSOLE" in line or "Uncaught" in line) and "overflow-probe" not in line
    ]
    return Browsed(shot, int(probe["scrollWidth"]), int(probe["width"]), list(probe["wide"]), console)


# --- charts: the bars against the figures printed beside them ------------------------------------

ROW = re.compile(r'<div class="chart-row">(.*?)</div>', re.S)
FIGURE = re.compile(r'<figure class="chart (waterfall|achievement|shares)".*?</figure>', re.S)
RECT = re.compile(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="[\d.]+" fill="(#[0-9a-f]{6})"/>')


def pounds(text: str) -> float:
    """`-£1,234.56` as pounds (a float is fine: this only checks where a bar is drawn)."""
    sign = -1 if text.strip().startswith(("-", "−")) else 1
    return sign * float(re.sub(r"[^\d.]", "", text))


def level_value(text: str) -> float:
    """An achieved value, threshold or axis end as printed: `84.1%`, `292.94 per 1,000`, `7.45`."""
    number = text.replace("per 1,000", "").replace(",", "").strip()
    match = re.match(r"^[-−]?\d+(\.\d+)?", number.replace("−", "-"))
    assert match, f"not a level: {text!r}"
    return float(match.group(0))


def chart_disagreements(page: str) -> list[str]:
    """Every chart row of an HTML page whose bar does not sit where its printed figures put it."""
    from obc_settle.render.charts import COLOURS

    problems: list[str] = []
    for figure in FIGURE.finditer(page):
        kind, body = figure.group(1), figure.group(0)
        rows = ROW.findall(body)
        if kind == "waterfall":
            problems += _waterfall(body, rows)
        elif kind == "achievement":
            problems += [problem for row in rows for problem in _achievement(row, COLOURS)]
        else:
            problems += _shares(rows)
    return problems


def _waterfall(body: str, rows: list[str]) -> list[str]:
    axis = re.search(r"The axis runs from (\S+) to (\S+?)[:.]", body)
    assert axis, "a waterfall without its axis note"
    low, high = pounds(axis.group(1)), pounds(axis.group(2))
    span = high - low
    problems = []
    for index, row in enumerate(rows):
        label = re.search(r'<span class="chart-label">(.*?)</span>', row, re.S)
        value = re.search(r'<span class="chart-value">(.*?)</span>', row, re.S)
        bars = [rect for rect in RECT.findall(row) if rect[1] == "3"]
        assert label and value and bars, row
        amount = pounds(html.unescape(value.group(1)))
        width = float(bars[0][2]) / 1000
        total = index in (0, len(rows) - 1)
        expected = (max(amount, low) - low) / span if total else abs(amount) / span
        if abs(width - min(max(expected, 0.0), 1.0)) > 0.002:
            problems.append(
                f"waterfall {label.group(1)!r}: {value.group(1)} but a bar {width:.3f} of the axis"
            )
    return problems


def _achievement(row: str, colours: dict[str, str]) -> list[str]:
    label = re.search(r'<span class="chart-label">(.*?)<span class="meta">(.*?)</span>', row, re.S)
    achieved = re.search(r"<strong>(.*?)</strong>", row)
    words = re.search(
        r'</strong><span class="meta">(.*?)</span><span class="meta">threshold (.*?), target (.*?)</span>',
        row,
    )
    assert label and achieved and words, row
    name, meta = html.unescape(label.group(1)), html.unescape(label.group(2))
    scale = re.search(r"scale (.+) to (.+)$", meta)
    assert scale, meta
    low, high = level_value(scale.group(1)), level_value(scale.group(2))
    lower_is_better = meta.startswith("Lower is better")
    rects = RECT.findall(row)
    bars = [rect for rect in rects if rect[1] == "9" and rect[3] == colours["bar"]]
    markers = {
        rect[3]: float(rect[0]) + 3
        for rect in rects
        if rect[1] == "0" and rect[3] in (colours["threshold"], colours["target"])
    }
    problems = []

    def at(value: float) -> float:
        return min(max((value - low) / (high - low), 0.0), 1.0) * 1000

    threshold, target = level_value(words.group(2)), level_value(words.group(3))
    for what, value, colour in (
        ("threshold", threshold, colours["threshold"]),
        ("target", target, colours["target"]),
    ):
        drawn = markers.get(colour)
        if drawn is None or abs(drawn - max(at(value), 3.0)) > 5:
            problems.append(
                f"{name!r}: the {what} line at {drawn} of 1000, its figure {value} at {at(value):.1f}"
            )
    if html.unescape(achieved.group(1)) in ("", "\u2014") or not bars:
        return problems
    value = level_value(html.unescape(achieved.group(1)))
    start, end = float(bars[0][0]), float(bars[0][0]) + float(bars[0][2])
    origin = at(0.0) if low < 0 < high else 0.0
    value_end = start if abs(start - origin) > 0.05 else end  # the bar runs from the origin to the value
    if abs(value_end - at(value)) > 6:  # the printed value is rounded: within 0.6% of the scale
        problems.append(
            f"{name!r}: achieved {achieved.group(1)} at {at(value):.1f} of 1000, its bar ends at {value_end:.1f}"
        )
    reached = value <= target if lower_is_better else value >= target
    says_reached = words.group(1).startswith(("Target met", "Target reached"))
    if says_reached != reached and "Nothing at risk" not in words.group(1):
        problems.append(
            f"{name!r}: achieved {achieved.group(1)}, target {target}, but the words say {words.group(1)!r}"
        )
    return problems


def _shares(rows: list[str]) -> list[str]:
    figures = []
    for row in rows:
        value = re.search(r'<span class="chart-value">(.*?) earned of (.*?) withheld', row)
        rects = RECT.findall(row)
        assert value, row
        figures.append((pounds(value.group(1)), pounds(value.group(2)), rects, row))
    top = max([max(earned, withheld) for earned, withheld, _, _ in figures] + [0.01])
    problems = []
    for earned, withheld, rects, _ in figures:
        drawn = {rect[1]: float(rect[2]) for rect in rects}
        for what, amount, y in (("withheld", withheld, "2"), ("earned", earned, "7")):
            if abs(drawn.get(y, -1) - min(max(amount / top, 0), 1) * 1000) > 1:
                problems.append(
                    f"share chart: {what} £{amount:,.2f} drawn {drawn.get(y)} of 1000 (top £{top:,.2f})"
                )
    return problems
