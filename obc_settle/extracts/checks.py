"""The checks of an aggregated indicator extract (kind `aggregated`), registered at the end of
this module (obc_settle.extracts.registry) in the order they run: its columns and types, the key
checks every extract has (obc_settle.extracts.key_checks), its row checks (counts, measures and
means: expressions evaluated together in the file's one scan, obc_settle.extracts.single_pass)
and the checks of its sums.
"""

from __future__ import annotations

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.errors import Diagnostic, Location, Severity
from obc_settle.extracts.completeness import measure_needs, missing_column_findings
from obc_settle.extracts.key_checks import ids_are_text, key_checks, period_is_text_or_date
from obc_settle.extracts.registry import (
    FileContext,
    RowCheck,
    ScanCheck,
    SchemaCheck,
    SumsCheck,
    register_all,
    scan_checks,
)
from obc_settle.extracts.schema import (
    COUNT_COLUMNS,
    KEY_COLUMNS,
    MEASURE_COLUMNS,
    VALUE_COLUMNS,
    is_number,
)
from obc_settle.extracts.single_pass import FileSums

AGGREGATED = "aggregated"
KNOWN_COLUMNS = set(KEY_COLUMNS) | set(MEASURE_COLUMNS)


# Schema checks: the file's columns and types.


def key_columns_present(context: FileContext) -> list[Diagnostic]:
    return [
        Diagnostic("D002", f"required column {name!r} is missing", context.where)
        for name in KEY_COLUMNS
        if name not in context.schema
    ]


def measures_present(context: FileContext) -> list[Diagnostic]:
    schema = context.schema
    if all(name in schema for name in COUNT_COLUMNS) or all(name in schema for name in VALUE_COLUMNS):
        return []
    missing = [name for name in MEASURE_COLUMNS if name not in schema]
    message = f"needs numerator and denominator, or value_sum and value_count; missing {', '.join(missing)}"
    return [Diagnostic("D002", message, context.where)]


def measures_are_numbers(context: FileContext) -> list[Diagnostic]:
    schema = context.schema
    return [
        Diagnostic("D003", f"column {name}: must be numeric, is {schema[name]}", context.where)
        for name in MEASURE_COLUMNS
        if name in schema and not is_number(schema[name])
    ]


def value_count_is_whole(context: FileContext) -> list[Diagnostic]:
    dtype = context.schema.get("value_count")
    if dtype is None or not is_number(dtype) or dtype.is_integer():
        return []
    message = f"column value_count: must be a whole number type, is {dtype}"
    return [Diagnostic("D003", message, context.where)]


def unknown_columns(context: FileContext) -> list[Diagnostic]:
    unknown = sorted(set(context.schema) - KNOWN_COLUMNS)
    if not unknown:
        return []
    message = f"columns not in the extract schema are ignored: {', '.join(unknown)}"
    return [Diagnostic("D013", message, context.where, Severity.WARNING)]


# Row checks: conditions evaluated together in the file's one scan, after the key checks
# (obc_settle.extracts.key_checks).


def negative_counts(context: FileContext) -> list[RowCheck]:
    return [
        RowCheck(f"negative_{name}", "D005", name, "negative", pl.col(name) < 0)
        for name in ("numerator", "denominator", "value_count")
        if name in context.schema
    ]


def nonfinite_measures(context: FileContext) -> list[RowCheck]:
    schema = context.schema
    return [
        RowCheck(f"nonfinite_{name}", "D003", name, "NaN or infinite", pl.col(name).is_finite().not_())
        for name in MEASURE_COLUMNS
        if name in schema and schema[name].is_float()
    ]


def numerator_above_denominator(context: FileContext) -> list[RowCheck]:
    schema = context.schema
    if not all(name in schema for name in COUNT_COLUMNS):
        return []
    proportions = sorted(context.contract.proportion_indicator_ids())
    numerator = pl.col("numerator").fill_nan(None) if schema["numerator"].is_float() else pl.col("numerator")
    condition = (
        pl.col("indicator_id").cast(pl.String).is_in(proportions)
        & (pl.col("denominator").fill_null(0) >= 0)
        & (numerator > pl.col("denominator").fill_null(0))
    )
    describe = "above the denominator for a proportion indicator"
    return [RowCheck("numerator_above", "D006", "numerator", describe, condition)]


