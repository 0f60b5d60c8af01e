"""Open an extract file of any accepted format as one lazy frame in the schema's shape.

Parquet is the fast path (scanned as it is, its footer bounded first: obc_settle.extracts.footer).
CSV and TSV (obc_settle.extracts.csv_source) and Excel (obc_settle.extracts.excel_source) are read
as text, put in the schema's shape by a mapping when one applies to them
(obc_settle.extracts.mapping_apply), and typed strictly (obc_settle.extracts.text_table). From
then on every format goes through the same checks and the same single pass.

A mapping applies to the CSV and Excel files its `files` globs match (all of them without
`files`); a Parquet file is already typed, so a mapping naming one is D037.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fnmatch import fnmatch
from pathlib import Path

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.errors import Diagnostic, Location, has_errors
from obc_settle.extracts.csv_source import csv_separator, read_csv_text
from obc_settle.extracts.discovery import SourceFile
from obc_settle.extracts.excel_source import is_excel, read_excel_text, stamp_of
from obc_settle.extracts.footer import footer_findings
from obc_settle.extracts.mapping import MappingInUse
from obc_settle.extracts.mapping_apply import apply_mapping
from obc_settle.extracts.text_table import LINE, typed


@dataclass(frozen=True)
class OpenedSource:
    scan: pl.LazyFrame | None
    """The file as a lazy frame in the schema's column names; None when it cannot be read."""
    findings: list[Diagnostic] = field(default_factory=list)
    format: str = "parquet"
    mapping: MappingInUse | None = None
    """The mapping read it through, if any."""
    stamp: dict[str, str] | None = None
    """A return workbook's stamp (`obc-settle template`), checked against the contract and months."""


def source_format(path: Path) -> str:
    """`parquet`, `csv`, `tsv` or `xlsx`, by the file's name (any other name is read as Parquet)."""
    separator = csv_separator(path)
    if separator is not None:
        return "tsv" if separator == "\t" else "csv"
    return "xlsx" if is_excel(path) else "parquet"


def mapping_for(source: SourceFile, used: MappingInUse | None) -> MappingInUse | None:
    """The mapping that applies to `source`: one whose `files` globs match its path below the data
    folder (or any file, without `files`)."""
    if used is None:
        return None
    globs = used.mapping.files
    if globs is None:
        return used if source_format(source.path) != "parquet" else None
    return (
        used
        if any(fnmatch(source.relative, glob) or fnmatch(source.path.name, glob) for glob in globs)
        else None
    )


PLACE = "place"
"""With `open_source(..., placed=True)`: where each row stands in the file received, as a person
finds it (`q3.csv:17`, `returns.xlsx[Returns]!A17`, `records.parquet row 17`)."""


def open_source(
    source: SourceFile, name: str, mapping: MappingInUse | None, placed: bool = False
) -> OpenedSource:
    """`source` (shown as `name`) as a lazy frame in the schema's shape, or the findings that stop
    it; with `placed`, a `place` column says where each row stands in the file."""
    form = source_format(source.path)
    if form == "parquet":
        opened = _parquet(source.path, name, mapping)
        if placed and opened.scan is not None:
            row = pl.int_range(1, pl.len() + 1, dtype=pl.Int64)
            return replace(
                opened, scan=opened.scan.with_columns(pl.format("{} row {}", pl.lit(name), row).alias(PLACE))
            )
        return opened
    if form == "xlsx":
        sheet = mapping.mapping.sheet if mapping is not None else None
        table = read_excel_text(source.path, name, sheet)
        stamp = stamp_of(source.path)
    else:
        table, stamp = read_csv_text(source.path, name), None
    if mapping is not None:
        table = apply_mapping(table, mapping)
    findings = list(table.findings)
    if has_errors(findings):
        return OpenedSource(None, findings, form, mapping, stamp)
    scan, typing = typed(table, keep_line=placed)
    findings += typing
    if has_errors(findings) or scan is None:
        return OpenedSource(None, findings, form, mapping, stamp)
    if placed:
        where = pl.format("{}:{}", pl.lit(table.name), pl.col(LINE))
        if form == "xlsx":
            where = pl.format("{}!A{}", pl.lit(table.name), pl.col(LINE))
        scan = scan.with_columns(where.alias(PLACE)).drop(LINE)
    return OpenedSource(scan, findings, form, mapping, stamp)


def _parquet(path: Path, name: str, mapping: MappingInUse | None) -> OpenedSource:
    if mapping is not None:
        message = f"{mapping.name} names a Parquet file: mappings read CSV and Excel files (Parquet is typed already)"
        return OpenedSource(None, [Diagnostic("D037", message, Location(name))])
    if path.stat().st_size == 0:
        return OpenedSource(
            None, [Diagnostic("D001", "the file is empty (0 bytes): not a Parquet file", Location(name))]
        )
    beyond = footer_findings(path, name)  # before Polars reads the footer into memory
    if beyond:
        return OpenedSource(None, beyond)
    try:
        scan = pl.scan_parquet(path)
        scan.collect_schema()
    except (pl.exceptions.PolarsError, OSError) as error:
        text = str(error).strip().splitlines()
        reason = text[0] if text else type(error).__name__
        hint = "; CSV (.csv, .tsv) and Excel (.xlsx) files are read by their names"
        return OpenedSource(
            None, [Diagnostic("D001", f"not a readable Parquet file ({reason}){hint}", Location(name))]
        )
    return OpenedSource(scan)


def stamp_findings(
    opened: OpenedSource, name: str, contract: Contract, months: list[str]
) -> list[Diagnostic]:
    """D040: a return workbook made by `obc-settle template` for another contract, or holding
    months outside the period it was made for."""
    stamp = opened.stamp
    if stamp is None:
        return []
    if stamp.get("contract_id") != contract.id:
        message = (
            f"this return was made for contract {stamp.get('contract_id')!r} ({stamp.get('period')}), "
            f"not {contract.id!r}: use the return made for this contract (obc-settle template)"
        )
        return [Diagnostic("D040", message, Location(name))]
    try:
        allowed = set(contract.term.year_start.parse_period(stamp.get("period", "")).months())
    except ValueError:
        return [Diagnostic("D040", "the return's stamp names no period it was made for", Location(name))]
    outside = sorted(set(months) - allowed)
    if outside:
        message = (
            f"this return was made for {stamp['period']} but holds rows of {', '.join(outside[:3])}"
            f"{' ...' if len(outside) > 3 else ''}: a return is filled for its own period only"
        )
        return [Diagnostic("D040", message, Location(name))]
    return []
