"""Use cases: validate a contract, run a settlement. Paths and parameters come in here; the
engine below never sees a file. Each use case returns results or raises `SettlementError` with
every finding and the exit code to use.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from obc_settle.app.data_quality import missing_cell_findings, on_account_findings, plausibility_findings
from obc_settle.app.import_ahead import ImportAhead
from obc_settle.app.previous_year import PreviousYearInputs, previous_year_inputs
from obc_settle.app.reconciliation import YearInputs, year_inputs
from obc_settle.app.trust import register_run, signer
from obc_settle.contract import LoadedContract, load_contract
from obc_settle.engine import settle_with_history
from obc_settle.engine.coverage import CELL_SCHEMA, coverage_summary
from obc_settle.engine.data_notes import with_data_notes
from obc_settle.engine.reconcile import empty_history
from obc_settle.errors import Diagnostic, ExitCode, Location, SettlementError, Severity, has_errors
from obc_settle.extracts import Extracts, coverage_findings, no_extracts, read_extracts
from obc_settle.ledger.invariants import require_invariants
from obc_settle.periods import SettlementPeriod
from obc_settle.render.document_formats import FORMATS, Progress
from obc_settle.render.summary import settlement_summary, summary_document, summary_json
from obc_settle.run_folder import layout
from obc_settle.run_folder.archive import ArchivedInput, settlement_inputs
from obc_settle.run_folder.writer import RunFolderContents, output_folder, run_id_of, write_run_folder

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
    restated: tuple[Path, ...] = ()
    """Files among the extracts whose rows replace, cell by cell, the same provider x indicator x month of the others."""
    nothing_paid_on_account: bool = False
    """A year-end settlement of a contract that pays on account: the user states that nothing was paid."""
    accept_implausible: tuple[str, ...] = ()
    """Indicators whose implausibly-far-from-baseline achieved value a final settlement accepts."""
    sign: Path | None = None
    """A private key file (`obc-settle keys new`): the manifest is signed (obc_settle.run_folder.signing)."""
    register: Path | None = None
    """A run register: the run is appended to it once written (obc_settle.audit.register)."""
    mapping: Path | None = None
    """How to read CSV and Excel extracts not in the schema's shape (default `mapping.yaml` in the data folder)."""
    previous_year: Path | None = None
    """The previous contract year's run folder, for aspiration based on it (obc_settle.app.previous_year)."""


@dataclass(frozen=True)
class RunResult:
    summary: dict[str, Any]
    ledger: pl.DataFrame
    run_id: str
    out_dir: Path
    warnings: list[Diagnostic] = field(default_factory=list)
    registered: tuple[int, str] | None = None
    """With --register: the run's line in the register and the register's new head (SHA-256)."""
    currency: str = "GBP"
    """The contract's currency: the amounts of `summary` are in its minor unit."""


def parse_period(text: str, loaded: LoadedContract) -> SettlementPeriod:
    where = Location("--period")
    try:
        period = loaded.contract.term.year_start.parse_period(text)
    except ValueError as error:
        raise SettlementError(ExitCode.USAGE, [Diagnostic("R001", str(error), where)]) from error
    if loaded.contract.year_terms(period.contract_year.name) is None:
        years = ", ".join(t.year for t in loaded.contract.contract_years)
        message = f"{period} is outside the term of {loaded.contract.id} (contract years {years})"
        raise SettlementError(ExitCode.USAGE, [Diagnostic("R001", message, where)])
    return period


@dataclass(frozen=True)
class CheckedInputs:
    """The inputs of a settlement, read and checked (nothing settled, nothing written)."""

    loaded: LoadedContract
    in_force: LoadedContract
    """The contract as in force in the period's contract year."""
    period: SettlementPeriod
    extracts: Extracts
    year: YearInputs
    cells: pl.DataFrame
    """Coverage: every expected provider x indicator x month cell and its status."""
    warnings: list[Diagnostic]
    """The findings that did not stop the inputs: warnings (for `check`, also the D023 errors it
    goes on past)."""
    previous: PreviousYearInputs = field(default_factory=PreviousYearInputs)
    """The previous contract year's run, when the year's aspiration is based on it."""


@dataclass(frozen=True)
class Checked:
    """A settlement computed in memory from inputs that passed every check (nothing written)."""

    inputs: CheckedInputs
    ledger: pl.DataFrame
    warnings: list[Diagnostic]