def null_needed_measures(context: FileContext) -> list[RowCheck]:
    """D021: per aggregated measure column in the file, rows of an indicator that needs it
    (completeness.measure_needs) where it is null. A null `value_sum` beside a `value_count` of 0
    (or null) is no values, as D012 allows; D006 still reads a null denominator as 0."""
    schema = context.schema
    checks = []
    for name, ids in measure_needs(context.contract).items():
        if name not in MEASURE_COLUMNS or name not in schema or not ids:
            continue
        condition = pl.col("indicator_id").cast(pl.String).is_in(sorted(ids)) & pl.col(name).is_null()
        if name == "value_sum" and "value_count" in schema:
            condition = condition & (pl.col("value_count").fill_null(0) != 0)
        describe = "null on indicators that need it"
        checks.append(
            RowCheck(
                f"null_needed_{name}",
                "D021",
                name,
                describe,
                condition,
                show_values=True,
                values_of="indicator_id",
            )
        )
    return checks


def values_without_count(context: FileContext) -> list[RowCheck]:
    if not all(name in context.schema for name in VALUE_COLUMNS):
        return []
    condition = (pl.col("value_count").fill_null(0) == 0) & (pl.col("value_sum").fill_null(0) != 0)
    describe = "non-zero while value_count is zero"
    return [RowCheck("values_without_count", "D012", "value_sum", describe, condition)]


def means_out_of_range(context: FileContext) -> list[RowCheck]:
    if not all(name in context.schema for name in VALUE_COLUMNS):
        return []
    mean = pl.col("value_sum").cast(pl.Float64) / pl.col("value_count").cast(pl.Float64)
    out_of_range = outside_value_range(mean, context.contract)
    if out_of_range is None:
        return []
    condition = (pl.col("value_count").fill_null(0) > 0) & out_of_range
    return [RowCheck("mean_out_of_range", "D018", "value_sum", OUT_OF_RANGE, condition, show_values=False)]


OUT_OF_RANGE = "with a mean value outside the indicator's value_range (mixed units?)"


def outside_value_range(value: pl.Expr, contract: Contract) -> pl.Expr | None:
    """True where `value` is outside its indicator's declared value_range; None if none declared."""
    ranges = contract.value_ranges()
    if not ranges:
        return None
    indicator = pl.col("indicator_id").cast(pl.String)
    lowest = indicator.replace_strict(
        {k: float(v[0]) for k, v in ranges.items()}, default=None, return_dtype=pl.Float64
    )
    highest = indicator.replace_strict(
        {k: float(v[1]) for k, v in ranges.items()}, default=None, return_dtype=pl.Float64
    )
    return lowest.is_not_null() & ((value < lowest) | (value > highest))


# Checks after the single pass, on the file's sums.


def measure_columns_present(context: FileContext, sums: FileSums) -> list[Diagnostic]:
    """D020, from the indicators the file holds (read off its sums: no extra scan)."""
    indicator_ids = sums.monthly.get_column("indicator_id").unique().drop_nulls().to_list()
    return missing_column_findings(context.schema, indicator_ids, context.contract, context.file, False)


MAX_MONTHLY_MEASURE = 10**10
"""The largest monthly total of a measure for one provider and indicator: ten billion, more people
than there are and more pounds than any provider spends in a month. Beyond it the data are in the
wrong units or corrupt, and the money computed from them could outgrow the arithmetic."""


