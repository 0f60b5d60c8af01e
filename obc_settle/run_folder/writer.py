"""The one writer of a run folder, for `run`, `estimate` and `simulate --out`.

A command reserves its output folder first (`output_folder`: checked, against the inputs too, and
locked before it reads any input, its refusals as findings O001 to O003 and O005 to O008 with exit
status 5), computes, and then hands
the writer what it computed (`RunFolderContents`): the parameters, the inputs to archive, the
ledger, the other files already rendered (bytes, by their name in obc_settle.run_folder.layout)
and a callback that writes the documents. The writer copies the archive (O004 if an input
changed while it was read), writes the files, lists every file with its SHA-256 in
`manifest.json`, signs the manifest when given a key (`manifest.sig`), and swaps the folder into
place all at once (obc_settle.run_folder.atomic).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from obc_settle.errors import Diagnostic, ExitCode, Location, SettlementError
from obc_settle.run_folder import layout
from obc_settle.run_folder.archive import ArchivedInput, ArchiveError, copy_into, installed_lock
from obc_settle.run_folder.atomic import OutputFolderError, ReservedFolder, reserve_folder
from obc_settle.run_folder.ledger_files import write_ledger_csv, write_ledger_parquet
from obc_settle.run_folder.manifest import build_manifest, folder_records, manifest_json, run_identity
from obc_settle.run_folder.signing import Signer


@dataclass(frozen=True)
class RunFolderContents:
    """What a command computed, to be written into its run folder."""

    parameters: dict[str, Any]
    """The resolved arguments, recorded in the manifest (and, but for locations, in the run id)."""
    archived: Sequence[ArchivedInput]
    """The inputs read, copied under `inputs/` (the dependency lock is added by the writer)."""
    ledger: pl.DataFrame | None = None
    """The ledger, written as `ledger.parquet` and `ledger.csv`."""
    files: Mapping[str, bytes] = field(default_factory=dict)
    """Other files, already rendered, by their path in the folder (`summary.json`, ...)."""
    ledger_tables: Mapping[str, pl.DataFrame] = field(default_factory=dict)
    """Further ledgers written as CSV, by their path in the folder (`simulate scenario`)."""
    documents: Callable[[Path], object] | None = None
    """Writes the statements and the report into the folder it is given (obc_settle.render.documents)."""
    formats: Sequence[str] | None = None
    """The document formats `documents` writes, recorded in the manifest (None: no documents)."""
    signer: Signer | None = None
    """Signs the manifest (`run --sign`): the signature is written beside it, in the same swap."""


def run_id_of(parameters: dict[str, Any], archived: Sequence[ArchivedInput]) -> str:
    """The run id of a settlement of these inputs with these parameters (obc_settle.run_folder.manifest)."""
    return run_identity(parameters, [item.record() for item in archived])


@contextlib.contextmanager
def output_folder(target: Path, force: bool, *, protected: Sequence[Path] = ()) -> Iterator[ReservedFolder]:
    """`target` reserved for the block: checked and locked now, so that a run that could not
    write fails before it reads anything. `protected` are the inputs the command reads (contract,
    --data, --paid, --payments, --claims, scenario, drafts): a target that is, is inside or
    contains one is refused, as is one `--force` would replace with the user's files in it
    (obc_settle.run_folder.guard). Every refusal, then or when writing, is a `SettlementError`
    with exit status 5 (O001 to O008), each problem a finding naming the folder."""
    try:
        with reserve_folder(target, force, protected) as reserved:
            yield reserved
    except OutputFolderError as error:
        raise SettlementError(
            ExitCode.OUTPUT_ERROR,
            [Diagnostic(code, message, Location(str(target))) for code, message in error.problems],
        ) from error
    except ArchiveError as error:
        raise SettlementError(
            ExitCode.OUTPUT_ERROR, [Diagnostic(error.code, str(error), Location(str(target)))]
        ) from error


def write_run_folder(reserved: ReservedFolder, run_id: str, contents: RunFolderContents) -> None:
    """Write the folder: the archive, the ledger, the files, the documents, then the manifest."""
    lock = installed_lock()
    inputs = [item.record() for item in contents.archived]

    def fill(folder: Path) -> None:
        copy_into(folder, [*contents.archived, *([lock] if lock else [])])  # self-contained: docs/audit.md
        if contents.ledger is not None:
            write_ledger_parquet(contents.ledger, folder / layout.LEDGER_PARQUET)
            write_ledger_csv(contents.ledger, folder / layout.LEDGER_CSV)
        for name, data in contents.files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        for name, table in contents.ledger_tables.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            write_ledger_csv(table, folder / name)
        if contents.documents is not None:
            contents.documents(folder)
        manifest = build_manifest(
            run_id,
            contents.parameters,
            inputs,
            folder_records(folder),
            lock.record() if lock else None,
            contents.formats,
        )
        manifest_bytes = manifest_json(manifest).encode("utf-8")
        (folder / layout.MANIFEST).write_bytes(manifest_bytes)
        if contents.signer is not None:  # the exact bytes written, inside the staging folder: one swap
            signature = contents.signer.signature_json(manifest_bytes)
            (folder / layout.SIGNATURE).write_text(signature, encoding="utf-8")

    reserved.write(fill)
