"""The archive: every run folder carries copies of its inputs, so it can be replayed anywhere.

An auditor may get a run folder years later, zipped, on another machine. Everything needed to
recompute it is inside, under `inputs/`:

    inputs/contract/<file name>        the contract file the run read
    inputs/extracts/<relative path>    every extract file, at its path below --data (or its name)
    inputs/paid/<period>/ledger.parquet  the ledger of each earlier run it netted off (--paid)
    inputs/payments/<file name>        a payments-made extract it netted off (--payments)
    inputs/claims/<file name>          rate-card outcome claims (--claims)
    inputs/requirements.lock           the locked dependency versions of the installation, if any

Each archived input is recorded in the manifest (`inputs`) with its role, its `path` in the
folder, the path it was read from as given (`source`, for the record only) and the SHA-256 and
size of the bytes the run read. The copies are hashed as they are written and must match those
bytes: a file that changes while a run reads it is refused, never archived wrongly.

Roles are open-ended: an input of a new kind gets a role name, a folder under `inputs/`, a place
in `REPLAYABLE_ROLES` and its place in the replay (obc_settle.app.audit); a manifest naming a
role this version does not know is refused by `open_archive`, not silently ignored.

Nothing here reads a clock; paths are recorded with `/` and relative to the run folder.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from obc_settle.audit.manifest import MANIFEST_SCHEMA_VERSION, FileRecord
from obc_settle.errors import Diagnostic, ExitCode, Location, SettlementError

ARCHIVE_FOLDER = "inputs"
CONTRACT_FOLDER = "inputs/contract"
EXTRACTS_FOLDER = "inputs/extracts"
LOCK_PATH = "inputs/requirements.lock"
ARCHIVE_ROLE = "archive"
"""The role of the archived copies among the manifest's `outputs` (every file of the folder)."""
REPLAYABLE_ROLES = ("contract", "extract", "paid_run", "payments", "claims")
MANIFEST = "manifest.json"


class ArchiveError(Exception):
    """An input changed while the run read it; the folder must not be written."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ArchivedInput:
    """One input of a run: where it was read, where its copy goes, and the bytes it had."""

    role: str
    source: Path
    path: str
    sha256: str
    bytes: int

    def record(self) -> FileRecord:
        # The lock's source is the installation, not an input the user named: not recorded.
        source = None if self.role == "lock" else str(self.source)
        return FileRecord(self.role, self.path, self.sha256, self.bytes, source)


def contract_input(path: Path, sha256: str) -> ArchivedInput:
    return ArchivedInput("contract", path, f"{CONTRACT_FOLDER}/{path.name}", sha256, path.stat().st_size)


def extract_inputs(files: Iterable[tuple[Path, str, str]]) -> list[ArchivedInput]:
    """Each extract at its path below the `--data` folder, or below a glob's fixed part, or by its
    name for a single file (`relative`, from discovery). Partition folders (`period=2025-10/`) are
    part of that path, so a replay from the archive gets every key value the folders supplied."""
    items = []
    for path, relative, sha256 in files:
        items.append(
            ArchivedInput(
                "extract", path, f"{EXTRACTS_FOLDER}/{relative or path.name}", sha256, path.stat().st_size
            )
        )
    return items


def installed_lock() -> ArchivedInput | None:
    """`requirements.lock` of the source tree obc-settle is installed from, when there is one."""
    root = Path(__file__).resolve().parents[2]
    lock = root / "requirements.lock"
    if not (lock.is_file() and (root / "pyproject.toml").is_file()):
        return None
    data = lock.read_bytes()
    return ArchivedInput("lock", lock, LOCK_PATH, hashlib.sha256(data).hexdigest(), len(data))


def copy_into(folder: Path, items: Iterable[ArchivedInput]) -> None:
    """Copy each input to its archive path, checking the copy has the bytes the run read."""
    for item in items:
        target = folder / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with item.source.open("rb") as source, target.open("wb") as copy:
            for block in iter(lambda: source.read(1 << 20), b""):
                digest.update(block)
                copy.write(block)
        if digest.hexdigest() != item.sha256:
            raise ArchiveError(
                "O004", f"{item.source}: the file changed while the run was reading it; run again"
            )


def output_role(path: str) -> str:
    """`archive` for the copies under `inputs/`, `output` for what the run computed."""
    return ARCHIVE_ROLE if path.startswith(f"{ARCHIVE_FOLDER}/") else "output"


# Reading an archived run folder back.


@dataclass(frozen=True)
class ArchivedRun:
    """A run folder opened for replay: its manifest and the archived inputs it names."""

    folder: Path
    manifest: dict[str, Any]

    @property
    def inputs(self) -> list[FileRecord]:
        return [_file_record(item) for item in self.manifest["inputs"]]

    @property
    def lock(self) -> FileRecord | None:
        item = self.manifest.get("lock")
        return _file_record(item) if item else None

    @property
    def period(self) -> str:
        return str(self.manifest["parameters"]["period"])

    @property
    def run_id(self) -> str:
        return str(self.manifest["run_id"])

    def role(self, role: str) -> list[FileRecord]:
        return [item for item in self.inputs if item.role == role]

    @property
    def contract_path(self) -> Path:
        return self.folder / self.role("contract")[0].path

    @property
    def extracts_path(self) -> Path | None:
        """The archived extracts folder; None for a run that read no extract (a rate card alone)."""
        return self.folder / EXTRACTS_FOLDER if self.role("extract") else None

    def extract_files(self) -> list[tuple[str, Path]]:
        return [(item.path, self.folder / item.path) for item in self.role("extract")]


def _file_record(item: dict[str, Any]) -> FileRecord:
    return FileRecord(
        str(item["role"]), str(item["path"]), str(item["sha256"]), int(item["bytes"]), item.get("source")
    )


def open_archive(folder: Path) -> ArchivedRun:
    """Read a run folder's manifest, or refuse clearly (A001 not a run folder, A002 cannot replay)."""
    where = Location(str(folder / MANIFEST))
    if not folder.is_dir():
        raise _refusal("A001", "not a run folder (no such folder)", Location(str(folder)))
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _refusal("A001", "not a run folder: it has no manifest.json", Location(str(folder))) from None
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
    if path.startswith("/") or "\\" in path or ".." in parts or not parts or parts[0] != ARCHIVE_FOLDER:
        return f"archived input path {path!r} is not below {ARCHIVE_FOLDER}/"
    return ""


def _refusal(code: str, message: str, where: Location) -> SettlementError:
    return SettlementError(ExitCode.USAGE, [Diagnostic(code, message, where)])
