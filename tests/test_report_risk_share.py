"""The commissioner's report shows the risk/gain share: budget against spend, how the providers'
part was found, and each provider's share, in HTML, PDF and the workbook (issue 14)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
import pytest
from page_checks import NEEDS_POPPLER
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def year_end(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mid-notts") / "2025-26"
    args = ["run", str(ROOT / "contracts" / "mid-notts-alliance.yaml")]
    args += ["--data", str(ROOT / "sample_data" / "mid-notts-alliance"), "--period", "2025-26"]
    result = runner.invoke(app, [*args, "--out", str(out), "--quiet", "--nothing-paid-on-account"])
    assert result.exit_code == 0, result.stderr
    return out


def test_the_html_report_derives_the_providers_part_and_each_share(year_end: Path) -> None:
    page = (year_end / "report" / "commissioner.html").read_text(encoding="utf-8")
    assert '<h2 id="risk-share">Risk and gain share</h2>' in page
    assert (
        '<th scope="row">Budget</th><td>The contract value of the year.</td><td class="num">£400,987,470.00</td>'
        in page
    )
    assert '<th scope="row">Actual spend</th>' in page and "£390,404,385.00" in page
    assert '<th scope="row">Commissioner&#39;s part</th>' in page and "£8,825,128.88" in page
    assert "share of the providers' part of the saving, £1,757,956.12" in page
    assert "£878,978.06" in page  # SFH: 50.0%


def test_the_workbook_has_the_shares_adding_up_to_the_providers_part(year_end: Path) -> None:
    book = openpyxl.load_workbook(year_end / "report" / "commissioner.xlsx")
    rows = [[cell.value for cell in row] for row in book["Risk share by provider"].iter_rows(min_row=2)]
    *providers, total = rows
    assert total[1] == "All providers"
    assert sum(row[4] for row in providers) == total[4] == 175795612
    assert "saving £10,583,085.00" in book["Risk share"]["A2"].value
    working = {row[0]: row[1] for row in book["Risk share working"].iter_rows(min_row=2, values_only=True)}
    assert working["Saving"] == "£10,583,085.00" and working["Providers' part"] == "£1,757,956.12"


@pytest.mark.pdf
@NEEDS_POPPLER
def test_the_pdf_report_shows_it_too(year_end: Path) -> None:
    text = subprocess.run(
        ["pdftotext", str(year_end / "report" / "commissioner.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Risk and gain share" in text and "£878,978.06" in text
    assert "Commissioner's part" in text and "£8,825,128.88" in text


def test_a_settlement_without_a_risk_share_has_no_such_section(tmp_path: Path) -> None:
    args = ["run", str(ROOT / "contracts" / "diabetes-alliance.yaml")]
    args += ["--data", str(ROOT / "sample_data" / "diabetes-alliance"), "--period", "2025-26-Q3"]
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "q3"), "--format", "html", "--quiet"])
    assert result.exit_code == 0, result.stderr
    assert "risk-share" not in (tmp_path / "q3" / "report" / "commissioner.html").read_text(encoding="utf-8")


def test_explain_derives_the_risk_share_line(year_end: Path) -> None:
    import json

    result = runner.invoke(app, ["explain", str(year_end), "--provider", "MNGP", "--json"])
    assert result.exit_code == 0, result.stderr
    others = {item["line_type"]: item for item in json.loads(result.stdout)["other_payments"]}
    risk = others["risk_share"]
    assert risk["formula"] == (
        "share × pool = 0.15 × 175795612 = 26369341.8 → 26369342 (largest remainder among the providers)"
    )
    assert "saving 1058308500 pence" in risk["note"]
    assert risk["derivation"]["commissioner_part_pence"] == 882512888
    assert "commissioner's part: 1058308500 − 175795612 = 882512888 pence kept of the saving" in risk["steps"]
    text = runner.invoke(app, ["explain", str(year_end), "--provider", "MNGP"]).stdout
    assert "Risk share: £263,693.42" in text
