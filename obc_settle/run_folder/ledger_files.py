"""The ledger as files: Parquet and CSV, with fixed column order and writer settings; and the
Parquet file read back, hashed from the very bytes that were parsed (never read twice)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from obc_settle.digests import bytes_sha256


def write_ledger_parquet(ledger: pl.DataFrame, path: Path) -> None:
    ledger.write_parquet(path, compression="zstd", compression_level=3, statistics=True)


def write_ledger_csv(ledger: pl.DataFrame, path: Path) -> None:
    """UTF-8, comma-separated, header row, `\\n` line ends; text that a spreadsheet would read
    as a formula is prefixed with an apostrophe."""
    protected = ledger.with_columns(
        [
            pl.when(pl.col(name).str.contains(r"^[=+\-@\t\r]"))
            .then(pl.lit("'") + pl.col(name))
            .otherwise(pl.col(name))
            .alias(name)
            for name, dtype in ledger.schema.items()
            if dtype == pl.String
        ]
    )
    protected.write_csv(path, line_terminator="\n")


@dataclass(frozen=True)
class LedgerFile:
    """A ledger read from its Parquet file, with the SHA-256 and size of the bytes parsed."""

    frame: pl.DataFrame
    path: Path
    sha256: str
    bytes: int


class UnreadableLedger(Exception):
    """The file cannot be read, or is not Parquet; `reason` says why in a line."""

    def __init__(self, path: Path, error: Exception):
        super().__init__(str(error))
        self.path = path
        self.error = error

    @property
    def reason(self) -> str:
        if isinstance(self.error, OSError):
            return str(self.error.strerror or self.error)
        return (str(self.error).splitlines() or [type(self.error).__name__])[0]


def read_ledger_parquet(path: Path) -> LedgerFile:
    """The ledger in `path`, or `UnreadableLedger`."""
    try:
        data = path.read_bytes()
        frame = pl.read_parquet(io.BytesIO(data))
    except (OSError, pl.exceptions.PolarsError) as error:
        raise UnreadableLedger(path, error) from error
    return LedgerFile(frame, path, bytes_sha256(data), len(data))
