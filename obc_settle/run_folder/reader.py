"""Reading a run folder written earlier: its ledger, its manifest and its archived inputs.

The one reader, for every command that takes a folder a run wrote: `run --paid` (the ledger of
each earlier run, which may be a bare `inputs/paid/<period>/` folder of an archive, with no
manifest), and `verify`, `explain` and `diff` (the manifest first, refused clearly when it cannot
be replayed, then the ledger and the archived inputs it names).

- `read_run_ledger(folder)`: the ledger with the SHA-256 of the bytes parsed, or `UnreadableLedger`;
  the caller says what that means for it (P001 for `--paid`, A001 for the audit commands).
- `open_archive(folder)`: the manifest, or `SettlementError` (A001 not a run folder, A002 cannot
  be replayed: an unknown schema version or input role, a path outside `inputs/`).
- `read_recorded_run(folder)`: the ledger and the manifest's bytes, for `run --previous-year`
  (obc_settle.app.previous_year says what is refused, R006 to R008).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from obc_settle.errors import Diagnostic, ExitCode, Location, SettlementError
from obc_settle.run_folder import layout
from obc_settle.run_folder.archive import REPLAYABLE_ROLES
from obc_settle.run_folder.manifest import MANIFEST_SCHEMA_VERSION, FileRecord, file_record

if TYPE_CHECKING:
    import polars as pl

    from obc_settle.run_folder.ledger_files import LedgerFile


def ledger_path(folder: Path) -> Path:
    return folder / layout.LEDGER_PARQUET


def read_run_ledger(folder: Path) -> LedgerFile:
    """The ledger of the run folder `folder`, or `UnreadableLedger` (obc_settle.run_folder.ledger_files)."""
    from obc_settle.run_folder.ledger_files import read_ledger_parquet  # Polars: only when a ledger is read

    return read_ledger_parquet(ledger_path(folder))


@dataclass(frozen=True)
class RecordedRun:
    """An earlier run read for what it recorded (`run --previous-year`): its ledger, and the bytes of
    the manifest beside it (hashed as read, to be archived as they were), parsed; `manifest` is {}
    when there is none or it is not a JSON object, for the caller to refuse."""

    ledger: LedgerFile
    manifest_path: Path
    manifest_bytes: bytes | None
    manifest: dict[str, Any]

    @property
    def recorded_ledger_sha256(self) -> str | None:
        """The SHA-256 the manifest records for the folder's `ledger.parquet`, if it records one."""
        outputs = self.manifest.get("outputs")
        for item in outputs if isinstance(outputs, list) else []:
            if isinstance(item, dict) and item.get("path") == layout.LEDGER_PARQUET:
                return str(item.get("sha256"))
        return None


def read_recorded_run(folder: Path) -> RecordedRun:
    """The ledger and manifest of the run folder `folder`; `UnreadableLedger` when the ledger cannot be read."""
    ledger = read_run_ledger(folder)
    path = folder / layout.MANIFEST
    try:
        data: bytes | None = path.read_bytes()
    except OSError:
        data = None
    try:
        manifest = json.loads(data.decode("utf-8")) if data is not None else {}
    except (UnicodeDecodeError, ValueError):
        manifest = {}
    return RecordedRun(ledger, path, data, manifest if isinstance(manifest, dict) else {})


