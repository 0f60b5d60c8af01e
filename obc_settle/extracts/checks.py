"""Checks on one extract file, producing findings like
`q3.parquet: column denominator: 3 rows negative, e.g. row 17`.

Row numbers are 1-based positions of data rows in the file. All row checks of a file are
expressions evaluated together in one lazy scan.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.errors import Diagnostic, Location, Severity
from obc_settle.extracts.completeness import measure_needs
from obc_settle.extracts.grouping import known_keys
from obc_settle.extracts.schema import (
    COUNT_COLUMNS,
    KEY_COLUMNS,
    MEASURE_COLUMNS,
    VALUE_COLUMNS,
    is_number,
    is_period,
    is_text,
)

KNOWN_COLUMNS = set(KEY_COLUMNS) | set(MEASURE_COLUMNS)


def schema_findings(schema: pl.Schema, file: str) -> list[Diagnostic]:
    findings = []
    where = Location(file)
    for name in KEY_COLUMNS:
        if name not in schema:
            findings.append(Diagnostic("D002", f"required column {name!r} is missing", where))
    for name in ("provider_id", "indicator_id"):
        if name in schema and not is_text(schema[name]):
            findings.append(Diagnostic("D003", f"column {name}: must be text, is {schema[name]}", where))
    if "period" in schema and not is_period(schema["period"]):
        findings.append(
            Diagnostic(
                "D003", f"column period: must be text 'YYYY-MM' or a date, is {schema['period']}", where
            )
        )
    has_counts = all(name in schema for name in COUNT_COLUMNS)
    has_values = all(name in schema for name in VALUE_COLUMNS)
    if not has_counts and not has_values:
        missing = [name for name in MEASURE_COLUMNS if name not in schema]
        findings.append(
            Diagnostic(
                "D002",
                f"needs numerator and denominator, or value_sum and value_count; missing {', '.join(missing)}",
                where,
            )
        )
    for name in MEASURE_COLUMNS:
        if name in schema and not is_number(schema[name]):
            findings.append(Diagnostic("D003", f"column {name}: must be numeric, is {schema[name]}", where))
    if (
        "value_count" in schema
        and is_number(schema["value_count"])
        and not schema["value_count"].is_integer()
    ):
        findings.append(
            Diagnostic(
                "D003", f"column value_count: must be a whole number type, is {schema['value_count']}", where
            )
        )
    unknown = sorted(set(schema) - KNOWN_COLUMNS)
    if unknown:
        findings.append(
            Diagnostic(
                "D013",
                f"columns not in the extract schema are ignored: {', '.join(unknown)}",
                where,
                Severity.WARNING,
            )
        )
    return findings


@dataclass(frozen=True)
class RowCheck:
    """One row check. A check on a key column (`column` in KEY_COLUMNS) reads only key columns, so
    it can also be evaluated on the distinct keys of a file (see obc_settle.extracts.single_pass)."""

    name: str
    code: str
    column: str
    describe: str
    condition: pl.Expr
    show_values: bool = False
    values_of: str | None = None
    """The column whose values the message shows (default: `column`)."""


def content_checks(
    scan: pl.LazyFrame, schema: pl.Schema, contract: Contract, file: str, checks: list[RowCheck] | None = None
) -> tuple[list[Diagnostic], int]:
    """Every row check of one file in one scan (`checks`, or those of an aggregated extract);
    returns the findings and the file's row count."""
    checks = row_checks(schema, contract) if checks is None else checks
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


