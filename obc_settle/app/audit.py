"""Use cases of the audit trail: verify a run folder, explain a provider's statement, diff two runs.

Each works from a run folder alone (its manifest, ledger and archived inputs under `inputs/`), so
a folder that was moved, zipped or restored elsewhere can still be checked. `verify` is the only
one that settles anything: it replays the run through the same `run_settlement` a user calls,
from the archived copies, into a scratch folder that is removed afterwards.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from obc_settle.app.settlement import RunRequest, run_settlement
from obc_settle.app.trust import trusted_public_key
from obc_settle.audit.diff import (
    DiffReport,
    contract_term_changes,
    input_changes,
    ledger_changes,
    monthly_changes,
    parameter_changes,
    run_mismatches,
    totals_changes,
)
from obc_settle.audit.evidence import row_counts_by_file
from obc_settle.audit.explain import explain_provider
from obc_settle.audit.people import people_counted as people_of
from obc_settle.audit.signing import check_signature
from obc_settle.audit.verify import (
    VerifyReport,
    check_archived_inputs,
    check_listed_files,
    compare_outputs,
    environment_differences,
)
from obc_settle.contract import LoadedContract, load_contract
from obc_settle.errors import Diagnostic, ExitCode, Location, SettlementError
from obc_settle.extracts import read_extracts
from obc_settle.extracts.discovery import SourceFile, partitions_of
from obc_settle.extracts.mapping import load_mapping
from obc_settle.extracts.schema import KEY_COLUMNS
from obc_settle.extracts.sources import mapping_for, open_source
from obc_settle.render.document_formats import FORMATS
from obc_settle.render.document_formats import get as get_format
from obc_settle.run_folder import layout
from obc_settle.run_folder.reader import ArchivedRun, open_archive


def verify_run(run_dir: Path, trust: Path | None = None) -> VerifyReport:
    """Check the signature (against the key `trust`, if given), the archived inputs and every
    file the manifest lists, then recompute from the archive and compare every output."""
    trusted_key = trusted_public_key(trust) if trust is not None else None
    run = open_archive(run_dir)
    if run.command != "run":  # an estimate or a simulation: verify replays `run` only (docs/simulation.md)
        message = f"a folder written by `{run.command}` cannot be replayed by verify, only `run` folders"
        raise SettlementError(ExitCode.USAGE, [Diagnostic("A002", message, Location(str(run.manifest_path)))])
    signature = check_signature(run, trusted_key)
    inputs = check_archived_inputs(run)
    listed = check_listed_files(run, inputs, {name: get_format(name).extension for name in FORMATS})
    checked = VerifyReport(run, inputs, environment_differences(run), listed=listed, signature=signature)
    with tempfile.TemporaryDirectory(prefix="obc-settle-verify-") as scratch:
        rerun = Path(scratch) / "rerun"
        try:
            run_settlement(replay_request(run, rerun))
        except SettlementError as error:
            return dataclasses.replace(checked, failure=error.diagnostics)
        outputs = compare_outputs(run, rerun)
    return dataclasses.replace(checked, outputs=outputs)


def replay_request(run: ArchivedRun, out_dir: Path) -> RunRequest:
    """The `run` a folder records, pointed at its archived copies: each role to its option."""
    parameters = run.manifest["parameters"]
    archived = run.archived
    payments, claims = archived("payments"), archived("claims")
    return RunRequest(
        run.contract_path,
        run.extracts_path,
        run.period,
        out_dir,
        formats=tuple(parameters.get("formats", FORMATS)),
        paid=tuple(path.parent for path in archived("paid_run")),  # each earlier run's folder
        payments=payments[0] if payments else None,
        claims=claims[0] if claims else None,
        nothing_paid_on_account=bool(parameters.get("nothing_paid_on_account", False)),
        accept_implausible=tuple(parameters.get("accept_implausible", ())),
        restated=_restated(run),
        mapping=mapping[0] if (mapping := archived("mapping")) else None,
        previous_year=previous[0].parent if (previous := archived("previous_year_run")) else None,
    )


def _restated(run: ArchivedRun) -> tuple[Path, ...]:
    """The archived copies of the files the run named with --restated (recorded below --data)."""
    names = run.manifest["parameters"].get("restated", [])
    return tuple(run.extracts_path / name for name in names) if run.extracts_path is not None else ()


def archived_extracts(run: ArchivedRun, placed: bool = False) -> list[tuple[str, pl.LazyFrame | None]]:
    """Each archived extract, whatever its format, in the schema's shape: read through the archived
    mapping and with the values of its partition folders, as the run read it; with `placed`, each
    row's place in the file as received. None for a file that cannot be read so."""
    mappings = run.archived("mapping")
    used = load_mapping(mappings[0])[0] if mappings else None
    if used is not None:  # financial months count from the first month of the contract's years
        used = dataclasses.replace(used, year_start=_archived_contract(run).contract.term.year_start)
    extracts = []
    for shown, path in run.extract_files():
        relative = shown.removeprefix(f"{layout.EXTRACTS_FOLDER}/")
        source = SourceFile(path, relative, partitions_of(Path(relative)))
        scan = open_source(source, shown, mapping_for(source, used), placed).scan
        if scan is not None:
            schema = scan.collect_schema()
            supplied = {k: v for k, v in source.partitions.items() if k in KEY_COLUMNS and k not in schema}
            scan = scan.with_columns(
                pl.lit(value, dtype=pl.String).alias(key) for key, value in supplied.items()
            )
        extracts.append((shown, scan))
    return extracts


