"""The previous contract year's run, for aspiration payments based on it (`run --previous-year`).

QOF pays aspiration on account at a share (60%, 70%, 80%) of the previous year's *unadjusted*
achievement payment: what the year's points paid before the aspiration already paid was netted
off. A contract year that says `aspiration_basis: previous_year_run` takes it, provider by
provider, from the `points` lines of the previous contract year's settlement run, so that nobody
types in a figure the run already holds.

The run is checked as an earlier run given with `--paid` is, and refused with a finding at
`--previous-year`:

- R006: the option is missing where the year needs it, or the folder has no readable ledger;
- R007: the run settles another contract, or not the whole previous contract year;
- R008: the run is incomplete or altered: no readable manifest, a manifest that is not of a `run`,
  a ledger whose SHA-256 is not the one the manifest records, or no `points` lines;
- R002: the option is given where the contract year does not use it.

The ledger and the manifest are archived under `inputs/previous_year/<year>/` and the manifest
records the run's id and its ledger's SHA-256 (`parameters.previous_year_run`), so that `verify`
replays the run from the folder alone, through the same checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from obc_settle.contract.models import Contract
from obc_settle.digests import bytes_sha256
from obc_settle.engine.points import PREVIOUS_YEAR_RUN, PreviousYear, achievement_by_provider
from obc_settle.errors import Diagnostic, ExitCode, Location, SettlementError
from obc_settle.periods import SettlementPeriod
from obc_settle.run_folder import layout
from obc_settle.run_folder.archive import ArchivedInput
from obc_settle.run_folder.ledger_files import UnreadableLedger
from obc_settle.run_folder.reader import RecordedRun, read_recorded_run

OPTION = "--previous-year"


@dataclass(frozen=True)
class PreviousYearInputs:
    """What a settlement read from the previous year's run: nothing, when its year does not use one."""

    previous: PreviousYear | None = None
    archived: list[ArchivedInput] = field(default_factory=list)
    parameters: dict[str, object] = field(default_factory=dict)


def uses_previous_year(contract: Contract, period: SettlementPeriod) -> bool:
    """Whether a settlement of `period` pays aspiration based on the previous year's run (its quarters
    do; the year-end settlement pays the achievement payment, and nets off what they paid)."""
    terms = contract.in_force(period.contract_year.name)
    year = terms.year_terms(period.contract_year.name)
    return (
        not period.is_year
        and terms.points is not None
        and terms.points.aspiration is not None
        and year is not None
        and year.aspiration_basis == PREVIOUS_YEAR_RUN
    )


def previous_year_inputs(
    folder: Path | None, contract: Contract, period: SettlementPeriod
) -> PreviousYearInputs:
    """The previous year's run of `folder`, checked, or `SettlementError` (exit 2) saying what is wrong."""
    year = period.contract_year.previous().name
    if not uses_previous_year(contract, period):
        if folder is None:
            return PreviousYearInputs()
        raise _refused(
            "R002",
            f"{OPTION} applies only to an in-year settlement of a contract year whose aspiration_basis is "
            f"{PREVIOUS_YEAR_RUN}; {period} does not take its aspiration from the previous year's run",
        )
    if folder is None:
        raise _refused(
            "R006",
            f"{period.contract_year} takes its aspiration basis from the previous year's run "
            f"(aspiration_basis: {PREVIOUS_YEAR_RUN}): give the run of {year} with {OPTION} RUN_FOLDER",
        )
    try:
        run = read_recorded_run(folder)
    except UnreadableLedger as unreadable:
        raise _refused(
            "R006", f"{folder}: not a run folder: cannot read {layout.LEDGER_PARQUET} ({unreadable.reason})"
        ) from unreadable
    run_id = _check_complete(folder, run)
    _check_settles(folder, run, contract, year)
    achievement = achievement_by_provider(run.ledger.frame)
    if not achievement:
        raise _refused(
            "R008",
            f"{folder}: the run of {year} has no points lines: it is not the year-end settlement of a points contract",
        )
    assert run.manifest_bytes is not None  # _check_complete refused a folder without one
    archived = [
        ArchivedInput(
            "previous_year_run",
            run.ledger.path,
            layout.previous_year_copy(year, layout.LEDGER_PARQUET),
            run.ledger.sha256,
            run.ledger.bytes,
        ),
        ArchivedInput(
            "previous_year_manifest",
            run.manifest_path,
            layout.previous_year_copy(year, layout.MANIFEST),
            bytes_sha256(run.manifest_bytes),
            len(run.manifest_bytes),
        ),
    ]
    parameters: dict[str, object] = {
        "previous_year": str(folder),
        "previous_year_run": {"contract_year": year, "run_id": run_id, "ledger_sha256": run.ledger.sha256},
    }
    return PreviousYearInputs(PreviousYear(year, run_id, achievement), archived, parameters)


def _check_complete(folder: Path, run: RecordedRun) -> str:
    """R008 unless the folder's manifest is that of a `run` and records the very ledger read; its run id."""
    if run.manifest_bytes is None or not run.manifest:
        raise _refused(
            "R008",
            f"{folder}: the run is incomplete: it has no readable {layout.MANIFEST} (give the folder `run` wrote)",
        )
    parameters = run.manifest.get("parameters")
    command = parameters.get("command", "run") if isinstance(parameters, dict) else None
    run_id = run.manifest.get("run_id")
    if command != "run" or not isinstance(run_id, str):
        raise _refused("R008", f"{folder}: {layout.MANIFEST} is not the manifest of a settlement run")
    recorded = run.recorded_ledger_sha256
    if recorded != run.ledger.sha256:
        said = (
            "records no ledger"
            if recorded is None
            else f"records {layout.LEDGER_PARQUET} with SHA-256 {recorded}"
        )
        raise _refused(
            "R008",
            f"{folder}: the run is incomplete or altered: its manifest {said}, but the ledger read has SHA-256 "
            f"{run.ledger.sha256} (check the folder with obc-settle verify)",
        )
    return run_id


def _check_settles(folder: Path, run: RecordedRun, contract: Contract, year: str) -> None:
    """R007 unless the run settles this contract's whole previous contract year."""
    frame = run.ledger.frame
    if frame.height == 0 or not {"contract_id", "settlement_period"} <= set(frame.columns):
        raise _refused("R008", f"{folder}: {layout.LEDGER_PARQUET} is not a settlement ledger")
    first = frame.row(0, named=True)
    if first["contract_id"] != contract.id:
        raise _refused(
            "R007", f"{folder}: the run settles contract {first['contract_id']!r}, not {contract.id!r}"
        )
    if first["settlement_period"] != year:
        raise _refused(
            "R007",
            f"{folder}: the run settles {first['settlement_period']}, not the previous contract year {year} "
            "(give the run of the whole year, whose points lines are the achievement payment)",
        )


def _refused(code: str, message: str) -> SettlementError:
    return SettlementError(ExitCode.USAGE, [Diagnostic(code, message, Location(OPTION))])
