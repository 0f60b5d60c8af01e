"""The run register: an append-only, hash-chained list of the runs that were settled.

A run folder cannot say that it was replaced: anyone who can write it can change an input,
settle again and leave a folder that verifies. The register keeps the runs somewhere else, one
JSON line per run (`run --register REGISTER`):

    {"contract": ..., "contract_version": ..., "line": 3, "manifest_sha256": ..., "period": ...,
     "previous": <SHA-256 of line 2's bytes>, "run_dir": ..., "run_id": ..., "signer": ...}

Each line carries the SHA-256 of the exact bytes of the line before it (`previous`; the first
line, 64 zeros) and its own number, so a line edited, deleted, or moved breaks the chain at the
line after it. The last line has no line after it: `register check` prints the *head* (the
SHA-256 of the last line), and `--head HASH` checks that a head kept elsewhere (an email, a
ticket) is still in the chain, which shows that nothing up to it has changed since.

Appending takes an exclusive lock on the register file (two runs appending at once take turns),
opens it for appending only, and never rewrites a line. A register whose last line is cut short
(no newline: a crash while writing) is refused rather than repaired.

`register check` verifies the chain, and for each line whose run folder is present (`run_dir`,
relative to the register's folder) that the folder's manifest has the recorded SHA-256, run id,
period and signer. Two different run ids for the same contract and period are reported (A020):
a settlement that was redone is visible as such.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from obc_settle.digests import bytes_sha256, file_sha256
from obc_settle.run_folder import layout

GENESIS = "0" * 64
"""The `previous` of the first line."""


class RegisterError(Exception):
    """The register cannot be read or appended to (A022)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class RegisterEntry:
    """What the register records of one run."""

    run_id: str
    contract: str
    contract_version: str
    period: str
    signer: str | None
    """The fingerprint of the key that signed the run (SHA-256 of the raw public key), or None."""
    manifest_sha256: str
    run_dir: str
    """The run folder, relative to the register's folder."""


def line_text(entry: RegisterEntry, number: int, previous: str) -> str:
    """One line of the register, without its newline: sorted keys, no spaces, fixed."""
    return json.dumps(
        {**asdict(entry), "line": number, "previous": previous}, sort_keys=True, separators=(",", ":")
    )


def append_entry(register: Path, entry: RegisterEntry) -> tuple[int, str, list[tuple[int, str]]]:
    """Append `entry` under an exclusive lock. Returns its line number, the new head (the SHA-256
    of the line written) and the earlier lines of the same contract and period with another run
    id (line, run id)."""
    try:
        register.parent.mkdir(parents=True, exist_ok=True)
        with register.open("ab") as handle:  # append only: earlier bytes are never written
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
            data = register.read_bytes()
            if data and not data.endswith(b"\n"):
                raise RegisterError(
                    "the last line is incomplete (no newline); the register is not appended to"
                )
            lines = data.splitlines()
            previous = bytes_sha256(lines[-1]) if lines else GENESIS
            text = line_text(entry, len(lines) + 1, previous).encode("utf-8")
            handle.write(text + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        raise RegisterError(f"the register cannot be appended to ({error.strerror})") from error
    others = []
    for number, raw in enumerate(lines, start=1):
        item = _parse(raw)
        if (
            item is not None
            and (item.get("contract"), item.get("period")) == (entry.contract, entry.period)
            and item.get("run_id") != entry.run_id
        ):
            others.append((number, str(item.get("run_id"))))
    return len(lines) + 1, bytes_sha256(text), others


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        item = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return item if isinstance(item, dict) else None


@dataclass(frozen=True)
class LineCheck:
    """One line of the register as checked: its chain, and its run folder if present."""

    number: int
    item: dict[str, Any]
    sha256: str
    chain: str
    """`ok`, or why the chain breaks here (the line before it was edited, deleted or moved)."""
    folder: str
    """`matches`, `absent` (not present where the line says: not an error), or what differs."""

    @property
    def ok(self) -> bool:
        return self.chain == "ok" and self.folder in ("matches", "absent")

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.number,
            "sha256": self.sha256,
            "chain": self.chain,
            "folder": self.folder,
            "ok": self.ok,
            **{k: self.item.get(k) for k in ("run_id", "contract", "period", "signer", "run_dir")},
        }


