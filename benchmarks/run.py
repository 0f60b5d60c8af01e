"""The national-scale benchmark (`make bench`): a benchmark, not a test.

    .venv/bin/python benchmarks/run.py                       # N = 1, 10 and 50 million rows
    .venv/bin/python benchmarks/run.py --sizes 1M --rounds 3 --results /tmp/results.md

For each N: generates (once, deterministically) a record-level extract of N rows
(benchmarks/generate_records.py) under benchmarks/data/, then measures on that same file, in
alternating order round after round, each contender as a whole process:

- `obc-settle run` of benchmarks/contract.yaml for 2025-26: checks, settlement, ledger,
  statements, archive and manifest, everything the command does;
- obc-settle's extract reading alone (`read_extracts`: every check and the sums, one pass);
- the bare Polars reference, DuckDB and pandas (benchmarks/contenders.py).

Wall time is the process's, from start to exit, as a user waits for it; peak memory is the
process's maximum resident set size (from `wait4`). The tables show medians over the rounds.
Outside the timing, every contender's aggregates are compared with the bare Polars reference's
(counts exactly, value sums to 1e-6), and `obc-settle run`'s ledger with the reference totals.
Also measured: start-up (`obc-settle --help`, `obc-settle validate` of a sample contract), a run
that fails on its output folder at the largest size (it must fail before the scan), and from the
tables the cost per row between the two largest sizes against DuckDB's, and the fixed cost left.
Prints the tables and writes them with the machine, the versions and the date to
benchmarks/results.md (or --results).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import polars as pl
from formats import formats_benchmark, formats_table

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
CONTRACT = HERE / "contract.yaml"
PERIOD = "2025-26"
BIN = Path(sys.executable).parent
OBC = BIN / "obc-settle"
KEYS = ["provider_id", "indicator_id", "period"]
NOTES_MARKER = "<!-- notes: kept by benchmarks/run.py -->"
CONTENDERS = (
    "obc-settle run",
    "obc-settle run, one document worker",
    "obc-settle read_extracts",
    "polars (bare, streaming)",
    "duckdb",
    "pandas (pyarrow)",
)
# The run with one document worker process forced on (by default it starts one only for contracts
# with many documents: see obc_settle/render/documents.py).
ONE_WORKER = {"OBC_SETTLE_RENDER_WORKERS": "1"}


@dataclass
class Measure:
    wall: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)
    query: list[float] = field(default_factory=list)

    def add(self, wall: float, peak_kib: int, query: float | None) -> None:
        self.wall.append(wall)
        self.peak_kib.append(peak_kib)
        if query is not None:
            self.query.append(query)


def measure(command: list[str], env: dict[str, str] | None = None, expect: int = 0) -> tuple[float, int, str]:
    """Run a command; its wall time, its peak resident memory (KiB) and its standard output.

    Peak memory is sampled from /proc every 5 ms: the larger of the process's own high-water mark
    (`VmHWM`, kept by the kernel since the command started, so no peak of its own between samples
    is missed) and the resident memory of the process and its child processes at one moment, so
    that a run's document worker counts. Not `wait4`'s `ru_maxrss`: a child started with vfork carries the high-water mark of
    this benchmark process into it, which made a 20 MiB command look like 90 MiB."""
    # Output goes to files, not pipes: a child filling a pipe nobody reads until it exits would hang.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        peak = 0
        while True:
            pid, status, _ = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _peak_kib(process.pid, command))
            time.sleep(0.005)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != expect:
        raise SystemExit(
            f"{' '.join(command)} exited {process.returncode}, expected {expect}:\n{stderr}{stdout}"
        )
    return wall, peak, stdout


def _peak_kib(pid: int, command: list[str]) -> int:
    """The larger of the process's high-water mark and its and its children's resident memory now
    (KiB); 0 before the command has replaced the forked benchmark process, or once it has gone."""
    try:
        # After the exec its command line is the command's (behind an interpreter, for a script).
        parts = Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0").split(b"\0")
        if parts[len(parts) - len(command) :] != [os.fsencode(part) for part in command]:
            return 0
        children = [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        together = _status_kib(pid, "VmRSS:") + sum(_status_kib(child, "VmRSS:") for child in children)
        return max(_status_kib(pid, "VmHWM:"), together)
    except OSError:
        return 0


def _status_kib(pid: int, field_name: str) -> int:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith(field_name)), 0)


def label(rows: int) -> str:
    return f"{rows // 1_000_000}M" if rows % 1_000_000 == 0 else str(rows)


def parse_size(text: str) -> int:
    text = text.strip().upper()
    return int(float(text[:-1]) * 1_000_000) if text.endswith("M") else int(text)


def extract_for(rows: int) -> Path:
    path = DATA / f"records-{label(rows)}.parquet"
    if not path.exists():
        print(f"generating {path.relative_to(ROOT)} ...", flush=True)
        subprocess.run([sys.executable, str(HERE / "generate_records.py"), str(rows), str(path)], check=True)
    return path


def commands(source: Path, rows: int) -> dict[str, tuple[list[str], Path]]:
    out = DATA / f"out-{label(rows)}"
    contenders = HERE / "contenders.py"
    aggregates = {
        name: DATA / f"aggregates-{label(rows)}-{index}.parquet" for index, name in enumerate(CONTENDERS)
    }
    python = sys.executable
    run = [
        str(OBC),
        "run",
        str(CONTRACT),
        "--data",
        str(source),
        "--period",
        PERIOD,
        "--out",
        str(out),
        "--force",
        "--quiet",
        "--nothing-paid-on-account",
    ]
    return {
        "obc-settle run": (run, out / "ledger.parquet"),
        "obc-settle run, one document worker": (run, out / "ledger.parquet"),
        "obc-settle read_extracts": (
            [
                python,
                str(contenders),
                "extracts",
                str(source),
                str(aggregates["obc-settle read_extracts"]),
                str(CONTRACT),
            ],
            aggregates["obc-settle read_extracts"],
        ),
        "polars (bare, streaming)": (
            [python, str(contenders), "polars", str(source), str(aggregates["polars (bare, streaming)"])],
            aggregates["polars (bare, streaming)"],
        ),
        "duckdb": (
            [python, str(contenders), "duckdb", str(source), str(aggregates["duckdb"])],
            aggregates["duckdb"],
        ),
        "pandas (pyarrow)": (
            [python, str(contenders), "pandas", str(source), str(aggregates["pandas (pyarrow)"])],
            aggregates["pandas (pyarrow)"],
        ),
    }


def run_size(rows: int, rounds: int, skip: set[str]) -> dict[str, Measure]:
    source = extract_for(rows)
    plan = {name: item for name, item in commands(source, rows).items() if name not in skip}
    names = list(plan)
    results = {name: Measure() for name in names}
    for round_number in range(rounds):
        order = (
            names[round_number % len(names) :] + names[: round_number % len(names)]
        )  # alternate who goes first
        for name in order:
            command, _ = plan[name]
            wall, peak, stdout = measure(command, {**os.environ, **ONE_WORKER} if "worker" in name else None)
            query = (
                json.loads(stdout.strip().splitlines()[-1])["query_seconds"]
                if stdout.strip().startswith("{")
                else None
            )
            results[name].add(wall, peak, query)
            print(
                f"  {label(rows):>4} round {round_number + 1}/{rounds} {name:<26} {wall:7.2f} s {peak / 1024:8.0f} MiB",
                flush=True,
            )
    check_agreement(rows, {name: output for name, (_, output) in plan.items()})
    return results


def format_run(source: Path, out: Path) -> list[str]:
    """`obc-settle run` of the benchmark contract on one extract file (benchmarks/formats.py)."""
    command = [str(OBC), "run", str(CONTRACT), "--data", str(source), "--period", PERIOD, "--out", str(out)]
    return [*command, "--force", "--quiet", "--nothing-paid-on-account"]


def failing_run(rows: int, rounds: int) -> Measure:
    """`obc-settle run` into a folder it must not replace (it holds a user's file, no --force).

    It must fail with exit status 5 before it reads the extract, so its time is the start-up's,
    whatever the size of the extract."""
    occupied = DATA / "occupied"
    occupied.mkdir(parents=True, exist_ok=True)
    (occupied / "notes.txt").write_text("a user's file\n", encoding="utf-8")
    command = [str(OBC), "run", str(CONTRACT), "--data", str(extract_for(rows)), "--period", PERIOD]
    command += ["--out", str(occupied), "--quiet", "--nothing-paid-on-account"]
    result = Measure()
    for _ in range(rounds):
        wall, peak, _ = measure(command, expect=5)
        result.add(wall, peak, None)
    return result


def slope_table(by_size: dict[int, dict[str, Measure]]) -> list[str]:
    """Cost per row between the two largest sizes, and the fixed cost left at zero rows.

    The slope is what the scan costs a row (start-up, documents and writing cancel out); the
    intercept is the whole command's fixed cost. The target: obc-settle's slope no steeper than
    DuckDB's on the same file."""
    if len(by_size) < 2:
        return ["(one size only: no slope)"]
    small, large = sorted(by_size)[-2:]
    walls = {
        name: (statistics.median(by_size[small][name].wall), statistics.median(by_size[large][name].wall))
        for name in by_size[large]
        if name in by_size[small]
    }
    per_million = {name: (b - a) / ((large - small) / 1_000_000) for name, (a, b) in walls.items()}
    duck = per_million.get("duckdb")
    lines = [
        f"| contender | seconds per million rows ({label(small)} to {label(large)}) | vs DuckDB's slope "
        f"| fixed cost at 0 rows (s) |",
        "|---|---:|---:|---:|",
    ]
    for name, slope in per_million.items():
        ratio = f"{slope / duck:.2f}x" if duck and duck > 0 else ""
        fixed = walls[name][0] - slope * small / 1_000_000
        lines.append(f"| {name} | {slope:.4f} | {ratio} | {fixed:.2f} |")
    return lines


def check_agreement(rows: int, outputs: dict[str, Path]) -> None:
    """Every contender's sums equal the bare Polars reference's; the run's ledger its totals."""
    reference = (
        _aggregates(outputs["polars (bare, streaming)"]) if "polars (bare, streaming)" in outputs else None
    )
    if reference is None:
        print("  (no reference: agreement not checked)")
        return
    for name, path in outputs.items():
        if name.startswith("obc-settle run"):
            _check_ledger(path, reference)
            continue
        other = _aggregates(path)
        joined = reference.join(other, on=KEYS, how="full", suffix="_other", coalesce=True)
        assert joined.height == reference.height == other.height, f"{name}: different groups"
        for column in ("denominator", "numerator", "value_count", "rows"):
            assert (joined[column] == joined[f"{column}_other"]).all(), f"{name}: {column} differs"
        close = (joined["value_sum"] - joined["value_sum_other"]).abs() <= 1e-6 * joined[
            "value_sum"
        ].abs().clip(1, None)
        assert close.all(), f"{name}: value_sum differs"
    print(
        f"  {label(rows)}: all contenders agree on {reference.height:,} provider x indicator x month sums",
        flush=True,
    )


def _aggregates(path: Path) -> pl.DataFrame:
    frame = pl.read_parquet(path)
    return frame.select(
        *[pl.col(key).cast(pl.String) for key in KEYS],
        *[pl.col(name).cast(pl.Int64) for name in ("denominator", "numerator", "value_count", "rows")],
        pl.col("value_sum").cast(pl.Float64).fill_null(0.0),
    ).sort(KEYS)


def _check_ledger(ledger_path: Path, reference: pl.DataFrame) -> None:
    """The run scored each indicator on the whole year's rows: its N and D are the reference's."""
    ledger = pl.read_parquet(ledger_path).filter(pl.col("line_type") == "retained")
    totals = reference.group_by("indicator_id").agg(
        pl.col("numerator", "denominator", "value_sum", "value_count", "rows").sum()
    )
    joined = ledger.select("indicator_id", "indicator_kind", "numerator", "denominator", "extract_rows").join(
        totals, on="indicator_id"
    )
    assert joined.height == totals.height, "obc-settle run: indicators missing from the ledger"
    for row in joined.iter_rows(named=True):
        if row["indicator_kind"] == "mean":
            expected = (row["value_sum"], row["value_count"])
        else:
            expected = (row["numerator_right"], row["denominator_right"])
        assert abs(row["numerator"] - expected[0]) <= 1e-6 * max(1.0, abs(expected[0])), row
        assert row["denominator"] == expected[1] and row["extract_rows"] == row["rows"], row


def startup(rounds: int) -> dict[str, Measure]:
    sample = ROOT / "contracts" / "diabetes-alliance.yaml"
    plan = {
        "obc-settle --help": [str(OBC), "--help"],
        "obc-settle validate (sample contract)": [str(OBC), "validate", str(sample)],
    }
    results = {name: Measure() for name in plan}
    for _ in range(rounds):
        for name, command in plan.items():
            wall, peak, _ = measure(command)
            results[name].add(wall, peak, None)
    return results


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
        platform.processor(),
    )
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    memory_kib = next((int(line.split()[1]) for line in meminfo if line.startswith("MemTotal")), 0)
    versions = {
        name: metadata.version(name)
        for name in ("obc-settle", "polars", "duckdb", "pandas", "pyarrow", "numpy")
    }
    return {
        "date": datetime.date.today().isoformat(),
        "machine": f"{cpu}, {os.cpu_count()} cores, {memory_kib / 1024 / 1024:.0f} GiB RAM, {platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": ", ".join(f"{name} {version}" for name, version in versions.items()),
        "load": " / ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


def table(by_size: dict[int, dict[str, Measure]]) -> list[str]:
    lines = [
        "| rows | contender | median wall (s) | peak memory (MiB) | wall vs DuckDB | median query (s) | runs |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for rows, results in by_size.items():
        duck = statistics.median(results["duckdb"].wall) if "duckdb" in results else None
        for name, measure_ in results.items():
            wall = statistics.median(measure_.wall)
            peak = statistics.median(measure_.peak_kib) / 1024
            ratio = f"{wall / duck:.2f}x" if duck else ""
            query = f"{statistics.median(measure_.query):.2f}" if measure_.query else ""
            lines.append(
                f"| {label(rows)} | {name} | {wall:.2f} | {peak:,.0f} | {ratio} | {query} | {len(measure_.wall)} |"
            )
    return lines


def startup_table(results: dict[str, Measure]) -> list[str]:
    lines = ["| command | median wall (s) | peak memory (MiB) | runs |", "|---|---:|---:|---:|"]
    for name, measure_ in results.items():
        wall, peak = statistics.median(measure_.wall), statistics.median(measure_.peak_kib) / 1024
        lines.append(f"| {name} | {wall:.3f} | {peak:,.0f} | {len(measure_.wall)} |")
    return lines


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1M,10M,50M", help="comma-separated row counts (1M = one million)")
    parser.add_argument("--rounds", default="5,5,3", help="rounds per size, one number or one per size")
    parser.add_argument("--skip", default="", help="comma-separated contenders to leave out (e.g. pandas)")
    parser.add_argument("--results", type=Path, default=HERE / "results.md", help="where to write the tables")
    args = parser.parse_args(argv)
    sizes = [parse_size(text) for text in args.sizes.split(",")]
    rounds = [int(text) for text in args.rounds.split(",")]
    rounds = rounds * len(sizes) if len(rounds) == 1 else rounds
    skip = {name for name in CONTENDERS for word in args.skip.split(",") if word and word in name}
    info = machine()
    print(f"{info['machine']}; load {info['load']}", flush=True)
    started = startup(
        max(rounds)
    )  # first: after pandas' 6 GB the kernel is still reclaiming memory for a while
    by_size = {rows: run_size(rows, count, skip) for rows, count in zip(sizes, rounds, strict=True)}
    started[f"obc-settle run into an occupied --out ({label(max(sizes))} rows; exit 5)"] = failing_run(
        max(sizes), max(rounds)
    )
    by_format = formats_benchmark(
        DATA, max(rounds), format_run, lambda command: measure(command), HERE / "generate_records.py"
    )
    lines = table(by_size)
    print("\n".join(lines))
    print("\n".join(formats_table(by_format)))
    print("\n".join(slope_table(by_size)))
    print("\n".join(startup_table(started)))
    write_results(args.results, info, by_size, started, sizes, rounds, by_format)
    for rows in sizes:
        shutil.rmtree(DATA / f"out-{label(rows)}", ignore_errors=True)


def write_results(
    path: Path,
    info: dict[str, str],
    by_size: dict[int, dict[str, Measure]],
    started: dict[str, Measure],
    sizes: list[int],
    rounds: list[int],
    by_format: list[tuple[str, str, float, int]],
) -> None:
    text = [
        "# Benchmark results",
        "",
        f"Measured {info['date']} by `make bench` (benchmarks/run.py) on {info['machine']}; Python {info['python']}; "
        f"{info['versions']}. Load average when the run started: {info['load']}.",
        "",
        f"Record-level extracts of {', '.join(label(n) for n in sizes)} rows from benchmarks/generate_records.py (12 providers, "
        "20 indicators, 12 months, zstd, row groups of 1 million rows); rounds per size: "
        f"{', '.join(str(r) for r in rounds)}, contenders alternating. Wall time and peak resident memory are each "
        "whole process's; medians. `median query` is the time a contender reports for its query alone (no start-up).",
        "",
        *table(by_size),
        "",
        "Per row and fixed cost (the slope between the two largest sizes is the scan's cost per row; "
        "what is left at zero rows is the command's fixed cost: start-up, documents, archive):",
        "",
        *slope_table(by_size),
        "",
        "The same record-level extract as Parquet and as CSV (1M rows) or an Excel workbook (50k rows), "
        "`obc-settle run` on each (benchmarks/formats.py; the ledgers are equal):",
        "",
        *formats_table(by_format),
        "",
        "Start-up, and a run that fails on its output folder (it must fail before the scan):",
        "",
        *startup_table(started),
        "",
    ]
    # Notes written by hand below the marker (what the figures mean) survive a re-run.
    kept = path.read_text(encoding="utf-8").partition(NOTES_MARKER) if path.exists() else ("", "", "")
    notes = NOTES_MARKER + kept[2] if kept[1] else ""
    path.write_text("\n".join(text) + ("\n" + notes if notes else ""), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
