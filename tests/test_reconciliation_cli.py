"""Payments on account through the command line: `run --paid` and `run --payments`.

Four quarterly runs of the diabetes alliance, each netting off the runs before it, then the
year-end reconciliation; and the clear refusals when the payment history does not fit.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app

runner = CliRunner()
CONTRACT = ROOT / "contracts" / "diabetes-alliance.yaml"
DATA = ROOT / "sample_data" / "diabetes-alliance"
QUARTERS = [f"2025-26-Q{q}" for q in range(1, 5)]


def run(out: Path, period: str, *extra: str) -> tuple[int, str, str]:
    args = [
        "run",
        str(CONTRACT),
        "--data",
        str(DATA),
        "--period",
        period,
        "--out",
        str(out),
        "--format",
        "html",
        "--json",
        *extra,
    ]
    result = runner.invoke(app, args)
    return result.exit_code, result.stdout, result.stderr


def paid_args(folders: list[Path]) -> list[str]:
    return [arg for folder in folders for arg in ("--paid", str(folder))]


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """runs/<period> for the four quarters (each netting off the earlier ones) and the year."""
    runs = tmp_path_factory.mktemp("runs")
    done: list[Path] = []
    for name in QUARTERS:
        code, _, stderr = run(runs / name, name, *paid_args(done))
        assert code == 0, stderr
        done.append(runs / name)
    code, _, stderr = run(runs / "2025-26", "2025-26", *paid_args(done))
    assert code == 0, stderr
    return runs


def summary(folder: Path) -> dict[str, object]:
    return json.loads((folder / "summary.json").read_text())["settlements"][0]


def test_the_quarters_and_the_reconciliation_add_up_to_the_year_end_rules(year: Path, tmp_path: Path) -> None:
    code, _, _ = run(
        tmp_path / "fresh", "2025-26", "--nothing-paid-on-account"
    )  # the year-end rules, no history
    assert code == 0
    rules = {p["provider_id"]: p["net_payable_pence"] for p in summary(tmp_path / "fresh")["providers"]}
    paid: dict[str, int] = {}
    for name in [*QUARTERS, "2025-26"]:
        for provider in summary(year / name)["providers"]:
            paid[provider["provider_id"]] = paid.get(provider["provider_id"], 0) + provider["due_now_pence"]
    assert paid == rules


def test_the_year_end_summary_shows_paid_to_date_due_now_and_to_recover(year: Path) -> None:
    final = summary(year / "2025-26")
    assert final["reconciled"] is True
    assert json.loads((year / "2025-26" / "summary.json").read_text())["schema_version"] == 2
    for provider in final["providers"]:
        assert provider["due_now_pence"] == provider["net_payable_pence"] - provider["paid_to_date_pence"]
        assert provider["to_recover_pence"] == max(0, -provider["due_now_pence"])
    assert final["due_now_pence"] == sum(p["due_now_pence"] for p in final["providers"])
    q1 = summary(year / "2025-26-Q1")
    assert q1["reconciled"] is False and q1["due_now_pence"] == q1["paid_to_providers_pence"]


def test_the_manifest_records_the_earlier_runs_as_inputs(year: Path) -> None:
    manifest = json.loads((year / "2025-26" / "manifest.json").read_text())
    assert manifest["parameters"]["paid"] == [str(year / name) for name in QUARTERS]
    paid_inputs = [item for item in manifest["inputs"] if item["role"] == "paid_run"]
    assert sorted(item["path"] for item in paid_inputs) == [
        f"inputs/paid/{name}/ledger.parquet" for name in QUARTERS
    ]


def test_a_payments_extract_that_matches_the_runs_gives_the_same_reconciliation(
    year: Path, tmp_path: Path
) -> None:
    rows = []
    for name in QUARTERS:
        for provider in summary(year / name)["providers"]:
            rows.append(
                {
                    "provider_id": provider["provider_id"],
                    "settlement_period": name,
                    "amount_pence": provider["due_now_pence"],
                    "line": "quarterly payment",
                }
            )
    payments = tmp_path / "payments.parquet"
    pl.DataFrame(rows).write_parquet(payments)
    code, stdout, stderr = run(tmp_path / "by_extract", "2025-26", "--payments", str(payments))
    assert code == 0, stderr
    by_runs = summary(year / "2025-26")
    assert json.loads(stdout)["settlements"][0]["providers"] == by_runs["providers"]
    code, _, stderr = run(
        tmp_path / "both", "2025-26", "--payments", str(payments), *paid_args([year / q for q in QUARTERS])
    )
    assert code == 0, stderr


def test_a_payments_extract_that_does_not_match_the_runs_is_refused_naming_the_row(
    year: Path, tmp_path: Path
) -> None:
    rows = [
        {
            "provider_id": p["provider_id"],
            "settlement_period": name,
            "amount_pence": p["due_now_pence"]
            + (100 if (name, p["provider_id"]) == ("2025-26-Q2", "ISLGP") else 0),
        }
        for name in QUARTERS
        for p in summary(year / name)["providers"]
    ]
    payments = tmp_path / "payments.parquet"
    pl.DataFrame(rows).write_parquet(payments)
    out = tmp_path / "refused"
    code, _, stderr = run(
        out, "2025-26", "--payments", str(payments), *paid_args([year / q for q in QUARTERS])
    )
    assert code == 3
    assert f"{payments}: P008 row 6: ISLGP 2025-26-Q2: the extract says" in stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("mutate", "code", "text"),
    [
        (
            lambda rows: (
                [*rows, {"provider_id": "NOPE", "settlement_period": "2025-26-Q1", "amount_pence": 1}]
            ),
            "P007",
            "row 2, column provider_id: unknown provider 'NOPE'",
        ),
        (
            lambda rows: (
                [*rows, {"provider_id": "WHIT", "settlement_period": "2024-25-Q1", "amount_pence": 1}]
            ),
            "P003",
            "row 2, column settlement_period: 2024-25-Q1 is not in the contract year settled",
        ),
        (
            lambda rows: (
                [
                    *rows,
                    {"provider_id": "WHIT", "settlement_period": "2025-26-Q1", "amount_pence": 10**14 + 1},
                    {"provider_id": "WHIT", "settlement_period": "2025-26-Q1", "amount_pence": 2**62},
                ]
            ),
            "P011",
            "row 2, column amount_pence: 100,000,000,000,001 pence is beyond the limit of £1,000,000,000,000.00",
        ),
    ],
)
def test_bad_payments_rows_are_refused_with_file_and_row(
    tmp_path: Path, mutate: object, code: str, text: str
) -> None:
    rows = [{"provider_id": "WHIT", "settlement_period": "2025-26-Q1", "amount_pence": 100}]
    payments = tmp_path / "payments.parquet"
    pl.DataFrame(mutate(rows)).write_parquet(payments)  # type: ignore[operator]
    exit_code, _, stderr = run(tmp_path / "out", "2025-26", "--payments", str(payments))
    assert exit_code == 3
    assert f"{payments}: {code} {text}" in stderr


def test_a_missing_earlier_run_is_refused(year: Path, tmp_path: Path) -> None:
    code, _, stderr = run(tmp_path / "out", "2025-26", *paid_args([year / "2025-26-Q1", year / "2025-26-Q3"]))
    assert code == 3
    assert "--paid: P006 no run given for 2025-26-Q2" in stderr


def test_a_run_given_twice_a_later_run_and_another_contracts_run_are_refused(
    year: Path, tmp_path: Path
) -> None:
    code, _, stderr = run(
        tmp_path / "a",
        "2025-26-Q3",
        *paid_args([year / "2025-26-Q1", year / "2025-26-Q1", year / "2025-26-Q2"]),
    )
    assert code == 3 and "P004 two runs settle 2025-26-Q1" in stderr
    code, _, stderr = run(
        tmp_path / "b", "2025-26-Q2", *paid_args([year / "2025-26-Q1", year / "2025-26-Q3"])
    )
    assert (
        code == 3
        and "P003 the run cannot be netted off: 2025-26-Q3 is after the period settled (2025-26-Q2)" in stderr
    )
    other = tmp_path / "other"
    result = runner.invoke(
        app,
        [
            "run",
            str(ROOT / "contracts" / "mk-substance-misuse.yaml"),
            "--data",
            str(ROOT / "sample_data" / "mk-substance-misuse"),
            "--period",
            "2025-26-Q1",
            "--out",
            str(other),
            "--format",
            "html",
            "-q",
        ],
    )
    assert result.exit_code == 0
    code, _, stderr = run(tmp_path / "c", "2025-26-Q2", *paid_args([other]))
    assert (
        code == 3
        and "P002 the run settles contract 'mk-substance-misuse', not 'ih-diabetes-alliance'" in stderr
    )


def test_a_run_whose_own_history_the_runs_given_do_not_show_is_refused(year: Path, tmp_path: Path) -> None:
    """Q3 was netted against Q1 and Q2; giving Q3 without Q2 cannot match what Q3 counted."""
    code, _, stderr = run(
        tmp_path / "out", "2025-26-Q4", *paid_args([year / "2025-26-Q1", year / "2025-26-Q3"])
    )
    assert code == 3
    assert "P005 the run counted" in stderr and "P006 no run given for 2025-26-Q2" in stderr


def test_not_a_run_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "not-a-run").mkdir()
    code, _, stderr = run(tmp_path / "out", "2025-26", "--paid", str(tmp_path / "not-a-run"))
    assert code == 3
    assert f"{tmp_path / 'not-a-run'}: P001 not a run folder" in stderr
