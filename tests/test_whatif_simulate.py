"""What-if simulations are settlements of changed inputs by the one engine (issue 8)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.app.simulate import design, run_scenario, sensitivity, settle_at_level
from obc_settle.app.whatif import load_inputs
from obc_settle.cli import app
from obc_settle.engine import settle
from obc_settle.engine.whatif import conform
from obc_settle.errors import ExitCode, SettlementError
from obc_settle.ledger import party_totals, settlement_totals

CONTRACT = ROOT / "contracts" / "diabetes-alliance.yaml"
DATA = ROOT / "sample_data" / "diabetes-alliance"
SCENARIOS = ROOT / "contracts" / "scenarios"
TOTAL_LINES = {"unearned", "net_payable", "net_retained", "redistributed_unearned"}


@pytest.fixture(scope="module")
def inputs():
    return load_inputs(CONTRACT, DATA, "2025-26")


def _scenario(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_conforming_the_monthly_sums_changes_nothing(inputs) -> None:
    assert conform(inputs.extracts.monthly).equals(inputs.extracts.monthly)


def test_an_unchanged_scenario_gives_exactly_the_real_settlement(inputs, tmp_path: Path) -> None:
    path = _scenario(tmp_path, "scenario: nothing\nchanges:\n  - activity: {factor: 1}\n")
    result, _ = run_scenario(inputs, path)
    real = settle(inputs.loaded.contract, inputs.extracts.monthly, inputs.period)
    assert result.changed.equals(real)
    assert result.baseline.equals(real)
    assert result.lines == []
    assert all(row["difference_pence"] == 0 for row in result.totals)


def test_an_unchanged_scenario_matches_the_run_folder_ledger(inputs, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "run"
    done = runner.invoke(
        app,
        [
            "run",
            str(CONTRACT),
            "--data",
            str(DATA),
            "--period",
            "2025-26",
            "--out",
            str(out),
            "--format",
            "html",
            "--quiet",
            "--nothing-paid-on-account",
        ],
    )
    assert done.exit_code == 0, done.output
    result, _ = run_scenario(
        inputs, _scenario(tmp_path, "scenario: same\nchanges:\n  - activity: {factor: 1.0}\n")
    )
    nothing_paid = pl.col("line_type").is_in(
        ["paid_to_date", "due_now"]
    )  # the run's statement that nothing was paid
    assert result.changed.equals(pl.read_parquet(out / "ledger.parquet").filter(~nothing_paid))


def test_a_scenario_moving_one_indicator_changes_only_its_lines_and_the_totals(inputs) -> None:
    result, _ = run_scenario(inputs, SCENARIOS / "hba1c-improves.yaml")
    assert result.lines, "the scenario must change something"
    for line in result.lines:
        assert line["indicator_id"] == "hba1c_control" or (
            line["indicator_id"] is None and line["line_type"] in TOTAL_LINES
        ), line
    changed_indicators = {line["indicator_id"] for line in result.lines if line["indicator_id"]}
    assert changed_indicators == {"hba1c_control"}
    achieved = (
        result.changed.filter(pl.col("indicator_id") == "hba1c_control")
        .get_column("achieved")
        .unique()
        .to_list()
    )
    assert achieved == [pytest.approx(0.66, abs=1e-9)]
    totals = {row["total"]: row for row in result.totals}
    assert totals["contract value"]["difference_pence"] == 0
    assert totals["paid to providers"]["difference_pence"] == -totals["retained"]["difference_pence"] != 0


@pytest.mark.slow
def test_sensitivity_points_equal_individual_settlements_at_those_levels(inputs, tmp_path: Path) -> None:
    result = sensitivity(inputs, ["hba1c_control", "confidence_score"], steps=5)
    for curve in result["indicators"]:
        levels = [p["level"] for p in curve["points"]]
        assert curve["threshold"] in levels and curve["target"] in levels
        for point in curve["points"]:
            body = f"scenario: point\nchanges:\n  - achievement: {{indicator: {curve['indicator_id']}, level: {point['level']!r}}}\n"
            ledger, _ = run_scenario(inputs, _scenario(tmp_path, body))
            alone = ledger.changed
            assert settlement_totals(alone).paid_to_providers_pence == point["paid_to_providers_pence"]
            assert {t.provider_id: t.net_payable_pence for t in party_totals(alone)} == point["providers"]
            measured = alone.filter(pl.col("indicator_id") == curve["indicator_id"]).get_column("achieved")[0]
            assert measured == pytest.approx(point["level"], abs=1e-9)


def test_the_curve_is_flat_below_threshold_and_beyond_target_and_rises_between(inputs) -> None:
    curve = sensitivity(inputs, ["hba1c_control"], steps=9)["indicators"][0]
    paid = {p["level"]: p["paid_to_providers_pence"] for p in curve["points"]}
    below = [v for k, v in paid.items() if k <= curve["threshold"]]
    beyond = [v for k, v in paid.items() if k >= curve["target"]]
    assert len(set(below)) == 1 and len(set(beyond)) == 1
    assert beyond[0] > below[0]
    assert curve["next_point_pence"] > 0


def test_sensitivity_for_one_provider_follows_its_net_payable(inputs) -> None:
    whole = sensitivity(inputs, ["hba1c_control"], steps=5)["indicators"][0]
    one = sensitivity(inputs, ["hba1c_control"], steps=5, provider_id="DSN")
    curve = one["indicators"][0]
    assert one["followed"] == "net payable to DSN"
    assert [p["payable_pence"] for p in curve["points"]] == [p["providers"]["DSN"] for p in whole["points"]]
    # DSN holds 5% of the collective hba1c pool, so its next point is worth less than everyone's.
    assert 0 < curve["next_point_pence"] < whole["next_point_pence"]


def test_sensitivity_for_an_unknown_provider_is_a_usage_error(inputs) -> None:
    with pytest.raises(SettlementError) as caught:
        sensitivity(inputs, ["hba1c_control"], provider_id="NOPE")
    assert caught.value.exit_code == ExitCode.USAGE


def test_settle_at_level_is_a_settlement_of_the_rewritten_numerators(inputs) -> None:
    ledger = settle_at_level(inputs, "foot_ulcer_admissions", 2.4)
    rows = ledger.filter(pl.col("indicator_id") == "foot_ulcer_admissions")
    assert rows.get_column("achieved")[0] == pytest.approx(2.4, abs=1e-9)
    assert (
        rows.filter(pl.col("line_type") == "outcome").get_column("score").cast(pl.Float64).to_list()
        == [1.0] * rows.filter(pl.col("line_type") == "outcome").height
    )


def test_design_of_one_draft_twice_compares_equal_and_counts_hits() -> None:
    contract = ROOT / "contracts" / "staffordshire-cancer-eol.yaml"
    data = ROOT / "sample_data" / "staffordshire-cancer-eol"
    report, archived = design([contract, contract], data, ["2024-25", "2025-26"])
    assert [y["year"] for y in report["drafts"][0]["years"]] == ["2024-25", "2025-26"]
    assert all(row["difference_pence"] == 0 for row in report["comparison"])
    for item in report["drafts"][0]["indicators"]:
        assert 0 <= item["met_target"] <= item["met_threshold"] <= item["years"] <= 2
    assert {a.role for a in archived} == {"contract", "extract"}


def test_scenario_file_findings_are_located(inputs, tmp_path: Path) -> None:
    from obc_settle.contract.scenario import load_scenario

    body = "scenario: bad\nchanges:\n  - achievement: {indicator: hba1c, level: 0.7}\n  - activity: {factor: 2, colour: red}\n  - {}\n"
    loaded, findings = load_scenario(_scenario(tmp_path, body), inputs.terms)
    assert loaded is None
    got = {(f.code, f.location.line) for f in findings}
    assert ("S001", 4) in got and ("S001", 5) in got
    loaded, findings = load_scenario(
        _scenario(tmp_path, "scenario: bad\nchanges:\n  - achievement: {indicator: hba1c, level: 0.7}\n"),
        inputs.terms,
    )
    assert [(f.code, f.location.line, f.location.column) for f in findings] == [("S002", 3, 30)]


def test_simulate_commands_exit_statuses_and_outputs(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--data", str(DATA), "--period", "2025-26"]
    out = tmp_path / "sens"
    done = runner.invoke(
        app,
        [
            "simulate",
            "sensitivity",
            str(CONTRACT),
            *base,
            "--indicator",
            "hba1c_control",
            "--steps",
            "3",
            "--out",
            str(out),
        ],
    )
    assert done.exit_code == 0, done.output
    assert {p.name for p in out.iterdir()} >= {
        "sensitivity.csv",
        "sensitivity.json",
        "sensitivity.html",
        "manifest.json",
        "inputs",
    }
    assert "<svg" in (out / "sensitivity.html").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["command"] == "simulate-sensitivity"
    again = tmp_path / "sens2"
    runner.invoke(
        app,
        [
            "simulate",
            "sensitivity",
            str(CONTRACT),
            *base,
            "--indicator",
            "hba1c_control",
            "--steps",
            "3",
            "--out",
            str(again),
        ],
    )
    for name in ("sensitivity.csv", "sensitivity.json", "sensitivity.html"):
        assert (out / name).read_bytes() == (again / name).read_bytes()
    assert (
        runner.invoke(app, ["simulate", "sensitivity", str(CONTRACT), *base, "--indicator", "nope"]).exit_code
        == 2
    )
    bad = _scenario(tmp_path, "scenario: bad\nchanges: []\n")
    failed = runner.invoke(app, ["simulate", "scenario", str(CONTRACT), *base, "--scenario", str(bad)])
    assert failed.exit_code == 1 and "S001" in failed.output
    scen = runner.invoke(
        app,
        [
            "simulate",
            "scenario",
            str(CONTRACT),
            *base,
            "--scenario",
            str(SCENARIOS / "mixed-changes.yaml"),
            "--json",
        ],
    )
    assert scen.exit_code == 0, scen.output
    assert json.loads(scen.stdout)["scenario"] == "dsn-education-and-islington-growth"
