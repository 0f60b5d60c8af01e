"""QOF aspiration based on the previous contract year's run (`aspiration_basis: previous_year_run`).

A two-year QOF contract of two practices, settled through the command line: 2025-26 with a typed-in
basis, then 2026-27 whose aspiration is 70% of each practice's own 2025-26 achievement payment,
read from the 2025-26 run folder given with `--previous-year`, archived and replayed by `verify`.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from engine_support import dump
from schemes_support import template
from typer.testing import CliRunner

from obc_settle.cli import app
from obc_settle.money import apply_proportion, largest_remainder

runner = CliRunner()
PRACTICES = ("NORTH", "SOUTH")
MONTHS = [f"{year}-{month:02d}" for year in (2025, 2026) for month in range(4, 13)] + [
    f"{year}-{month:02d}" for year in (2026, 2027) for month in range(1, 4)
]
EXTRACT_SCHEMA = {
    "provider_id": pl.String,
    "indicator_id": pl.String,
    "period": pl.String,
    "numerator": pl.Int64,
    "denominator": pl.Int64,
}


def contract_body(contract_id: str = "qof-two-years") -> dict[str, Any]:
    body = template("qof")
    body["id"] = contract_id
    body["term"] = {"start": date(2025, 4, 1), "end": date(2027, 3, 31)}
    body["providers"] = [
        {"id": "NORTH", "name": "North Surgery", "role": "lead", "base_share": Decimal("0.5")},
        {"id": "SOUTH", "name": "South Surgery", "role": "member", "base_share": Decimal("0.5")},
    ]
    body["contract_years"] = [
        {
            "year": "2025-26",
            "contract_value": Decimal("0.00"),
            "withheld_proportion": 0,
            "aspiration_basis": Decimal("14000.00"),
        },
        {
            "year": "2026-27",
            "contract_value": Decimal("0.00"),
            "withheld_proportion": 0,
            "aspiration_basis": "previous_year_run",
        },
    ]
    return body


def extract_rows() -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    achieved = {"NORTH": (50, 40), "SOUTH": (70, 55)}  # AF006 of 80, DM036 of 70
    for practice in PRACTICES:
        af, dm = achieved[practice]
        for month in MONTHS:
            rows += [
                (practice, "AF006", month, af, 80),
                (practice, "DM036", month, dm, 70),
                (practice, "QIECG", month, 1, 1),
            ]
        for march in ("2026-03", "2027-03"):
            rows += [
                (practice, "list_size", march, 10500 if practice == "NORTH" else 6200, 0),
                (practice, "af_register", march, 240, 0),
                (practice, "dm_register", march, 780, 0),
            ]
    return rows


@pytest.fixture(scope="module")
def setting(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("qof")
    (folder / "contract.yaml").write_text(dump(contract_body()), encoding="utf-8")
    (folder / "other.yaml").write_text(dump(contract_body("qof-another")), encoding="utf-8")
    (folder / "data").mkdir()
    pl.DataFrame(extract_rows(), schema=EXTRACT_SCHEMA, orient="row").write_parquet(
        folder / "data" / "extract.parquet"
    )
    return folder


def run(folder: Path, period: str, out: str, *extra: str, contract: str = "contract.yaml") -> tuple[int, str]:
    args = ["run", str(folder / contract), "--data", str(folder / "data"), "--period", period]
    args += ["--out", str(folder / out), "--format", "html", "-q", *extra]
    result = runner.invoke(app, args)
    return result.exit_code, result.stderr


@pytest.fixture(scope="module")
def first_year(setting: Path) -> Path:
    code, stderr = run(setting, "2025-26", "y1", "--nothing-paid-on-account")
    assert code == 0, stderr
    return setting / "y1"


@pytest.fixture(scope="module")
def second_year_q1(setting: Path, first_year: Path) -> Path:
    code, stderr = run(setting, "2026-27-Q1", "y2q1", "--previous-year", str(first_year))
    assert code == 0, stderr
    return setting / "y2q1"


def ledger(folder: Path) -> pl.DataFrame:
    return pl.read_parquet(folder / "ledger.parquet")


def achievement(folder: Path) -> dict[str, int]:
    points = (
        ledger(folder)
        .filter(pl.col("line_type") == "points")
        .group_by("party_id")
        .agg(pl.col("amount_pence").sum())
    )
    return {party: int(amount) for party, amount in points.iter_rows() if party != "commissioner"}


def aspiration(folder: Path) -> dict[str, pl.DataFrame]:
    lines = ledger(folder).filter(
        (pl.col("line_type") == "aspiration") & (pl.col("party_id") != "commissioner")
    )
    return {party: lines.filter(pl.col("party_id") == party) for party in PRACTICES}


def test_each_practice_is_paid_seventy_percent_of_its_own_previous_achievement_in_twelfths(
    first_year: Path, second_year_q1: Path
) -> None:
    earned = achievement(first_year)
    assert earned["NORTH"] != earned["SOUTH"] and min(earned.values()) > 0
    lines = aspiration(second_year_q1)
    run_id = json.loads((first_year / "manifest.json").read_text())["run_id"]
    for practice in PRACTICES:
        annual = apply_proportion(earned[practice], Decimal("0.7"))
        expected = sum(largest_remainder(annual, [1] * 12)[:3])  # April to June
        row = lines[practice].row(0, named=True)
        assert row["amount_pence"] == expected
        assert (
            f"70% of your 2025-26 achievement payment of {earned[practice]} pence (run {run_id})"
            in row["note"]
        )
        steps = json.loads(row["derivation"])
        assert steps["achievement_pence"] == earned[practice] and steps["previous_run_id"] == run_id
        assert steps["annual_pence"] == annual
    commissioner = ledger(second_year_q1).filter(
        (pl.col("line_type") == "aspiration") & (pl.col("party_id") == "commissioner")
    )
    assert int(commissioner["amount_pence"].item()) == -sum(
        int(f["amount_pence"].item()) for f in lines.values()
    )


def test_the_manifest_records_the_previous_years_run_and_archives_it(
    first_year: Path, second_year_q1: Path
) -> None:
    manifest = json.loads((second_year_q1 / "manifest.json").read_text())
    previous = json.loads((first_year / "manifest.json").read_text())
    recorded = manifest["parameters"]["previous_year_run"]
    ledger_hash = next(item["sha256"] for item in previous["outputs"] if item["path"] == "ledger.parquet")
    assert recorded == {
        "contract_year": "2025-26",
        "run_id": previous["run_id"],
        "ledger_sha256": ledger_hash,
    }
    roles = {item["role"]: item["path"] for item in manifest["inputs"]}
    assert roles["previous_year_run"] == "inputs/previous_year/2025-26/ledger.parquet"
    assert roles["previous_year_manifest"] == "inputs/previous_year/2025-26/manifest.json"
    assert (second_year_q1 / roles["previous_year_manifest"]).read_bytes() == (
        first_year / "manifest.json"
    ).read_bytes()


def test_verify_replays_the_second_year_from_its_folder_alone(setting: Path, second_year_q1: Path) -> None:
    moved = setting / "moved"
    shutil.copytree(second_year_q1, moved)
    result = runner.invoke(app, ["verify", str(moved)])
    assert result.exit_code == 0, result.stdout + result.stderr


def test_statement_and_explain_say_where_the_aspiration_came_from(
    first_year: Path, second_year_q1: Path
) -> None:
    run_id = json.loads((first_year / "manifest.json").read_text())["run_id"]
    pounds = f"£{achievement(first_year)['NORTH'] / 100:,.2f}"
    html = (second_year_q1 / "statements" / "NORTH.html").read_text(encoding="utf-8")
    assert f"70% of your 2025-26 achievement payment of {pounds} (run {run_id})" in html
    result = runner.invoke(app, ["explain", str(second_year_q1), "--provider", "NORTH"])
    assert result.exit_code == 0, result.stderr
    assert f"70% of your 2025-26 achievement payment of {pounds} (run {run_id})" in result.stdout


def test_a_later_quarter_restates_the_first_on_the_same_basis(
    setting: Path, first_year: Path, second_year_q1: Path
) -> None:
    code, stderr = run(
        setting, "2026-27-Q2", "y2q2", "--previous-year", str(first_year), "--paid", str(second_year_q1)
    )
    assert code == 0, stderr
    q2 = ledger(setting / "y2q2")
    assert (
        q2.filter(pl.col("line_type") == "restatement").height == 0
    )  # Q1 settled again gives the same money


def test_the_typed_in_basis_still_pays_by_base_share(setting: Path) -> None:
    code, stderr = run(setting, "2025-26-Q1", "y1q1")
    assert code == 0, stderr
    lines = aspiration(setting / "y1q1")
    # 70% of £14,000 = 980,000 pence a year; April to June 245,001; half each by base share
    assert sorted(int(lines[p]["amount_pence"].item()) for p in PRACTICES) == [122500, 122501]
    assert lines["NORTH"]["derivation"].item() is None


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("missing", "R006"),
        ("not_a_run", "R006"),
        ("a_quarter", "R007"),
        ("another_contract", "R007"),
        ("no_manifest", "R008"),
        ("ledger_altered", "R008"),
        ("year_end", "R002"),
    ],
)
def test_refusals_name_the_option(setting: Path, first_year: Path, case: str, code: str) -> None:
    period, extra = "2026-27-Q1", ["--previous-year"]
    if case == "missing":
        extra = []
    elif case == "not_a_run":
        extra.append(str(setting / "data"))
    elif case == "a_quarter":
        status, stderr = run(setting, "2025-26-Q2", f"q_{case}")
        assert status == 0, stderr
        extra.append(str(setting / f"q_{case}"))
    elif case == "another_contract":
        status, stderr = run(setting, "2025-26", "other", "--nothing-paid-on-account", contract="other.yaml")
        assert status == 0, stderr
        extra.append(str(setting / "other"))
    elif case in ("no_manifest", "ledger_altered"):
        copy = setting / f"copy_{case}"
        shutil.copytree(first_year, copy)
        if case == "no_manifest":
            (copy / "manifest.json").unlink()
        else:
            altered = ledger(copy).with_columns(pl.col("amount_pence") * 2)
            altered.write_parquet(copy / "ledger.parquet")
        extra.append(str(copy))
    else:
        period, extra = "2026-27", ["--nothing-paid-on-account", "--previous-year", str(first_year)]
    status, stderr = run(setting, period, f"refused_{case}", *extra)
    assert status == 2, stderr
    assert f"--previous-year: {code} " in stderr
    assert not (setting / f"refused_{case}").exists()
