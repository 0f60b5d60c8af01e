"""A risk share's minimum-rate table population and its revenue limit's revenue, read from the
extracts, must be there for every month of the year, like its spend and budget population.

A month missing would lower the mean population (and raise the minimum savings rate read from the
table) or the summed revenue (and lower the loss limit): the year-end settlement is refused with
D030 (a population) or D031 (a finance figure, as spend), and `check` says the same.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from paths import ROOT
from test_whatif_currency import extract_rows
from typer.testing import CliRunner

from obc_settle.cli import app

runner = CliRunner()
TEMPLATES = ROOT / "contracts" / "templates"
SCHEMA = ["provider_id", "indicator_id", "period", "numerator", "denominator"]


def contract(folder: Path, quantity: str) -> Path:
    """The one-sided MSSP template with the table read at `table_population`, or the two-sided one
    with the loss limit read from the revenue extract `aco_revenue`."""
    if quantity == "table_population":
        text = (TEMPLATES / "mssp.yaml").read_text(encoding="utf-8")
        old = "      population: assigned_beneficiaries  # read at"
        new = "      population: table_population  # read at"
    else:
        text = (TEMPLATES / "mssp-two-sided.yaml").read_text(encoding="utf-8")
        old = "      amount: 40000000.00 "
        new = "      indicator: aco_revenue "
    assert old in text
    path = folder / "contract.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def data(folder: Path, quantity: str, missing: str | None) -> Path:
    rows = extract_rows() + [
        ("ACO", quantity, f"2025-{m:02d}", 10000 if quantity == "table_population" else 2_000_000, 0)
        for m in range(1, 13)
        if f"2025-{m:02d}" != missing
    ]
    path = folder / "data"
    path.mkdir()
    pl.DataFrame(rows, schema=SCHEMA, orient="row").write_parquet(path / "x.parquet")
    return path


def settle(command: str, folder: Path, quantity: str, missing: str | None) -> tuple[int, str]:
    args = [command, str(contract(folder, quantity)), "--data", str(data(folder, quantity, missing))]
    args += ["--period", "2025"]
    if command == "run":
        args += ["--out", str(folder / "run"), "--format", "html", "-q"]
    result = runner.invoke(app, args)
    return result.exit_code, result.stderr


@pytest.mark.parametrize(("quantity", "code"), [("table_population", "D030"), ("aco_revenue", "D031")])
@pytest.mark.parametrize("command", ["run", "check"])
def test_a_missing_month_refuses_the_year_with_a_located_finding(
    tmp_path: Path, command: str, quantity: str, code: str
) -> None:
    status, stderr = settle(command, tmp_path, quantity, missing="2025-07")
    assert status == 3, stderr
    finding = next(line for line in stderr.splitlines() if f" {code} " in line)
    assert finding.startswith(f"{tmp_path / 'data'}: {code} no {quantity} rows")
    assert "1 of the 12 months of 2025: 2025-07" in finding
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("quantity", ["table_population", "aco_revenue"])
def test_every_month_present_settles(tmp_path: Path, quantity: str) -> None:
    status, stderr = settle("run", tmp_path, quantity, missing=None)
    assert status == 0, stderr
