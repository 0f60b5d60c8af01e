"""`manifest.json`: what a run read, what it wrote, and with what, so it can be replayed.

It records the SHA-256 of every input and every output, the versions of obc-settle, Python and
the main dependencies, and the exact parameters. It records no wall-clock time: a re-run of the
same inputs with the same versions produces a byte-identical manifest too.

`run_id` is the first 16 hex digits of a SHA-256 over the parameters, the tool version and the
input hashes: the identity of the settlement, printed in every statement's footer.
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from obc_settle import __version__
from obc_settle.digests import file_sha256

MANIFEST_SCHEMA_VERSION = 1
DEPENDENCIES = ("polars", "pyarrow", "pydantic", "pyyaml", "jinja2", "typer", "rich")


@dataclass(frozen=True)
class FileRecord:
    role: str
    path: str
    sha256: str
    bytes: int

    def as_json(self) -> dict[str, Any]:
        return {"role": self.role, "path": self.path, "sha256": self.sha256, "bytes": self.bytes}


def record(role: str, path: Path, shown_as: str) -> FileRecord:
    return FileRecord(role, shown_as, file_sha256(path), path.stat().st_size)


def dependency_versions() -> dict[str, str]:
    versions = {}
    for name in DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def run_identity(parameters: dict[str, Any], inputs: list[FileRecord]) -> str:
    payload = json.dumps(
        {"obc_settle": __version__, "parameters": parameters, "inputs": [i.as_json() for i in inputs]}, sort_keys=True
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def build_manifest(run_id: str, parameters: dict[str, Any], inputs: list[FileRecord], outputs: list[FileRecord]) -> dict[str, Any]:
    return {
        "schema_version": MANIFEST_SCHEMA_VERSION,
        "run_id": run_id,
        "obc_settle_version": __version__,
        "python_version": platform.python_version(),
        "dependencies": dependency_versions(),
        "parameters": parameters,
        "inputs": [item.as_json() for item in sorted(inputs, key=lambda r: (r.role, r.path))],
        "outputs": [item.as_json() for item in sorted(outputs, key=lambda r: r.path)],
    }


def manifest_json(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