def check_inputs(
    request: RunRequest, refuse_missing_cells: bool = True, check_payment_options: bool = True
) -> CheckedInputs:
    """Load and check every input, or raise `SettlementError` with every finding. Shared by `run`
    and `check` (with `settle_checked`), so both report the same findings for the same inputs;
    `check` passes `refuse_missing_cells=False` to go on and show the coverage table and the
    achieved values with the missing cells (D023 errors) among its findings, and
    `check_payment_options=False`: it settles no payments, so R005 is not its business."""
    loaded, findings = load_contract(request.contract_path)
    if loaded is None:
        raise SettlementError(ExitCode.INVALID_CONTRACT, findings)
    period = parse_period(request.period, loaded)
    previous = previous_year_inputs(request.previous_year, loaded.contract, period)  # R002, R006 to R008
    has_history = bool(request.paid) or request.payments is not None
    usage_findings = (
        on_account_findings(loaded.contract, period, has_history, request.nothing_paid_on_account)
        if check_payment_options
        else []
    )
    if has_errors(usage_findings):
        raise SettlementError(ExitCode.USAGE, usage_findings)
    _progress(request, "Reading extracts", 0, 1)
    if request.data_path is None:
        extracts, data_findings = no_extracts(loaded.contract)
    else:
        extracts, data_findings = read_extracts(
            request.data_path,
            loaded.contract,
            check_duplicates=request.check_duplicates,
            restated=request.restated,
            mapping=request.mapping,
        )
    _progress(request, "Reading extracts", 1, 1)
    warnings = [f for f in findings + data_findings if f.severity is Severity.WARNING]
    in_force = replace(
        loaded, contract=loaded.contract.in_force(period.contract_year.name)
    )  # the terms of the period's version
    cells = None
    if extracts is not None:
        indicator_ids = [indicator.id for _, indicator in in_force.contract.indicators()]
        no_rows = (
            coverage_findings(extracts, period.months(), indicator_ids, str(request.data_path))
            if indicator_ids
            else []
        )
        data_findings += no_rows
        if (
            indicator_ids and not no_rows
        ):  # with no rows for the period at all, every cell is missing: D014 says it
            quality = missing_cell_findings(loaded.contract, extracts.monthly, period, str(request.data_path))
            cells = quality.cells
            data_findings += [
                f for f in quality.findings if refuse_missing_cells or f.severity is Severity.WARNING
            ]
            warnings += [
                f for f in quality.findings if f.severity is Severity.WARNING or not refuse_missing_cells
            ]
    if extracts is None or has_errors(data_findings):
        usage = any(f.code == "R002" for f in data_findings)
        raise SettlementError(ExitCode.USAGE if usage else ExitCode.INVALID_DATA, data_findings)
    year = year_inputs(
        request.paid,
        request.payments,
        request.claims,
        loaded.contract,
        period,
        extracts.monthly,
        str(request.data_path),
    )
    warnings += [f for f in year.findings if f.severity is Severity.WARNING]
    if has_errors(year.findings):
        raise SettlementError(ExitCode.INVALID_DATA, year.findings)
    if cells is None:
        cells = pl.DataFrame(schema=CELL_SCHEMA)
    return CheckedInputs(loaded, in_force, period, extracts, year, cells, warnings, previous)


def settle_checked(request: RunRequest, inputs: CheckedInputs, refuse_implausible: bool = True) -> Checked:
    """Settle checked inputs, then check the achieved values (D024, D025) and note on the ledger
    what was missing or implausible; raise `SettlementError` if a finding blocks (unless
    `refuse_implausible` is False: `check` reports them with the rest)."""
    loaded, period, year = inputs.loaded, inputs.period, inputs.year
    history = (
        year.history if year.history is not None or not request.nothing_paid_on_account else empty_history()
    )
    ledger = settle_with_history(
        loaded.contract, inputs.extracts.monthly, period, history, year.claims, inputs.previous.previous
    )
    require_invariants(ledger, loaded.contract)  # nothing is written from a ledger that breaks one (exit 70)
    implausible, plausibility = plausibility_findings(
        ledger, loaded.contract, period, request.accept_implausible, str(request.data_path)
    )
    if refuse_implausible and has_errors(plausibility):
        usage = any(f.code == "R002" for f in plausibility)
        raise SettlementError(
            ExitCode.USAGE if usage else ExitCode.INVALID_DATA,
            [f for f in plausibility if f.severity is Severity.ERROR],
        )
    ledger = with_data_notes(ledger, inputs.cells, implausible)
    return Checked(inputs, ledger, inputs.warnings + plausibility)


