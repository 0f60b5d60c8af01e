"""A fee-based year (nothing withheld) says so: its indicators are measured, no money rides on
them, and no chart reads 'Below threshold' as if money had been lost (issue 14)."""

from __future__ import annotations

from pathlib import Path

from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app

runner = CliRunner()


def settle(tmp_path: Path, period: str) -> Path:
    out = tmp_path / period
    args = ["run", str(ROOT / "contracts" / "richmond-community-alliance.yaml")]
    args += ["--data", str(ROOT / "sample_data" / "richmond-community-alliance"), "--period", period]
    result = runner.invoke(app, [*args, "--out", str(out), "--format", "html", "--quiet"])
    assert result.exit_code == 0, result.stderr
    return out


def test_a_fee_based_year_says_nothing_was_at_risk(tmp_path: Path) -> None:
    out = settle(tmp_path, "2024-25-Q3")
    page = (out / "statements" / "HRCH.html").read_text(encoding="utf-8")
    assert "Nothing is withheld this period" in page
    assert "Below threshold: score 0.0%" not in page
    assert "Nothing at risk this year: measured only (below threshold: score 0.0%)" in page
    assert "Nothing at risk this year" in (out / "report" / "commissioner.html").read_text(encoding="utf-8")


def test_a_year_with_money_at_risk_does_not(tmp_path: Path) -> None:
    page = (settle(tmp_path, "2025-26-Q3") / "statements" / "HRCH.html").read_text(encoding="utf-8")
    assert "Nothing at risk" not in page
    assert "Nothing is withheld" not in page
