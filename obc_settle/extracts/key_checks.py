"""The key checks every indicator extract has, aggregated or record-level: the columns
`provider_id`, `indicator_id` and `period` are there with the right types, filled, and hold a
provider, an indicator (or quantity) and a month of the contract.

Every version of the contract (variations) and every quantity (share quantity, population,
spend, list size, registers) is known: see Contract.extract_ids. The row checks here read only
key columns, so the single pass evaluates them on a file's distinct keys rather than on its rows
(obc_settle.extracts.single_pass). Each kind registers them (`key_checks`) in its own module
(obc_settle.extracts.checks, obc_settle.extracts.records).
"""

from __future__ import annotations

import polars as pl

from obc_settle.errors import Diagnostic
from obc_settle.extracts.registry import FileContext, RowCheck, ScanCheck
from obc_settle.extracts.schema import KEY_COLUMNS, is_period, is_text

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


# Schema checks of the key columns' types (each kind registers them with its own examples).


def ids_are_text(context: FileContext) -> list[Diagnostic]:
    schema = context.schema
    return [
        Diagnostic("D003", f"column {name}: must be text, is {schema[name]}", context.where)
        for name in ("provider_id", "indicator_id")
        if name in schema and not is_text(schema[name])
    ]


def period_is_text_or_date(context: FileContext) -> list[Diagnostic]:
    schema = context.schema
    if "period" not in schema or is_period(schema["period"]):
        return []
    message = f"column period: must be text 'YYYY-MM' or a date, is {schema['period']}"
    return [Diagnostic("D003", message, context.where)]


# Row checks of the key columns.


def null_keys(context: FileContext) -> list[RowCheck]:
    return [
        RowCheck(f"null_{name}", "D004", name, "null (keys must be filled)", pl.col(name).is_null())
        for name in KEY_COLUMNS
    ]


def unknown_providers(context: FileContext) -> list[RowCheck]:
    known = list(context.known.provider_id)
    condition = pl.col("provider_id").cast(pl.String).is_in(known).not_()
    describe = "with a provider the contract does not know"
    return [RowCheck("unknown_provider", "D007", "provider_id", describe, condition, show_values=True)]


def unknown_indicators(context: FileContext) -> list[RowCheck]:
    known = list(context.known.indicator_id)
    condition = pl.col("indicator_id").cast(pl.String).is_in(known).not_()
    describe = "with an indicator the contract does not know"
    return [RowCheck("unknown_indicator", "D008", "indicator_id", describe, condition, show_values=True)]


def malformed_periods(context: FileContext) -> list[RowCheck]:
    condition = context.period_text.str.contains(MONTH).not_()
    return [RowCheck("bad_period", "D010", "period", "not of the form YYYY-MM", condition, show_values=True)]


def periods_outside_term(context: FileContext) -> list[RowCheck]:
    first, last = context.known.first_month, context.known.last_month
    period = context.period_text
    condition = period.str.contains(MONTH) & ((period < first) | (period > last))
    describe = f"outside the contract term {first} to {last}"
    return [RowCheck("outside_term", "D009", "period", describe, condition, show_values=True)]


def key_checks(kind: str) -> list[ScanCheck]:
    """The row checks of the key columns, as records of `kind`, in the order they run."""
    return [
        ScanCheck(
            kind=kind,
            codes=("D004",),
            checks="No nulls in `provider_id`, `indicator_id`, `period`.",
            example="q3.parquet: D004 column provider_id: 1 row null (keys must be filled), e.g. row 2",
            function=null_keys,
        ),
        ScanCheck(
            kind=kind,
            codes=("D007",),
            checks="`provider_id` is a provider of the contract (exact match: case and spaces count).",
            example="q3.parquet: D007 column provider_id: 1 row with a provider the contract does not know ('Z'), e.g. row 4",
            function=unknown_providers,
        ),
        ScanCheck(
            kind=kind,
            codes=("D008",),
            checks="`indicator_id` is an indicator of the contract, or the share rule's `quantity`.",
            example="q3.parquet: D008 column indicator_id: 1 row with an indicator the contract does not know ('zz'), e.g. row 5",
            function=unknown_indicators,
        ),
        ScanCheck(
            kind=kind,
            codes=("D010",),
            checks="`period` is of the form `YYYY-MM` with a month 01 to 12.",
            example="q3.parquet: D010 column period: 2 rows not of the form YYYY-MM ('2025-13', 'Oct-25'), e.g. row 6",
            function=malformed_periods,
        ),
        ScanCheck(
            kind=kind,
            codes=("D009",),
            checks="`period` lies within the term (from the month of `term.start` to the month of `term.end`).",
            example="q3.parquet: D009 column period: 1 row outside the contract term 2025-04 to 2026-03 ('2026-04'), e.g. row 7",
            function=periods_outside_term,
        ),
    ]
