"""Monthly base instalments on the statement and in explain: each line names its month, the key
figure and the waterfall show the whole base payment, and explain derives the split (issue 14)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def quarter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("staffordshire") / "q3"
    args = ["run", str(ROOT / "contracts" / "staffordshire-cancer-eol.yaml")]
    args += ["--data", str(ROOT / "sample_data" / "staffordshire-cancer-eol"), "--period", "2025-26-Q3"]
    result = runner.invoke(app, [*args, "--out", str(out), "--format", "html", "--quiet"])
    assert result.exit_code == 0, result.stderr
    return out


def test_each_instalment_names_its_month_and_the_whole_base_payment(quarter: Path) -> None:
    page = (quarter / "statements" / "UHNM.html").read_text(encoding="utf-8")
    for number, month in enumerate(("October", "November", "December"), start=1):
        assert f"Base payment, {month} 2025" in page
        assert (
            f"Instalment for {month} 2025: {number} of 3 monthly parts of your base payment of £14,851,200.00"
            in page
        )
    assert "Base payment (3 monthly instalments)" in page  # the key figure: the sum, not one month
    assert re.search(
        r"Base payment \+ withheld.{0,400}£14,851,200\.00", page, re.S
    )  # the waterfall starts there


def test_explain_derives_the_split_into_months_and_a_provider_without_outcome_lines(quarter: Path) -> None:
    result = runner.invoke(app, ["explain", str(quarter), "--provider", "UHNM", "--json"])
    assert result.exit_code == 0, result.stderr
    base = json.loads(result.stdout)["base_payment"]
    assert base["amount_pence"] == sum(item["amount_pence"] for item in base["instalments"])
    assert [item["month"] for item in base["instalments"]] == ["2025-10", "2025-11", "2025-12"]
    text = runner.invoke(app, ["explain", str(quarter), "--provider", "UHNM"]).stdout
    assert "paid monthly: 1485120000 in 3 monthly instalments, split by largest remainder" in text