def row_checks(schema: pl.Schema, contract: Contract) -> list[RowCheck]:
    # Every version of the contract (variations) and every quantity (share quantity, population,
    # spend, list size, registers) is known: see Contract.extract_ids.
    known = known_keys(contract)
    provider_ids, indicator_ids = list(known.provider_id), list(known.indicator_id)
    proportion_ids = sorted(contract.proportion_indicator_ids())
    first_month, last_month = known.first_month, known.last_month
    period = pl.col("period")
    if schema["period"] == pl.Date:
        period = period.dt.strftime("%Y-%m")
    period = period.cast(pl.String)
    checks = [
        RowCheck(f"null_{name}", "D004", name, "null (keys must be filled)", pl.col(name).is_null())
        for name in KEY_COLUMNS
    ]
    checks += [
        RowCheck(
            "unknown_provider",
            "D007",
            "provider_id",
            "with a provider the contract does not know",
            pl.col("provider_id").cast(pl.String).is_in(provider_ids).not_(),
            show_values=True,
        ),
        RowCheck(
            "unknown_indicator",
            "D008",
            "indicator_id",
            "with an indicator the contract does not know",
            pl.col("indicator_id").cast(pl.String).is_in(indicator_ids).not_(),
            show_values=True,
        ),
        RowCheck(
            "bad_period",
            "D010",
            "period",
            "not of the form YYYY-MM",
            period.str.contains(r"^\d{4}-(0[1-9]|1[0-2])$").not_(),
            show_values=True,
        ),
        RowCheck(
            "outside_term",
            "D009",
            "period",
            f"outside the contract term {first_month} to {last_month}",
            period.str.contains(r"^\d{4}-(0[1-9]|1[0-2])$")
            & ((period < first_month) | (period > last_month)),
            show_values=True,
        ),
    ]
    for name in ("numerator", "denominator", "value_count"):
        if name in schema:
            checks.append(RowCheck(f"negative_{name}", "D005", name, "negative", pl.col(name) < 0))
    for name in MEASURE_COLUMNS:
        if name in schema and schema[name].is_float():
            checks.append(
                RowCheck(
                    f"nonfinite_{name}", "D003", name, "NaN or infinite", pl.col(name).is_finite().not_()
                )
            )
    if all(name in schema for name in COUNT_COLUMNS):
        numerator = (
            pl.col("numerator").fill_nan(None) if schema["numerator"].is_float() else pl.col("numerator")
        )
        checks.append(
            RowCheck(
                "numerator_above",
                "D006",
                "numerator",
                "above the denominator for a proportion indicator",
                pl.col("indicator_id").cast(pl.String).is_in(proportion_ids)
                & (pl.col("denominator").fill_null(0) >= 0)
                & (numerator > pl.col("denominator").fill_null(0)),
            )
        )
    checks += null_measure_checks(schema, contract)
    if all(name in schema for name in VALUE_COLUMNS):
        checks.append(
            RowCheck(
                "values_without_count",
                "D012",
                "value_sum",
                "non-zero while value_count is zero",
                (pl.col("value_count").fill_null(0) == 0) & (pl.col("value_sum").fill_null(0) != 0),
            )
        )
        mean = pl.col("value_sum").cast(pl.Float64) / pl.col("value_count").cast(pl.Float64)
        out_of_range = outside_value_range(mean, contract)
        if out_of_range is not None:
            checks.append(
                RowCheck(
                    "mean_out_of_range",
                    "D018",
                    "value_sum",
                    OUT_OF_RANGE,
                    (pl.col("value_count").fill_null(0) > 0) & out_of_range,
                    show_values=False,
                )
            )
    return checks


def null_measure_checks(schema: pl.Schema, contract: Contract) -> list[RowCheck]:
    """D021: per aggregated measure column in the file, rows of an indicator that needs it
    (completeness.measure_needs) where it is null. A null `value_sum` beside a `value_count` of 0
    (or null) is no values, as D012 allows; D006 still reads a null denominator as 0."""
    checks = []
    for name, ids in measure_needs(contract).items():
        if name not in MEASURE_COLUMNS or name not in schema or not ids:
            continue
        condition = pl.col("indicator_id").cast(pl.String).is_in(sorted(ids)) & pl.col(name).is_null()
        if name == "value_sum" and "value_count" in schema:
            condition = condition & (pl.col("value_count").fill_null(0) != 0)
        checks.append(
            RowCheck(
                f"null_needed_{name}",
                "D021",
                name,
                "null on indicators that need it",
                condition,
                show_values=True,
                values_of="indicator_id",
            )
        )
    return checks


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
