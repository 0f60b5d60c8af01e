"""A restatement, a variation or a what-if: contract managers see exactly what moved, and why."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app

runner = CliRunner()
CONTRACT = ROOT / "contracts" / "diabetes-alliance.yaml"
DATA = ROOT / "sample_data" / "diabetes-alliance"
RESTATED = ("WHIT", "hba1c_control", "2025-11")


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def settle(out: Path, contract: Path = CONTRACT, data: Path = DATA, period: str = "2025-26-Q3") -> Path:
    code, _, stderr = invoke(
        "run",
        str(contract),
        "--data",
        str(data),
        "--period",
        period,
        "--out",
        str(out),
        "-q",
        *(["--nothing-paid-on-account"] if "Q" not in period else []),
    )
    assert code == 0, stderr
    return out


def diff_json(old: Path, new: Path) -> tuple[int, dict]:  # type: ignore[type-arg]
    code, stdout, stderr = invoke("diff", str(old), str(new), "--json")
    assert code in (0, 6), stderr
    return code, json.loads(stdout)


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return settle(tmp_path_factory.mktemp("original") / "run")


@pytest.fixture(scope="module")
def restated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("restated")
    data = folder / "data"
    shutil.copytree(DATA, data)
    extract = data / "2025-26-Q3.parquet"
    provider, indicator, month = RESTATED
    frame = pl.read_parquet(extract)
    row = (
        (pl.col("provider_id") == provider)
        & (pl.col("indicator_id") == indicator)
        & (pl.col("period") == month)
    )
    assert frame.filter(row).height == 1
    frame.with_columns(
        pl.when(row).then(pl.col("numerator") + 40).otherwise(pl.col("numerator")).alias("numerator")
    ).write_parquet(extract)
    return settle(folder / "run", data=data)


def test_a_restated_extract_shows_exactly_the_changed_indicators_lines(
    original: Path, restated: Path
) -> None:
    code, report = diff_json(original, restated)
    assert code == 6
    assert report["amounts_differ"] is True
    assert {line["indicator_id"] for line in report["lines"]} - {None} == {"hba1c_control"}
    outcome_lines = [line for line in report["lines"] if line["indicator_id"]]
    assert {line["party_id"] for line in outcome_lines} == {"WHIT", "ISLGP", "HARGP", "DSN", "commissioner"}
    assert all(line["changed"]["numerator"] == [24340.0, 24380.0] for line in outcome_lines)
    assert [(i["role"], i["status"], i["new_path"]) for i in report["inputs"]] == [
        ("extract", "changed", "inputs/extracts/2025-26-Q3.parquet")
    ]
    assert report["contract_terms"] == []
    [changed_sum] = report["extract_sums"]
    assert (changed_sum["provider_id"], changed_sum["indicator_id"], changed_sum["period"]) == RESTATED
    assert (changed_sum["old"]["numerator"], changed_sum["new"]["numerator"]) == ("746", "786")
    for line in report["lines"]:
        assert line["difference_pence"] == line["new_pence"] - line["old_pence"]
        assert isinstance(line["difference_pence"], int)
    totals = {t["total"]: t["difference_pence"] for t in report["totals"]}
    assert totals["contract value"] == 0
    assert totals["paid to providers"] + totals["retained"] == 0
    assert sum(v for k, v in totals.items() if k.endswith("net payable")) == totals["paid to providers"] > 0


def test_the_terminal_diff_shows_old_new_and_difference_with_totals(original: Path, restated: Path) -> None:
    code, stdout, _ = invoke("diff", str(original), str(restated))
    assert code == 6
    for heading in ("inputs that differ", "extract sums that differ", "ledger lines that differ", "totals"):
        assert heading in stdout
    # the commissioner keeps £553.83 less: hba1c_control scores 32615/76918 instead of 31615/76918, and
    # each provider earns round(available x score) on the exact score (-£553.84 when scores were rounded to millionths)
    assert "+£304.61" in stdout and "-£553.83" in stdout


def test_two_runs_of_the_same_inputs_do_not_differ(original: Path, tmp_path: Path) -> None:
    code, report = diff_json(original, settle(tmp_path / "again"))
    assert code == 0
    assert (
        report["differs"] is False
        and report["lines"] == []
        and report["inputs"] == []
        and report["parameters"] == []
    )
    code, stdout, _ = invoke("diff", str(original), str(original))
    assert code == 0 and "no differences" in stdout


def test_a_contract_variation_names_the_terms_that_changed(original: Path, tmp_path: Path) -> None:
    varied = tmp_path / "diabetes-alliance-v2.yaml"
    text = CONTRACT.read_text()
    assert text.count("caps: {WHIT: 0.6}") == 1
    varied.write_text(text.replace("caps: {WHIT: 0.6}", "caps: {WHIT: 0.5}"))
    code, report = diff_json(original, settle(tmp_path / "varied", contract=varied))
    assert code == 6
    assert report["contract_terms"] == [{"term": "share_rule.caps.WHIT", "old": 0.6, "new": 0.5}]
    assert [(i["role"], i["status"]) for i in report["inputs"]] == [("contract", "changed")]
    assert report["extract_sums"] == []
    assert any(line["party_id"] == "WHIT" and line["difference_pence"] < 0 for line in report["lines"])


def test_runs_of_different_periods_are_compared_with_a_warning(original: Path, tmp_path: Path) -> None:
    year = settle(tmp_path / "year", period="2025-26")
    code, stdout, stderr = invoke("diff", str(original), str(year))
    assert code == 6
    assert "warning A011 the runs settle a different settlement period: 2025-26-Q3 and 2025-26" in stderr
    assert "parameters that differ" in stdout and "ledger lines that differ" in stdout
    _, report = diff_json(original, year)
    assert report["parameters"] == [
        {"parameter": "nothing_paid_on_account", "old": None, "new": True},
        {"parameter": "period", "old": "2025-26-Q3", "new": "2025-26"},
    ]


def test_a_folder_that_is_not_a_run_is_a_usage_error(original: Path, tmp_path: Path) -> None:
    code, _, stderr = invoke("diff", str(original), str(tmp_path))
    assert code == 2
    assert "A001" in stderr
