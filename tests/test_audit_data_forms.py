"""Runs read from a glob or from hive-partitioned folders are archived whole and verify."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app

runner = CliRunner()
CONTRACT = ROOT / "contracts" / "diabetes-alliance.yaml"
DATA = ROOT / "sample_data" / "diabetes-alliance"


def settle_and_verify(data: str, out: Path) -> pl.DataFrame:
    result = runner.invoke(
        app,
        [
            "run",
            str(CONTRACT),
            "--data",
            data,
            "--period",
            "2025-26-Q3",
            "--out",
            str(out),
            "--format",
            "html",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.stderr
    verified = runner.invoke(app, ["verify", str(out)])
    assert verified.exit_code == 0, verified.stdout + verified.stderr
    return pl.read_parquet(out / "ledger.parquet")


def test_a_glob_and_a_partitioned_folder_settle_like_the_folder_and_verify(tmp_path: Path) -> None:
    plain = settle_and_verify(str(DATA), tmp_path / "plain")
    globbed = settle_and_verify(f"{DATA}/*.parquet", tmp_path / "glob")
    partitioned = tmp_path / "partitioned"
    extract = pl.concat([pl.read_parquet(path) for path in sorted(DATA.glob("*.parquet"))])
    for period in extract.get_column("period").unique().sort().to_list():
        folder = partitioned / f"period={period}"
        folder.mkdir(parents=True)
        extract.filter(pl.col("period") == period).drop("period").write_parquet(folder / "part.parquet")
    hive = settle_and_verify(str(partitioned), tmp_path / "hive")
    assert globbed.equals(plain)
    assert hive.equals(plain)
    archived = sorted(
        p.relative_to(tmp_path / "hive").as_posix() for p in (tmp_path / "hive" / "inputs").rglob("*.parquet")
    )
    assert all("/period=" in path for path in archived), archived
