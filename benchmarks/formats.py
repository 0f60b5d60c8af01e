"""The same extract as Parquet, CSV and an Excel workbook: `obc-settle run` on each (issue 13).

CSV and Excel are for aggregated returns and small record files; Parquet stays the fast path.
This measures what the other formats cost on the same data: a record-level extract of 1 million
rows as Parquet and as CSV, and one of 50,000 rows as Parquet and as an Excel workbook (the
largest a provider's return is likely to be). Each format's ledger must equal the Parquet run's.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import polars as pl

CASES = (("1M", 1_000_000, "csv"), ("50k", 50_000, "xlsx"))


def formats_benchmark(
    data: Path,
    rounds: int,
    run_command: Callable[[Path, Path], list[str]],
    measure: Callable[[list[str]], tuple[float, int, str]],
    generator: Path,
) -> list[tuple[str, str, float, int]]:
    """(rows, format, median wall seconds, median peak KiB) for each case's Parquet and other format."""
    results = []
    for label, rows, form in CASES:
        parquet = data / f"records-{label}.parquet"
        if not parquet.exists():
            subprocess.run([sys.executable, str(generator), str(rows), str(parquet)], check=True)
        other = data / f"records-{label}.{form}"
        if not other.exists():
            frame = pl.read_parquet(parquet)
            if form == "csv":
                frame.write_csv(other)
            else:
                frame.write_excel(other, worksheet="Records")
        ledgers = {}
        for source in (parquet, other):
            out = data / f"out-format-{label}-{source.suffix[1:]}"
            walls, peaks = [], []
            for _ in range(rounds):
                wall, peak, _ = measure(run_command(source, out))
                walls.append(wall)
                peaks.append(peak)
            ledgers[source.suffix] = (out / "ledger.csv").read_bytes()
            shutil.rmtree(out, ignore_errors=True)
            results.append(
                (label, source.suffix[1:], statistics.median(walls), int(statistics.median(peaks)))
            )
        assert ledgers[".parquet"] == ledgers[f".{form}"], (
            f"{form}: the ledger differs from the Parquet run's"
        )
    return results


def formats_table(results: list[tuple[str, str, float, int]]) -> list[str]:
    lines = [
        "| rows | format | median wall (s) | peak memory (MiB) | wall vs Parquet |",
        "|---:|---|---:|---:|---:|",
    ]
    parquet = {label: wall for label, form, wall, _ in results if form == "parquet"}
    for label, form, wall, peak in results:
        lines.append(f"| {label} | {form} | {wall:.2f} | {peak / 1024:,.0f} | {wall / parquet[label]:.2f}x |")
    return lines
