"""Where the wall time of one `obc-settle run` goes, phase by phase (a profile, not a benchmark).

    .venv/bin/python benchmarks/profile_run.py benchmarks/data/records-50M.parquet [--rounds 3]

Runs the command's use case (`run_settlement`, as `obc-settle run` calls it, with every format)
in this process, with a clock around the function that does each phase: importing the command,
reading and checking the extracts (the single pass, the file's SHA-256), settling, and writing
the folder (documents, archive copies, ledger files). Wall-clock timers, not cProfile: a
profiler slows pure-Python phases (the documents) several times more than Polars' own threads,
which would misplace the time. Prints, per phase, the median over the rounds (the first round
pays the imports; the later ones are in a warm process, like the earlier phases of a real run).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PHASES = [
    ("read extracts: checks and sums, all files", "obc_settle.app.settlement", "read_extracts"),
    ("  the single pass (one group-by, streaming)", "obc_settle.extracts.reader", "file_sums"),
    ("  SHA-256 of the extract file", "obc_settle.extracts.reader", "file_sha256"),
    ("load and check the contract", "obc_settle.app.settlement", "load_contract"),
    ("settlement engine (the ledger)", "obc_settle.app.settlement", "settle_with_history"),
    ("write the output folder", "obc_settle.app.settlement", "write_folder_atomically"),
    ("  statements and report (HTML, PDF, XLSX)", "obc_settle.render.documents", "write_documents"),
    ("  archive copies of the inputs", "obc_settle.app.settlement", "copy_into"),
    ("  ledger Parquet and CSV", "obc_settle.app.settlement", "write_ledger_parquet"),
]


def timed(seconds: dict[str, list[float]], title: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[title].append(time.perf_counter() - started)

    return wrapper


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extract", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    from obc_settle.app import (
        RunRequest,
        run_settlement,
    )  # the command's imports, as `obc-settle run` pays them

    imported = time.perf_counter() - started
    importlib.import_module("obc_settle.render.documents")  # so that its function can be timed
    rounds: list[dict[str, list[float]]] = []
    totals = []
    for _ in range(args.rounds):
        seconds: dict[str, list[float]] = defaultdict(list)
        originals = []
        for title, module_name, name in PHASES:
            module = importlib.import_module(module_name)
            originals.append((module, name, getattr(module, name)))
            setattr(module, name, timed(seconds, title, getattr(module, name)))
        with tempfile.TemporaryDirectory() as folder:
            began = time.perf_counter()
            run_settlement(
                RunRequest(
                    HERE / "contract.yaml",
                    args.extract,
                    "2025-26",
                    Path(folder) / "out",
                    nothing_paid_on_account=True,
                )
            )
            totals.append(time.perf_counter() - began)
        for module, name, original in originals:
            setattr(module, name, original)
        rounds.append(seconds)
    print(f"{'phase':<48} {'seconds':>8}")
    print(f"{'import the command':<48} {imported:8.2f}")
    for title, _, _ in PHASES:
        values = [sum(seconds[title]) for seconds in rounds if title in seconds]
        if values:
            print(f"{title:<48} {statistics.median(values):8.2f}")
    print(f"{'whole use case (after the imports)':<48} {statistics.median(totals):8.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
