"""`verify`'s first step: is the manifest signed, by whom, and does the signature hold?

Without `--trust` a signature is checked against the public key the signature file carries: that
shows the manifest has not changed since *someone* signed it, not who (anyone can sign with a
key of their own). With `--trust PUBLIC_KEY` it must hold for that key: then the run was produced
by the holder of the matching private key and no byte the manifest lists has changed since.

The verdicts, each with a finding code when it fails:

    valid       the signature holds for the exact manifest bytes (for the trusted key, if given)
    not signed  no signature file: fine without --trust; A013 with it
    unreadable  the signature file cannot be read (A014)
    invalid     the signature does not hold for these manifest bytes: the manifest changed after
                signing, or the signature was copied from another run (A014)
    untrusted   a valid signature by another key than the trusted one (A015)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from obc_settle.run_folder.reader import ArchivedRun
from obc_settle.run_folder.signing import fingerprint, read_signature, signature_holds

SIGNATURE_CODES = {"not signed": "A013", "unreadable": "A014", "invalid": "A014", "untrusted": "A015"}


@dataclass(frozen=True)
class SignatureCheck:
    status: str
    signer: str | None
    """The fingerprint the signature file names (None when there is none or it cannot be read)."""
    trusted: str | None
    """The fingerprint of the key given with --trust (None: no key given)."""
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "valid" or (self.status == "not signed" and self.trusted is None)

    @property
    def code(self) -> str:
        return SIGNATURE_CODES.get(self.status, "")

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "ok": self.ok,
            "signer": self.signer,
            "trusted_key": self.trusted,
            "detail": self.detail,
        }


def check_signature(run: ArchivedRun, trusted_key: bytes | None) -> SignatureCheck:
    """The signature beside the run's manifest, against `trusted_key` (raw Ed25519) if given."""
    trusted = fingerprint(trusted_key) if trusted_key is not None else None
    path = run.signature_path
    if not path.exists() and not path.is_symlink():
        detail = (
            "the run has no signature: who produced it cannot be shown"
            if trusted
            else "verify proves consistency and reproducibility only"
        )
        return SignatureCheck("not signed", None, trusted, detail)
    try:
        signed = read_signature(path)
        manifest_bytes = run.manifest_path.read_bytes()
    except (ValueError, OSError) as error:
        return SignatureCheck("unreadable", None, trusted, str(error))
    claimed = fingerprint(signed.public_raw)
    key = trusted_key if trusted_key is not None else signed.public_raw
    if signature_holds(key, signed.signature, manifest_bytes):
        detail = "by the trusted key" if trusted else "not checked against a trusted key: give --trust"
        return SignatureCheck("valid", trusted or claimed, trusted, detail)
    if (
        trusted is not None
        and claimed != trusted
        and signature_holds(signed.public_raw, signed.signature, manifest_bytes)
    ):
        return SignatureCheck(
            "untrusted",
            claimed,
            trusted,
            f"signed by key {claimed[:16]}…, not by the trusted key {trusted[:16]}…",
        )
    return SignatureCheck(
        "invalid",
        claimed,
        trusted,
        "the signature does not hold for this manifest: the manifest changed after it was signed, "
        "or the signature comes from another run",
    )
