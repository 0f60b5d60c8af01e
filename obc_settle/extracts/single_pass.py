"""One pass over an extract file: its monthly sums and every row check, from one scan.

The file is grouped by its key columns as written (`provider_id`, `indicator_id`, `period`), and
the one group-by computes, per key, the number of rows, the measure sums, and how many rows fail
each row check that reads more than keys (a negative count, a NaN, a flag out of place). Checks
that read only keys (nulls, unknown providers and indicators, malformed or out-of-term periods)
are then evaluated on the distinct keys, a few thousand rows at most, not on the file's rows.

A clean file is therefore read once (a record-level file's nulls outside the keys are asked of
its row groups' statistics first, which reads no data when there are none: see `file_sums`).
A file with a problem is read a second time by
`content_checks`, which finds for each failing check its count, its first row and up to
three of its values, for the message; the run stops with those findings anyway, so only failing
runs pay for the second pass. The two passes use the very same check expressions, so they cannot
disagree on whether a file is clean.

Sums are exact (integers, and decimals with six places), so how the streaming engine splits and
orders the work cannot change a digit.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass

import polars as pl

from obc_settle.errors import Diagnostic, Location
from obc_settle.extracts.grouping import GROUP_KEY, HashedGrouping
from obc_settle.extracts.registry import RowCheck
from obc_settle.extracts.schema import KEY_COLUMNS, MEASURE_COLUMNS, MONTHLY_SCHEMA, SUM_DTYPE

SUM_COLUMNS = tuple(name for name in MONTHLY_SCHEMA if name not in KEY_COLUMNS)
"""numerator, denominator, value_sum, value_count, rows."""


@dataclass(frozen=True)
class FileSums:
    clean: bool
    rows: int
    monthly: pl.DataFrame
    """provider_id, indicator_id, period (as text) and the sums of `MONTHLY_SCHEMA`, one row per key
    as written in the file (two dates of one month are two rows until the files are merged);
    `excluded` is 0 for an aggregated file."""


def aggregated_measures(schema: pl.Schema) -> list[pl.Expr]:
    """The sums of an aggregated extract's measure columns; nulls and absent columns count as 0
    (where an indicator uses the column, they are findings: D020, D021)."""
    measures = []
    for name in MEASURE_COLUMNS:
        dtype = pl.Int64 if name == "value_count" else SUM_DTYPE
        if name not in schema:
            measures.append(pl.lit(0).cast(dtype).alias(name))
            continue
        column = pl.col(name)
        if schema[name].is_integer():
            # Whole numbers are summed as 128-bit integers (exact, and far cheaper than a decimal
            # per row); only the sum becomes a decimal.
            measures.append(column.cast(pl.Int128).sum().cast(dtype).alias(name))
            continue
        if schema[name].is_float():
            column = pl.when(column.is_finite()).then(column)  # NaN is a finding (D003), never a sum
        measures.append(column.cast(dtype).sum().alias(name))
    return measures


def file_sums(
    scan: pl.LazyFrame,
    checks: list[RowCheck],
    measures: list[pl.Expr],
    constants: dict[str, str] | None = None,
    null_checks: list[RowCheck] | None = None,
    grouping: HashedGrouping | None = None,
) -> FileSums:
    """Group the file by its keys once; evaluate the checks on the rows and on the keys.

    `constants` are key columns with one value for the whole file (a hive partition's, added to
    `scan` as a literal): the rows are not grouped on them, the value is added to the groups.

    `null_checks` (conditions `column.is_null()` on columns that are not keys) are asked first,
    as a filter the Parquet reader prunes with the row groups' statistics: when every row group
    records no nulls in those columns, it reads no data at all, and the single pass need not read
    a column (such as patient_id) that it only reads to look for nulls. A row group without
    statistics, or with nulls, is read and counted: the answer is exact either way.

    `grouping`: group text keys by one hashed key (obc_settle.extracts.grouping) instead of by
    the texts, when it applies and the contract's keys are free of collisions."""
    constants = constants or {}
    row_level = [check.condition.fill_null(False) for check in checks if check.column not in KEY_COLUMNS]
    key_level = [check.condition.fill_null(False) for check in checks if check.column in KEY_COLUMNS]
    suspects = 0
    if null_checks:
        any_null = functools.reduce(operator.or_, [check.condition for check in null_checks])
        suspects = scan.filter(any_null).select(pl.len()).collect(engine="streaming").item()
    # Which check a row fails is the detail pass's business: here one count of rows failing any.
    fails = pl.any_horizontal(row_level).sum() if row_level else pl.lit(0)
    columns = [name for name in KEY_COLUMNS if name not in constants]
    sums = [pl.len().cast(pl.Int64).alias("rows"), *measures, fails.alias("__fails")]
    schema = scan.collect_schema()
    if grouping is not None and grouping.applies(schema, columns) and grouping.collision_free(columns):
        by_key = scan.group_by(grouping.key(columns)).agg(*[pl.col(name).first() for name in columns], *sums)
        grouped = by_key.collect(engine="streaming").drop(GROUP_KEY)
    else:
        grouped = scan.group_by(*columns).agg(*sums).collect(engine="streaming")
    grouped = grouped.with_columns(
        pl.lit(value, dtype=pl.String).alias(name) for name, value in constants.items()
    )
    key_fails = bool(key_level) and grouped.select(pl.any_horizontal(key_level).any()).item()
    clean = not (suspects or grouped.get_column("__fails").sum() or key_fails)
    keys = _keys_as_text(grouped.schema)
    monthly = grouped.select(
        *keys,
        *[
            (pl.col(name) if name in grouped.columns else pl.lit(0)).cast(dtype).alias(name)
            for name, dtype in MONTHLY_SCHEMA.items()
            if name in SUM_COLUMNS
        ],
    )
    return FileSums(clean, int(grouped.get_column("rows").sum()), monthly)


