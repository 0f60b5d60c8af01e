"""Use cases: validate a contract, run a settlement. Paths and parameters come in here; the
engine below never sees a file. Each use case returns results or raises `SettlementError` with
every finding and the exit code to use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from obc_settle.audit.manifest import FileRecord, build_manifest, manifest_json, record, run_identity
from obc_settle.contract import LoadedContract, load_contract
from obc_settle.engine import settle
from obc_settle.errors import Diagnostic, ExitCode, Location, SettlementError, Severity, has_errors
from obc_settle.extracts import Extracts, coverage_findings, read_extracts
from obc_settle.periods import SettlementPeriod
from obc_settle.render.folder import OutputFolderError, check_target, write_folder_atomically
from obc_settle.render.statements import render_statement, statement_context, statement_file_name
from obc_settle.render.summary import settlement_summary, summary_document, summary_json
from obc_settle.render.tables import write_ledger_csv, write_ledger_parquet


@dataclass(frozen=True)
class RunRequest:
    contract_path: Path
    data_path: Path
    period: str
    out_dir: Path
    force: bool = False


@dataclass(frozen=True)
class RunResult:
    summary: dict[str, Any]
    ledger: pl.DataFrame
    run_id: str
    out_dir: Path
    warnings: list[Diagnostic] = field(default_factory=list)


def validate_contract(path: Path) -> tuple[LoadedContract | None, list[Diagnostic]]:
    return load_contract(path)


def parse_period(text: str, loaded: LoadedContract) -> SettlementPeriod:
    where = Location("--period")
    try:
        period = SettlementPeriod.parse(text)
    except ValueError as error:
        raise SettlementError(ExitCode.USAGE, [Diagnostic("R001", str(error), where)]) from error
    if loaded.contract.year_terms(period.contract_year.name) is None:
        years = ", ".join(t.year for t in loaded.contract.contract_years)
        message = f"{period} is outside the term of {loaded.contract.id} (contract years {years})"
        raise SettlementError(ExitCode.USAGE, [Diagnostic("R001", message, where)])
    return period


def run_settlement(request: RunRequest) -> RunResult:
    try:
        check_target(request.out_dir, request.force)
    except OutputFolderError as error:
        raise SettlementError(ExitCode.OUTPUT_ERROR, [Diagnostic(error.code, str(error), Location(str(request.out_dir)))]) from error
    loaded, findings = load_contract(request.contract_path)
    if loaded is None:
        raise SettlementError(ExitCode.INVALID_CONTRACT, findings)
    period = parse_period(request.period, loaded)
    extracts, data_findings = read_extracts(request.data_path, loaded.contract)
    warnings = [f for f in findings + data_findings if f.severity is Severity.WARNING]
    if extracts is not None:
        indicator_ids = [indicator.id for _, indicator in loaded.contract.indicators()]
        data_findings += coverage_findings(extracts, period.months(), indicator_ids, str(request.data_path))
    if extracts is None or has_errors(data_findings):
        raise SettlementError(ExitCode.INVALID_DATA, data_findings)
    ledger = settle(loaded.contract, extracts.monthly, period)
    summary = settlement_summary(loaded.contract, ledger)
    inputs = _input_records(loaded, extracts)
    parameters = {"command": "run", "contract": str(request.contract_path), "data": str(request.data_path), "period": period.name}
    run_id = run_identity(parameters, inputs)

    def fill(folder: Path) -> None:
        _write_outputs(folder, loaded, ledger, summary, run_id, parameters, inputs)

    try:
        write_folder_atomically(request.out_dir, fill, request.force)
    except OutputFolderError as error:
        raise SettlementError(ExitCode.OUTPUT_ERROR, [Diagnostic(error.code, str(error), Location(str(request.out_dir)))]) from error
    return RunResult(summary, ledger, run_id, request.out_dir, warnings)


def _input_records(loaded: LoadedContract, extracts: Extracts) -> list[FileRecord]:
    contract = FileRecord("contract", str(loaded.path), loaded.sha256, loaded.path.stat().st_size)
    data = [FileRecord("extract", f.display_name, f.sha256, f.path.stat().st_size) for f in extracts.files]
    return [contract, *data]


def _write_outputs(
    folder: Path,
    loaded: LoadedContract,
    ledger: pl.DataFrame,
    summary: dict[str, Any],
    run_id: str,
    parameters: dict[str, Any],
    inputs: list[FileRecord],
) -> None:
    write_ledger_parquet(ledger, folder / "ledger.parquet")
    write_ledger_csv(ledger, folder / "ledger.csv")
    (folder / "summary.json").write_text(summary_json(summary_document([summary])), encoding="utf-8")
    statements = folder / "statements"
    statements.mkdir()
    for provider in loaded.contract.providers:
        context = statement_context(loaded.contract, provider.id, run_id)
        html = render_statement(ledger, provider.id, context)
        (statements / statement_file_name(provider.id)).write_text(html, encoding="utf-8")
    outputs = [
        record("output", path, path.relative_to(folder).as_posix())
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    ]
    manifest = build_manifest(run_id, parameters, inputs, outputs)
    (folder / "manifest.json").write_text(manifest_json(manifest), encoding="utf-8")
