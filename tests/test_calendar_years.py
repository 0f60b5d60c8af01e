"""A contract whose years are calendar years, in dollars, settled end to end through the CLI.

The diabetes alliance sample, moved to the calendar year 2025 and to US dollars: the same data
three months earlier (April 2025 becomes January 2025), so each quarter holds what the April
year's quarter held and settles to the same amounts; the quarters net off into the year; the
statements, the report, `explain` and `verify` work on it; a period of the April form is refused.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app
from obc_settle.periods import add_months

runner = CliRunner()
SAMPLE = ROOT / "contracts" / "diabetes-alliance.yaml"
SAMPLE_DATA = ROOT / "sample_data" / "diabetes-alliance"
QUARTERS = [f"2025-Q{q}" for q in range(1, 5)]


def calendar_contract_text() -> str:
    """The sample contract with calendar years, one year (2025) and amounts in dollars."""
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace("currency: GBP", "currency: USD")
    text = text.replace(
        "term:\n  start: 2025-04-01\n  end: 2030-03-31\n",
        "term:\n  start: 2025-01-01\n  end: 2025-12-31\n  year_starts: January\n",
    )
    years = re.search(r"contract_years:\n(  - .*\n)+", text)
    assert years is not None
    text = text.replace(
        years.group(0),
        "contract_years:\n  - {year: 2025, contract_value: 14200000.00, withheld_proportion: 0.05}\n",
    )
    text = re.sub(r"\n +by_year:\n +2027-28: .*", "", text)
    assert "2025-26" not in text and "2027-28" not in text
    return text


@pytest.fixture(scope="module")
def calendar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """contract.yaml and data/2025-Qn.parquet: the sample's 2025-26 quarters, three months earlier."""
    folder = tmp_path_factory.mktemp("calendar")
    (folder / "contract.yaml").write_text(calendar_contract_text(), encoding="utf-8")
    data = folder / "data"
    data.mkdir()
    for quarter in range(1, 5):
        frame = pl.read_parquet(SAMPLE_DATA / f"2025-26-Q{quarter}.parquet")
        moved = frame.with_columns(pl.col("period").map_elements(lambda m: add_months(m, -3), pl.String))
        moved.write_parquet(data / f"2025-Q{quarter}.parquet")
    return folder


def cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def settle(folder: Path, period: str, out: Path, *extra: str) -> tuple[int, str, str]:
    return cli(
        "run", str(folder / "contract.yaml"), "--data", str(folder / "data"), "--period", period,
        "--out", str(out), *extra,
    )  # fmt: skip


@pytest.fixture(scope="module")
def year(calendar: Path) -> Path:
    """runs/2025-Q1 ... runs/2025-Q4 (each netting off the earlier) and runs/2025, every format."""
    runs = calendar / "runs"
    done: list[str] = []
    for period in [*QUARTERS, "2025"]:
        code, _, stderr = settle(calendar, period, runs / period, *done)
        assert code == 0, stderr
        done += ["--paid", str(runs / period)]
    return runs


def summary(run: Path) -> dict[str, object]:
    document = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    settlements: list[dict[str, object]] = document["settlements"]
    return settlements[0]


def test_the_quarters_and_the_year_are_named_in_the_calendar_form(year: Path) -> None:
    for period in [*QUARTERS, "2025"]:
        ledger = pl.read_parquet(year / period / "ledger.parquet")
        assert set(ledger.get_column("settlement_period")) == {period}
        assert set(ledger.get_column("contract_year")) == {"2025"}
    assert summary(year / "2025")["status"] == "final"


