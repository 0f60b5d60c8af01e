"""A later quarter of a contract whose quarters settle the year to date must be told what the
earlier quarters paid: settled alone it would pay their money again, with exit status 0.

`make demo` did exactly that for the Mid-Nottinghamshire alliance (outcome_on_account:
year_to_date): each quarter paid the year to date, and the year end then showed £595 million
to recover."""

from __future__ import annotations

import json
from pathlib import Path

from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app

runner = CliRunner()
MID_NOTTS = ROOT / "contracts" / "mid-notts-alliance.yaml"
DIABETES = ROOT / "contracts" / "diabetes-alliance.yaml"


def run(contract: Path, period: str, out: Path, *extra: str) -> tuple[int, str]:
    data = ROOT / "sample_data" / contract.stem
    args = [
        "run",
        str(contract),
        "--data",
        str(data),
        "--period",
        period,
        "--out",
        str(out),
        "--format",
        "html",
    ]
    result = runner.invoke(app, [*args, "--quiet", *extra])
    return result.exit_code, result.stderr


def due_now(folder: Path) -> int:
    return int(json.loads((folder / "summary.json").read_text())["settlements"][0]["due_now_pence"])


def test_a_later_year_to_date_quarter_without_the_earlier_ones_is_refused(tmp_path: Path) -> None:
    code, stderr = run(MID_NOTTS, "2025-26-Q2", tmp_path / "q2")
    assert code == 2
    assert "--period: R005 2025-26-Q2 settles the year to date less what the earlier quarters paid" in stderr
    assert "--paid (2025-26-Q1)" in stderr
    assert not (tmp_path / "q2").exists()


def test_with_the_earlier_quarter_named_it_pays_only_its_own_quarter(tmp_path: Path) -> None:
    assert run(MID_NOTTS, "2025-26-Q1", tmp_path / "q1")[0] == 0
    code, stderr = run(MID_NOTTS, "2025-26-Q2", tmp_path / "q2", "--paid", str(tmp_path / "q1"))
    assert code == 0, stderr
    code, stderr = run(MID_NOTTS, "2025-26-Q2", tmp_path / "alone", "--nothing-paid-on-account")
    assert code == 0, stderr
    # Netted: about one quarter's money; stated as nothing paid: the whole year to date.
    assert due_now(tmp_path / "q2") < 0.6 * due_now(tmp_path / "alone")


def test_quarters_that_settle_on_their_own_need_no_history(tmp_path: Path) -> None:
    assert run(DIABETES, "2025-26-Q2", tmp_path / "q2")[0] == 0
    code, stderr = run(DIABETES, "2025-26-Q2", tmp_path / "x", "--nothing-paid-on-account")
    assert code == 2
    assert "R002 --nothing-paid-on-account is for a contract-year settlement" in stderr
