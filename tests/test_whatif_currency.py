"""What-if output of a dollar contract is in dollars: `estimate`, `simulate sensitivity`, `scenario`
and `design` write their tables and pages in the contract's currency, as `run` does.

The MSSP two-sided template as published (US dollars, the calendar year 2025), on a year of member
months, spend and two quality measures: every what-if table is read as a person would, and must
show "$" and never "£".
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import polars as pl
import pytest
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app

runner = CliRunner()
TEMPLATE = ROOT / "contracts" / "templates" / "mssp-two-sided.yaml"
POUNDS = re.compile(r"£|\b(pounds?|pence|penny)\b", re.IGNORECASE)


def extract_rows() -> list[tuple[str, str, str, int, int]]:
    """10,000 beneficiaries a month, $9.5m spend a month (under the $10m benchmark), quality rows."""
    rows = []
    for month in (f"2025-{m:02d}" for m in range(1, 13)):
        rows += [
            ("ACO", "assigned_beneficiaries", month, 10000, 0),
            ("ACO", "actual_spend", month, 9_500_000, 0),
            ("ACO", "DIABETES_HBA1C_POOR", month, 12, 100),
            ("ACO", "CONTROLLING_BP", month, 70, 100),
        ]
    return rows


@pytest.fixture(scope="module")
def mssp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mssp")
    text = TEMPLATE.read_text(encoding="utf-8")
    assert "currency: USD" in text and "year_starts: January" in text
    shutil.copy(TEMPLATE, folder / "contract.yaml")
    (folder / "data").mkdir()
    schema = ["provider_id", "indicator_id", "period", "numerator", "denominator"]
    pl.DataFrame(extract_rows(), schema=schema, orient="row").write_parquet(folder / "data" / "x.parquet")
    (folder / "scenario.yaml").write_text(
        "scenario: bp-improves\nchanges:\n  - achievement: {indicator: CONTROLLING_BP, level: 0.8}\n",
        encoding="utf-8",
    )
    return folder


def cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def in_dollars(text: str) -> None:
    assert "$" in text
    found = POUNDS.search(text)
    assert found is None, text[max(found.start() - 80, 0) : found.end() + 80]


def test_the_estimate_table_is_in_dollars(mssp: Path) -> None:
    code, stdout, stderr = cli(
        "estimate", str(mssp / "contract.yaml"), "--data", str(mssp / "data"), "--period", "2025",
        "--through", "2025-06", "--out", str(mssp / "estimate"), "--format", "html",
    )  # fmt: skip
    assert code == 0, stderr
    in_dollars(stdout)
    estimate = json.loads((mssp / "estimate" / "estimate.json").read_text(encoding="utf-8"))
    assert estimate["currency"] == "USD"


def test_sensitivity_table_page_and_json_are_in_dollars(mssp: Path) -> None:
    out = mssp / "sensitivity"
    code, stdout, stderr = cli(
        "simulate", "sensitivity", str(mssp / "contract.yaml"), "--data", str(mssp / "data"),
        "--period", "2025", "--out", str(out),
    )  # fmt: skip
    assert code == 0, stderr
    in_dollars(stdout)
    page = (out / "sensitivity.html").read_text(encoding="utf-8")
    in_dollars(re.sub(r"<[^>]+>", " ", page))
    assert json.loads((out / "sensitivity.json").read_text(encoding="utf-8"))["currency"] == "USD"


def test_scenario_and_design_tables_are_in_dollars(mssp: Path) -> None:
    code, stdout, stderr = cli(
        "simulate", "scenario", str(mssp / "contract.yaml"), "--data", str(mssp / "data"),
        "--period", "2025", "--scenario", str(mssp / "scenario.yaml"),
    )  # fmt: skip
    assert code == 0, stderr
    in_dollars(stdout)
    code, stdout, stderr = cli(
        "simulate", "design", str(mssp / "contract.yaml"), "--data", str(mssp / "data")
    )
    assert code == 0, stderr
    in_dollars(stdout)


def test_drafts_in_different_currencies_are_not_compared(mssp: Path) -> None:
    pounds = mssp / "pounds.yaml"
    pounds.write_text(
        (mssp / "contract.yaml").read_text(encoding="utf-8").replace("currency: USD", "currency: GBP"),
        encoding="utf-8",
    )
    code, _, stderr = cli(
        "simulate", "design", str(mssp / "contract.yaml"), str(pounds), "--data", str(mssp / "data")
    )
    assert code == 2
    assert "R004" in stderr and "different currencies (GBP, USD)" in stderr
