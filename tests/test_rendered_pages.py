"""The documents of the two trial-shaped sample contracts (issue 14), checked as rendered pages.

`contracts/dorset-msk-prime.yaml` (a prime contractor passing outcome money to two subcontractors,
paid partly on PROMs health gain) and `contracts/herefordshire-alliance-risk-share.yaml` (an
alliance after a fee-based bedding-in year, base paid monthly, an annual survey, a risk/gain
share behind a quality gate) are settled as `make demo` settles them: the four quarters of
2025-26, each netting off the ones before, then the year netting off the quarters. The statements
of a subcontractor, a prime and an alliance member with a risk/gain share, and the commissioner's
reports, are then looked at as pages: PDF pages through poppler, HTML pages in headless chromium
at a phone's and a desktop's width. The checks are in tests/page_checks.py; no pixel is compared
with a golden image (fonts differ between machines): docs/images/make_screenshots.sh makes the
images a person reviews.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from page_checks import (
    NEEDS_CHROMIUM,
    NEEDS_POPPLER,
    Page,
    Word,
    broken_figures,
    broken_money,
    browse,
    chart_disagreements,
    colophon_alone,
    ink,
    left_at_the_foot,
    money_on,
    outside_the_printable_box,
    page_images,
    pdf_pages,
)
from paths import ROOT
from PIL import Image

from obc_settle.money import format_pounds

MSK = "dorset-msk-prime"
ALLIANCE = "herefordshire-alliance-risk-share"
OBC_SETTLE = [sys.executable, "-m", "obc_settle"]


def settle_as_the_demo_does(contract: str, out: Path) -> None:
    """The quarters of 2025-26, each with the earlier ones paid, then the year netting them off."""
    paid: list[str] = []
    for period in ("2025-26-Q1", "2025-26-Q2", "2025-26-Q3", "2025-26-Q4", "2025-26"):
        command = [
            *OBC_SETTLE,
            "run",
            str(ROOT / "contracts" / f"{contract}.yaml"),
            "--data",
            str(ROOT / "sample_data" / contract),
            "--period",
            period,
            "--out",
            str(out / contract / period),
            "--format",
            "html,pdf",
            "--quiet",
            *paid,
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
        assert result.returncode == 0, f"{contract} {period}: {result.stderr[-2000:]}"
        if period != "2025-26":
            paid += ["--paid", str(out / contract / period)]


@dataclass(frozen=True)
class Document:
    name: str
    contract: str
    period: str
    stem: str
    """`statements/<provider>` or `report/commissioner`."""
    shows: tuple[str, ...]
    """Line types whose amounts (the party's, or the commissioner's for the report) must be printed."""


DOCUMENTS = (
    Document(
        "msk-subcontractor-q3", MSK, "2025-26-Q3", "statements/DHC", ("subcontract", "net_payable", "due_now")
    ),
    Document("msk-subcontractor-year", MSK, "2025-26", "statements/DFCP", ("subcontract", "due_now")),
    Document("msk-prime-year", MSK, "2025-26", "statements/UHD", ("outcome", "subcontract", "due_now")),
    Document("msk-report-year", MSK, "2025-26", "report/commissioner", ("contract_value",)),
    Document("alliance-risk-share-year", ALLIANCE, "2025-26", "statements/WVT", ("risk_share", "due_now")),
    Document("alliance-member-q2", ALLIANCE, "2025-26-Q2", "statements/STMH", ("base_payment", "due_now")),
    Document(
        "alliance-report-year", ALLIANCE, "2025-26", "report/commissioner", ("contract_value", "risk_share")
    ),
)
IDS = [document.name for document in DOCUMENTS]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("trial-runs")
    for contract in (MSK, ALLIANCE):
        settle_as_the_demo_does(contract, out)
    return out


def path_of(runs: Path, document: Document, extension: str) -> Path:
    return runs / document.contract / document.period / f"{document.stem}.{extension}"


def expected_figures(runs: Path, document: Document) -> list[str]:
    """The amounts the document must print, read off the run's ledger."""
    ledger = pl.read_parquet(runs / document.contract / document.period / "ledger.parquet")
    party = "commissioner" if document.stem.startswith("report/") else document.stem.split("/")[1]
    figures = []
    for line_type in document.shows:
        lines = ledger.filter((pl.col("party_id") == party) & (pl.col("line_type") == line_type))
        assert lines.height, f"{party} has no {line_type} line in {document.name}"
        amount = int(lines["amount_pence"].sum())
        # The report shows the providers' side of the commissioner's risk/gain share line.
        figures.append(
            format_pounds(-amount if party == "commissioner" and line_type == "risk_share" else amount)
        )
    return figures