def _keys_as_text(schema: pl.Schema) -> list[pl.Expr]:
    period = (
        pl.col("period").dt.strftime("%Y-%m")
        if schema["period"] == pl.Date
        else pl.col("period").cast(pl.String)
    )
    return [
        pl.col("provider_id").cast(pl.String),
        pl.col("indicator_id").cast(pl.String),
        period.alias("period"),
    ]


def merge_monthly(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """All files' sums, to one row per provider, indicator and month, sorted by those keys."""
    if not frames:
        return pl.DataFrame(schema=MONTHLY_SCHEMA)
    merged = (
        pl.concat(frames, how="vertical")
        .group_by(*KEY_COLUMNS)
        .agg(pl.col(name).sum() for name in SUM_COLUMNS)
    )
    return merged.sort(*KEY_COLUMNS).select(
        [pl.col(name).cast(dtype) for name, dtype in MONTHLY_SCHEMA.items()]
    )


def content_checks(scan: pl.LazyFrame, file: str, checks: list[RowCheck]) -> tuple[list[Diagnostic], int]:
    """The detail pass of a file that failed a check: every row check in one scan, each failing
    one with its count, its first row and (for checks that show them) up to three values, e.g.
    `q3.parquet: column denominator: 3 rows negative, e.g. row 17`; and the file's row count."""
    indexed = scan.with_row_index("__row", offset=1)
    aggregates = [pl.len().alias("__rows")]
    for check in checks:
        hit = check.condition.fill_null(False)
        aggregates.append(hit.sum().alias(f"{check.name}__count"))
        aggregates.append(pl.col("__row").filter(hit).min().alias(f"{check.name}__row"))
        if check.show_values:
            shown = pl.col(check.values_of or check.column).cast(pl.String).filter(hit).unique()
            aggregates.append(shown.sort().head(3).implode().alias(f"{check.name}__values"))
            aggregates.append(shown.len().alias(f"{check.name}__distinct"))
    result = indexed.select(aggregates).collect(engine="streaming").row(0, named=True)
    findings = []
    for check in checks:
        count = result[f"{check.name}__count"]
        if not count:
            continue
        rows = "1 row" if count == 1 else f"{count:,} rows"
        values = ""
        if check.show_values:
            values = (
                " ("
                + ", ".join(repr(v) for v in result[f"{check.name}__values"])
                + ("…" if result[f"{check.name}__distinct"] > 3 else "")
                + ")"
            )
        message = (
            f"column {check.column}: {rows} {check.describe}{values}, e.g. row {result[f'{check.name}__row']}"
        )
        findings.append(Diagnostic(check.code, message, Location(file)))
    return findings, int(result["__rows"])
