"""`obc-settle estimate`: a settlement of projected inputs, marked ESTIMATE everywhere (issue 8)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.app.whatif import EstimateRequest, run_estimate
from obc_settle.cli import app
from obc_settle.engine.whatif import project_year
from obc_settle.extracts.schema import MONTHLY_SCHEMA
from obc_settle.periods import ContractYear

MID_NOTTS = (ROOT / "contracts" / "mid-notts-alliance.yaml", ROOT / "sample_data" / "mid-notts-alliance")
DIABETES = (ROOT / "contracts" / "diabetes-alliance.yaml", ROOT / "sample_data" / "diabetes-alliance")
YEAR = ContractYear(2025).months()


def _monthly(values: dict[str, tuple[int, int]]) -> pl.DataFrame:
    rows = [
        {
            "provider_id": "P",
            "indicator_id": "i",
            "period": m,
            "numerator": n,
            "denominator": d,
            "value_sum": 0,
            "value_count": 0,
            "rows": 1,
            "excluded": 0,
        }
        for m, (n, d) in values.items()
    ]
    return pl.DataFrame(rows).select([pl.col(k).cast(t) for k, t in MONTHLY_SCHEMA.items()])


def test_held_projection_repeats_the_monthly_average_of_the_year_so_far() -> None:
    monthly = _monthly({"2025-04": (10, 20), "2025-05": (20, 40), "2025-06": (99, 99)})
    projected = project_year(monthly, YEAR, "2025-05", "held")
    later = projected.filter(pl.col("period") > "2025-05")
    assert later.height == 10
    assert set(later.get_column("numerator").cast(pl.Float64)) == {15.0}
    assert set(later.get_column("denominator").cast(pl.Float64)) == {30.0}
    assert set(later.get_column("rows")) == {0}


def test_trend_projection_continues_a_straight_line_and_never_passes_the_denominator() -> None:
    monthly = _monthly({"2025-04": (10, 100), "2025-05": (20, 100), "2025-06": (30, 100)})
    projected = project_year(monthly, YEAR, "2025-06", "trend", proportions=["i"])
    numerators = projected.sort("period").get_column("numerator").cast(pl.Float64).to_list()
    assert numerators[:10] == [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert numerators[10:] == [100, 100]


def test_seasonal_projection_scales_last_years_months() -> None:
    last = {
        m.replace("2025", "2024", 1).replace("2026", "2025", 1): (n, 100)
        for m, n in zip(YEAR, [10] * 6 + [20] * 6, strict=True)
    }
    monthly = _monthly({**last, "2025-04": (5, 50), "2025-05": (5, 50), "2025-06": (5, 50)})
    projected = project_year(monthly, YEAR, "2025-06", "seasonal", ContractYear(2024).months())
    got = dict(
        zip(projected.get_column("period"), projected.get_column("numerator").cast(pl.Float64), strict=True)
    )
    assert got["2025-07"] == 5.0 and got["2026-01"] == 10.0


def test_an_estimate_through_the_last_month_equals_the_final_settlement_but_says_estimate(
    tmp_path: Path,
) -> None:
    contract, data = DIABETES
    runner = CliRunner()
    final = tmp_path / "final"
    runner.invoke(
        app,
        [
            "run",
            str(contract),
            "--data",
            str(data),
            "--period",
            "2025-26",
            "--out",
            str(final),
            "--format",
            "html",
            "--quiet",
            "--nothing-paid-on-account",
        ],
    )
    result = run_estimate(EstimateRequest(contract, data, "2025-26", tmp_path / "est", formats=("html",)))
    real = pl.read_parquet(final / "ledger.parquet").filter(
        ~pl.col("line_type").is_in(["paid_to_date", "due_now"])
    )  # nothing paid
    assert result.ledger.drop("status").equals(real.drop("status"))
    assert set(result.ledger.get_column("status")) == {"estimate"}
    assert result.summary["status"] == "estimate"
    assert result.estimate["months_projected"] == [] and result.estimate["range"] is None
    statement = (tmp_path / "est" / "statements" / "WHIT.html").read_text()
    assert (
        '<p class="status status-estimate">Estimate</p>' in statement
        and "ESTIMATE, not a settlement" in statement
    )
    assert "ESTIMATE" in (tmp_path / "est" / "report" / "commissioner.html").read_text()
    manifest = json.loads((tmp_path / "est" / "manifest.json").read_text())
    assert manifest["parameters"]["command"] == "estimate"
    assert any(o["path"] == "estimate.json" for o in manifest["outputs"])
    refused = CliRunner().invoke(app, ["verify", str(tmp_path / "est")])
    assert refused.exit_code == 2 and "A002" in refused.output


def test_an_estimate_from_half_a_year_has_a_range_around_it_from_the_confidence_intervals(
    tmp_path: Path,
) -> None:
    contract, data = MID_NOTTS
    result = run_estimate(
        EstimateRequest(contract, data, "2025-26", tmp_path / "est", through="2025-09", formats=("html",))
    )
    estimate = result.estimate
    assert estimate["months_projected"][0] == "2025-10" and len(estimate["months_projected"]) == 6
    assert [i["indicator_id"] for i in estimate["range"]["indicators"]] == [
        "supported_to_manage",
        "personalised_care_plan",
    ]
    for provider in estimate["providers"]:
        assert provider["low_pence"] <= provider["net_payable_pence"] <= provider["high_pence"]
    paid = estimate["range"]["paid_to_providers_pence"]
    assert paid["low"] <= estimate["paid_to_providers_pence"] <= paid["high"]
    again = run_estimate(
        EstimateRequest(contract, data, "2025-26", tmp_path / "again", through="2025-09", formats=("html",))
    )
    assert (tmp_path / "est" / "estimate.json").read_bytes() == (
        tmp_path / "again" / "estimate.json"
    ).read_bytes()
    assert again.ledger.equals(result.ledger)


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        (["--through", "2024-09"], 2),
        (["--trajectory", "hopeful"], 2),
        (["--period", "2025-26-Q2"], 2),
        (["--through", "2025-06", "--trajectory", "trend"], 0),
    ],
)
def test_estimate_exit_statuses(tmp_path: Path, extra: list[str], status: int) -> None:
    contract, data = DIABETES
    args = ["estimate", str(contract), "--data", str(data), "--out", str(tmp_path / "o"), "--format", "html"]
    if "--period" not in extra:
        args += ["--period", "2025-26"]
    done = CliRunner().invoke(app, args + extra)
    assert done.exit_code == status, done.output
    if status == 0:
        assert "ESTIMATE" in done.output
