"""Bad input for contract years, through the command line: a clear finding naming the file and
place, the documented exit status, and nothing written."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app

runner = CliRunner()
MID_NOTTS = ROOT / "contracts" / "mid-notts-alliance.yaml"


def copy_without(tmp_path: Path, indicator_id: str, months: set[str]) -> Path:
    """The Mid-Nottinghamshire sample extracts without the rows of one quantity for some months."""
    folder = tmp_path / "data"
    folder.mkdir()
    for path in sorted((ROOT / "sample_data" / "mid-notts-alliance").glob("*.parquet")):
        frame = pl.read_parquet(path)
        frame.filter(
            ~((pl.col("indicator_id") == indicator_id) & pl.col("period").is_in(sorted(months)))
        ).write_parquet(folder / path.name)
    return folder


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["run", *args, "--format", "html", "-q"])
    return result.exit_code, result.stderr


def test_a_finance_extract_missing_months_is_refused_naming_the_data_and_the_months(tmp_path: Path) -> None:
    data = copy_without(tmp_path, "system_spend", {"2025-07", "2025-08"})
    out = tmp_path / "out"
    code, stderr = run(
        str(MID_NOTTS),
        "--data",
        str(data),
        "--period",
        "2025-26",
        "--out",
        str(out),
        "--nothing-paid-on-account",
    )
    assert code == 3
    assert (
        f"{data}: D031 no system_spend rows (actual spend (risk/gain share)) for 2 of the 12 months of 2025-26: 2025-07, 2025-08"
        in stderr
    )
    assert not out.exists()
    args = ["--period", "2025-26-Q2", "--out", str(out), "--nothing-paid-on-account"]  # Q1 not settled here
    code, _ = run(str(MID_NOTTS), "--data", str(data), *args)
    assert code == 0  # a quarter settles no risk share: the spend is not needed


def test_a_population_missing_for_a_month_of_a_capitated_quarter_is_refused(tmp_path: Path) -> None:
    data = copy_without(tmp_path, "registered_population", {"2025-11"})
    code, stderr = run(
        str(MID_NOTTS),
        "--data",
        str(data),
        "--period",
        "2025-26-Q3",
        "--out",
        str(tmp_path / "out"),
        "--nothing-paid-on-account",  # Q1 and Q2 are not settled here
    )
    assert code == 3
    assert (
        f"{data}: D030 no registered_population rows (registered population (capitation)) for 1 of the 9 months of 2025-26-Q3: 2025-11"
        in stderr
    )  # year to date: April to December


def test_a_variation_dated_outside_the_term_is_reported_at_its_line(tmp_path: Path) -> None:
    text = MID_NOTTS.read_text().replace("    effective: 2026-04-01", "    effective: 2035-04-01")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text)
    line = next(
        number for number, content in enumerate(text.splitlines(), 1) if "effective: 2035-04-01" in content
    )
    result = runner.invoke(app, ["validate", str(broken)])
    assert result.exit_code == 1
    assert (
        f"{broken}:{line}:16: C029 variation dated 2035-04-01 is outside the term 2025-04-01 to 2035-03-31"
        in result.stderr
    )


def test_a_contract_that_measures_nothing_runs_without_data_and_one_that_does_needs_it(
    tmp_path: Path,
) -> None:
    claims = tmp_path / "claims.parquet"
    pl.DataFrame(
        {
            "participant_id": ["p1"],
            "outcome_id": ["attendance_improved"],
            "provider_id": ["DELIVERY"],
            "period": ["2025-06"],
        }
    ).write_parquet(claims)
    code, stderr = run(
        str(ROOT / "contracts" / "templates" / "rate-card.yaml"),
        "--period",
        "2025-26-Q1",
        "--out",
        str(tmp_path / "sib"),
        "--claims",
        str(claims),
    )
    assert code == 0, stderr
    code, stderr = run(str(MID_NOTTS), "--period", "2025-26-Q1", "--out", str(tmp_path / "none"))
    assert code == 2 and "--data: R002 --data is required" in stderr
    code, stderr = run(
        str(MID_NOTTS),
        "--data",
        str(ROOT / "sample_data" / "mid-notts-alliance"),
        "--period",
        "2025-26-Q1",
        "--out",
        str(tmp_path / "x"),
        "--claims",
        str(claims),
    )
    assert code == 3 and "R002 --claims is only used by a contract with a rate card" in stderr
