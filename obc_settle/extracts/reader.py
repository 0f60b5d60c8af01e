"""Find, check and aggregate indicator extracts.

Every problem is found before any money is computed: first each file's schema (from the Parquet
footer, cheap), then its contents in a single streaming scan per file that sums it to provider x
indicator x month and evaluates every row check at once (obc_settle.extracts.single_pass). Only
a file that fails a check is read again, to find the first offending row and values for the
message. A file is an aggregated extract or a record-level one (obc_settle.extracts.records),
told apart by its columns; both give the same monthly sums. Before the files' sums are merged,
no cell (provider x indicator x month) may come from two files, except that a file named as
restated replaces the cells it holds in the others (obc_settle.extracts.completeness).

The checks of a file are those registered for its kind (obc_settle.extracts.registry: the schema
checks, the row conditions of the single pass, the checks of its sums); reading failures (D001),
the bounds on a file's footer and row groups (D026, D027, obc_settle.extracts.footer), and the
checks across files (D022, D017) are here and in the modules named.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.digests import file_sha256
from obc_settle.errors import Diagnostic, Location, has_errors
from obc_settle.extracts.checks import AGGREGATED
from obc_settle.extracts.completeness import (
    FileCells,
    file_cells,
    idle_restatements,
    overlap_findings,
    restated_cells,
    without_cells,
)
from obc_settle.extracts.discovery import SourceFile, data_root, discover
from obc_settle.extracts.duplicates import RecordScan, duplicate_findings
from obc_settle.extracts.grouping import HashedGrouping
from obc_settle.extracts.mapping import MAPPING_FILE_NAME, MappingInUse, load_mapping
from obc_settle.extracts.records import (
    ENFORCED_BY_SUMS,
    NULL_CHECKS,
    RECORD_LEVEL,
    is_record_level,
    record_measures,
)
from obc_settle.extracts.registry import FileContext, scan_checks, schema_findings, sums_findings
from obc_settle.extracts.schema import KEY_COLUMNS, MONTHLY_SCHEMA
from obc_settle.extracts.single_pass import (
    FileSums,
    aggregated_measures,
    content_checks,
    file_sums,
    merge_monthly,
)
from obc_settle.extracts.sources import OpenedSource, mapping_for, open_source, stamp_findings


@dataclass(frozen=True)
class ExtractFile:
    path: Path
    display_name: str
    sha256: str
    rows: int
    relative: str = ""
    """The file's path below the `--data` folder or a glob's fixed part, with `/` (a single
    file: its name); hive partition folders (`period=2025-10/`) are part of it."""
    record_level: bool = False
    restated: bool = False
    """Named as restated: its cells replace the same cells of the other files."""
    format: str = "parquet"
    """`parquet`, `csv`, `tsv` or `xlsx` (obc_settle.extracts.sources)."""
    mapping: str | None = None
    """The mapping file it was read through, as shown in findings; None without one."""


@dataclass(frozen=True)
class Extracts:
    files: tuple[ExtractFile, ...]
    monthly: pl.DataFrame
    """Sums by provider_id, indicator_id, period (see `MONTHLY_SCHEMA`; record-level files' excluded
    people in `excluded`), sorted by those keys."""
    mapping: MappingInUse | None = None
    """The mapping file the CSV and Excel files were read through (archived with them)."""


def read_extracts(
    data_path: Path,
    contract: Contract,
    display_root: Path | None = None,
    check_duplicates: bool = False,
    restated: tuple[Path, ...] = (),
    mapping: Path | None = None,
) -> tuple[Extracts | None, list[Diagnostic]]:
    """Check every extract file against the contract and return monthly sums, or the findings.

    `data_path` is a file, a folder or a glob (obc_settle.extracts.discovery). With
    `check_duplicates`, record-level rows are also checked for repeated (patient, indicator,
    month), at a memory cost that grows with the rows (obc_settle.extracts.duplicates).
    `restated` names files among those found whose rows replace, cell by cell, the rows of the
    same provider x indicator x month in the other files; any other cell in two files is D022."""
    sources, findings = discover(data_path)
    if not sources:
        return None, findings
    used, mapping_findings = _mapping(mapping, data_path, display_root)
    if used is not None:  # financial months count from the first month of the contract's years
        used = replace(used, year_start=contract.term.year_start)
    findings += mapping_findings
    if has_errors(mapping_findings):
        return None, findings
    chosen, unknown = _restated(sources, restated)
    if unknown:
        return None, findings + unknown
    files: list[ExtractFile] = []
    sums: list[FileSums] = []
    cells: list[FileCells] = []
    record_scans: list[tuple[RecordScan, bool]] = []
    for source in sources:
        name = _display(source.path, display_root)
        sha256 = file_sha256(source.path)
        opened = open_source(source, name, mapping_for(source, used))
        file_findings, result, record_scan = _read_file(source, name, contract, sha256, opened)
        findings += file_findings
        is_restated = source.path.resolve() in chosen
        if result is not None:
            cells.append(file_cells(name, result.monthly, is_restated))
        if result is not None and not has_errors(file_findings):
            files.append(
                ExtractFile(
                    source.path,
                    name,
                    sha256,
                    result.rows,
                    source.relative,
                    record_scan is not None,
                    is_restated,
                    opened.format,
                    opened.mapping.name if opened.mapping is not None else None,
                )
            )
            sums.append(result)
            if record_scan is not None:
                record_scans.append((record_scan, is_restated))
    findings += overlap_findings(cells) + idle_restatements(cells)
    replaced = restated_cells([item.monthly for item, file in zip(sums, files, strict=True) if file.restated])
    if check_duplicates and not has_errors(findings):
        findings += duplicate_findings(
            [scan if chosen_file else replace(scan, replaced=replaced) for scan, chosen_file in record_scans]
        )
    if has_errors(findings):
        return None, findings
    kept = [(item, None if file.restated else replaced) for item, file in zip(sums, files, strict=True)]
    monthly = merge_monthly([without_cells(item.monthly, gone) for item, gone in kept])
    return Extracts(tuple(files), monthly, used), findings


def _mapping(
    given: Path | None, data_path: Path, display_root: Path | None
) -> tuple[MappingInUse | None, list[Diagnostic]]:
    """The mapping named with `--mapping`, else `mapping.yaml` in the data folder, loaded; or none."""
    path = given if given is not None else data_root(data_path) / MAPPING_FILE_NAME
    if given is None and not path.is_file():
        return None, []
    if not path.is_file():
        return None, [Diagnostic("D037", "no such mapping file", Location(str(path)))]
    return load_mapping(path, _display(path, display_root))


def _restated(sources: list[SourceFile], restated: tuple[Path, ...]) -> tuple[set[Path], list[Diagnostic]]:
    """The resolved paths of the restated files, or R002 for one that is not among the files found."""
    found = {source.path.resolve() for source in sources}
    chosen: set[Path] = set()
    findings: list[Diagnostic] = []
    for path in restated:
        if path.resolve() in found:
            chosen.add(path.resolve())
            continue
        message = (
            f"{path} is not one of the extract files found by --data: a restated file must be among them"
        )
        findings.append(Diagnostic("R002", message, Location("--restated")))
    return chosen, findings


def _read_file(
    source: SourceFile, name: str, contract: Contract, sha256: str, opened: OpenedSource
) -> tuple[list[Diagnostic], FileSums | None, RecordScan | None]:
    """One file's findings and, when it could be read, its sums (and its scan, if record-level)."""
    if opened.scan is None:
        return opened.findings, None, None
    scan = opened.scan
    schema = scan.collect_schema()
    supplied = {
        key: value for key, value in source.partitions.items() if key in KEY_COLUMNS and key not in schema
    }
    if supplied:
        scan = scan.with_columns(pl.lit(value, dtype=pl.String).alias(key) for key, value in supplied.items())
        schema = scan.collect_schema()
    record_level = is_record_level(schema)
    kind = RECORD_LEVEL if record_level else AGGREGATED
    context = FileContext(name, schema, contract, scan=scan)
    findings = opened.findings + schema_findings(kind, context)
    if has_errors(findings):
        return findings, None, None
    checks = scan_checks(kind, context)
    measures = record_measures(schema) if record_level else aggregated_measures(schema)
    by_statistics = [check for check in checks if check.name in NULL_CHECKS] if record_level else []
    single_pass = (
        [check for check in checks if check.name not in ENFORCED_BY_SUMS | NULL_CHECKS]
        if record_level
        else checks
    )
    try:
        grouping = HashedGrouping(context.known, sha256)
        result = file_sums(scan, single_pass, measures, supplied, by_statistics, grouping)
        failure = None
    except (pl.exceptions.PolarsError, OSError) as error:
        result, failure = None, error
    if result is not None:  # the checks of the sums (which indicators the file holds: no extra scan)
        findings += sums_findings(kind, context, result)
        months = result.monthly.get_column("period").unique().drop_nulls().to_list()
        findings += stamp_findings(opened, name, contract, [str(month)[:7] for month in months])
    if result is None or not result.clean:
        try:
            row_findings = content_checks(scan, name, checks)[0]
        except (pl.exceptions.PolarsError, OSError) as error:
            row_findings, failure = [], error
        findings += row_findings
        if failure is not None and not row_findings:
            findings.append(
                Diagnostic("D001", f"cannot read the rows ({_first_line(failure)})", Location(name))
            )
    return findings, result, RecordScan(scan, schema, name) if record_level else None


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def aggregate_monthly(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """Per-file sums, merged to one row per provider_id, indicator_id, period (`MONTHLY_SCHEMA`)."""
    return merge_monthly(frames)


def coverage_findings(
    extracts: Extracts, months: list[str], indicator_ids: list[str], data_path: str
) -> list[Diagnostic]:
    """Settling a period for which the extracts hold no indicator rows at all is a mistake."""
    rows = extracts.monthly.filter(
        pl.col("period").is_in(months) & pl.col("indicator_id").is_in(indicator_ids)
    )
    if rows.height:
        return []
    message = f"no indicator rows for the settlement period ({months[0]} to {months[-1]}): is this the right extract?"
    return [Diagnostic("D014", message, Location(data_path))]


def no_extracts(contract: Contract) -> tuple[Extracts | None, list[Diagnostic]]:
    """No `--data`: allowed only for a contract that measures nothing (no indicator, no quantity)."""
    if contract.extract_ids():
        message = "--data is required: the contract reads indicators or quantities from extracts"
        return None, [Diagnostic("R002", message, Location("--data"))]
    return Extracts((), pl.DataFrame(schema=MONTHLY_SCHEMA)), []
