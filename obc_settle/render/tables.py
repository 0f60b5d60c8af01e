"""The ledger as files: Parquet and CSV, with fixed column order and writer settings."""

from __future__ import annotations

from pathlib import Path

import polars as pl


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
