"""A settlement that reads no extract (a rate card alone) is archived and verifies too."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app
from obc_settle.extracts.schema import CLAIMS_SCHEMA

runner = CliRunner()


def test_a_rate_card_run_without_data_verifies_and_diffs(tmp_path: Path) -> None:
    claims = tmp_path / "claims.parquet"
    rows = [("p1", "attendance_improved", "DELIVERY", "2025-05"), ("p2", "nvq_level1", "DELIVERY", "2025-06")]
    pl.DataFrame(rows, schema=CLAIMS_SCHEMA, orient="row").write_parquet(claims)
    contract = ROOT / "contracts" / "templates" / "rate-card.yaml"
    out = tmp_path / "run"
    result = runner.invoke(
        app,
        [
            "run",
            str(contract),
            "--claims",
            str(claims),
            "--period",
            "2025-26-Q1",
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.stderr
    verified = runner.invoke(app, ["verify", str(out)])
    assert verified.exit_code == 0, verified.stdout + verified.stderr
    same = runner.invoke(app, ["diff", str(out), str(out)])
    assert same.exit_code == 0, same.stdout + same.stderr