# --- PDF pages ---------------------------------------------------------------------------------


@pytest.mark.pdf
@NEEDS_POPPLER
@pytest.mark.parametrize("document", DOCUMENTS, ids=IDS)
def test_every_pdf_page_has_ink_and_the_last_holds_more_than_the_colophon(
    runs: Path, document: Document, tmp_path: Path
) -> None:
    path = path_of(runs, document, "pdf")
    images = page_images(path, tmp_path)
    pages = pdf_pages(path)
    assert len(images) == len(pages) >= 1
    for image in images:
        assert ink(Image.open(image)) > 0.01, f"{image.name} looks blank"
    for page in pages:
        assert f"Page {page.number} of {len(pages)}" in page.text
    assert not colophon_alone(pages, document.contract), f"the last page holds only {pages[-1].text!r}"


@pytest.mark.pdf
@NEEDS_POPPLER
@pytest.mark.parametrize("document", DOCUMENTS, ids=IDS)
def test_no_money_figure_on_a_pdf_page_is_cut_and_the_ledger_figures_are_printed_whole(
    runs: Path, document: Document
) -> None:
    pages = pdf_pages(path_of(runs, document, "pdf"))
    assert broken_money(pages) == []
    printed = {word.strip("().,;:").lstrip("+") for word in money_on(pages)}
    for figure in expected_figures(runs, document):
        assert figure in printed, f"{figure} is not printed whole in {document.name}"


@pytest.mark.pdf
@NEEDS_POPPLER
@pytest.mark.parametrize("document", DOCUMENTS, ids=IDS)
def test_no_word_runs_outside_the_printable_box_of_a_pdf_page(runs: Path, document: Document) -> None:
    assert outside_the_printable_box(pdf_pages(path_of(runs, document, "pdf"))) == []


@pytest.mark.pdf
@NEEDS_POPPLER
@pytest.mark.parametrize("document", DOCUMENTS, ids=IDS)
def test_no_heading_or_intro_is_left_at_the_foot_of_a_pdf_page(runs: Path, document: Document) -> None:
    """The year's statement of a subcontractor once ended its first page with "Subcontract money
    by indicator" and its intro, the table on the next page."""
    assert left_at_the_foot(pdf_pages(path_of(runs, document, "pdf"))) == []


@pytest.mark.pdf
@NEEDS_POPPLER
@pytest.mark.parametrize("document", DOCUMENTS, ids=IDS)
def test_no_fraction_or_rate_is_broken_across_lines_of_a_pdf_page(runs: Path, document: Document) -> None:
    """Scores once wrapped as "(40938 /" over "59995)", rates as "292.94 per" over "1,000"."""
    assert broken_figures(pdf_pages(path_of(runs, document, "pdf"))) == []


@pytest.mark.pdf
@NEEDS_POPPLER
def test_the_alliance_reports_column_headers_are_whole_words(runs: Path) -> None:
    """The providers' table once cut its "Redistributed" header into "Redistribu" over "ted"; the
    column is now left out where nobody has an amount in it (this alliance redistributes nothing),
    and the headers left are whole words."""
    pages = pdf_pages(path_of(runs, DOCUMENTS[-1], "pdf"))
    words = {word.text for page in pages for word in page.words}
    assert {"Unearned", "Withheld", "Earned"} <= words
    assert not {"Redistribu", "ted", "Redistributed", "Unearn", "Withh"} & words


def test_the_page_checks_see_a_cut_figure_a_word_in_the_margin_and_a_lone_colophon() -> None:
    """The detectors above can fail: each is shown the fault it looks for."""
    inside = Word("£1,234.56", 60, 100, 110, 110)
    cut = (Word("Due", 60, 100, 80, 110), Word("£12,", 85, 100, 110, 110))
    tail = (Word("345.67", 60, 112, 90, 122),)
    joined = (Word("£0.00£12.00", 300, 130, 360, 140),)
    margin = (Word("overflowing", 560, 150, 600, 160), Word("£1.00", 530, 150, 552.92, 160))
    page = Page(1, 595.28, 841.89, ((inside,), cut, tail, joined, margin))
    assert broken_money([page]) == [
        "page 1: '£12,'",
        "page 1: '£12,' / '345.67'",
        "page 1: '£0.00£12.00'",
    ]
    assert [problem.split(":")[1] for problem in outside_the_printable_box([page])] == [
        " 'overflowing' at x 560.0 to 600.0",
        " '£1.00' at x 530.0 to 552.9",  # 3 pt past the 16 mm margin, as every table once was
    ]
    lone = Page(
        2,
        595.28,
        841.89,
        ((Word("Contract", 50, 50, 90, 60), Word("x,", 95, 50, 100, 60), Word("version", 105, 50, 140, 60)),),
    )
    assert colophon_alone([page, lone], "x")
    assert not colophon_alone([lone, page], "x")