def monthly_sums_within_bounds(context: FileContext, sums: FileSums) -> list[Diagnostic]:
    """D028, per measure: monthly totals (provider x indicator x month) beyond `MAX_MONTHLY_MEASURE`."""
    findings = []
    for name in ("numerator", "denominator", "value_sum", "value_count"):
        if name not in sums.monthly.columns:
            continue
        beyond = sums.monthly.filter(pl.col(name).abs() > MAX_MONTHLY_MEASURE).sort(
            "period", "provider_id", "indicator_id"
        )
        if beyond.height:
            first = beyond.row(0, named=True)
            value = first[name]
            shown = f"{int(value):,}" if value == int(value) else f"{value:,}"
            plural = "s" if beyond.height != 1 else ""
            message = (
                f"column {name}: {beyond.height} monthly total{plural} beyond {MAX_MONTHLY_MEASURE:,}, e.g. "
                f"{first['provider_id']} {first['indicator_id']} {first['period']}: {shown} "
                "(wrong units, or a corrupt extract?)"
            )
            findings.append(Diagnostic("D028", message, Location(context.file)))
    return findings


def repeated_rows(context: FileContext, sums: FileSums) -> list[Diagnostic]:
    """Rows of a clean aggregated extract identical in every column to an earlier row of the file.

    Rows at a finer grain are summed, so two rows may share provider, indicator and month; but a
    row repeated in every column is almost always the same data loaded twice. A file at a finer
    grain keeps the column that tells its rows apart (practice_id, say) and passes. Aggregated
    extracts hold one row per few keys, so counting whole rows is cheap; the first repeated row
    is looked for only when there is one. A file that failed a row check is not looked at: its
    findings stop the run anyway.
    """
    if not sums.clean or context.scan is None:
        return []
    scan, columns = context.scan, list(context.schema)
    repeats = (
        scan.group_by(columns)
        .agg(pl.len().alias("__times"))
        .select((pl.col("__times") - 1).sum())
        .collect()
        .item()
    )
    if not repeats:
        return []
    first = (
        scan.with_row_index("__row", offset=1)
        .filter(pl.int_range(pl.len()).over(columns) > 0)
        .select(pl.col("__row").min())
        .collect()
        .item()
    )
    rows = "1 row repeats" if repeats == 1 else f"{repeats:,} rows repeat"
    message = f"{rows} an earlier row in every column (loaded twice?), e.g. row {first}"
    return [Diagnostic("D019", message, context.where)]


def row_checks(schema: pl.Schema, contract: Contract) -> list[RowCheck]:
    """The row conditions of an aggregated extract with this schema."""
    return scan_checks(AGGREGATED, FileContext("", schema, contract))


# The registered checks of an aggregated extract, in the order they run.

