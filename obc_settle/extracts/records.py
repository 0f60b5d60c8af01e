"""The record-level extract schema: one row per person, indicator and month.

Data teams that cannot send indicator totals send the records behind them. A file is record-level
when it has any of the columns `patient_id`, `in_denominator`, `in_numerator`, `excluded`; it is
then summed to provider x indicator x month in the same single scan that checks it (see
obc_settle.extracts.single_pass), so the monthly sums have the same shape as an aggregated
extract's. Per provider, indicator and month:

    denominator  rows with in_denominator, not excluded
    numerator    rows with in_numerator and in_denominator, not excluded
    value_sum    sum of `value` over rows with in_denominator, not excluded, and a value
    value_count  number of those rows
    excluded     rows with in_denominator and excluded (the monthly sums' `excluded`: on the ledger and statements)

Every count is an integer; `value` is rounded to six decimal places and summed exactly, as the
aggregated measures are. Columns (docs/extracts.md has the full table):

| column         | type                     | nulls                   |
|----------------|--------------------------|-------------------------|
| patient_id     | text or integer          | not allowed (D004)      |
| provider_id    | text                     | not allowed (D004)      |
| indicator_id   | text                     | not allowed (D004)      |
| period         | text `YYYY-MM`, or date  | not allowed (D004)      |
| in_denominator | boolean                  | not allowed (D015)      |
| in_numerator   | boolean                  | not allowed (D015)      |
| excluded       | boolean (optional)       | not allowed (D015)      |
| value          | numeric (optional)       | allowed: no value       |

The `value` column is optional only in a file without rows of a mean indicator (D020,
obc_settle.extracts.completeness). The checks of a record-level file are registered at the end of
this module (kind `record_level`, obc_settle.extracts.registry), after the key checks every
extract has (obc_settle.extracts.key_checks).
"""

from __future__ import annotations

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.errors import Diagnostic, Severity
from obc_settle.extracts.checks import monthly_sums_within_bounds, outside_value_range
from obc_settle.extracts.completeness import missing_column_findings
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
from obc_settle.extracts.schema import KEY_COLUMNS, MEASURE_COLUMNS, SUM_DTYPE, is_number, is_text
from obc_settle.extracts.single_pass import FileSums

FLAG_COLUMNS = ("in_denominator", "in_numerator", "excluded")
REQUIRED_COLUMNS = ("patient_id", *KEY_COLUMNS, "in_denominator", "in_numerator")
RECORD_COLUMNS = ("patient_id", *KEY_COLUMNS, *FLAG_COLUMNS, "value")
RECORD_MARKERS = ("patient_id", *FLAG_COLUMNS)
"""Columns that only a record-level extract has: any of them makes a file record-level."""

# The typed schema of a record-level extract as obc-settle's generator and tests write it
# (readers accept text or any integer type for patient_id, any numeric type for value).
RECORD_EXTRACT_SCHEMA = {
    "patient_id": pl.Int64,
    "provider_id": pl.String,
    "indicator_id": pl.String,
    "period": pl.String,
    "in_denominator": pl.Boolean,
    "in_numerator": pl.Boolean,
    "excluded": pl.Boolean,
    "value": pl.Float64,
}


RECORD_LEVEL = "record_level"


def is_record_level(schema: pl.Schema) -> bool:
    return any(name in schema for name in RECORD_MARKERS)


# Schema checks: the file's columns and types.


def one_form_only(context: FileContext) -> list[Diagnostic]:
    aggregated = [name for name in MEASURE_COLUMNS if name in context.schema]
    if not aggregated:
        return []
    record = [name for name in RECORD_MARKERS if name in context.schema]
    message = (
        f"has record-level columns ({', '.join(record)}) and aggregated columns ({', '.join(aggregated)}): "
        "an extract file is one or the other"
    )
    return [Diagnostic("D002", message, context.where)]


def record_columns_present(context: FileContext) -> list[Diagnostic]:
    return [
        Diagnostic("D002", f"required column {name!r} is missing (record-level extract)", context.where)
        for name in REQUIRED_COLUMNS
        if name not in context.schema
    ]


def patient_id_is_text_or_whole(context: FileContext) -> list[Diagnostic]:
    dtype = context.schema.get("patient_id")
    if dtype is None or is_text(dtype) or dtype.is_integer():
        return []
    return [
        Diagnostic("D003", f"column patient_id: must be text or a whole number, is {dtype}", context.where)
    ]


def flags_are_boolean(context: FileContext) -> list[Diagnostic]:
    schema = context.schema
    return [
        Diagnostic(
            "D003", f"column {name}: must be true or false (boolean), is {schema[name]}", context.where
        )
        for name in FLAG_COLUMNS
        if name in schema and schema[name] != pl.Boolean
    ]