def test_the_page_checks_see_a_heading_at_a_pages_foot_and_a_broken_fraction() -> None:
    def line(y: float, size: float, *texts: str) -> tuple[Word, ...]:
        return tuple(Word(text, 50 + 40 * at, y, 80 + 40 * at, y + size) for at, text in enumerate(texts))

    footer = line(812, 7, "Page", "1")
    foot = Page(
        1,
        595.28,
        841.89,
        (line(700, 9, "Text"), line(744, 11.5, "Subcontract"), line(761, 7.5, "Where"), footer),
    )
    table = Page(2, 595.28, 841.89, (line(50, 7, "Indicator", "Part"), line(62, 7.5, "Mean"), footer))
    section = Page(2, 595.28, 841.89, (line(50, 11.5, "Data", "quality"), footer))
    assert left_at_the_foot([foot, table]) == ["page 1: heading 'Subcontract'"]
    assert left_at_the_foot([foot, section]) == []  # the next page starts a section of its own
    intro = Page(1, 595.28, 841.89, (line(700, 7.5, "Each", "share:"), footer))
    assert left_at_the_foot([intro, table]) == ["page 1: intro 'Each share:'"]
    fraction = Page(1, 595.28, 841.89, (line(100, 7.5, "68.2%", "(40938", "/"), line(110, 7.5, "59995)")))
    rate = Page(1, 595.28, 841.89, (line(100, 7.5, "292.94", "per"), line(110, 7.5, "1,000")))
    whole = Page(1, 595.28, 841.89, (line(100, 7.5, "(40938 / 59995)"), line(110, 7.5, "per 1,000")))
    assert broken_figures([fraction, rate, whole]) == ["page 1: '68.2% (40938 /'", "page 1: 'per' / '1,000'"]


# --- HTML pages --------------------------------------------------------------------------------


@pytest.mark.parametrize("document", DOCUMENTS, ids=IDS)
def test_the_charts_bars_agree_with_the_figures_printed_beside_them(runs: Path, document: Document) -> None:
    page = path_of(runs, document, "html").read_text(encoding="utf-8")
    assert '<figure class="chart' in page
    assert chart_disagreements(page) == []


def test_the_chart_check_sees_a_bar_that_disagrees_with_its_figure(runs: Path) -> None:
    page = path_of(runs, DOCUMENTS[4], "html").read_text(encoding="utf-8")
    first_bar = page.index('y="3" width="', page.index('<figure class="chart waterfall"'))
    tampered = page[:first_bar] + 'y="3" width="500.0"' + page[first_bar + len('y="3" width="1000.0"') :]
    assert page[first_bar : first_bar + 20] == 'y="3" width="1000.0"'
    assert any(problem.startswith("waterfall") for problem in chart_disagreements(tampered))
    target = page.index('<span class="meta">threshold ', page.index('<figure class="chart achievement"'))
    moved = page[:target] + '<span class="meta">threshold 0.0%' + page[page.index(",", target) :]
    assert any("the threshold line" in problem for problem in chart_disagreements(moved))


@pytest.mark.browser
@NEEDS_CHROMIUM
@pytest.mark.parametrize("width", [390, 1200])
@pytest.mark.parametrize("document", DOCUMENTS, ids=IDS)
def test_no_element_runs_off_the_window_and_the_right_margin_stays_clear(
    runs: Path, document: Document, width: int, tmp_path: Path
) -> None:
    page = path_of(runs, document, "html")
    browsed = browse(page, tmp_path, f"{document.name}-{width}", width, 1800)
    assert browsed.console == []
    assert browsed.wide == [], f"elements wider than {width} px: {browsed.wide}"
    assert browsed.scroll_width <= browsed.width
    image = Image.open(browsed.screenshot)
    assert ink(image) > 0.03, "the page looks blank"
    assert ink(image, (image.width - 4, 0, image.width, image.height)) < 0.01, "ink in the right margin"


@pytest.mark.browser
@NEEDS_CHROMIUM
def test_the_overflow_probe_sees_an_element_wider_than_the_window(tmp_path: Path) -> None:
    page = tmp_path / "wide.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><body><p>fits</p><div class="too-wide" style="width:900px">wide</div></body></html>'
    )
    browsed = browse(page, tmp_path / "shots", "wide", 390, 400)
    assert any(line.startswith("div.too-wide") for line in browsed.wide)
    assert browsed.scroll_width > browsed.width
