"""`simulate` and `check` on a quarter whose aspiration is based on the previous year's run.

The two-year QOF contract of tests/test_qof_previous_year.py: the quarters of 2026-27 pay aspiration
on each practice's 2025-26 achievement payment, read from the 2025-26 run. `simulate sensitivity`,
`simulate scenario` and `check` take that run with `--previous-year` as `run` does, through the
same checks (R002, R006 to R008), and settle the quarter on the same basis as its run.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from engine_support import dump
from paths import ROOT
from test_qof_previous_year import EXTRACT_SCHEMA, contract_body, extract_rows
from typer.testing import CliRunner

from obc_settle.cli import app

runner = CliRunner()


def cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def setting(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """contract.yaml, data/, the 2025-26 run (y1), a 2025-26 quarter's run (q2) and the 2026-27-Q1 run (y2q1)."""
    folder = tmp_path_factory.mktemp("qof_whatif")
    (folder / "contract.yaml").write_text(dump(contract_body()), encoding="utf-8")
    (folder / "data").mkdir()
    pl.DataFrame(extract_rows(), schema=EXTRACT_SCHEMA, orient="row").write_parquet(
        folder / "data" / "extract.parquet"
    )
    for period, out, extra in (
        ("2025-26", "y1", ["--nothing-paid-on-account"]),
        ("2025-26-Q2", "q2", []),
        ("2026-27-Q1", "y2q1", ["--previous-year", str(folder / "y1")]),
    ):
        code, _, stderr = cli(
            "run", str(folder / "contract.yaml"), "--data", str(folder / "data"), "--period", period,
            "--out", str(folder / out), "--format", "html", "-q", *extra,
        )  # fmt: skip
        assert code == 0, stderr
    return folder


def common(folder: Path, period: str = "2026-27-Q1") -> list[str]:
    return [str(folder / "contract.yaml"), "--data", str(folder / "data"), "--period", period]


def test_sensitivity_settles_the_quarter_on_the_previous_years_run(setting: Path) -> None:
    out = setting / "sensitivity"
    code, stdout, stderr = cli(
        "simulate", "sensitivity", *common(setting), "--previous-year", str(setting / "y1"),
        "--out", str(out), "--json",
    )  # fmt: skip
    assert code == 0, stderr
    result = json.loads(stdout)
    ledger = pl.read_parquet(setting / "y2q1" / "ledger.parquet")
    paid = ledger.filter(pl.col("line_type") == "net_payable")["amount_pence"].sum()
    assert paid > 0
    assert result["baseline"]["paid_to_providers_pence"] == paid
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    previous = json.loads((setting / "y1" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["previous_year_run"]["run_id"] == previous["run_id"]
    roles = {item["role"] for item in manifest["inputs"]}
    assert {"previous_year_run", "previous_year_manifest"} <= roles


def test_a_scenario_of_the_quarter_takes_the_previous_year_too(setting: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(
        "scenario: af-improves\nchanges:\n  - achievement: {indicator: AF006, level: 0.8}\n", encoding="utf-8"
    )
    out = tmp_path / "scenario"
    code, stdout, stderr = cli(
        "simulate", "scenario", *common(setting), "--scenario", str(scenario),
        "--previous-year", str(setting / "y1"), "--out", str(out), "--json",
    )  # fmt: skip
    assert code == 0, stderr
    assert json.loads(stdout)["scenario"] == "af-improves"
    baseline = pl.read_csv(out / "baseline" / "ledger.csv")
    run = pl.read_parquet(setting / "y2q1" / "ledger.parquet")

    def aspiration(ledger: pl.DataFrame) -> list[tuple[str, int]]:
        lines = ledger.filter(pl.col("line_type") == "aspiration").sort("party_id")
        return list(zip(lines["party_id"].to_list(), lines["amount_pence"].to_list(), strict=True))

    assert aspiration(baseline) == aspiration(run) and aspiration(run)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "previous_year_run" in manifest["parameters"]


@pytest.mark.parametrize(
    ("command", "extra", "code", "status"),
    [
        ("sensitivity", [], "R006", 2),
        ("sensitivity", ["--previous-year", "q2"], "R007", 2),
        ("sensitivity", ["--previous-year", "data"], "R006", 2),
        ("scenario", [], "R006", 2),
    ],
)
def test_simulate_refuses_a_missing_or_wrong_previous_year_run_naming_the_option(
    setting: Path, command: str, extra: list[str], code: str, status: int
) -> None:
    given = [str(setting / e) if e in ("q2", "data") else e for e in extra]
    args = ["simulate", command, *common(setting), *given]
    if command == "scenario":
        args += ["--scenario", str(ROOT / "contracts" / "scenarios" / "hba1c-improves.yaml")]
    exit_code, _, stderr = cli(*args)
    assert exit_code == status, stderr
    assert f"--previous-year: {code} " in stderr


def test_the_option_is_refused_where_the_period_does_not_use_it(setting: Path) -> None:
    exit_code, _, stderr = cli(
        "simulate", "sensitivity", *common(setting, "2026-27"), "--previous-year", str(setting / "y1")
    )
    assert exit_code == 2
    assert "--previous-year: R002 " in stderr


def test_check_takes_the_previous_years_run(setting: Path) -> None:
    code, stdout, stderr = cli("check", *common(setting), "--previous-year", str(setting / "y1"), "--json")
    assert code == 0, stderr
    assert json.loads(stdout)["settlement_period"] == "2026-27-Q1"
    code, _, stderr = cli("check", *common(setting))
    assert code == 2
    assert "--previous-year: R006 " in stderr
