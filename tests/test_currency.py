"""Contracts in dollars or euros: the ledger counts cents in its `*_pence` columns, and every
document, the terminal table and `explain` show the contract's symbol and unit words.

The decisive test renders every format of a USD contract's run and reads it as a person would:
no "£", and no "pounds", "pence" or "penny" anywhere in the visible text.
"""

from __future__ import annotations

import html
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from page_checks import NEEDS_POPPLER
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app
from obc_settle.money import CURRENCIES, format_money, format_pounds, in_unit_words, shown_in
from obc_settle.render.labels import in_pounds, sentence
from obc_settle.render.terminal import compact_pounds

runner = CliRunner()
SAMPLE = ROOT / "contracts" / "diabetes-alliance.yaml"
SAMPLE_DATA = ROOT / "sample_data" / "diabetes-alliance"
POUND_WORDS = re.compile(r"£|\b(pounds?|pence|penny)\b", re.IGNORECASE)


def test_each_currency_has_its_symbol_and_unit_words() -> None:
    assert format_money(-123456, CURRENCIES["USD"]) == "-$1,234.56"
    assert format_money(5, CURRENCIES["EUR"]) == "€0.05"
    assert format_money(123456, CURRENCIES["GBP"]) == "£1,234.56"
    assert (CURRENCIES["USD"].major, CURRENCIES["USD"].minor) == ("dollars", "cents")
    assert (CURRENCIES["EUR"].major, CURRENCIES["EUR"].minor) == ("euros", "cents")


def test_amounts_are_written_in_the_currency_shown_and_pounds_outside_it() -> None:
    with shown_in("USD"):
        assert format_pounds(662587) == "$6,625.87"
        assert in_pounds("now 662587 pence, 12000.00 pounds per head") == "now $6,625.87, $12000.00 per head"
        assert sentence("rounded to the penny: 100 pence") == "Rounded to the cent: $1.00."
        assert compact_pounds(2185000000) == "$21.85m"
    with shown_in("EUR"):
        assert format_pounds(-100) == "-€1.00"
    assert format_pounds(662587) == "£6,625.87"
    assert in_pounds("662587 pence") == "£6,625.87"


def test_the_engines_unit_words_become_the_currencys() -> None:
    usd = CURRENCIES["USD"]
    assert in_unit_words("500 pence, rounded to the penny, in pounds", usd) == (
        "500 cents, rounded to the cent, in dollars"
    )
    assert in_unit_words("amount_pence stays a column name", usd) == "amount_pence stays a column name"
    assert in_unit_words("100 pence", CURRENCIES["GBP"]) == "100 pence"


def usd_contract(folder: Path) -> Path:
    path = folder / "contract.yaml"
    text = SAMPLE.read_text(encoding="utf-8")
    assert "currency: GBP" in text
    path.write_text(text.replace("currency: GBP", "currency: USD"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def usd_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A run of the sample contract in dollars, every format, and the terminal table it printed."""
    folder = tmp_path_factory.mktemp("usd")
    result = runner.invoke(
        app,
        ["run", str(usd_contract(folder)), "--data", str(SAMPLE_DATA), "--period", "2025-26-Q3",
         "--out", str(folder / "run")],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return folder / "run", result.stdout


def html_text(path: Path) -> str:
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def xlsx_text(path: Path) -> str:
    """Every string, header and number format of a workbook (what Excel shows)."""
    with zipfile.ZipFile(path) as book:
        parts = [name for name in book.namelist() if name.endswith(".xml")]
        text = " ".join(book.read(name).decode("utf-8") for name in parts if "sharedStrings" in name)
        styles = book.read("xl/styles.xml").decode("utf-8")
    return html.unescape(re.sub(r"<[^>]+>", " ", text)) + " " + html.unescape(styles)


def test_no_pounds_on_any_document_of_a_dollar_contract(usd_run: tuple[Path, str]) -> None:
    run, _ = usd_run
    documents = sorted((run / "statements").iterdir()) + sorted((run / "report").iterdir())
    assert {path.suffix for path in documents} == {".html", ".pdf", ".xlsx"}
    for path in documents:
        if path.suffix == ".html":
            text = html_text(path)
        elif path.suffix == ".xlsx":
            text = xlsx_text(path)
        else:
            continue
        assert "$" in text, path.name
        found = POUND_WORDS.search(text)
        assert found is None, f"{path.name}: {text[max(found.start() - 80, 0) : found.end() + 80]!r}"
    statement = html_text(run / "statements" / "WHIT.html")
    assert "US dollars (USD)" in statement and "dollars and cents" in statement


@pytest.mark.pdf
@NEEDS_POPPLER
def test_no_pounds_in_the_pdfs_of_a_dollar_contract(usd_run: tuple[Path, str]) -> None:
    run, _ = usd_run
    for path in [*sorted((run / "statements").glob("*.pdf")), run / "report" / "commissioner.pdf"]:
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout
        assert "$" in text, path.name
        found = POUND_WORDS.search(text)
        assert found is None, f"{path.name}: {text[max(found.start() - 80, 0) : found.end() + 80]!r}"


def test_the_terminal_table_of_a_dollar_contract_shows_dollars(usd_run: tuple[Path, str]) -> None:
    _, table = usd_run
    assert "$" in table and "£" not in table


def test_the_dollar_workbook_formats_and_headers_say_dollars(usd_run: tuple[Path, str]) -> None:
    run, _ = usd_run
    text = xlsx_text(run / "statements" / "WHIT.xlsx")
    assert '"$"#,##0.00' in text
    assert "Amount ($)" in text and "Amount (cents)" in text and "amount_dollars" in text


def test_the_ledger_keeps_whole_cents_in_its_pence_columns(usd_run: tuple[Path, str]) -> None:
    import polars as pl

    ledger = pl.read_parquet(usd_run[0] / "ledger.parquet")
    assert ledger.schema["amount_pence"] == pl.Int64
    # The same contract in pounds settles to the same integers: only the writing differs.
    golden = pl.read_csv(ROOT / "tests" / "golden" / "diabetes_alliance_q3_provisional" / "ledger.csv")
    assert ledger["amount_pence"].to_list() == golden["amount_pence"].to_list()
