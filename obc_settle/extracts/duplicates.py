"""Duplicate records: the same patient_id, indicator_id and month in two rows of the record-level
extracts (in one file, or in two: a restated file supplied beside the original).

This check is asked for (`read_extracts(..., check_duplicates=True)`), not run by default: it must
remember every (patient, indicator, month) it has seen, so its memory grows with the number of
rows (8 bytes a row to sort, and the sort's working space: reading 50 million rows peaks at about
1.2 GB with the check, 0.6 GB without), where every other check needs a fixed amount.

Two steps, exact: one pass over all record-level files computes a 64-bit hash of each row's
(patient_id, indicator_id, month) and sorts the hashes; only when some hash occurs twice (a
duplicate, or, about once in 15,000 files of 50 million rows, two different keys with the same
hash) are the rows with those hashes read again, with their file and row number, and compared on
the keys themselves. A row is a duplicate when an earlier row (earlier in the same file, or in a
file that comes before it in sorted order) has the same patient_id, indicator_id and month; the
first occurrence is not counted. Rows of cells (provider x indicator x month) that a restated
file replaces (`RecordScan.replaced`) are not counted: they are not settled. Messages name no
patient: `q3.parquet: D017 column patient_id: 2 rows repeat the patient_id, indicator_id and
period of an earlier row, e.g. row 17`.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from obc_settle.errors import Diagnostic, Location

KEY = ("patient_id", "indicator_id", "period")


@dataclass(frozen=True)
class RecordScan:
    scan: pl.LazyFrame
    schema: pl.Schema
    file: str
    replaced: pl.DataFrame | None = None
    """Cells (provider_id, indicator_id, period as text) whose rows a restated file replaces."""


def duplicate_findings(files: list[RecordScan]) -> list[Diagnostic]:
    if not files:
        return []
    patient_as_text = len({str(item.schema["patient_id"]) for item in files}) > 1
    keyed = [
        item.scan.select(_key(item.schema, patient_as_text, item.replaced is not None)) for item in files
    ]
    hashes = [
        _kept(frame, item.replaced).select(
            pl.struct("patient_id", "indicator_id", "period").hash().alias("__hash")
        )
        for frame, item in zip(keyed, files, strict=True)
    ]
    # Sorted, equal hashes are neighbours: 8 bytes a row to sort, where a hash table of every key
    # would take four times as much memory and time.
    repeated = (
        pl.concat(hashes, how="vertical")
        .sort("__hash")
        .filter(pl.col("__hash") == pl.col("__hash").shift(1))
        .unique()
        .collect(engine="streaming")
        .get_column("__hash")
    )
    if repeated.is_empty():
        return []
    candidates = pl.concat(
        [
            _kept(frame.with_row_index("__row", offset=1), files[number].replaced)
            .with_columns(pl.struct("patient_id", "indicator_id", "period").hash().alias("__hash"))
            .filter(pl.col("__hash").is_in(repeated.implode()))
            .select(pl.lit(number, dtype=pl.Int64).alias("__file"), pl.col("__row").cast(pl.Int64), *KEY)
            .with_columns(pl.col("patient_id").cast(pl.String))
            for number, frame in enumerate(keyed)
        ],
        how="vertical",
    ).collect(engine="streaming")
    ordered = candidates.sort("__file", "__row")
    repeats = ordered.filter(pl.struct("patient_id", "indicator_id", "period").is_first_distinct().not_())
    per_file = (
        repeats.group_by("__file")
        .agg(pl.len().alias("n"), pl.col("__row").min().alias("first"))
        .sort("__file")
    )
    findings = []
    for number, count, first in per_file.iter_rows():
        rows = "1 row repeats" if count == 1 else f"{count:,} rows repeat"
        message = f"column patient_id: {rows} the patient_id, indicator_id and period of an earlier row, e.g. row {first}"
        findings.append(Diagnostic("D017", message, Location(files[number].file)))
    return findings


def _key(schema: pl.Schema, patient_as_text: bool, with_provider: bool = False) -> list[pl.Expr]:
    """patient_id, indicator_id and the month, with one type each across files (and provider_id,
    to leave out the cells a restated file replaces)."""
    period = (
        pl.col("period").dt.strftime("%Y-%m")
        if schema["period"] == pl.Date
        else pl.col("period").cast(pl.String)
    )
    patient = pl.col("patient_id").cast(pl.String) if patient_as_text else pl.col("patient_id")
    key = [patient.alias("patient_id"), pl.col("indicator_id").cast(pl.String), period.alias("period")]
    return [*key, pl.col("provider_id").cast(pl.String)] if with_provider else key


def _kept(frame: pl.LazyFrame, replaced: pl.DataFrame | None) -> pl.LazyFrame:
    """The rows not in a cell a restated file replaces."""
    if replaced is None:
        return frame
    return frame.join(replaced.lazy(), on=["provider_id", "indicator_id", "period"], how="anti")
