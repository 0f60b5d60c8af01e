"""The PDF statements and report, checked as printed pages: page images and the text on them.

Poppler (`pdftoppm`, `pdftotext`, `pdfinfo`; Debian's poppler-utils, installed by `.ci/run`)
turns each PDF into page images and text. The tests check A4 pages, the page count, "Page N of M"
and the run id on every page, the key figures (read off the ledger), that contract text is shown
literally, and that rendering twice gives the same bytes.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
from pathlib import Path

import polars as pl
import pytest
from document_support import RUN_ID, amount, sample_settlement, write_sample_documents
from page_checks import NEEDS_POPPLER
from PIL import Image
from reportlab.pdfbase.pdfmetrics import stringWidth

from obc_settle.money import format_pounds
from obc_settle.render.commissioner_report import report_context, report_view
from obc_settle.render.pdf_base import CELL_STYLES, sized_to_headers
from obc_settle.render.pdf_commissioner import write_report_pdf
from obc_settle.render.pdf_statement import write_statement_pdf
from obc_settle.render.statement_view import statement_context, statement_view

pytestmark = [pytest.mark.pdf, NEEDS_POPPLER]


def pdf_info(path: Path) -> dict[str, str]:
    output = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {
        key.strip(): value.strip() for key, _, value in (line.partition(":") for line in output.splitlines())
    }


def pdf_pages(path: Path) -> list[str]:
    """The text of each page (layout kept, whitespace runs collapsed)."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


def page_images(path: Path, folder: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(folder / path.stem)], check=True)
    return sorted(folder.glob(f"{path.stem}-*.png"))


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_documents(tmp_path_factory.mktemp("documents"), formats=("pdf",))


@pytest.mark.parametrize("index", [0, 2])
def test_statement_pages_are_a4_numbered_and_show_the_ledger_figures(
    documents: Path, tmp_path: Path, index: int
) -> None:
    contract, ledger = sample_settlement()
    provider = contract.providers[index]
    path = documents / "statements" / f"{provider.id}.pdf"
    info = pdf_info(path)
    pages = pdf_pages(path)
    count = int(info["Pages"])
    assert 1 < count <= 4
    assert info["Page size"].startswith("595.276 x 841.89")  # A4
    assert len(pages) == count
    images = page_images(path, tmp_path)
    assert len(images) == count
    for image in images:
        grey = Image.open(image).convert("L")
        assert sum(grey.histogram()[:200]) > 500, f"{image.name} looks blank"
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {count}" in page
        assert f"run {RUN_ID}" in page
    text = " ".join(pages)
    assert contract.name in text and f"Outcome payment statement for {provider.name}" in text
    assert "PROVISIONAL" in text and "2025-26-Q3 (October to December 2025)" in text
    for line_type in (
        "base_payment",
        "withheld",
        "outcome",
        "unearned",
        "redistributed_unearned",
        "net_payable",
    ):
        assert format_pounds(amount(ledger, provider.id, line_type)) in text, line_type
    outcomes = ledger.filter((pl.col("party_id") == provider.id) & (pl.col("line_type") == "outcome"))
    for earned in outcomes["amount_pence"].to_list():
        assert format_pounds(earned) in text
    assert "Data quality notes" in text and "Small numbers" in text


def test_pdf_metadata_is_fixed_and_two_renders_are_byte_identical(tmp_path: Path) -> None:
    contract, ledger = sample_settlement()
    provider = contract.providers[0]
    paths = []
    for name in ("one", "two"):
        view = statement_view(ledger, provider.id, statement_context(contract, provider.id, RUN_ID))
        paths.append(tmp_path / f"{name}.pdf")
        write_statement_pdf(view, paths[-1])
    assert paths[0].read_bytes() == paths[1].read_bytes()
    info = pdf_info(paths[0])
    assert info["CreationDate"].startswith("Sat Jan  1 00:00:00 2000")
    assert info["Title"] == f"Provisional statement 2025-26-Q3: {provider.name}, {contract.name}"
    assert info["Creator"] == "obc-settle"
    report = [tmp_path / "r1.pdf", tmp_path / "r2.pdf"]
    for path in report:
        write_report_pdf(report_view(ledger, report_context(contract, RUN_ID)), path)
    assert report[0].read_bytes() == report[1].read_bytes()