def value_is_number(context: FileContext) -> list[Diagnostic]:
    dtype = context.schema.get("value")
    if dtype is None or is_number(dtype):
        return []
    return [Diagnostic("D003", f"column value: must be numeric, is {dtype}", context.where)]


def unknown_record_columns(context: FileContext) -> list[Diagnostic]:
    unknown = sorted(set(context.schema) - set(RECORD_COLUMNS) - set(MEASURE_COLUMNS))
    if not unknown:
        return []
    message = f"columns not in the record-level extract schema are ignored: {', '.join(unknown)}"
    return [Diagnostic("D013", message, context.where, Severity.WARNING)]


# Row checks, besides the key checks every extract has (obc_settle.extracts.key_checks).


def null_patient_ids(context: FileContext) -> list[RowCheck]:
    condition = pl.col("patient_id").is_null()
    return [RowCheck("null_patient_id", "D004", "patient_id", "null (keys must be filled)", condition)]


def null_flags(context: FileContext) -> list[RowCheck]:
    return [
        RowCheck(f"null_{name}", "D015", name, "null (must be true or false)", pl.col(name).is_null())
        for name in FLAG_COLUMNS
        if name in context.schema
    ]


def numerator_outside_denominator(context: FileContext) -> list[RowCheck]:
    condition = pl.col("in_numerator") & pl.col("in_denominator").not_()
    describe = "in the numerator but not in the denominator"
    return [RowCheck("numerator_outside_denominator", "D016", "in_numerator", describe, condition)]


def nonfinite_values(context: FileContext) -> list[RowCheck]:
    if "value" not in context.schema or not context.schema["value"].is_float():
        return []
    condition = pl.col("value").is_finite().not_()
    return [RowCheck("nonfinite_value", "D003", "value", "NaN or infinite", condition)]


def values_out_of_range(context: FileContext) -> list[RowCheck]:
    out_of_range = (
        outside_value_range(pl.col("value"), context.contract) if "value" in context.schema else None
    )
    if out_of_range is None:
        return []
    condition = pl.col("value").is_not_null() & out_of_range
    describe = "outside the indicator's value_range (mixed units?)"
    return [RowCheck("value_out_of_range", "D018", "value", describe, condition)]


# After the single pass, on the file's sums.


def value_column_present(context: FileContext, sums: FileSums) -> list[Diagnostic]:
    """D020: `value`, when the file has rows of an indicator that needs it (read off its sums)."""
    indicator_ids = sums.monthly.get_column("indicator_id").unique().drop_nulls().to_list()
    return missing_column_findings(context.schema, indicator_ids, context.contract, context.file, True)


def record_checks(schema: pl.Schema, contract: Contract) -> list[RowCheck]:
    """The row conditions of a record-level extract with this schema: the key checks every extract
    has, and the checks of record-level rows."""
    return scan_checks(RECORD_LEVEL, FileContext("", schema, contract))


ENFORCED_BY_SUMS = frozenset({"nonfinite_value"})
"""Checks the single pass need not count: a NaN or infinite `value` anywhere makes the exact value
sum of `record_measures` fail, and a failing pass sends the file to the detail pass."""

NULL_CHECKS = frozenset({"null_patient_id", *(f"null_{name}" for name in FLAG_COLUMNS)})
"""Checks for nulls outside the key columns: answered from the Parquet row groups' statistics
before the single pass (see `single_pass.file_sums`), so patient_id is not read at all."""


def record_measures(schema: pl.Schema) -> list[pl.Expr]:
    """The sums of one file's rows, per group: denominator, numerator, value_sum, value_count and
    excluded, in the dtypes of the monthly sums (counts are exact integers)."""
    counted = pl.col("in_denominator")
    if "excluded" in schema:
        counted = counted & pl.col("excluded").not_()
    measures = [
        counted.sum().cast(SUM_DTYPE).alias("denominator"),
        (counted & pl.col("in_numerator")).sum().cast(SUM_DTYPE).alias("numerator"),
    ]
    if "value" in schema:
        value = pl.col("value")
        counted_value = pl.when(counted).then(value)
        valued: pl.Expr = counted_value
        if schema["value"].is_float():
            # Rows not counted add value x 0: zero, except that NaN or infinity stays NaN and makes
            # the conversion to decimal fail, which sends the file to the detail pass (D003).
            valued = counted_value.otherwise(value * 0.0)
        # Decimal before the sum: each value is rounded to six places, then added exactly.
        measures.append(valued.cast(SUM_DTYPE).sum().alias("value_sum"))
        measures.append((counted & value.is_not_null()).sum().cast(pl.Int64).alias("value_count"))
    else:
        measures.append(pl.lit(0).cast(SUM_DTYPE).alias("value_sum"))
        measures.append(pl.lit(0).cast(pl.Int64).alias("value_count"))
    if "excluded" in schema:
        measures.append(
            (pl.col("in_denominator") & pl.col("excluded")).sum().cast(pl.Int64).alias("excluded")
        )
    else:
        measures.append(pl.lit(0).cast(pl.Int64).alias("excluded"))
    return measures


