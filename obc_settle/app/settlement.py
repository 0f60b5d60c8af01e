"""Use cases: validate a contract, run a settlement. Paths and parameters come in here; the
engine below never sees a file. Each use case returns results or raises `SettlementError` with
every finding and the exit code to use.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from obc_settle.audit.archive import ArchiveError, ArchivedInput, contract_input, copy_into, extract_inputs, installed_lock, output_role
from obc_settle.audit.manifest import FileRecord, build_manifest, manifest_json, record, run_identity
from obc_settle.contract import LoadedContract, load_contract
from obc_settle.app.reconciliation import no_extracts, year_inputs
from obc_settle.engine import settle_with_history
from obc_settle.errors import Diagnostic, ExitCode, Location, SettlementError, Severity, has_errors
from obc_settle.extracts import Extracts, coverage_findings, read_extracts
from obc_settle.periods import SettlementPeriod
from obc_settle.render.folder import OutputFolderError, check_target, write_folder_atomically
from obc_settle.app.import_ahead import ImportAhead
from obc_settle.render.document_formats import FORMATS, Progress
from obc_settle.render.workers import RenderWorkers
from obc_settle.render.summary import settlement_summary, summary_document, summary_json
from obc_settle.render.tables import write_ledger_csv, write_ledger_parquet


DOCUMENTS = "obc_settle.render.documents"
"""The document renderers: imported only when a run gets as far as writing (obc_settle.app.import_ahead)."""


@dataclass(frozen=True)
class RunRequest:
    contract_path: Path
    data_path: Path | None
    """The extracts; None only for a contract that measures nothing (a rate card alone)."""
    period: str
    out_dir: Path
    force: bool = False
    formats: tuple[str, ...] = FORMATS
    """Statement and report formats to write (html, pdf, xlsx)."""
    on_progress: Progress | None = field(default=None, compare=False)
    """Called as (stage, done, total) while extracts are read and documents written; no UI here."""
    paid: tuple[Path, ...] = ()
    """Earlier run folders of the contract year, whose payments this settlement nets off."""
    payments: Path | None = None
    """A payments-made extract (provider_id, settlement_period, amount_pence), instead of or besides `paid`."""
    claims: Path | None = None
    """Rate-card outcome claims (participant_id, outcome_id, provider_id, period)."""
    check_duplicates: bool = False
    """Also look for record-level rows repeating a patient, indicator and month (memory grows with rows)."""


@dataclass(frozen=True)
class RunResult:
    summary: dict[str, Any]
    ledger: pl.DataFrame
    run_id: str
    out_dir: Path
    warnings: list[Diagnostic] = field(default_factory=list)


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
    renderers = ImportAhead(DOCUMENTS)  # imported while the extracts are read
    _progress(request, "Reading extracts", 0, 1)
    if request.data_path is None:
        extracts, data_findings = no_extracts(loaded.contract)
    else:
        extracts, data_findings = read_extracts(request.data_path, loaded.contract, check_duplicates=request.check_duplicates)
    _progress(request, "Reading extracts", 1, 1)
    warnings = [f for f in findings + data_findings if f.severity is Severity.WARNING]
    in_force = replace(loaded, contract=loaded.contract.in_force(period.contract_year.name))  # the terms of the period's version
    if extracts is not None:
        indicator_ids = [indicator.id for _, indicator in in_force.contract.indicators()]
        if indicator_ids:
            data_findings += coverage_findings(extracts, period.months(), indicator_ids, str(request.data_path))
    if extracts is None or has_errors(data_findings):
        usage = any(f.code == "R002" for f in data_findings)
        raise SettlementError(ExitCode.USAGE if usage else ExitCode.INVALID_DATA, data_findings)
    year = year_inputs(request.paid, request.payments, request.claims, loaded.contract, period, extracts.monthly, str(request.data_path))
    warnings += [f for f in year.findings if f.severity is Severity.WARNING]
    if has_errors(year.findings):
        raise SettlementError(ExitCode.INVALID_DATA, year.findings)
    with renderers.module().document_workers(loaded.contract, request.formats) as workers:  # started once the extracts are read: see documents.py
        ledger = settle_with_history(loaded.contract, extracts.monthly, period, year.history, year.claims)
        summary = settlement_summary(in_force.contract, ledger)
        archived = _archived_inputs(loaded, request.data_path, extracts) + year.archived
        lock = installed_lock()
        inputs = [item.record() for item in archived]
        parameters = {"command": "run", "contract": str(request.contract_path), "data": str(request.data_path), "period": period.name}
        if request.data_path is None:
            del parameters["data"]
        parameters |= year.parameters  # earlier runs, payments and claims, only when given
        if tuple(request.formats) != FORMATS:
            parameters["formats"] = list(request.formats)  # recorded only when not all, so default runs keep their run id
        run_id = run_identity(parameters, inputs)

        def fill(folder: Path) -> None:
            copy_into(folder, archived + ([lock] if lock else []))  # the folder is self-contained: see docs/audit.md
            _write_outputs(folder, in_force, ledger, summary, run_id, parameters, inputs, lock.record() if lock else None, request, workers)

        try:
            write_folder_atomically(request.out_dir, fill, request.force)
        except (OutputFolderError, ArchiveError) as error:
            raise SettlementError(ExitCode.OUTPUT_ERROR, [Diagnostic(error.code, str(error), Location(str(request.out_dir)))]) from error
        return RunResult(summary, ledger, run_id, request.out_dir, warnings)


def _progress(request: RunRequest, stage: str, done: int, total: int) -> None:
    if request.on_progress is not None:
        request.on_progress(stage, done, total)


def _archived_inputs(loaded: LoadedContract, data_path: Path | None, extracts: Extracts) -> list[ArchivedInput]:
    """The inputs, each with the bytes the run read and the place of its copy in the folder."""
    extracts_read = extract_inputs((f.path, f.relative, f.sha256) for f in extracts.files) if data_path is not None else []
    return [contract_input(loaded.path, loaded.sha256), *extracts_read]


def _write_outputs(
    folder: Path,
    loaded: LoadedContract,
    ledger: pl.DataFrame,
    summary: dict[str, Any],
    run_id: str,
    parameters: dict[str, Any],
    inputs: list[FileRecord],
    lock: FileRecord | None = None,
    request: RunRequest | None = None,
    workers: RenderWorkers | None = None,
) -> None:
    write_ledger_parquet(ledger, folder / "ledger.parquet")
    write_ledger_csv(ledger, folder / "ledger.csv")
    (folder / "summary.json").write_text(summary_json(summary_document([summary])), encoding="utf-8")
    from obc_settle.render.documents import write_documents  # the renderers: see DOCUMENTS

    formats = request.formats if request is not None else FORMATS
    write_documents(folder, loaded.contract, ledger, run_id, formats, request.on_progress if request is not None else None, workers)
    outputs = [
        record(output_role(path.relative_to(folder).as_posix()), path, path.relative_to(folder).as_posix())
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    ]
    manifest = build_manifest(run_id, parameters, inputs, outputs, lock)
    (folder / "manifest.json").write_text(manifest_json(manifest), encoding="utf-8")