def test_contract_text_is_shown_literally_not_as_markup(tmp_path: Path) -> None:
    contract, ledger = sample_settlement()
    provider = contract.providers[0]
    context = statement_context(contract, provider.id, RUN_ID)
    hostile = dataclasses.replace(
        context,
        provider_name="A & B <b>Trust</b>",
        indicator_names={key: f"{value} <i>&amp;</i>" for key, value in context.indicator_names.items()},
    )
    path = tmp_path / "hostile.pdf"
    write_statement_pdf(statement_view(ledger, provider.id, hostile), path)
    text = " ".join(pdf_pages(path))
    assert "A & B <b>Trust</b>" in text
    assert "<i>&amp;</i>" in text


def test_a_long_indicator_table_repeats_its_header_on_each_page(tmp_path: Path) -> None:
    contract, ledger = sample_settlement()
    provider = contract.providers[0]
    outcomes = ledger.filter((pl.col("party_id") == provider.id) & (pl.col("line_type") == "outcome"))
    others = ledger.filter((pl.col("party_id") != provider.id) | (pl.col("line_type") != "outcome"))
    many = pl.concat([others, *([outcomes] * 6)]).sort("party_id", "line_no", maintain_order=True)
    path = tmp_path / "long.pdf"
    write_statement_pdf(
        statement_view(many, provider.id, statement_context(contract, provider.id, RUN_ID)), path
    )
    pages = pdf_pages(path)
    table_pages = [
        page
        for page in pages
        if re.search(r"Indicator Achieved Threshold Target Score Weight Available \(your", page)
    ]
    assert len(table_pages) >= 2, "the table should run over more than one page, its header on each"


def test_commissioner_report_pdf_has_every_provider_and_the_totals(documents: Path) -> None:
    contract, ledger = sample_settlement()
    path = documents / "report" / "commissioner.pdf"
    pages = pdf_pages(path)
    count = int(pdf_info(path)["Pages"])
    assert pages[-1].count(f"Page {count} of {count}") == 1
    text = " ".join(pages)
    assert "Settlement report for the commissioners, all providers" in text
    for line_type in ("contract_value", "outcome_pool"):
        assert format_pounds(amount(ledger, "commissioner", line_type)) in text
    for provider in contract.providers:
        assert format_pounds(amount(ledger, provider.id, "net_payable")) in text
        assert format_pounds(amount(ledger, provider.id, "outcome")) in text


def test_no_page_holds_the_colophon_alone(tmp_path: Path) -> None:
    """However many data quality notes push it down, the closing paragraph is never alone on a page."""
    from obc_settle.render.statement_view import Note

    contract, ledger = sample_settlement()
    provider = contract.providers[0]
    view = statement_view(ledger, provider.id, statement_context(contract, provider.id, RUN_ID))
    for count in range(46):
        notes = tuple(Note(f"Indicator {n}", "A note that takes one line.", False) for n in range(count))
        path = tmp_path / f"notes-{count}.pdf"
        write_statement_pdf(dataclasses.replace(view, notes=notes), path)
        last = pdf_pages(path)[-1]
        before_the_colophon = last[: last.index("Contract ")] if "Contract " in last else ""
        assert before_the_colophon.strip(), f"{count} notes: the last page holds only {last!r}"


def test_a_column_is_widened_to_its_headers_longest_word_from_the_one_with_most_to_spare() -> None:
    """ "Redistributed" was once cut into "Redistribu" / "ted" in a narrow money column."""
    widths = sized_to_headers(["Provider", "Redistributed", "Earned"], [100.0, 30.0, 40.0])
    need = stringWidth("Redistributed", CELL_STYLES["head"].font, CELL_STYLES["head"].size) + 6
    assert sum(widths) == 170.0
    assert widths[1] == pytest.approx(need) and widths[2] == 40.0 and widths[0] == pytest.approx(130.0 - need)
    assert sized_to_headers(["A", "B"], [50.0, 50.0]) == [50.0, 50.0]
