"""Find, check and aggregate indicator extracts.

Every problem is found before any money is computed: first each file's schema (from the Parquet
footer, cheap), then its contents in a single lazy scan per file that evaluates all the row checks
at once (counts and the first offending row of each). Only when everything is clean are the files
scanned again, lazily and streaming, and summed to provider x indicator x month.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.digests import file_sha256
from obc_settle.errors import Diagnostic, Location, has_errors
from obc_settle.extracts.checks import content_checks, schema_findings
from obc_settle.extracts.schema import MEASURE_COLUMNS, MONTHLY_SCHEMA, SUM_DTYPE


@dataclass(frozen=True)
class ExtractFile:
    path: Path
    display_name: str
    sha256: str
    rows: int


@dataclass(frozen=True)
class Extracts:
    files: tuple[ExtractFile, ...]
    monthly: pl.DataFrame
    """Sums by provider_id, indicator_id, period (see `MONTHLY_SCHEMA`), sorted by those keys."""


def discover(data_path: Path) -> list[Path]:
    """A file, or every `*.parquet` below a folder, in sorted order (listing order never matters)."""
    if data_path.is_file():
        return [data_path]
    return sorted(path for path in data_path.rglob("*.parquet") if path.is_file())


def read_extracts(data_path: Path, contract: Contract, display_root: Path | None = None) -> tuple[Extracts | None, list[Diagnostic]]:
    """Check every extract file against the contract and return monthly sums, or the findings."""
    shown = str(data_path)
    if not data_path.exists():
        return None, [Diagnostic("D001", "no such file or folder", Location(shown))]
    paths = discover(data_path)
    if not paths:
        return None, [Diagnostic("D011", "no .parquet files found", Location(shown))]
    findings: list[Diagnostic] = []
    files: list[ExtractFile] = []
    frames: list[pl.LazyFrame] = []
    for path in paths:
        name = _display(path, display_root)
        if path.stat().st_size == 0:
            findings.append(Diagnostic("D001", "the file is empty (0 bytes): not a Parquet file", Location(name)))
            continue
        try:
            scan = pl.scan_parquet(path)
            schema = scan.collect_schema()
        except (pl.exceptions.PolarsError, OSError) as error:
            findings.append(Diagnostic("D001", f"not a readable Parquet file ({_first_line(error)})", Location(name)))
            continue
        file_findings = schema_findings(schema, name)
        if not has_errors(file_findings):
            try:
                row_findings, rows = content_checks(scan, schema, contract, name)
                file_findings += row_findings
            except (pl.exceptions.PolarsError, OSError) as error:
                file_findings.append(Diagnostic("D001", f"cannot read the rows ({_first_line(error)})", Location(name)))
                rows = 0
        else:
            rows = 0
        findings += file_findings
        if not has_errors(file_findings):
            files.append(ExtractFile(path, name, file_sha256(path), rows))
            frames.append(_normalised(scan, schema))
    if has_errors(findings):
        return None, findings
    monthly = aggregate_monthly(frames)
    return Extracts(tuple(files), monthly), findings


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _normalised(scan: pl.LazyFrame, schema: pl.Schema) -> pl.LazyFrame:
    """The needed columns only, with one type each whatever the file wrote."""
    period = pl.col("period")
    if schema["period"] == pl.Date:
        period = period.dt.strftime("%Y-%m")
    columns = [
        pl.col("provider_id").cast(pl.String),
        pl.col("indicator_id").cast(pl.String),
        period.cast(pl.String).alias("period"),
    ]
    for name in MEASURE_COLUMNS:
        dtype = pl.Int64 if name == "value_count" else SUM_DTYPE
        expression = pl.col(name) if name in schema else pl.lit(None)
        columns.append(expression.cast(dtype).fill_null(0).alias(name))
    return scan.select(columns)


def aggregate_monthly(frames: list[pl.LazyFrame]) -> pl.DataFrame:
    """Sum to provider x indicator x month in one streaming pass over all files."""
    combined = pl.concat(frames, how="vertical")
    monthly = (
        combined.group_by("provider_id", "indicator_id", "period")
        .agg(
            pl.col("numerator").sum(),
            pl.col("denominator").sum(),
            pl.col("value_sum").sum(),
            pl.col("value_count").sum(),
            pl.len().cast(pl.Int64).alias("rows"),
        )
        .sort("provider_id", "indicator_id", "period")
        .collect(engine="streaming")
    )
    return monthly.select([pl.col(name).cast(dtype) for name, dtype in MONTHLY_SCHEMA.items()])


def coverage_findings(extracts: Extracts, months: list[str], indicator_ids: list[str], data_path: str) -> list[Diagnostic]:
    """Settling a period for which the extracts hold no indicator rows at all is a mistake."""
    rows = extracts.monthly.filter(pl.col("period").is_in(months) & pl.col("indicator_id").is_in(indicator_ids))
    if rows.height:
        return []
    message = f"no indicator rows for the settlement period ({months[0]} to {months[-1]}): is this the right extract?"
    return [Diagnostic("D014", message, Location(data_path))]
