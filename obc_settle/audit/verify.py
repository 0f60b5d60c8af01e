"""Verification of a run folder: are the archived inputs intact, and do they give the same bytes?

The application recomputes the settlement from the archive into a scratch folder; this module
judges what it finds, in steps, each a list an auditor can read line by line:

- the signature of the manifest, when there is one or a trusted key is given
  (obc_settle.audit.signing);
- the archived inputs against the hashes the manifest recorded (altered, missing, linked out of
  the folder, or unrecorded files are named before anything is recomputed);
- every other file the manifest lists against its recorded hash, and every document the
  recorded formats call for (a statement per provider and the report, in each format);
- the environment (obc-settle, Python, dependency versions, the dependency lock) against the one
  that wrote the run: differences are warnings, the comparison still runs;
- every output of the recomputation against the archived one, byte for byte. `manifest.json` is
  compared on what does not depend on location (run id, parameters other than the paths as
  typed, the inputs' roles, archive paths and hashes, the outputs' hashes); the versions it
  records are reported as environment instead.

`ok` is true only when the signature (if any, or if a key is trusted) holds, every input and
listed file is intact, the recomputation succeeded and every output matches.

What this proves without a trusted key is consistency (the files match the manifest) and
reproducibility (the archived inputs settle to the same bytes): not who produced the folder, as
anyone who can write it can change an input and settle again. See docs/audit.md.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from obc_settle import __version__
from obc_settle.audit.signing import SignatureCheck
from obc_settle.digests import bytes_sha256, file_sha256
from obc_settle.errors import Diagnostic, Location, Severity
from obc_settle.run_folder.archive import installed_lock
from obc_settle.run_folder.layout import (
    MANIFEST,
    REPORT_FILE_STEM,
    REPORT_FOLDER,
    STATEMENTS_FOLDER,
    is_archived,
)
from obc_settle.run_folder.ledger_files import UnreadableLedger, read_ledger_parquet
from obc_settle.run_folder.manifest import LOCATION_PARAMETERS, FileRecord, dependency_versions
from obc_settle.run_folder.reader import ArchivedRun, computed_files, read_json

_INPUT_CODES = {"missing": "A003", "altered": "A004", "unrecorded": "A005", "linked": "A016"}
_LISTED_CODES = {"missing": "A017", "altered": "A017", "linked": "A016"}


@dataclass(frozen=True)
class FileCheck:
    """One line of the verdict: a file, `intact`/`matches` or what is wrong with it."""

    path: str
    status: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("intact", "matches")

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "status": self.status, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class VerifyReport:
    run: ArchivedRun
    inputs: list[FileCheck]
    environment: list[Diagnostic]
    outputs: list[FileCheck] = field(default_factory=list)
    failure: list[Diagnostic] = field(default_factory=list)
    """Findings of a recomputation that could not finish (the archive does not settle)."""
    listed: list[FileCheck] = field(default_factory=list)
    """The other files the manifest lists, and the documents its formats call for."""
    signature: SignatureCheck | None = None

    @property
    def ok(self) -> bool:
        return (
            not self.failure
            and (self.signature is None or self.signature.ok)
            and all(c.ok for c in self.inputs)
            and all(c.ok for c in self.listed)
            and bool(self.outputs)
            and all(c.ok for c in self.outputs)
        )

    def failed_steps(self) -> list[str]:
        """Which steps failed, in order: `signature`, `hashes`, `replay`."""
        steps = []
        if self.signature is not None and not self.signature.ok:
            steps.append("signature")
        if not all(c.ok for c in self.inputs + self.listed):
            steps.append("hashes")
        if self.failure or not self.outputs or not all(c.ok for c in self.outputs):
            steps.append("replay")
        return steps

    def findings(self) -> list[Diagnostic]:
        """Every problem as a finding with where it is, for standard error."""
        folder = self.run.folder
        found = []
        if self.signature is not None and not self.signature.ok:
            found.append(
                Diagnostic(
                    self.signature.code,
                    f"signature {self.signature.status}: {self.signature.detail}",
                    Location(str(self.run.signature_path)),
                )
            )
        found += [
            Diagnostic(
                _INPUT_CODES[c.status],
                f"archived input {c.status}{': ' + c.detail if c.detail else ''}",
                Location(str(folder / c.path)),
            )
            for c in self.inputs
            if not c.ok
        ]
        found += [
            Diagnostic(
                _LISTED_CODES[c.status],
                f"file {c.status}{': ' + c.detail if c.detail else ''}",
                Location(str(folder / c.path)),
            )
            for c in self.listed
            if not c.ok
        ]
        found += [
            Diagnostic("A007", f"recomputing from the archive failed: {d.render()}", Location(str(folder)))
            for d in self.failure
        ]
        found += [
            Diagnostic(
                "A006",
                f"output {c.status}{': ' + c.detail if c.detail else ''}",
                Location(str(folder / c.path)),
            )
            for c in self.outputs
            if not c.ok
        ]
        return self.environment + found

    def as_json(self) -> dict[str, Any]:
        return {
            "run_dir": str(self.run.folder),
            "run_id": self.run.run_id,
            "settlement_period": self.run.period,
            "verified": self.ok,
            "failed_steps": self.failed_steps(),
            "signature": self.signature.as_json() if self.signature is not None else None,
            "inputs": [c.as_json() for c in self.inputs],
            "listed": [c.as_json() for c in self.listed],
            "environment": [d.as_json() for d in self.environment],
            "recomputed": not self.failure,
            "failure": [d.as_json() for d in self.failure],
            "outputs": [c.as_json() for c in self.outputs],
        }


def check_archived_inputs(run: ArchivedRun) -> list[FileCheck]:
    """Each recorded input (and the lock) against its recorded hash; files nobody recorded."""
    records = run.inputs + ([run.lock] if run.lock else [])
    checks = [_check_input(run.folder, item) for item in records]
    recorded = {item.path for item in records}
    checks += [
        FileCheck(path, "unrecorded", "not in the manifest; a re-run would read it")
        for path in run.archive_files()
        if path not in recorded
    ]
    return checks


def _check_input(folder: Path, item: FileRecord) -> FileCheck:
    path = folder / item.path
    linked = _link_in(folder, item.path)
    if linked:
        return FileCheck(item.path, "linked", linked)
    if not path.is_file():
        return FileCheck(item.path, "missing", f"recorded as {item.role}, sha256 {item.sha256[:12]}…")
    actual = file_sha256(path)
    if actual != item.sha256:
        return FileCheck(item.path, "altered", f"sha256 recorded {item.sha256[:12]}…, now {actual[:12]}…")
    return FileCheck(item.path, "intact")


def _link_in(folder: Path, relative: str) -> str:
    """Why a path of the folder is not a file of the folder: a symbolic link on the way to it
    (never followed: its target may be anywhere), or somewhere outside the folder; "" if fine."""
    current = folder
    for part in Path(relative).parts:
        current = current / part
        if current.is_symlink():
            return f"a symbolic link (to {current.readlink()}), not a copy in the folder"
    try:
        (folder / relative).resolve().relative_to(folder.resolve())
    except ValueError:
        return "outside the run folder"
    return ""


def check_listed_files(
    run: ArchivedRun, already: list[FileCheck], extensions: dict[str, str]
) -> list[FileCheck]:
    """Every file the manifest lists among its outputs against its recorded SHA-256, and every
    document the recorded formats call for (`extensions`: format name to file extension, every
    format in order; the run's formats if it records them, else all). A file already reported
    by the archived inputs' check is not reported twice."""
    reported = {c.path for c in already if not c.ok}
    checks = []
    for path, sha256 in sorted(run.outputs.items()):
        if path in reported:
            continue
        check = _check_input(run.folder, FileRecord("listed", path, sha256, 0))
        if check.status == "missing":
            check = FileCheck(path, "missing", "listed in the manifest; not in the folder")
        elif check.status == "altered":
            check = FileCheck(path, "altered", "does not match the manifest: " + check.detail)
        checks.append(check)
    listed = {c.path for c in checks} | reported
    formats = run.formats or tuple(extensions)
    stems = {
        Path(path).stem
        for path in set(run.outputs) | _present(run.folder / STATEMENTS_FOLDER, STATEMENTS_FOLDER)
        if path.startswith(f"{STATEMENTS_FOLDER}/") and path.count("/") == 1
    }
    for name in formats:
        extension = extensions.get(name, name)
        expected = [f"{REPORT_FOLDER}/{REPORT_FILE_STEM}.{extension}"]
        expected += [f"{STATEMENTS_FOLDER}/{stem}.{extension}" for stem in sorted(stems)]
        checks += [
            FileCheck(
                path, "missing", f"a {name} document; the manifest records the formats {', '.join(formats)}"
            )
            for path in expected
            if path not in listed and not (run.folder / path).exists()
        ]
    return checks


def _present(folder: Path, prefix: str) -> set[str]:
    return {f"{prefix}/{p.name}" for p in folder.iterdir()} if folder.is_dir() else set()


def environment_differences(run: ArchivedRun) -> list[Diagnostic]:
    """Versions that differ from the ones that wrote the run: reported, never a reason to stop."""
    manifest = run.manifest
    where = Location(str(run.manifest_path))
    pairs: list[tuple[str, object, str | None]] = [
        ("obc-settle", manifest.get("obc_settle_version"), __version__),
        ("Python", manifest.get("python_version"), platform.python_version()),
    ]
    recorded_dependencies = manifest.get("dependencies") or {}
    installed = dependency_versions()
    pairs += [
        (name, recorded_dependencies.get(name), installed.get(name))
        for name in sorted(set(recorded_dependencies) | set(installed))
    ]
    found = [
        Diagnostic("A008", f"{name} {recorded} wrote this run; {now} is installed", where, Severity.WARNING)
        for name, recorded, now in pairs
        if recorded != now
    ]
    lock, current = run.lock, installed_lock()
    if lock is not None and (current is None or current.sha256 != lock.sha256):
        now = (
            "this installation has no requirements.lock"
            if current is None
            else "the installed requirements.lock differs"
        )
        found.append(
            Diagnostic("A008", f"the run archived its dependency lock; {now}", where, Severity.WARNING)
        )
    return found


def compare_outputs(run: ArchivedRun, rerun_folder: Path) -> list[FileCheck]:
    """Every output of the recomputation against the archived one, byte for byte."""
    recorded = run.outputs
    archived, recomputed = computed_files(run.folder), computed_files(rerun_folder)
    checks = []
    for path in sorted(archived | recomputed):
        if path not in archived:
            checks.append(
                FileCheck(path, "missing", "the recomputation writes it; the archived run has no such file")
            )
        elif path not in recomputed:
            checks.append(
                FileCheck(path, "unexpected", "the archived run has it; the recomputation does not write it")
            )
        else:
            checks.append(_compare_file(path, run.folder / path, rerun_folder / path, recorded.get(path)))
    checks.append(_compare_manifests(run.manifest, read_json(rerun_folder / MANIFEST)))
    return checks


def _compare_file(path: str, archived: Path, recomputed: Path, recorded_sha256: str | None) -> FileCheck:
    data = archived.read_bytes()
    if data == recomputed.read_bytes():
        return FileCheck(path, "matches")
    notes = []
    if recorded_sha256 is not None and bytes_sha256(data) != recorded_sha256:
        notes.append("the archived file no longer has its recorded sha256")
    if archived.suffix == ".parquet" and _same_frame(archived, recomputed):
        notes.append("same rows and amounts; only the bytes differ (e.g. another Polars version)")
    return FileCheck(path, "differs", "; ".join(notes))


def _same_frame(first: Path, second: Path) -> bool:
    """Whether two ledger files hold the same rows (a ledger is the one Parquet output)."""
    try:
        return read_ledger_parquet(first).frame.equals(read_ledger_parquet(second).frame)
    except UnreadableLedger:
        return False


def replayable_view(manifest: dict[str, Any]) -> dict[str, Any]:
    """The parts of a manifest that a re-run elsewhere must reproduce exactly."""
    parameters = {k: v for k, v in (manifest.get("parameters") or {}).items() if k not in LOCATION_PARAMETERS}
    inputs = [{k: v for k, v in item.items() if k != "source"} for item in manifest.get("inputs", [])]
    outputs = [item for item in manifest.get("outputs", []) if not is_archived(str(item.get("path", "")))]
    return {
        "schema_version": manifest.get("schema_version"),
        "run_id": manifest.get("run_id"),
        "parameters": parameters,
        "formats": manifest.get("formats"),
        "inputs": inputs,
        "outputs": outputs,
    }


def _compare_manifests(archived: dict[str, Any], recomputed: dict[str, Any]) -> FileCheck:
    first, second = replayable_view(archived), replayable_view(recomputed)
    differing = [key for key in first if first[key] != second[key]]
    if differing:
        return FileCheck(MANIFEST, "differs", "in " + ", ".join(differing))
    return FileCheck(
        MANIFEST,
        "matches",
        "run id, parameters, inputs and outputs; paths as typed and versions are not compared",
    )