@dataclass(frozen=True)
class ArchivedRun:
    """A run folder opened for replay: its manifest and the archived inputs it names."""

    folder: Path
    manifest: dict[str, Any]

    @property
    def inputs(self) -> list[FileRecord]:
        return [file_record(item) for item in self.manifest["inputs"]]

    @property
    def lock(self) -> FileRecord | None:
        item = self.manifest.get("lock")
        return file_record(item) if item else None

    @property
    def outputs(self) -> dict[str, str]:
        """The SHA-256 the manifest records for each file of the folder, by path."""
        return {item["path"]: item["sha256"] for item in self.manifest.get("outputs", [])}

    @property
    def parameters(self) -> dict[str, Any]:
        return dict(self.manifest.get("parameters") or {})

    @property
    def command(self) -> str:
        return str(self.parameters.get("command", "run"))

    @property
    def period(self) -> str:
        return str(self.manifest["parameters"]["period"])

    @property
    def run_id(self) -> str:
        return str(self.manifest["run_id"])

    @property
    def manifest_path(self) -> Path:
        return self.folder / layout.MANIFEST

    @property
    def signature_path(self) -> Path:
        return self.folder / layout.SIGNATURE

    @property
    def formats(self) -> tuple[str, ...] | None:
        """The document formats the run wrote, as its manifest records them (`formats`; before
        that was recorded, `parameters.formats` when not every format); None: every format."""
        recorded = self.manifest.get("formats") or self.parameters.get("formats")
        return tuple(str(name) for name in recorded) if recorded else None

    def role(self, role: str) -> list[FileRecord]:
        return [item for item in self.inputs if item.role == role]

    def archived(self, role: str) -> list[Path]:
        """The archived copies of the inputs of one role, in the order of their paths."""
        return [self.folder / item.path for item in sorted(self.role(role), key=lambda item: item.path)]

    @property
    def contract_path(self) -> Path:
        return self.folder / self.role("contract")[0].path

    @property
    def extracts_path(self) -> Path | None:
        """The archived extracts folder; None for a run that read no extract (a rate card alone)."""
        return self.folder / layout.EXTRACTS_FOLDER if self.role("extract") else None

    def extract_files(self) -> list[tuple[str, Path]]:
        return [(item.path, self.folder / item.path) for item in self.role("extract")]

    def archive_files(self) -> list[str]:
        """Every file under the folder's `inputs/`, recorded or not, by its path in the folder."""
        archive = self.folder / layout.ARCHIVE_FOLDER
        if not archive.is_dir():
            return []
        return sorted(p.relative_to(self.folder).as_posix() for p in archive.rglob("*") if p.is_file())

    def ledger(self) -> pl.DataFrame:
        """The run's ledger, or `SettlementError` A001."""
        from obc_settle.run_folder.ledger_files import UnreadableLedger

        try:
            return read_run_ledger(self.folder).frame
        except UnreadableLedger as unreadable:
            message = f"the ledger cannot be read ({unreadable.error})"
            raise SettlementError(
                ExitCode.USAGE, [Diagnostic("A001", message, Location(str(unreadable.path)))]
            ) from unreadable


def computed_files(folder: Path) -> set[str]:
    """The files a run computed into `folder`: everything but the archive, the manifest and its
    signature. A symbolic link counts as a file here (it is named, not followed, by `verify`)."""
    paths = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink()}
    return {p for p in paths if p not in (layout.MANIFEST, layout.SIGNATURE) and not layout.is_archived(p)}


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object written into a run folder (a manifest), or {} when it cannot be read."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return document if isinstance(document, dict) else {}


def open_archive(folder: Path) -> ArchivedRun:
    """Read a run folder's manifest, or refuse clearly (A001 not a run folder, A002 cannot replay)."""
    where = Location(str(folder / layout.MANIFEST))
    if not folder.is_dir():
        raise _refusal("A001", "not a run folder (no such folder)", Location(str(folder)))
    try:
        manifest = json.loads((folder / layout.MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _refusal(
            "A001", f"not a run folder: it has no {layout.MANIFEST}", Location(str(folder))
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _refusal("A001", f"the manifest cannot be read ({error})", where) from error
    if not isinstance(manifest, dict):
        raise _refusal("A001", "the manifest is not a JSON object", where)
    version = manifest.get("schema_version")
    if version != MANIFEST_SCHEMA_VERSION:
        hint = (
            " (written before run folders archived their inputs: settle it again to archive it)"
            if version == 1
            else ""
        )
        raise _refusal(
            "A002", f"manifest schema version {version!r} cannot be replayed by this version{hint}", where
        )
    run = ArchivedRun(folder, manifest)
    try:
        records = run.inputs + ([run.lock] if run.lock else [])
        _ = (run.period, run.run_id)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise _refusal("A001", f"the manifest lacks a field or has a wrong one ({error})", where) from error
    problems = [_unsafe(item.path) for item in records]
    problems += [_outside(str(item.get("path", ""))) for item in manifest.get("outputs") or []]
    problems += [
        f"input role {item.role!r} is not known to this version"
        for item in run.inputs
        if item.role not in REPLAYABLE_ROLES
    ]
    if len(run.role("contract")) != 1:
        problems.append("the manifest must name exactly one contract input")
    problems = [problem for problem in problems if problem]
    if problems:
        raise SettlementError(ExitCode.USAGE, [Diagnostic("A002", problem, where) for problem in problems])
    return run


def _unsafe(path: str) -> str:
    """An archive path must stay inside the folder's `inputs/` (a manifest may have been edited)."""
    parts = PurePosixPath(path).parts
    if (
        path.startswith("/")
        or "\\" in path
        or ".." in parts
        or not parts
        or parts[0] != layout.ARCHIVE_FOLDER
    ):
        return f"archived input path {path!r} is not below {layout.ARCHIVE_FOLDER}/"
    return ""


def _outside(path: str) -> str:
    """A path the manifest lists among its outputs must stay inside the folder."""
    parts = PurePosixPath(path).parts
    if path.startswith("/") or "\\" in path or ".." in parts or not parts:
        return f"output path {path!r} is not inside the run folder"
    return ""


def _refusal(code: str, message: str, where: Location) -> SettlementError:
    return SettlementError(ExitCode.USAGE, [Diagnostic(code, message, where)])
