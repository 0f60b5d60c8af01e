"""The payments-made extract (`--payments payments.parquet`): what each provider was paid, and for
which period.

One row per payment, with columns `provider_id` (text), `settlement_period` (text, the period the
payment is for: a quarter of the contract year, or the year; a column named `period` is read as
it) and `amount_pence` (integer, negative for a recovery); an optional `line` column (text)
describes the payment and is not used. The file is checked with the checks registered at the end
of this module (kind `payments`, obc_settle.extracts.registry), then summed by provider and
period to the rows of a payment history (`party_id`, `period`, `amount_pence`, `source`, as
obc_settle.engine.reconcile reads it). When earlier runs are given too, the two must agree
(`runs_disagreement`, P008).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.errors import Diagnostic, Location, Severity, has_errors
from obc_settle.extracts.footer import footer_findings
from obc_settle.extracts.registry import (
    EachRowCheck,
    FileContext,
    SchemaCheck,
    each_row_findings,
    register_all,
    schema_findings,
)
from obc_settle.money import MAX_AMOUNT_PENCE, format_pounds
from obc_settle.money_columns import pence_sum
from obc_settle.periods import SettlementPeriod, netting_problem

PAYMENTS = "payments"
PAYMENT_COLUMNS = ("provider_id", "settlement_period", "amount_pence")


def read_payments(
    path: Path, contract: Contract, period: SettlementPeriod
) -> tuple[pl.DataFrame | None, list[Diagnostic]]:
    """The payments of the file by provider and period (history rows, the `source` naming the
    first row of each), or None when it has errors; and its findings."""
    where = str(path)
    beyond = footer_findings(path, where)  # before Polars reads the footer into memory
    if beyond:
        return None, beyond
    try:
        frame = pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as error:
        message = f"not a readable Parquet file ({str(error).splitlines()[0]})"
        return None, [Diagnostic("P001", message, Location(where))]
    if "settlement_period" not in frame.columns and "period" in frame.columns:
        frame = frame.rename({"period": "settlement_period"})
    context = FileContext(where, frame.schema, contract, period)
    findings = schema_findings(PAYMENTS, context)
    if has_errors(findings):
        return None, findings
    indexed = frame.with_row_index("row", offset=1)
    findings += each_row_findings(PAYMENTS, context, indexed.iter_rows(named=True))
    if has_errors(findings):
        return None, findings
    paid = (
        indexed.group_by("provider_id", "settlement_period", maintain_order=True)
        .agg(pence_sum("amount_pence").cast(pl.Int64), pl.col("row").min())
        .select(
            pl.col("provider_id").alias("party_id"),
            pl.col("settlement_period").alias("period"),
            "amount_pence",
            pl.format("payments extract row {}", pl.col("row")).alias("source"),
        )
    )
    return paid, findings


def runs_disagreement(runs: pl.DataFrame, extract: pl.DataFrame, where: str) -> list[Diagnostic]:
    """P008: every provider and period where the payments extract and the earlier runs disagree
    (both as history rows)."""
    by_runs = runs.group_by("party_id", "period").agg(pence_sum("amount_pence").alias("runs"))
    by_extract = extract.group_by("party_id", "period").agg(
        pence_sum("amount_pence").alias("paid"), pl.col("source").first()
    )
    joined = by_runs.join(by_extract, on=["party_id", "period"], how="full", coalesce=True).with_columns(
        pl.col("runs").fill_null(0), pl.col("paid").fill_null(0)
    )
    findings = []
    for row in (
        joined.filter(pl.col("runs") != pl.col("paid")).sort("period", "party_id").iter_rows(named=True)
    ):
        place = row["source"].removeprefix("payments extract ") if row["source"] else "no rows"
        message = f"{place}: {row['party_id']} {row['period']}: the extract says {row['paid']} pence was paid, the runs {row['runs']} pence"
        findings.append(Diagnostic("P008", message, Location(where)))
    return findings


# Schema checks: stop at the first that fails (the next relies on it).


def payment_columns_present(context: FileContext) -> list[Diagnostic]:
    missing = [name for name in PAYMENT_COLUMNS if name not in context.schema]
    if not missing:
        return []
    message = f"required column {', '.join(repr(m) for m in missing)} is missing"
    return [Diagnostic("P007", message, context.where)]


def payment_column_types(context: FileContext) -> list[Diagnostic]:
    schema = context.schema
    problems = [
        f"column {name}: must be text, is {schema[name]}"
        for name in ("provider_id", "settlement_period")
        if schema[name] != pl.String
    ]
    if not schema["amount_pence"].is_integer():
        problems.append(
            f"column amount_pence: must be a whole number of pence (an integer type), is {schema['amount_pence']}"
        )
    return [Diagnostic("P007", problem, context.where) for problem in problems]


def unknown_payment_columns(context: FileContext) -> list[Diagnostic]:
    extra = sorted(set(context.schema) - {*PAYMENT_COLUMNS, "line"})
    if not extra:
        return []
    message = f"columns not in the payments schema are ignored: {', '.join(extra)}"
    return [Diagnostic("P009", message, context.where, Severity.WARNING)]


# Row checks, a row at a time (`row` is its 1-based number). A row with an empty cell is reported
# once, by `payment_filled`; the other checks look at filled rows only.


def _filled(row: Mapping[str, Any]) -> bool:
    return all(row[name] is not None for name in PAYMENT_COLUMNS)


def payment_filled(context: FileContext, row: Mapping[str, Any]) -> Diagnostic | None:
    if _filled(row):
        return None
    message = f"row {row['row']}: provider_id, settlement_period and amount_pence must be filled"
    return Diagnostic("P007", message, context.where)


def payment_provider_known(context: FileContext, row: Mapping[str, Any]) -> Diagnostic | None:
    if not _filled(row) or row["provider_id"] in {p.id for p in context.terms.providers}:
        return None
    message = f"row {row['row']}, column provider_id: unknown provider {row['provider_id']!r}"
    return Diagnostic("P007", message, context.where)


def payment_within_limit(context: FileContext, row: Mapping[str, Any]) -> Diagnostic | None:
    if not _filled(row) or abs(int(row["amount_pence"])) <= MAX_AMOUNT_PENCE:
        return None
    message = (
        f"row {row['row']}, column amount_pence: {int(row['amount_pence']):,} pence is beyond the limit of "
        f"{format_pounds(MAX_AMOUNT_PENCE)} a payment may be (docs/contract-reference.md); "
        "amounts are in pence: check the units"
    )
    return Diagnostic("P011", message, context.where)


def payment_period_nettable(context: FileContext, row: Mapping[str, Any]) -> Diagnostic | None:
    problem = netting_problem(str(row["settlement_period"]), context.settled) if _filled(row) else None
    if problem is None:
        return None
    return Diagnostic("P003", f"row {row['row']}, column settlement_period: {problem}", context.where)


# The registered checks of a payments extract, in the order they run.

register_all(
    [
        SchemaCheck(
            kind=PAYMENTS,
            codes=("P007",),
            checks="The columns `provider_id`, `settlement_period` (or `period`) and `amount_pence` are present.",
            example="payments.parquet: P007 required column 'amount_pence' is missing",
            function=payment_columns_present,
            stop_on_error=True,
        ),
        SchemaCheck(
            kind=PAYMENTS,
            codes=("P007",),
            checks="`provider_id` and `settlement_period` are text; `amount_pence` is an integer type.",
            example="payments.parquet: P007 column amount_pence: must be a whole number of pence (an integer type), is Float64",
            function=payment_column_types,
            stop_on_error=True,
        ),
        SchemaCheck(
            kind=PAYMENTS,
            codes=("P009",),
            checks="Columns other than those and `line` are ignored.",
            example="payments.parquet: warning P009 columns not in the payments schema are ignored: note",
            severity=Severity.WARNING,
            function=unknown_payment_columns,
        ),
        EachRowCheck(
            kind=PAYMENTS,
            codes=("P007",),
            checks="Every row has a provider, a period and an amount.",
            example="payments.parquet: P007 row 3: provider_id, settlement_period and amount_pence must be filled",
            function=payment_filled,
        ),
        EachRowCheck(
            kind=PAYMENTS,
            codes=("P007",),
            checks="`provider_id` is a provider of the contract in the year settled.",
            example="payments.parquet: P007 row 4, column provider_id: unknown provider 'Z'",
            function=payment_provider_known,
        ),
        EachRowCheck(
            kind=PAYMENTS,
            codes=("P011",),
            checks="`amount_pence` is no more than £10^12 either way (the limit of every amount).",
            example="payments.parquet: P011 row 2, column amount_pence: 100,000,000,000,001 pence is beyond the limit of £1,000,000,000,000.00 a payment may be (docs/contract-reference.md); amounts are in pence: check the units",
            function=payment_within_limit,
        ),
        EachRowCheck(
            kind=PAYMENTS,
            codes=("P003",),
            checks="`settlement_period` is a quarter of the contract year settled no later than the period settled, or (at year end) the year.",
            example="payments.parquet: P003 row 5, column settlement_period: 2025-26-Q4 is after the period settled (2025-26-Q3)",
            function=payment_period_nettable,
        ),
    ]
)
