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
    excluded     rows with in_denominator and excluded (kept beside the sums, for statements)

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
obc_settle.extracts.completeness).
"""

from __future__ import annotations

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.errors import Diagnostic, Location, Severity
from obc_settle.extracts.checks import RowCheck, outside_value_range, row_checks
from obc_settle.extracts.schema import KEY_COLUMNS, MEASURE_COLUMNS, SUM_DTYPE, is_number, is_period, is_text

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

EXCLUSIONS_SCHEMA = {
    "provider_id": pl.String,
    "indicator_id": pl.String,
    "period": pl.String,
    "excluded": pl.Int64,
}


def is_record_level(schema: pl.Schema) -> bool:
    return any(name in schema for name in RECORD_MARKERS)


def record_schema_findings(schema: pl.Schema, file: str) -> list[Diagnostic]:
    where = Location(file)
    findings = []
    aggregated = [name for name in MEASURE_COLUMNS if name in schema]
    if aggregated:
        record = [name for name in RECORD_MARKERS if name in schema]
        message = (
            f"has record-level columns ({', '.join(record)}) and aggregated columns ({', '.join(aggregated)}): "
            "an extract file is one or the other"
        )
        findings.append(Diagnostic("D002", message, where))
    for name in REQUIRED_COLUMNS:
        if name not in schema:
            findings.append(
                Diagnostic("D002", f"required column {name!r} is missing (record-level extract)", where)
            )
    for name in ("provider_id", "indicator_id"):
        if name in schema and not is_text(schema[name]):
            findings.append(Diagnostic("D003", f"column {name}: must be text, is {schema[name]}", where))
    if "period" in schema and not is_period(schema["period"]):
        findings.append(
            Diagnostic(
                "D003", f"column period: must be text 'YYYY-MM' or a date, is {schema['period']}", where
            )
        )
    if "patient_id" in schema and not (is_text(schema["patient_id"]) or schema["patient_id"].is_integer()):
        findings.append(
            Diagnostic(
                "D003", f"column patient_id: must be text or a whole number, is {schema['patient_id']}", where
            )
        )
    for name in FLAG_COLUMNS:
        if name in schema and schema[name] != pl.Boolean:
            findings.append(
                Diagnostic(
                    "D003", f"column {name}: must be true or false (boolean), is {schema[name]}", where
                )
            )
    if "value" in schema and not is_number(schema["value"]):
        findings.append(Diagnostic("D003", f"column value: must be numeric, is {schema['value']}", where))
    unknown = sorted(set(schema) - set(RECORD_COLUMNS) - set(MEASURE_COLUMNS))
    if unknown:
        message = f"columns not in the record-level extract schema are ignored: {', '.join(unknown)}"
        findings.append(Diagnostic("D013", message, where, Severity.WARNING))
    return findings


def record_checks(schema: pl.Schema, contract: Contract) -> list[RowCheck]:
    """The key checks every extract has, and the checks of record-level rows."""
    checks = row_checks(schema, contract)
    checks.append(
        RowCheck(
            "null_patient_id",
            "D004",
            "patient_id",
            "null (keys must be filled)",
            pl.col("patient_id").is_null(),
        )
    )
    for name in FLAG_COLUMNS:
        if name in schema:
            checks.append(
                RowCheck(f"null_{name}", "D015", name, "null (must be true or false)", pl.col(name).is_null())
            )
    checks.append(
        RowCheck(
            "numerator_outside_denominator",
            "D016",
            "in_numerator",
            "in the numerator but not in the denominator",
            pl.col("in_numerator") & pl.col("in_denominator").not_(),
        )
    )
    if "value" in schema and schema["value"].is_float():
        checks.append(
            RowCheck(
                "nonfinite_value", "D003", "value", "NaN or infinite", pl.col("value").is_finite().not_()
            )
        )
    out_of_range = outside_value_range(pl.col("value"), contract) if "value" in schema else None
    if out_of_range is not None:
        checks.append(
            RowCheck(
                "value_out_of_range",
                "D018",
                "value",
                "outside the indicator's value_range (mixed units?)",
                pl.col("value").is_not_null() & out_of_range,
            )
        )
    return checks


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
        valued = pl.when(counted).then(value)
        if schema["value"].is_float():
            # Rows not counted add value x 0: zero, except that NaN or infinity stays NaN and makes
            # the conversion to decimal fail, which sends the file to the detail pass (D003).
            valued = valued.otherwise(value * 0.0)
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
