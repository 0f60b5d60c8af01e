"""`manifest.json`: what a run read, what it wrote, and with what, so it can be replayed.

It records the SHA-256 of every input and every output, the versions of obc-settle, Python and
the main dependencies, and the exact parameters. It records no wall-clock time: a re-run of the
same inputs with the same versions produces a byte-identical manifest too.

`run_id` is the first 16 hex digits of a SHA-256 over the tool version, the settlement
parameters (not the paths the inputs were found at) and the roles and hashes of the inputs: the
identity of the settlement, printed in every statement's footer. It depends on what was settled,
never on where the files were, so a re-run from the folder's archived copies (`obc-settle
verify`) gets the same run id, statements and manifest. Parameters that name where an input was
found, as typed, are listed in `LOCATION_PARAMETERS`; a new one must be added there. Parameters
that choose only which documents are written (`formats`) are not part of what was settled either:
a PDF-only run and a full run of the same settlement share one run id.

Schema versions: 1 recorded inputs by the path as given; 2 (now) records each input's copy in the
folder's archive (`path`, under `inputs/`), where it was read from (`source`), and the
dependency lock (`lock`); see obc_settle.run_folder.archive.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from obc_settle import __version__
from obc_settle.digests import bytes_sha256, file_sha256
from obc_settle.run_folder.layout import is_archived

MANIFEST_SCHEMA_VERSION = 2
LOCATION_PARAMETERS = (
    "contract",
    "contracts",
    "data",
    "paid",
    "payments",
    "claims",
    "scenario",
    "previous_year",
)
PRESENTATION_PARAMETERS = ("formats",)
DEPENDENCIES = ("polars", "pyarrow", "pydantic", "pyyaml", "jinja2", "typer", "rich")
ARCHIVE_ROLE = "archive"
"""The role of the archived copies among the manifest's `outputs` (every file of the folder)."""
OUTPUT_ROLE = "output"
"""The role of what the run computed among the manifest's `outputs`."""


@dataclass(frozen=True)
class FileRecord:
    role: str
    path: str
    sha256: str
    bytes: int
    source: str | None = None
    """For an archived input: the path it was read from, as given (location only, not identity)."""
    format: str | None = None
    """For an extract that is not Parquet: `csv`, `tsv` or `xlsx`."""
    mapping: str | None = None
    """For an extract read through a mapping: the mapping's archived copy."""

    def as_json(self) -> dict[str, Any]:
        item: dict[str, Any] = {"role": self.role, "path": self.path}
        if self.source is not None:
            item["source"] = self.source
        if self.format is not None:
            item["format"] = self.format
        if self.mapping is not None:
            item["mapping"] = self.mapping
        item.update(sha256=self.sha256, bytes=self.bytes)
        return item


def record(role: str, path: Path, shown_as: str) -> FileRecord:
    return FileRecord(role, shown_as, file_sha256(path), path.stat().st_size)


def file_record(item: dict[str, Any]) -> FileRecord:
    """A record as the manifest lists it (`inputs`, `outputs`, `lock`), read back."""
    return FileRecord(
        str(item["role"]),
        str(item["path"]),
        str(item["sha256"]),
        int(item["bytes"]),
        item.get("source"),
        item.get("format"),
        item.get("mapping"),
    )


def output_role(path: str) -> str:
    """`archive` for the copies under `inputs/`, `output` for what the run computed."""
    return ARCHIVE_ROLE if is_archived(path) else OUTPUT_ROLE


def folder_records(folder: Path) -> list[FileRecord]:
    """Every file of a folder being written, each with its role, path in the folder and hash."""
    return [
        record(output_role(path.relative_to(folder).as_posix()), path, path.relative_to(folder).as_posix())
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    ]


def dependency_versions() -> dict[str, str]:
    versions = {}
    for name in DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def run_identity(parameters: dict[str, Any], inputs: list[FileRecord]) -> str:
    """What was settled: version, parameters without locations, and the inputs' roles and bytes."""
    ignored = LOCATION_PARAMETERS + PRESENTATION_PARAMETERS
    settled = {key: value for key, value in parameters.items() if key not in ignored}
    contents = sorted([item.role, item.sha256] for item in inputs)
    payload = json.dumps(
        {"obc_settle": __version__, "parameters": settled, "inputs": contents}, sort_keys=True
    )
    return bytes_sha256(payload.encode())[:16]


def build_manifest(
    run_id: str,
    parameters: dict[str, Any],
    inputs: list[FileRecord],
    outputs: list[FileRecord],
    lock: FileRecord | None = None,
    formats: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The manifest. `formats` (the document formats written, every one, in order) is recorded
    when the command writes documents, so that `verify` can tell a missing document from a run
    that did not write it; like `parameters.formats`, it is not part of the run id."""
    manifest: dict[str, Any] = {
        "schema_version": MANIFEST_SCHEMA_VERSION,
        "run_id": run_id,
        "obc_settle_version": __version__,
        "python_version": platform.python_version(),
        "dependencies": dependency_versions(),
        "lock": lock.as_json() if lock is not None else None,
        "parameters": parameters,
        "formats": list(formats) if formats is not None else None,
        "inputs": [item.as_json() for item in sorted(inputs, key=lambda r: (r.role, r.path))],
        "outputs": [item.as_json() for item in sorted(outputs, key=lambda r: r.path)],
    }
    if formats is None:
        del manifest["formats"]
    return manifest


def manifest_json(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