def run_settlement(request: RunRequest) -> RunResult:
    # An unusable signing key is a usage error (A021, exit 2) before anything is read or written.
    signing = signer(request.sign) if request.sign is not None else None
    # The output folder is checked and locked first: a run that cannot write it (O001 to O003),
    # or whose folder would hold, lie in or replace an input or another run (O005 to O008),
    # fails before it reads the contract or a byte of the extracts.
    optional = (request.data_path, request.payments, request.claims, request.mapping, request.previous_year)
    protected = [request.contract_path, *request.paid, *request.restated, *(p for p in optional if p)]
    with output_folder(request.out_dir, request.force, protected=protected) as out:
        renderers = ImportAhead(DOCUMENTS)  # imported while the extracts are read
        checked_inputs = check_inputs(request)
        loaded, in_force, period, extracts, year = (
            checked_inputs.loaded,
            checked_inputs.in_force,
            checked_inputs.period,
            checked_inputs.extracts,
            checked_inputs.year,
        )
        documents = renderers.module()
        with documents.document_workers(
            loaded.contract, request.formats
        ) as workers:  # started once the extracts are read: see documents.py
            checked = settle_checked(request, checked_inputs)
            ledger, warnings = checked.ledger, checked.warnings
            summary = settlement_summary(in_force.contract, ledger)
            summary["data_coverage"] = coverage_summary(checked_inputs.cells)
            summary["earlier_payments"] = earlier_payments_text(request, period)
            archived = (
                _archived_inputs(loaded, request.data_path, extracts)
                + year.archived
                + checked_inputs.previous.archived
            )
            parameters = run_parameters(request, period, extracts, year) | checked_inputs.previous.parameters
            run_id = run_id_of(parameters, archived)

            def write_documents(folder: Path) -> None:
                documents.write_documents(
                    folder,
                    in_force.contract,
                    ledger,
                    run_id,
                    request.formats,
                    request.on_progress,
                    workers,
                )

            contents = RunFolderContents(
                parameters,
                archived,
                ledger,
                files={layout.SUMMARY: summary_json(summary_document([summary])).encode("utf-8")},
                documents=write_documents,
                formats=request.formats,
                signer=signing,
            )
            write_run_folder(out, run_id, contents)
            registered = None
            if request.register is not None:  # once the folder is in place; a failure here is exit 5
                contract = in_force.contract
                line, head, redone = register_run(
                    request.register,
                    request.out_dir,
                    contract.id,
                    str(contract.version),
                    period.name,
                    signing.fingerprint if signing else None,
                )
                registered, warnings = (line, head), warnings + redone
            return RunResult(
                summary, ledger, run_id, request.out_dir, warnings, registered, in_force.contract.currency
            )


def run_parameters(
    request: RunRequest, period: SettlementPeriod, extracts: Extracts, year: YearInputs
) -> dict[str, Any]:
    """The resolved arguments of a run, as the manifest records them. An option is recorded only
    when given, so that runs without it keep their run id."""
    parameters: dict[str, Any] = {
        "command": "run",
        "contract": str(request.contract_path),
        "data": str(request.data_path),
        "period": period.name,
    }
    if request.data_path is None:
        del parameters["data"]
    parameters |= year.parameters  # earlier runs, payments and claims
    if request.restated:  # by their place below --data
        parameters["restated"] = sorted(f.relative or f.path.name for f in extracts.files if f.restated)
    if request.nothing_paid_on_account:
        parameters["nothing_paid_on_account"] = True
    if request.accept_implausible:
        parameters["accept_implausible"] = sorted(request.accept_implausible)
    if tuple(request.formats) != FORMATS:
        parameters["formats"] = list(request.formats)  # not all: default runs keep their run id
    return parameters


def earlier_payments_text(request: RunRequest, period: SettlementPeriod) -> str:
    """What the settlement assumed about payments already made for its contract year."""
    if request.paid or request.payments is not None:
        return "netted off: the payments named with --paid or --payments"
    if request.nothing_paid_on_account:
        return "none: stated with --nothing-paid-on-account (nothing was paid for the year before this settlement)"
    if period.is_year:
        return "none: the contract pays nothing on account during the year"
    return "not netted off: each quarter is paid on its own"


def _progress(request: RunRequest, stage: str, done: int, total: int) -> None:
    if request.on_progress is not None:
        request.on_progress(stage, done, total)


def _archived_inputs(
    loaded: LoadedContract, data_path: Path | None, extracts: Extracts
) -> list[ArchivedInput]:
    """The inputs, each with the bytes the run read and the place of its copy in the folder."""
    return settlement_inputs(loaded.path, loaded.sha256, extracts if data_path is not None else None)
