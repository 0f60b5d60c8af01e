"""Rate-card claims (`--claims claims.parquet`): one row per outcome claimed, with columns
`participant_id`, `outcome_id`, `provider_id` and `period` (the month, text `YYYY-MM` or a date),
all text (`obc_settle.extracts.schema.CLAIMS_SCHEMA`; obc_settle.engine.rate_card pays them).

Only a contract with a rate card (in any version) reads claims: `--claims` for another is R002,
and a rate-card contract settled without them pays no outcome (a D033 warning). The file is
checked with the checks registered at the end of this module (kind `claims`,
obc_settle.extracts.registry): its columns first, then each row condition over the whole file,
reported once per condition with its count, up to three values and its first row.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.errors import Diagnostic, Location, Severity, has_errors
from obc_settle.extracts.footer import footer_findings
from obc_settle.extracts.registry import (
    FileContext,
    RowCheck,
    ScanCheck,
    SchemaCheck,
    register_all,
    scan_checks,
    schema_findings,
)
from obc_settle.extracts.schema import CLAIMS_SCHEMA

CLAIMS = "claims"
CLAIM_COLUMNS = tuple(CLAIMS_SCHEMA)


def read_claims(path: Path | None, contract: Contract) -> tuple[pl.DataFrame | None, list[Diagnostic]]:
    """The claims (`CLAIMS_SCHEMA`), or None when the file has errors or the contract has no rate
    card; and the findings. A rate-card contract without `path` has no claims (an empty frame)."""
    if contract.rate_card is None and not any(v.rate_card for v in contract.variations):
        if path is not None:
            message = "--claims is only used by a contract with a rate card"
            return None, [Diagnostic("R002", message, Location(str(path)))]
        return None, []
    if path is None:
        message = "the contract has a rate card but no --claims extract was given: no outcome is paid"
        return pl.DataFrame(schema=CLAIMS_SCHEMA), [
            Diagnostic("D033", message, Location("--claims"), Severity.WARNING)
        ]
    where = str(path)
    beyond = footer_findings(path, where)  # before Polars reads the footer into memory
    if beyond:
        return None, beyond
    try:
        frame = pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as error:
        message = f"not a readable Parquet file ({str(error).splitlines()[0]})"
        return None, [Diagnostic("D033", message, Location(where))]
    if frame.schema.get("period") == pl.Date:
        frame = frame.with_columns(pl.col("period").dt.strftime("%Y-%m"))
    context = FileContext(where, frame.schema, contract)
    findings = schema_findings(CLAIMS, context)
    if has_errors(findings):
        return None, findings
    findings += _row_findings(frame, scan_checks(CLAIMS, context), where)
    if has_errors(findings):
        return None, findings
    return frame.select([pl.col(name).cast(pl.String) for name in CLAIM_COLUMNS]), findings


def _row_findings(frame: pl.DataFrame, checks: list[RowCheck], where: str) -> list[Diagnostic]:
    """One finding per failing condition: its count, up to three values (first seen first), and
    its first row."""
    indexed = frame.with_row_index("row", offset=1)
    findings = []
    for check in checks:
        hits = indexed.filter(check.condition.fill_null(False))
        if not hits.height:
            continue
        shown = hits.get_column(check.values_of or check.column).unique(maintain_order=True).head(3)
        values = ", ".join(repr(v) for v in shown.to_list())
        message = f"column {check.column}: {hits.height} row{'s' if hits.height != 1 else ''} with {check.describe} ({values}), e.g. row {hits.item(0, 'row')}"
        findings.append(Diagnostic(check.code, message, Location(where)))
    return findings


# Schema checks: stop at the first that fails (the next relies on it).


def claim_columns_present(context: FileContext) -> list[Diagnostic]:
    missing = [name for name in CLAIM_COLUMNS if name not in context.schema]
    if not missing:
        return []
    message = f"required column {', '.join(repr(m) for m in missing)} is missing"
    return [Diagnostic("D033", message, context.where)]


def claim_columns_are_text(context: FileContext) -> list[Diagnostic]:
    schema = context.schema
    return [
        Diagnostic("D033", f"column {name}: must be text, is {schema[name]}", context.where)
        for name in CLAIM_COLUMNS
        if schema[name] != pl.String
    ]


# Row conditions; a null is a hit (the message then shows None).


def participants_filled(context: FileContext) -> list[RowCheck]:
    condition = pl.col("participant_id").is_null()
    return [RowCheck("participant_empty", "D034", "participant_id", "empty", condition)]


def outcomes_on_the_rate_card(context: FileContext) -> list[RowCheck]:
    contract = context.contract
    outcomes = {o.id for terms in contract.versions() if terms.rate_card for o in terms.rate_card.outcomes}
    condition = pl.col("outcome_id").is_in(sorted(outcomes)).not_().fill_null(True)
    return [RowCheck("unknown_outcome", "D034", "outcome_id", "an outcome not on the rate card", condition)]


def claim_providers_known(context: FileContext) -> list[RowCheck]:
    providers = context.contract.all_provider_ids()
    condition = pl.col("provider_id").is_in(sorted(providers)).not_().fill_null(True)
    describe = "a provider the contract does not know"
    return [RowCheck("unknown_claim_provider", "D034", "provider_id", describe, condition)]


def claim_months_in_term(context: FileContext) -> list[RowCheck]:
    term = context.contract.term
    first, last = f"{term.start:%Y-%m}", f"{term.end:%Y-%m}"
    period = pl.col("period")
    condition = (
        period.str.contains(r"^\d{4}-(0[1-9]|1[0-2])$").not_() | (period < first) | (period > last)
    ).fill_null(True)
    describe = f"not a month of the term ({first} to {last})"
    return [RowCheck("claim_month_outside_term", "D034", "period", describe, condition)]


# The registered checks of a claims extract, in the order they run.

register_all(
    [
        SchemaCheck(
            kind=CLAIMS,
            codes=("D033",),
            checks="The columns `participant_id`, `outcome_id`, `provider_id` and `period` are present.",
            example="claims.parquet: D033 required column 'outcome_id' is missing",
            function=claim_columns_present,
            stop_on_error=True,
        ),
        SchemaCheck(
            kind=CLAIMS,
            codes=("D033",),
            checks="They are text (`period` may be a date: it is read as its month).",
            example="claims.parquet: D033 column participant_id: must be text, is Int64",
            function=claim_columns_are_text,
            stop_on_error=True,
        ),
        ScanCheck(
            kind=CLAIMS,
            codes=("D034",),
            checks="`participant_id` is filled.",
            example="claims.parquet: D034 column participant_id: 2 rows with empty (None), e.g. row 4",
            function=participants_filled,
        ),
        ScanCheck(
            kind=CLAIMS,
            codes=("D034",),
            checks="`outcome_id` is an outcome of the rate card (of any version of the contract).",
            example="claims.parquet: D034 column outcome_id: 1 row with an outcome not on the rate card ('flying'), e.g. row 2",
            function=outcomes_on_the_rate_card,
        ),
        ScanCheck(
            kind=CLAIMS,
            codes=("D034",),
            checks="`provider_id` is a provider of the contract (of any version).",
            example="claims.parquet: D034 column provider_id: 1 row with a provider the contract does not know ('Z'), e.g. row 3",
            function=claim_providers_known,
        ),
        ScanCheck(
            kind=CLAIMS,
            codes=("D034",),
            checks="`period` is a month `YYYY-MM` of the term.",
            example="claims.parquet: D034 column period: 1 row with not a month of the term (2025-04 to 2028-03) ('2030-01'), e.g. row 2",
            function=claim_months_in_term,
        ),
    ]
)
