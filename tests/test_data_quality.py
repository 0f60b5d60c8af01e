"""Complete and plausible inputs, or a located refusal: coverage (D023), implausible achieved
values (D024, D025), a year end without its payment history (R005), and `check` agreeing with `run`.

Each case starts from the diabetes alliance sample and changes one thing a contract manager gets
wrong: a provider-month left out of the extract, registers given where person-years belong, a
year end settled as if nothing had been paid.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app

CONTRACT = ROOT / "contracts" / "diabetes-alliance.yaml"
DATA = ROOT / "sample_data" / "diabetes-alliance"
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"NO_COLOR": "1", "COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def data_copy(tmp_path: Path, change: pl.Expr | None = None, drop: pl.Expr | None = None) -> Path:
    """The sample extracts, with rows matching `drop` removed and `change` applied."""
    folder = tmp_path / "data"
    folder.mkdir()
    for path in sorted(DATA.glob("*.parquet")):
        frame = pl.read_parquet(path)
        if drop is not None:
            frame = frame.filter(~drop)
        if change is not None:
            frame = frame.with_columns(change)
        frame.write_parquet(folder / path.name)
    return folder


def contract_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = CONTRACT.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "contract.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def codes(stderr: str) -> list[str]:
    found = []
    for line in stderr.splitlines():
        for word in line.split():
            if len(word) == 4 and word[0] in "CDRIOP" and word[1:].isdigit():
                found.append(word)
                break
    return found


MISSING_CELL = (
    (pl.col("provider_id") == "WHIT")
    & (pl.col("indicator_id") == "hba1c_control")
    & (pl.col("period") == "2025-11")
)
REGISTERS = (
    pl.when(pl.col("indicator_id") == "foot_ulcer_admissions")
    .then(pl.col("denominator") * 12)
    .otherwise(pl.col("denominator"))
    .alias("denominator")
)


def test_a_missing_provider_month_is_settled_and_shown_in_a_provisional_run(tmp_path: Path) -> None:
    data = data_copy(tmp_path, drop=MISSING_CELL)
    code, _, stderr = invoke(
        "run",
        str(CONTRACT),
        "--data",
        str(data),
        "--period",
        "2025-26-Q3",
        "--out",
        str(tmp_path / "out"),
        "-q",
    )
    assert code == 0, stderr
    assert (
        codes(stderr) == ["D023"]
        and "warning D023 provider WHIT" in stderr
        and "hba1c_control 2025-11" in stderr
    )
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    coverage = (
        summary["settlements"][0]["data_coverage"] if "settlements" in summary else summary["data_coverage"]
    )
    assert coverage["missing_cells"] == 1
    assert [p["missing"] for p in coverage["providers"] if p["provider_id"] == "WHIT"] == [
        [{"indicator_id": "hba1c_control", "month": "2025-11"}]
    ]
    ledger = pl.read_parquet(tmp_path / "out" / "ledger.parquet")
    notes = ledger.filter(pl.col("indicator_id") == "hba1c_control").get_column("note").to_list()
    assert notes and all("WHIT 2025-11" in note for note in notes)
    statement = (tmp_path / "out" / "statements" / "DSN.html").read_text(encoding="utf-8")
    assert "WHIT 2025-11" in statement


def test_a_final_settlement_with_a_missing_cell_is_refused_unless_the_contract_says_how(
    tmp_path: Path,
) -> None:
    data = data_copy(tmp_path, drop=MISSING_CELL)
    args = ("--data", str(data), "--period", "2025-26", "--nothing-paid-on-account", "-q")
    code, _, stderr = invoke("run", str(CONTRACT), *args, "--out", str(tmp_path / "refused"))
    assert code == 3 and codes(stderr) == ["D023"]
    assert not (tmp_path / "refused").exists()
    lenient = contract_copy(
        tmp_path, "unearned: retained", "unearned: retained\nmissing_cells: measure_what_arrived"
    )
    code, _, stderr = invoke("run", str(lenient), *args, "--out", str(tmp_path / "settled"))
    assert code == 0, stderr
    assert codes(stderr) == ["D023"] and "warning D023" in stderr


def test_a_year_end_without_the_payments_on_account_is_refused(tmp_path: Path) -> None:
    code, _, stderr = invoke(
        "run", str(CONTRACT), "--data", str(DATA), "--period", "2025-26", "--out", str(tmp_path / "out"), "-q"
    )
    assert code == 2 and codes(stderr) == ["R005"]
    assert "--paid" in stderr and "--payments" in stderr and "--nothing-paid-on-account" in stderr
    assert not (tmp_path / "out").exists()


def test_saying_nothing_was_paid_settles_and_the_statement_says_what_was_assumed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, stderr = invoke(
        "run",
        str(CONTRACT),
        "--data",
        str(DATA),
        "--period",
        "2025-26",
        "--out",
        str(out),
        "-q",
        "--nothing-paid-on-account",
    )
    assert code == 0, stderr
    ledger = pl.read_parquet(out / "ledger.parquet")
    paid_to_date = ledger.filter(pl.col("line_type") == "paid_to_date")
    assert paid_to_date.height == 4 and set(paid_to_date.get_column("amount_pence").to_list()) == {0}
    assert all("--nothing-paid-on-account" in note for note in paid_to_date.get_column("note").to_list())
    assert "--nothing-paid-on-account" in (out / "statements" / "DSN.html").read_text(encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["nothing_paid_on_account"] is True
    code, stdout, stderr = invoke("verify", str(out))
    assert code == 0, stdout + stderr


def test_saying_nothing_was_paid_beside_a_payment_history_is_a_usage_error(tmp_path: Path) -> None:
    code, _, stderr = invoke(
        "run",
        str(CONTRACT),
        "--data",
        str(DATA),
        "--period",
        "2025-26",
        "--out",
        str(tmp_path / "out"),
        "--nothing-paid-on-account",
        "--paid",
        str(tmp_path / "earlier"),  # beside the output folder, not around it (O005)
    )
    assert code == 2 and codes(stderr) == ["R002"]


def test_registers_given_as_person_years_are_implausible_a_warning_in_year_refused_at_year_end(
    tmp_path: Path,
) -> None:
    data = data_copy(tmp_path, change=REGISTERS)
    code, _, stderr = invoke(
        "run",
        str(CONTRACT),
        "--data",
        str(data),
        "--period",
        "2025-26-Q3",
        "--out",
        str(tmp_path / "q3"),
        "-q",
    )
    assert code == 0, stderr
    assert codes(stderr) == ["D025"] and "warning D025 indicator foot_ulcer_admissions" in stderr
    notes = (
        pl.read_parquet(tmp_path / "q3" / "ledger.parquet")
        .filter(pl.col("indicator_id") == "foot_ulcer_admissions")
        .get_column("note")
    )
    assert all("implausible" in note for note in notes.to_list())
    year = ("--data", str(data), "--period", "2025-26", "--nothing-paid-on-account", "-q")
    code, _, stderr = invoke("run", str(CONTRACT), *year, "--out", str(tmp_path / "year"))
    assert code == 3 and codes(stderr) == ["D025"] and "--accept-implausible foot_ulcer_admissions" in stderr
    assert not (tmp_path / "year").exists()
    code, _, stderr = invoke(
        "run",
        str(CONTRACT),
        *year,
        "--out",
        str(tmp_path / "accepted"),
        "--accept-implausible",
        "foot_ulcer_admissions",
    )
    assert code == 0, stderr
    assert "warning D025" in stderr
    code, stdout, stderr = invoke("verify", str(tmp_path / "accepted"))
    assert code == 0, stdout + stderr


def test_an_implausible_value_accepted_in_the_contract_settles(tmp_path: Path) -> None:
    data = data_copy(tmp_path, change=REGISTERS)
    accepted = contract_copy(
        tmp_path,
        "          window: rolling_12_months\n",
        "          window: rolling_12_months\n          data: {accept_implausible: {2025-26: new coding of foot admissions}}\n",
    )
    code, _, stderr = invoke(
        "run",
        str(accepted),
        "--data",
        str(data),
        "--period",
        "2025-26",
        "--nothing-paid-on-account",
        "-q",
        "--out",
        str(tmp_path / "out"),
    )
    assert code == 0, stderr
    assert "new coding of foot admissions" in stderr


def test_a_value_outside_its_plausible_range_is_refused_even_in_year(tmp_path: Path) -> None:
    ranged = contract_copy(
        tmp_path,
        "          window: rolling_12_months\n",
        "          window: rolling_12_months\n          data: {plausible_range: {min: 1, max: 40}}\n",
    )
    data = data_copy(tmp_path, change=REGISTERS)
    code, _, stderr = invoke(
        "run",
        str(ranged),
        "--data",
        str(data),
        "--period",
        "2025-26-Q3",
        "--out",
        str(tmp_path / "out"),
        "-q",
    )
    assert code == 3 and "D024" in codes(stderr)


def test_an_unknown_indicator_to_accept_is_a_usage_error(tmp_path: Path) -> None:
    code, _, stderr = invoke(
        "run",
        str(CONTRACT),
        "--data",
        str(DATA),
        "--period",
        "2025-26-Q3",
        "--out",
        str(tmp_path / "out"),
        "-q",
        "--accept-implausible",
        "foot_ulcers",
    )
    assert code == 2 and codes(stderr) == ["R002"]


@pytest.mark.parametrize("period", ["2025-26-Q3", "2025-26"])
def test_check_reports_the_same_findings_as_run(tmp_path: Path, period: str) -> None:
    data = data_copy(tmp_path, change=REGISTERS, drop=MISSING_CELL)
    code, stdout, _ = invoke("check", str(CONTRACT), "--data", str(data), "--period", period, "--json")
    report = json.loads(stdout)
    checked = sorted((f["code"], f["severity"], f["message"]) for f in report["findings"])
    run_code, _, stderr = invoke(
        "run",
        str(CONTRACT),
        "--data",
        str(data),
        "--period",
        period,
        "--out",
        str(tmp_path / "out"),
        "-q",
        *(["--nothing-paid-on-account"] if period == "2025-26" else []),
    )
    assert code == run_code == (3 if period == "2025-26" else 0)
    if period == "2025-26":
        # run stops at the first stage with an error (the missing cell); check goes on to the values
        assert [(c, s) for c, s, _ in checked] == [("D023", "error"), ("D025", "error")]
        assert codes(stderr) == ["D023"]
        assert checked[0][2] in stderr
    else:
        assert [(c, s) for c, s, _ in checked] == [("D023", "warning"), ("D025", "warning")]
        assert codes(stderr) == ["D023", "D025"]
        assert all(message in stderr for _, _, message in checked)
    assert report["coverage"]["missing_cells"] == 1
    assert {
        "provider_id": "WHIT",
        "indicator_id": "hba1c_control",
        "period": "2025-11",
        "rows": 0,
        "status": "missing",
    } in report["cells"]


def test_check_prints_the_coverage_table_and_writes_nothing(tmp_path: Path) -> None:
    data = data_copy(tmp_path, drop=MISSING_CELL)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    code, stdout, stderr = invoke("check", str(CONTRACT), "--data", str(data), "--period", "2025-26-Q3")
    assert code == 0, stderr
    assert "MISSING" in stdout and "hba1c_control" in stdout and "ready to run" in stdout
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_check_of_clean_sample_data_is_clean() -> None:
    code, stdout, stderr = invoke(
        "check", str(CONTRACT), "--data", str(DATA), "--period", "2025-26", "--json"
    )
    assert code == 0, stderr
    assert json.loads(stdout)["errors"] == 0


def test_an_annual_survey_expects_cells_only_in_its_collection_months(tmp_path: Path) -> None:
    survey = contract_copy(
        tmp_path,
        "          window: rolling_12_months\n",
        "          window: rolling_12_months\n          data: {collected_in: [10, 11]}\n",
    )
    data = data_copy(
        tmp_path,
        drop=(pl.col("indicator_id") == "foot_ulcer_admissions")
        & ~pl.col("period").str.slice(5, 2).is_in(["10", "11"]),
    )
    for period in ("2025-26-Q1", "2025-26-Q2", "2025-26-Q3", "2025-26"):
        code, stdout, stderr = invoke("check", str(survey), "--data", str(data), "--period", period, "--json")
        assert code == 0, stderr
        cells = json.loads(stdout)["cells"]
        months = {c["period"][5:] for c in cells if c["indicator_id"] == "foot_ulcer_admissions"}
        assert months <= {"10", "11"}
        assert all(c["status"] == "present" for c in cells)
