"""Use cases of signed runs and the run register: make a key pair, load a key, register a run,
check a register. Key and register problems become findings with a documented exit status:
a key file missing or unusable is a usage error (A021, 2); a key file that exists is never
overwritten (A023, 5); a register that cannot be appended to cannot be written (A022, 5).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from obc_settle.audit.register import (
    RegisterEntry,
    RegisterError,
    RegisterReport,
    append_entry,
    read_register,
)
from obc_settle.digests import file_sha256
from obc_settle.errors import Diagnostic, ExitCode, Location, SettlementError, Severity
from obc_settle.run_folder import layout
from obc_settle.run_folder.signing import (
    KeyExists,
    KeyFileError,
    Signer,
    load_public_key,
    load_signer,
    new_key_pair,
)

PRIVATE_SUFFIX = ".key"
PUBLIC_SUFFIX = ".pub"


def key_pair_paths(name: Path) -> tuple[Path, Path]:
    """`NAME.key` (private) and `NAME.pub` (public)."""
    return name.with_name(name.name + PRIVATE_SUFFIX), name.with_name(name.name + PUBLIC_SUFFIX)


def new_keys(name: Path) -> tuple[Path, Path, str]:
    """A new Ed25519 key pair at `NAME.key` and `NAME.pub`: the paths and the fingerprint."""
    private_path, public_path = key_pair_paths(name)
    try:
        return private_path, public_path, new_key_pair(private_path, public_path)
    except KeyExists as exists:
        raise SettlementError(
            ExitCode.OUTPUT_ERROR, [Diagnostic("A023", str(exists), Location(str(exists.path)))]
        ) from exists
    except OSError as error:
        message = f"the key file cannot be written ({error.strerror})"
        where = Location(str(error.filename or private_path))
        raise SettlementError(ExitCode.OUTPUT_ERROR, [Diagnostic("O002", message, where)]) from error


def signer(path: Path) -> Signer:
    """The private key of `run --sign`, or a usage error (A021)."""
    try:
        return load_signer(path)
    except KeyFileError as error:
        raise _key_error(error) from error


def trusted_public_key(path: Path) -> bytes:
    """The public key of `verify --trust`, raw, or a usage error (A021)."""
    try:
        return load_public_key(path)
    except KeyFileError as error:
        raise _key_error(error) from error


def _key_error(error: KeyFileError) -> SettlementError:
    return SettlementError(ExitCode.USAGE, [Diagnostic("A021", str(error), Location(str(error.path)))])


def register_run(
    register: Path, run_dir: Path, contract: str, contract_version: str, period: str, signed_by: str | None
) -> tuple[int, str, list[Diagnostic]]:
    """Append a run just written to the register: its line number, the new head hash and
    warnings (another run of the same contract and period, A020)."""
    manifest = run_dir / layout.MANIFEST
    entry = RegisterEntry(
        run_id=_run_id(manifest),
        contract=contract,
        contract_version=contract_version,
        period=period,
        signer=signed_by,
        manifest_sha256=file_sha256(manifest),
        run_dir=_relative_to(run_dir, register.parent),
    )
    try:
        number, head, others = append_entry(register, entry)
    except RegisterError as error:
        where = Location(str(register), error.line) if error.line else Location(str(register))
        raise SettlementError(ExitCode.OUTPUT_ERROR, [Diagnostic("A022", str(error), where)]) from error
    warnings = [
        Diagnostic(
            "A020",
            f"another run of {contract} {period} is in the register (line {line}, run {run_id}); this is run {entry.run_id}",
            Location(str(register), number),
            Severity.WARNING,
        )
        for line, run_id in others
    ]
    return number, head, warnings


def check_register(register: Path, head: str | None = None) -> RegisterReport:
    """The register's chain and the run folders it names (and that `head`, a line's SHA-256 kept
    elsewhere, is still in it), or a usage error when the register cannot be read."""
    try:
        return read_register(register, head)
    except RegisterError as error:
        raise SettlementError(
            ExitCode.USAGE, [Diagnostic("A022", str(error), Location(str(register)))]
        ) from error


def _run_id(manifest: Path) -> str:
    return str(json.loads(manifest.read_text(encoding="utf-8"))["run_id"])


def _relative_to(folder: Path, base: Path) -> str:
    """The run folder as seen from the register's folder, so that both can move together."""
    return Path(os.path.relpath(folder.resolve(), base.resolve())).as_posix()