@pytest.mark.slow
def test_a_calendar_quarter_settles_to_what_the_same_months_of_the_april_year_did(
    calendar: Path, tmp_path: Path
) -> None:
    code, _, stderr = settle(calendar, "2025-Q1", tmp_path / "calendar", "--format", "html")
    assert code == 0, stderr
    code, _, stderr = cli(
        "run", str(SAMPLE), "--data", str(SAMPLE_DATA), "--period", "2025-26-Q1",
        "--out", str(tmp_path / "april"), "--format", "html",
    )  # fmt: skip
    assert code == 0, stderr
    moved, april = summary(tmp_path / "calendar"), summary(tmp_path / "april")
    money = [key for key in april if key.endswith("_pence")]
    assert money and {key: moved[key] for key in money} == {key: april[key] for key in money}
    assert moved["providers"] == april["providers"]


def test_the_year_nets_off_the_quarters_and_verifies(year: Path) -> None:
    ledger = pl.read_parquet(year / "2025" / "ledger.parquet")
    whit = ledger.filter(pl.col("party_id") == "WHIT")
    paid = whit.filter(pl.col("line_type") == "paid_on_account")
    assert paid.get_column("adjusts_period").to_list() == QUARTERS
    to_date = whit.filter(pl.col("line_type") == "paid_to_date")["amount_pence"].item()
    assert to_date == paid["amount_pence"].sum() > 0
    for period in ("2025-Q3", "2025"):
        code, stdout, stderr = cli("verify", str(year / period))
        assert code == 0, stdout + stderr


def test_explain_shows_dollars_and_cents(year: Path) -> None:
    code, stdout, stderr = cli("explain", str(year / "2025-Q3"), "--provider", "WHIT")
    assert code == 0, stderr
    assert "$" in stdout and "cents" in stdout
    assert "£" not in stdout
    assert not re.search(r"\b(pence|penny|pounds)\b", stdout), stdout


def test_the_terminal_table_shows_dollars(calendar: Path, tmp_path: Path) -> None:
    code, stdout, stderr = settle(calendar, "2025-Q1", tmp_path / "q1", "--format", "html")
    assert code == 0, stderr
    assert "$" in stdout and "£" not in stdout


@pytest.mark.parametrize(("period", "form"), [("2025-26", "2025-Q3"), ("2025-26-Q3", "2025-Q3")])
def test_a_period_of_the_april_form_is_refused_naming_the_contracts_form(
    calendar: Path, tmp_path: Path, period: str, form: str
) -> None:
    code, _, stderr = settle(calendar, period, tmp_path / "out")
    assert code == 2
    assert "R001" in stderr and "calendar years" in stderr and form in stderr
    assert not (tmp_path / "out").exists()


def test_an_april_contract_refuses_a_calendar_period(tmp_path: Path) -> None:
    code, _, stderr = cli(
        "run", str(SAMPLE), "--data", str(SAMPLE_DATA), "--period", "2025-Q3", "--out", str(tmp_path / "out")
    )
    assert code == 2
    assert "April to March" in stderr and "2025-26-Q3" in stderr


def test_check_and_the_return_template_read_calendar_periods(calendar: Path, tmp_path: Path) -> None:
    contract = str(calendar / "contract.yaml")
    code, stdout, stderr = cli(
        "check", contract, "--data", str(calendar / "data"), "--period", "2025-Q3", "--json"
    )
    assert code == 0, stderr
    assert json.loads(stdout)["settlement_period"] == "2025-Q3"
    code, _, stderr = cli("template", contract, "--period", "2025-Q1", "--out", str(tmp_path / "q1.xlsx"))
    assert code == 0, stderr
    assert (tmp_path / "q1.xlsx").stat().st_size > 0
    code, _, stderr = cli("template", contract, "--period", "2025-26-Q1", "--out", str(tmp_path / "bad.xlsx"))
    assert code == 2 and "calendar years" in stderr


def test_diff_of_two_runs_shows_the_differences_in_dollars(year: Path) -> None:
    code, stdout, stderr = cli("diff", str(year / "2025-Q2"), str(year / "2025-Q3"))
    assert code == 6, stderr
    assert "$" in stdout and "£" not in stdout