register_all(
    [
        SchemaCheck(
            kind=AGGREGATED,
            codes=("D002",),
            checks="The key columns are present.",
            example="q3.parquet: D002 required column 'indicator_id' is missing",
            function=key_columns_present,
        ),
        SchemaCheck(
            kind=AGGREGATED,
            codes=("D003",),
            checks="`provider_id` and `indicator_id` are text.",
            example="q3.parquet: D003 column provider_id: must be text, is Int64",
            function=ids_are_text,
        ),
        SchemaCheck(
            kind=AGGREGATED,
            codes=("D003",),
            checks="`period` is text or a date.",
            example="q3.parquet: D003 column period: must be text 'YYYY-MM' or a date, is Int64",
            function=period_is_text_or_date,
        ),
        SchemaCheck(
            kind=AGGREGATED,
            codes=("D002",),
            checks="Count columns or value columns are present.",
            example="q3.parquet: D002 needs numerator and denominator, or value_sum and value_count; missing denominator, value_sum, value_count",
            function=measures_present,
        ),
        SchemaCheck(
            kind=AGGREGATED,
            codes=("D003",),
            checks="The measure columns are numeric.",
            example="q3.parquet: D003 column numerator: must be numeric, is String",
            function=measures_are_numbers,
        ),
        SchemaCheck(
            kind=AGGREGATED,
            codes=("D003",),
            checks="`value_count` is a whole-number type.",
            example="q3.parquet: D003 column value_count: must be a whole number type, is Float64",
            function=value_count_is_whole,
        ),
        SchemaCheck(
            kind=AGGREGATED,
            codes=("D013",),
            checks="Columns not in the schema are ignored.",
            example="q3.parquet: warning D013 columns not in the extract schema are ignored: extra",
            severity=Severity.WARNING,
            function=unknown_columns,
        ),
        *key_checks(AGGREGATED),
        ScanCheck(
            kind=AGGREGATED,
            codes=("D005",),
            checks="`numerator`, `denominator` and `value_count` are not negative.",
            example="q3.parquet: D005 column numerator: 1 row negative, e.g. row 3",
            function=negative_counts,
        ),
        ScanCheck(
            kind=AGGREGATED,
            codes=("D003",),
            checks="Floating-point measure columns hold no NaN or infinity.",
            example="means.parquet: D003 column value_sum: 1 row NaN or infinite, e.g. row 2",
            function=nonfinite_measures,
        ),
        ScanCheck(
            kind=AGGREGATED,
            codes=("D006",),
            checks="For rows of a `proportion` indicator (or a `change_from_baseline` indicator with `measure: proportion`), `numerator` is not above `denominator`. Checked row by row, on the values as written; a null denominator counts as zero (as in the sums), a null or NaN numerator is not compared.",
            example="q3.parquet: D006 column numerator: 1 row above the denominator for a proportion indicator, e.g. row 1",
            function=numerator_above_denominator,
        ),
        ScanCheck(
            kind=AGGREGATED,
            codes=("D021",),
            checks="A measure column is not null on rows of an indicator that uses it ([above](#the-aggregated-extract-schema)); `value_sum` may be null where `value_count` is 0 or null. A null denominator still counts as 0 for D006.",
            example="q4.parquet: D021 column denominator: 3 rows null on indicators that need it ('hba1c_control'), e.g. row 17",
            function=null_needed_measures,
        ),
        ScanCheck(
            kind=AGGREGATED,
            codes=("D012",),
            checks="`value_sum` is zero or null whenever `value_count` is zero or null.",
            example="means.parquet: D012 column value_sum: 1 row non-zero while value_count is zero, e.g. row 1",
            function=values_without_count,
        ),
        ScanCheck(
            kind=AGGREGATED,
            codes=("D018",),
            checks="For a mean indicator with a `value_range` in the contract: each row's mean (`value_sum / value_count`, rows with a count) lies within it.",
            example="q3.parquet: D018 column value_sum: 3 rows with a mean value outside the indicator's value_range (mixed units?), e.g. row 6",
            function=means_out_of_range,
        ),
        SumsCheck(
            kind=AGGREGATED,
            codes=("D020",),
            checks="A measure column that the file's rows use is present ([above](#the-aggregated-extract-schema)). One finding per column, naming up to five of the indicators.",
            example="q4.parquet: D020 column denominator is missing, but the file has rows of indicators that need it: foot_ulcer_admissions, hba1c_control",
            function=measure_columns_present,
        ),
        SumsCheck(
            kind=AGGREGATED,
            codes=("D028",),
            checks="Each monthly total of a measure (provider x indicator x month) is at most 10,000,000,000 either way: beyond it the data are in the wrong units or corrupt, and the money could outgrow the arithmetic.",
            example="q3.parquet: D028 column numerator: 1 monthly total beyond 10,000,000,000, e.g. MNGP registered_population 2025-04: 1,000,000,000,000,000 (wrong units, or a corrupt extract?)",
            function=monthly_sums_within_bounds,
        ),
        SumsCheck(
            kind=AGGREGATED,
            codes=("D019",),
            checks="A clean file: no row repeats an earlier row of the file in every column. Rows at a finer grain are summed, so rows may share provider, indicator and month, but a row identical in every column is almost always data loaded twice; a finer-grained file keeps the column that tells its rows apart (e.g. `practice_id`, which is otherwise ignored).",
            example="q3.parquet: D019 4 rows repeat an earlier row in every column (loaded twice?), e.g. row 22",
            function=repeated_rows,
        ),
    ]
)
