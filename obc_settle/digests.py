"""SHA-256 of files, read in blocks: the identity of every input and output.

The one place a file's digest is computed: of bytes already read (`bytes_sha256`, so a file
parsed from memory is hashed as it was read, not read again), of a file (`file_sha256`), or of a
file while it is copied (`copy_with_sha256`, the archive of a run's inputs).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

BLOCK = 1 << 20


def bytes_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def copy_with_sha256(source: Path, target: Path) -> str:
    """Copy `source` to `target` in blocks; the SHA-256 of the bytes copied."""
    digest = hashlib.sha256()
    with source.open("rb") as reading, target.open("wb") as writing:
        for block in iter(lambda: reading.read(BLOCK), b""):
            digest.update(block)
            writing.write(block)
    return digest.hexdigest()
