"""The HTML statement and report opened in a real headless browser, as a person would see them.

Debian's `chromium` (installed by `.ci/run`) renders each page once: a screenshot, the DOM as the
browser built it (`--dump-dom`), and its console on standard error (`--enable-logging`). The
pages have no scripts, so the console must stay silent: any console line (an error, a resource
that failed to load) fails the test. A first test checks that this detector does see errors.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from document_support import amount, sample_settlement, write_sample_documents
from page_checks import NEEDS_CHROMIUM, headless
from PIL import Image

from obc_settle.money import format_pounds

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]


@dataclass(frozen=True)
class Browsed:
    dom: str
    text: str
    screenshot: Path
    console: list[str]


def browse(page: Path, shots: Path, name: str, width: int, height: int) -> Browsed:
    """Open `page` in headless chromium: screenshot, DOM and console messages."""
    shot = shots / f"{name}.png"
    result = headless(page, shots, name, width, height)
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    text = html.unescape(" ".join(result.stdout.split()))
    return Browsed(result.stdout, text, shot, console)


def ink(image: Image.Image, box: tuple[int, int, int, int] | None = None) -> float:
    """The share of pixels that are not (near) white."""
    region = (image.crop(box) if box else image).convert("L")
    histogram = region.histogram()
    return 1 - sum(histogram[245:]) / max(sum(histogram), 1)


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_documents(tmp_path_factory.mktemp("documents"), formats=("html",))


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


def test_the_browser_console_detector_sees_errors(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><body><p>broken</p><script>console.error("boom"); missing();</script></body></html>'
    )
    browsed = browse(page, tmp_path, "broken", 400, 300)
    assert any("boom" in line for line in browsed.console)
    assert any("Uncaught" in line for line in browsed.console)


def test_the_statement_renders_in_a_browser_with_the_ledger_figures(documents: Path, shots: Path) -> None:
    contract, ledger = sample_settlement()
    provider = contract.providers[0]
    browsed = browse(documents / "statements" / f"{provider.id}.html", shots, "statement-desktop", 1280, 2000)
    assert browsed.console == []
    for expected in (
        contract.name,
        f"Outcome payment statement for {provider.name}",
        "Provisional",
        "2025-26-Q3 (October to December 2025)",
    ):
        assert expected in browsed.text
    for line_type in (
        "base_payment",
        "withheld",
        "outcome",
        "unearned",
        "redistributed_unearned",
        "net_payable",
    ):
        assert format_pounds(amount(ledger, provider.id, line_type)) in browsed.text, line_type
    outcome = ledger.filter((pl.col("party_id") == provider.id) & (pl.col("line_type") == "outcome"))
    for earned in outcome["amount_pence"].to_list():
        assert format_pounds(earned) in browsed.text
    assert browsed.dom.count("<svg") >= outcome.height + 5  # the waterfall's and the achievement chart's bars
    image = Image.open(browsed.screenshot)
    assert image.size == (1280, 2000)
    assert ink(image) > 0.05, "the page looks blank"
    assert ink(image, (0, 0, 1280, 120)) > 0.02, "no title at the top"
    assert len(image.convert("RGB").getcolors(1 << 20) or []) > 50, "no charts or colours"


def test_the_statement_fits_a_phone_screen(documents: Path, shots: Path) -> None:
    contract, _ = sample_settlement()
    browsed = browse(
        documents / "statements" / f"{contract.providers[1].id}.html", shots, "statement-phone", 390, 1600
    )
    assert browsed.console == []
    image = Image.open(browsed.screenshot)
    assert ink(image) > 0.05
    # Nothing runs off the right edge: wide tables scroll inside their own box, not the page.
    assert ink(image, (image.width - 5, 0, image.width, image.height)) < 0.01


def test_the_commissioner_report_renders_in_a_browser(documents: Path, shots: Path) -> None:
    contract, ledger = sample_settlement()
    browsed = browse(documents / "report" / "commissioner.html", shots, "report-desktop", 1280, 2000)
    assert browsed.console == []
    assert "Settlement report for the commissioners, all providers" in browsed.text
    for provider in contract.providers:
        assert provider.name in browsed.text
        assert format_pounds(amount(ledger, provider.id, "net_payable")) in browsed.text
    contract_value = amount(ledger, "commissioner", "contract_value")
    assert format_pounds(contract_value) in browsed.text
    assert ink(Image.open(browsed.screenshot)) > 0.05