@dataclass(frozen=True)
class RegisterReport:
    register: Path
    lines: list[LineCheck]
    redone: list[tuple[str, str, list[int]]] = field(default_factory=list)
    """(contract, period, line numbers) of each contract and period with more than one run id."""
    head_expected: str | None = None
    head_found: bool = True

    @property
    def head(self) -> str:
        return self.lines[-1].sha256 if self.lines else GENESIS

    @property
    def ok(self) -> bool:
        return all(line.ok for line in self.lines) and self.head_found

    def as_json(self) -> dict[str, Any]:
        return {
            "register": str(self.register),
            "ok": self.ok,
            "head": self.head,
            "head_expected": self.head_expected,
            "head_found": self.head_found,
            "lines": [line.as_json() for line in self.lines],
            "redone": [{"contract": c, "period": p, "lines": n} for c, p, n in self.redone],
        }


def read_register(register: Path, head: str | None = None) -> RegisterReport:
    """Check the chain of `register` and each run folder it names; `head`, if given, must be the
    SHA-256 of one of its lines. `RegisterError` when the file cannot be read at all."""
    try:
        data = register.read_bytes()
    except FileNotFoundError:
        raise RegisterError("no such register file") from None
    except OSError as error:
        raise RegisterError(f"the register cannot be read ({error.strerror})") from error
    checks = []
    previous = GENESIS
    runs: dict[tuple[str, str], dict[str, list[int]]] = {}
    for number, raw in enumerate(data.splitlines(), start=1):
        item = _parse(raw)
        sha256 = bytes_sha256(raw)
        if item is None:
            checks.append(LineCheck(number, {}, sha256, "not a JSON object: the line was edited", "absent"))
        else:
            checks.append(
                LineCheck(number, item, sha256, _chain(item, number, previous), _folder(register, item))
            )
            key = (str(item.get("contract")), str(item.get("period")))
            runs.setdefault(key, {}).setdefault(str(item.get("run_id")), []).append(number)
        previous = sha256
    if data and not data.endswith(b"\n") and checks:
        last = checks[-1]
        checks[-1] = LineCheck(last.number, last.item, last.sha256, "incomplete (no newline)", last.folder)
    redone = [
        (contract, period, sorted(n for numbers in by_run.values() for n in numbers))
        for (contract, period), by_run in sorted(runs.items())
        if len(by_run) > 1
    ]
    found = head is None or any(line.sha256 == head.lower() for line in checks)
    return RegisterReport(register, checks, redone, head, found)


def _chain(item: dict[str, Any], number: int, previous: str) -> str:
    problems = []
    if item.get("previous") != previous:
        problems.append(
            "its `previous` is not the SHA-256 of the line before it: that line was edited, "
            "or a line was deleted or moved"
            if number > 1
            else "the first line must have 64 zeros as `previous`: lines before it were deleted"
        )
    if item.get("line") != number:
        problems.append(f"it says it is line {item.get('line')}")
    return "; ".join(problems) or "ok"


def _folder(register: Path, item: dict[str, Any]) -> str:
    """Whether the run folder the line names (if present) is the run the line records."""
    folder = register.parent / str(item.get("run_dir", ""))
    manifest = folder / layout.MANIFEST
    if not item.get("run_dir") or not manifest.is_file():
        return "absent"
    differences = []
    if file_sha256(manifest) != item.get("manifest_sha256"):
        differences.append("its manifest does not have the recorded SHA-256")
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
        run_id, period = recorded.get("run_id"), (recorded.get("parameters") or {}).get("period")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        run_id = period = None
    if run_id != item.get("run_id"):
        differences.append(f"run id {run_id}, not {item.get('run_id')}")
    if period != item.get("period"):
        differences.append(f"period {period}, not {item.get('period')}")
    signer = _signer(folder / layout.SIGNATURE)
    if signer != item.get("signer"):
        differences.append(f"signed by {signer or 'nobody'}, not {item.get('signer') or 'nobody'}")
    return "; ".join(differences) or "matches"


def _signer(path: Path) -> str | None:
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["signer"])
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        return "an unreadable signature"