# The registered checks of a record-level extract, in the order they run.

register_all(
    [
        SchemaCheck(
            kind=RECORD_LEVEL,
            codes=("D002",),
            checks="A file is record-level or aggregated, not both.",
            example="records.parquet: D002 has record-level columns (patient_id, in_denominator) and aggregated columns (numerator): an extract file is one or the other",
            function=one_form_only,
        ),
        SchemaCheck(
            kind=RECORD_LEVEL,
            codes=("D002",),
            checks="A record-level file has its required columns: `patient_id`, the key columns, `in_denominator`, `in_numerator`.",
            example="records.parquet: D002 required column 'in_numerator' is missing (record-level extract)",
            function=record_columns_present,
        ),
        SchemaCheck(
            kind=RECORD_LEVEL,
            codes=("D003",),
            checks="`provider_id` and `indicator_id` are text.",
            example="records.parquet: D003 column provider_id: must be text, is Int64",
            function=ids_are_text,
        ),
        SchemaCheck(
            kind=RECORD_LEVEL,
            codes=("D003",),
            checks="`period` is text or a date.",
            example="records.parquet: D003 column period: must be text 'YYYY-MM' or a date, is Int64",
            function=period_is_text_or_date,
        ),
        SchemaCheck(
            kind=RECORD_LEVEL,
            codes=("D003",),
            checks="`patient_id` is text or a whole-number type.",
            example="records.parquet: D003 column patient_id: must be text or a whole number, is Float64",
            function=patient_id_is_text_or_whole,
        ),
        SchemaCheck(
            kind=RECORD_LEVEL,
            codes=("D003",),
            checks="`in_denominator`, `in_numerator` and `excluded` are booleans.",
            example="records.parquet: D003 column in_denominator: must be true or false (boolean), is Int64",
            function=flags_are_boolean,
        ),
        SchemaCheck(
            kind=RECORD_LEVEL,
            codes=("D003",),
            checks="`value` is numeric.",
            example="records.parquet: D003 column value: must be numeric, is String",
            function=value_is_number,
        ),
        SchemaCheck(
            kind=RECORD_LEVEL,
            codes=("D013",),
            checks="Columns not in the schema are ignored.",
            example="records.parquet: warning D013 columns not in the record-level extract schema are ignored: extra",
            severity=Severity.WARNING,
            function=unknown_record_columns,
        ),
        *key_checks(RECORD_LEVEL),
        ScanCheck(
            kind=RECORD_LEVEL,
            codes=("D004",),
            checks="No nulls in `patient_id`.",
            example="records.parquet: D004 column patient_id: 1 row null (keys must be filled), e.g. row 2",
            function=null_patient_ids,
        ),
        ScanCheck(
            kind=RECORD_LEVEL,
            codes=("D015",),
            checks="No nulls in `in_denominator`, `in_numerator`, `excluded`.",
            example="records.parquet: D015 column in_denominator: 1 row null (must be true or false), e.g. row 7",
            function=null_flags,
        ),
        ScanCheck(
            kind=RECORD_LEVEL,
            codes=("D016",),
            checks="`in_numerator` only with `in_denominator`.",
            example="records.parquet: D016 column in_numerator: 1 row in the numerator but not in the denominator, e.g. row 8",
            function=numerator_outside_denominator,
        ),
        ScanCheck(
            kind=RECORD_LEVEL,
            codes=("D003",),
            checks="`value` holds no NaN or infinity (in any row, counted or not).",
            example="records.parquet: D003 column value: 1 row NaN or infinite, e.g. row 9",
            function=nonfinite_values,
        ),
        ScanCheck(
            kind=RECORD_LEVEL,
            codes=("D018",),
            checks="For a mean indicator with a `value_range` in the contract: each record's `value` lies within it.",
            example="records.parquet: D018 column value: 2 rows outside the indicator's value_range (mixed units?), e.g. row 3",
            function=values_out_of_range,
        ),
        SumsCheck(
            kind=RECORD_LEVEL,
            codes=("D020",),
            checks="`value` is present when the file has rows of a `mean` indicator (the flags are required columns). One finding, naming up to five of the indicators.",
            example="records.parquet: D020 column value is missing, but the file has rows of indicators that need it: m1",
            function=value_column_present,
        ),
        SumsCheck(
            kind=RECORD_LEVEL,
            codes=("D028",),
            checks="Each monthly total (provider x indicator x month) is at most 10,000,000,000 either way, as for an aggregated extract.",
            example="records.parquet: D028 column value_sum: 1 monthly total beyond 10,000,000,000, e.g. A m1 2025-10: 12,000,000,000 (wrong units, or a corrupt extract?)",
            function=monthly_sums_within_bounds,
        ),
    ]
)
