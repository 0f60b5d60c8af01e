"""Ed25519 signatures of run manifests: who produced a run, and that it has not changed since.

`verify` without a key proves only that a folder is consistent (its files match the hashes its
manifest records) and reproducible (the archived inputs settle to the same bytes). Anyone who
can write the folder can change an input, settle again and get a folder that is just as
consistent. A signature closes that gap: `run --sign KEY` signs the exact bytes of
`manifest.json` (which lists the SHA-256 of every file, so every file is signed with it), and
`verify --trust PUBLIC_KEY` checks the signature against a key the auditor holds.

The signature file (`manifest.sig`, obc_settle.run_folder.layout) is JSON: the algorithm, the
signer's fingerprint and raw public key (so that a run signed by *another* key is told apart
from a forged or edited one), the SHA-256 of the manifest signed, and the signature. A signer is
named by its fingerprint: the SHA-256 of the raw 32-byte public key, in hex.

Key files are PEM: the private key PKCS8 (unencrypted: keep it where only its owner can read it;
it is written with mode 0600), the public key SubjectPublicKeyInfo. `cryptography` is imported
only by the functions here that need it, so the command line starts light.

Problems are `KeyFileError` (A021: missing, unreadable, not an Ed25519 key; exit status 2) and
`KeyExists` (A023: `keys new` never overwrites a key file).
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from obc_settle.digests import bytes_sha256

ALGORITHM = "ed25519"


class KeyFileError(Exception):
    """A key file that cannot be used (A021); `path` is the file."""

    def __init__(self, path: Path, message: str):
        super().__init__(message)
        self.path = path


class KeyExists(Exception):
    """`keys new` would overwrite a key file (A023)."""

    def __init__(self, path: Path):
        super().__init__(f"{path} exists; key files are never overwritten (choose another name)")
        self.path = path


def fingerprint(public_raw: bytes) -> str:
    """A signer's name: the SHA-256 of its raw 32-byte Ed25519 public key, in hex."""
    return bytes_sha256(public_raw)


@dataclass(frozen=True)
class Signer:
    """A private key loaded for signing (`run --sign`)."""

    private_key: Any
    """cryptography's Ed25519PrivateKey (typed loosely: cryptography is imported lazily)."""
    public_raw: bytes

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_raw)

    def signature_json(self, manifest_bytes: bytes) -> str:
        """The signature file's text for these exact manifest bytes."""
        signature = self.private_key.sign(manifest_bytes)
        document = {
            "algorithm": ALGORITHM,
            "signer": self.fingerprint,
            "public_key": base64.b64encode(self.public_raw).decode("ascii"),
            "manifest_sha256": bytes_sha256(manifest_bytes),
            "signature": base64.b64encode(signature).decode("ascii"),
        }
        return json.dumps(document, indent=2) + "\n"


@dataclass(frozen=True)
class SignatureFile:
    """A signature file read back: who says they signed, and the signature."""

    signer: str
    public_raw: bytes
    signature: bytes


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise KeyFileError(path, f"no such {what} file") from None
    except OSError as error:
        raise KeyFileError(path, f"the {what} file cannot be read ({error.strerror})") from error


def load_signer(path: Path) -> Signer:
    """The private key of a PEM file (PKCS8, Ed25519), or `KeyFileError`."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    data = _read(path, "private key")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as error:
        message = "not an unencrypted PEM private key (PKCS8), as `obc-settle keys new` writes"
        raise KeyFileError(path, message) from error
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(path, "not an Ed25519 private key")
    return Signer(key, _raw_public(key.public_key()))


def load_public_key(path: Path) -> bytes:
    """The raw 32 bytes of the Ed25519 public key in a PEM file (SubjectPublicKeyInfo)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    data = _read(path, "public key")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as error:
        message = "not a PEM public key (SubjectPublicKeyInfo), as `obc-settle keys new` writes"
        raise KeyFileError(path, message) from error
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(path, "not an Ed25519 public key")
    return _raw_public(key)


def _raw_public(key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    raw: bytes = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw


def new_key_pair(private_path: Path, public_path: Path) -> str:
    """Write a new Ed25519 key pair; refuse (`KeyExists`) if either file exists. The private key
    is created with mode 0600 and exclusively (never over a file that appeared meanwhile).
    Returns the fingerprint."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    for path in (private_path, public_path):
        if path.exists() or path.is_symlink():
            raise KeyExists(path)
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _write_new(private_path, private_pem, 0o600)
    try:
        _write_new(public_path, public_pem, 0o644)
    except BaseException:
        private_path.unlink(missing_ok=True)  # a pair or nothing
        raise
    return fingerprint(_raw_public(key.public_key()))


def _write_new(path: Path, data: bytes, mode: int) -> None:
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise KeyExists(path) from None
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(path, mode)  # whatever the umask


def read_signature(path: Path) -> SignatureFile:
    """The signature file beside a manifest, or `ValueError` saying why it cannot be used."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("algorithm") != ALGORITHM:
            raise ValueError(f"algorithm {document.get('algorithm')!r}, not {ALGORITHM}")
        public_raw = base64.b64decode(document["public_key"], validate=True)
        signature = base64.b64decode(document["signature"], validate=True)
        signer = str(document["signer"])
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"the signature file cannot be read ({error})") from error
    except ValueError as error:  # base64 (binascii.Error is a ValueError) and the algorithm
        raise ValueError(f"the signature file cannot be read ({error})") from error
    if len(public_raw) != 32 or len(signature) != 64:
        raise ValueError("the signature file cannot be read (wrong length of key or signature)")
    return SignatureFile(signer, public_raw, signature)


def signature_holds(public_raw: bytes, signature: bytes, data: bytes) -> bool:
    """Whether `signature` is the Ed25519 signature of exactly `data` by `public_raw`."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, data)
    except InvalidSignature:
        return False
    return True