def explain_run(run_dir: Path, provider_id: str, indicator_id: str | None = None) -> dict[str, Any]:
    """The derivation of every amount on one provider's statement, read off the run's ledger."""
    run = open_archive(run_dir)
    ledger = run.ledger()
    loaded = _archived_contract(run)
    counts = row_counts_by_file(archived_extracts(run))
    return explain_provider(ledger, loaded.contract, provider_id, indicator_id, counts, run.run_id)


def people_of_indicator(run_dir: Path, provider_id: str, indicator_id: str | None) -> dict[str, Any]:
    """Who the provider's numerator, denominator and exclusions of one indicator were (`--records`)."""
    if indicator_id is None:
        message = "--records lists the people of one indicator: give --indicator"
        raise SettlementError(ExitCode.USAGE, [Diagnostic("A012", message, Location("--records"))])
    run = open_archive(run_dir)
    ledger, contract = run.ledger(), _archived_contract(run).contract
    explained = explain_provider(
        ledger, contract, provider_id, indicator_id, None, run.run_id
    )  # checks P and I
    line = ledger.filter(
        (pl.col("party_id") == provider_id)
        & (pl.col("line_type") == "outcome")
        & (pl.col("indicator_id") == indicator_id)
    ).row(0, named=True)
    indicator = next(
        i for _, i in contract.in_force(line["contract_year"]).indicators() if i.id == indicator_id
    )
    people = people_of(archived_extracts(run, placed=True), line, indicator, provider_id)
    if people is None:
        message = "--records needs a record-level extract; this run's extracts hold aggregated counts"
        raise SettlementError(ExitCode.USAGE, [Diagnostic("A010", message, Location("--records"))])
    return {"run_id": run.run_id, "settlement_period": explained["settlement_period"], **people}


def diff_runs(old_dir: Path, new_dir: Path) -> DiffReport:
    """What changed between two runs: lines and amounts, inputs, contract terms, extract sums."""
    old, new = open_archive(old_dir), open_archive(new_dir)
    old_ledger, new_ledger = old.ledger(), new.ledger()
    old_contract, new_contract = _archived_contract(old), _archived_contract(new)
    terms = contract_term_changes(_yaml(old.contract_path), _yaml(new.contract_path))
    old_monthly = (
        read_extracts(old.extracts_path, old_contract.contract, restated=_restated(old))[0]
        if old.extracts_path
        else None
    )
    new_monthly = (
        read_extracts(new.extracts_path, new_contract.contract, restated=_restated(new))[0]
        if new.extracts_path
        else None
    )
    sums = None
    if old_monthly is not None and new_monthly is not None:
        sums = monthly_changes(old_monthly.monthly, new_monthly.monthly)
    return DiffReport(
        old=_describe(old, old_ledger),
        new=_describe(new, new_ledger),
        warnings=run_mismatches(old_ledger, new_ledger, Location(str(new_dir))),
        lines=ledger_changes(old_ledger, new_ledger),
        totals=totals_changes(old_ledger, new_ledger),
        inputs=input_changes(old.inputs, new.inputs),
        parameters=parameter_changes(old.manifest["parameters"], new.manifest["parameters"]),
        terms=terms,
        extract_sums=sums,
        currency=new_contract.contract.currency,
    )


def _archived_contract(run: ArchivedRun) -> LoadedContract:
    loaded, findings = load_contract(run.contract_path)
    if loaded is None:
        message = "the archived contract cannot be read; run `obc-settle verify` on the folder"
        raise SettlementError(
            ExitCode.USAGE, [*findings, Diagnostic("A003", message, Location(str(run.contract_path)))]
        )
    return loaded


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _describe(run: ArchivedRun, ledger: pl.DataFrame) -> dict[str, Any]:
    first = ledger.row(0, named=True)
    return {
        "run_dir": str(run.folder),
        "run_id": run.run_id,
        "contract_id": first["contract_id"],
        "contract_version": first["contract_version"],
        "settlement_period": first["settlement_period"],
    }
