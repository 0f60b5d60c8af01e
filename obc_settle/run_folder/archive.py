"""The archive: every run folder carries copies of its inputs, so it can be replayed anywhere.

An auditor may get a run folder years later, zipped, on another machine. Everything needed to
recompute it is inside, under `inputs/` (the paths are named in obc_settle.run_folder.layout):

    inputs/contract/<file name>        the contract file the run read
    inputs/extracts/<relative path>    every extract file as received (Parquet, CSV or Excel), at its
                                       path below --data (or its name)
    inputs/mapping/<file name>         the mapping the CSV and Excel extracts were read through
    inputs/paid/<period>/ledger.parquet  the ledger of each earlier run it netted off (--paid)
    inputs/payments/<file name>        a payments-made extract it netted off (--payments)
    inputs/claims/<file name>          rate-card outcome claims (--claims)
    inputs/previous_year/<year>/ledger.parquet, manifest.json
                                       the previous contract year's run its aspiration is based on (--previous-year)
    inputs/requirements.lock           the locked dependency versions of the installation, if any

Each archived input is recorded in the manifest (`inputs`) with its role, its `path` in the
folder, the path it was read from as given (`source`, for the record only) and the SHA-256 and
size of the bytes the run read. The copies are hashed as they are written and must match those
bytes: a file that changes while a run reads it is refused, never archived wrongly.

Roles are open-ended: an input of a new kind gets a role name, a folder under `inputs/`, a place
in `REPLAYABLE_ROLES` and its place in the replay (obc_settle.app.audit); a manifest naming a
role this version does not know is refused by `open_archive` (obc_settle.run_folder.reader),
not silently ignored.

Nothing here reads a clock; paths are recorded with `/` and relative to the run folder.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from obc_settle.digests import bytes_sha256, copy_with_sha256
from obc_settle.extracts import Extracts
from obc_settle.run_folder import layout
from obc_settle.run_folder.manifest import FileRecord

REPLAYABLE_ROLES = (
    "contract",
    "extract",
    "mapping",
    "paid_run",
    "payments",
    "claims",
    "previous_year_run",
    "previous_year_manifest",
)


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
    format: str | None = None
    """An extract that is not Parquet: `csv`, `tsv` or `xlsx` (recorded in the manifest)."""
    mapping: str | None = None
    """An extract read through a mapping: the mapping's path in the folder."""

    def record(self) -> FileRecord:
        # The lock's source is the installation, not an input the user named: not recorded.
        source = None if self.role == "lock" else str(self.source)
        return FileRecord(self.role, self.path, self.sha256, self.bytes, source, self.format, self.mapping)


def archived_input(role: str, source: Path, path: str, sha256: str) -> ArchivedInput:
    """An input read from `source` (its bytes had `sha256`), copied to `path` in the folder."""
    return ArchivedInput(role, source, path, sha256, source.stat().st_size)


def contract_input(path: Path, sha256: str) -> ArchivedInput:
    return archived_input("contract", path, layout.contract_copy(path.name), sha256)


def extract_inputs(extracts: Extracts) -> list[ArchivedInput]:
    """Each extract file as received, at its path below the `--data` folder, or below a glob's
    fixed part, or by its name for a single file (`relative`, from discovery); and the mapping the
    CSV and Excel files were read through, if any. Partition folders (`period=2025-10/`) are part
    of the path, so a replay from the archive gets every key value the folders supplied."""
    mapping = (
        archived_input(
            "mapping",
            extracts.mapping.path,
            layout.mapping_copy(extracts.mapping.path.name),
            extracts.mapping.sha256,
        )
        if extracts.mapping is not None
        else None
    )
    files = [
        replace(
            archived_input(
                "extract", file.path, layout.extract_copy(file.relative or file.path.name), file.sha256
            ),
            format=None if file.format == "parquet" else file.format,
            mapping=mapping.path if mapping is not None and file.mapping is not None else None,
        )
        for file in extracts.files
    ]
    return [*files, *([mapping] if mapping is not None else [])]


def settlement_inputs(contract: Path, contract_sha256: str, extracts: Extracts | None) -> list[ArchivedInput]:
    """The contract and the extracts of a settlement (`run`, `estimate`): each with the bytes the
    run read and the place of its copy. `extracts` is None for a run that read none."""
    return [contract_input(contract, contract_sha256), *(extract_inputs(extracts) if extracts else [])]


def installed_lock() -> ArchivedInput | None:
    """`requirements.lock` of the source tree obc-settle is installed from, when there is one."""
    root = Path(__file__).resolve().parents[2]
    lock = root / "requirements.lock"
    if not (lock.is_file() and (root / "pyproject.toml").is_file()):
        return None
    data = lock.read_bytes()
    return ArchivedInput("lock", lock, layout.LOCK_PATH, bytes_sha256(data), len(data))


def copy_into(folder: Path, items: Iterable[ArchivedInput]) -> None:
    """Copy each input to its archive path, checking the copy has the bytes the run read."""
    for item in items:
        target = folder / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if copy_with_sha256(item.source, target) != item.sha256:
            raise ArchiveError(
                "O004", f"{item.source}: the file changed while the run was reading it; run again"
            )
