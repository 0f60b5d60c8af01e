"""End to end through the command line, as a contract manager and a CI job use it."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from paths import ROOT, SAMPLE_CONTRACTS
from typer.testing import CliRunner

from obc_settle.cli import app

runner = CliRunner()
DIABETES = ROOT / "contracts" / "diabetes-alliance.yaml"
DIABETES_DATA = ROOT / "sample_data" / "diabetes-alliance"


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("contract", SAMPLE_CONTRACTS, ids=lambda p: p.stem)
def test_every_sample_contract_validates(contract: Path) -> None:
    code, stdout, _ = invoke("validate", str(contract))
    assert code == 0
    assert "valid" in stdout


def test_a_broken_contract_is_reported_with_file_line_and_column(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    text = (
        DIABETES.read_text()
        .replace("base_share: 0.05", "base_share: 0.06")
        .replace("provider: DSN", "provider: DSNN")
    )
    broken.write_text(text)
    code, _, stderr = invoke("validate", str(broken))
    assert code == 1
    lines = [line for line in stderr.splitlines() if ": C0" in line]
    assert any(f"{broken}:" in line and " C021 " in line for line in lines)
    assert any(" C024 unknown provider 'DSNN' (did you mean 'DSN'?)" in line for line in lines)
    provider_line = next(i for i, line in enumerate(text.splitlines(), 1) if "provider: DSNN" in line)
    assert any(line.startswith(f"{broken}:{provider_line}:") for line in lines)
    assert "2 problems in 1 file" in stderr


def test_validate_json_lists_findings_for_ci(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(DIABETES.read_text().replace("weight: 0.6", "weight: 0.7"))
    code, stdout, _ = invoke("validate", "--json", str(broken))
    assert code == 1
    document = json.loads(stdout)
    assert document["errors"] == 1
    assert document["files"][0]["findings"][0]["code"] == "C020"


def run_sample(out: Path, period: str = "2025-26-Q3", *extra: str) -> tuple[int, str, str]:
    return invoke(
        "run", str(DIABETES), "--data", str(DIABETES_DATA), "--period", period, "--out", str(out), *extra
    )


def test_run_writes_every_output_and_the_summary_adds_up_to_the_penny(tmp_path: Path) -> None:
    out = tmp_path / "run"
    code, stdout, stderr = run_sample(out)
    assert code == 0, stderr
    assert "net payable" in stdout
    for name in ("ledger.parquet", "ledger.csv", "summary.json", "manifest.json"):
        assert (out / name).is_file()
    summary = json.loads((out / "summary.json").read_text())
    settlement = summary["settlements"][0]
    assert (
        settlement["paid_to_providers_pence"] + settlement["retained_pence"]
        == settlement["contract_value_pence"]
    )
    assert (
        sum(p["net_payable_pence"] for p in settlement["providers"]) == settlement["paid_to_providers_pence"]
    )
    for provider in settlement["providers"]:
        assert provider["earned_pence"] + provider["unearned_pence"] == provider["withheld_pence"]
        assert (out / "statements" / f"{provider['provider_id']}.html").is_file()
    assert settlement["status"] == "provisional"
    ledger = pl.read_parquet(out / "ledger.parquet")
    assert ledger.equals(pl.read_csv(out / "ledger.csv", schema=ledger.schema))


def test_manifest_hashes_every_input_and_output(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert run_sample(out)[0] == 0
    manifest = json.loads((out / "manifest.json").read_text())
    recorded = {item["path"]: item["sha256"] for item in manifest["outputs"]}
    actual = tree_hashes(out)
    actual.pop("manifest.json")
    assert recorded == actual
    roles = {item["role"] for item in manifest["inputs"]}
    assert roles == {"contract", "extract"}
    assert manifest["parameters"]["period"] == "2025-26-Q3"
    assert "polars" in manifest["dependencies"]


def test_two_runs_on_the_same_inputs_are_byte_identical(tmp_path: Path) -> None:
    assert run_sample(tmp_path / "a")[0] == 0
    assert run_sample(tmp_path / "b")[0] == 0
    assert tree_hashes(tmp_path / "a") == tree_hashes(tmp_path / "b")


def test_an_existing_output_folder_is_kept_without_force(tmp_path: Path) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("earlier run")
    code, _, stderr = run_sample(out)
    assert code == 5
    assert "O001" in stderr
    assert (out / "keep.txt").read_text() == "earlier run"
    code, _, stderr = run_sample(out, "2025-26-Q3", "--force")
    assert code == 5 and "O007" in stderr  # --force replaces only an empty folder or a run folder
    assert (out / "keep.txt").read_text() == "earlier run"
    (out / "keep.txt").unlink()
    assert run_sample(out, "2025-26-Q3", "--force")[0] == 0  # an empty folder
    assert run_sample(out, "2025-26-Q3", "--force")[0] == 0  # a run folder
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_bad_data_exits_3_and_writes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DIABETES_DATA, data)
    first = sorted(data.rglob("*.parquet"))[0]
    frame = pl.read_parquet(first)
    frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 4)
        .then(pl.lit(-1))
        .otherwise(pl.col("denominator"))
        .alias("denominator")
    ).write_parquet(first)
    out = tmp_path / "run"
    code, _, stderr = invoke(
        "run", str(DIABETES), "--data", str(data), "--period", "2025-26-Q3", "--out", str(out)
    )
    assert code == 3
    assert "D005" in stderr and "column denominator: 1 row negative, e.g. row 5" in stderr
    assert "Traceback" not in stderr
    assert not out.exists()


def test_a_period_outside_the_term_is_a_usage_error(tmp_path: Path) -> None:
    code, _, stderr = run_sample(tmp_path / "run", "2040-41-Q1")
    assert code == 2
    assert "R001" in stderr
    code, _, stderr = run_sample(tmp_path / "run", "Q3-2025")
    assert code == 2


def test_json_prints_the_summary_for_ci(tmp_path: Path) -> None:
    code, stdout, _ = run_sample(tmp_path / "run", "2025-26", "--json", "--nothing-paid-on-account")
    assert code == 0
    document = json.loads(stdout)
    assert document["settlements"][0]["status"] == "final"
    assert document == json.loads((tmp_path / "run" / "summary.json").read_text())


def test_schema_prints_a_json_schema_of_the_contract_language() -> None:
    code, stdout, _ = invoke("schema")
    assert code == 0
    document = json.loads(stdout)
    assert "providers" in document["properties"]
    assert document["additionalProperties"] is False
    base_share = document["$defs"]["Provider"]["properties"]["base_share"]
    assert (base_share["type"], base_share["minimum"], base_share["maximum"]) == ("number", 0, 1)


def test_the_installed_command_reports_its_version_and_exit_codes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "obc_settle", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("obc-settle ")
    result = subprocess.run(
        [sys.executable, "-m", "obc_settle", "--help"], capture_output=True, text=True, check=False
    )
    assert "Exit status" in result.stdout
