"""Where the time of one `obc-settle run` goes, phase by phase (a profile, not a benchmark).

    .venv/bin/python benchmarks/profile_run.py benchmarks/data/records-50M.parquet

Runs the command's use case in this process under cProfile and prints, for each phase, the
cumulative seconds of the function that does it: importing the command, reading and checking
the extracts (split into the single pass and the file hashes), the settlement engine, and
writing the folder (ledger, statements and reports, archive copies). cProfile slows Python code
down (not Polars' own threads), so phases of pure Python look slower than they are; the total
wall time is printed too, without the profiler's share of start-up.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PHASES = [
    ("read extracts: checks and sums, all files", "obc_settle/extracts/reader.py", "read_extracts"),
    ("  the single pass (group-by, streaming)", "obc_settle/extracts/single_pass.py", "file_sums"),
    ("  SHA-256 of the extract files", "obc_settle/digests.py", "file_sha256"),
    ("settlement engine", "obc_settle/engine/", "settle_with_history"),
    ("write the output folder", "obc_settle/render/folder.py", "write_folder_atomically"),
    ("  statements and reports (HTML, PDF, XLSX)", "obc_settle/render/documents.py", "write_documents"),
    ("  PDF documents", "obc_settle/render/pdf_base.py", "build_pdf"),
    ("  archive copies of the inputs", "obc_settle/audit/archive.py", "copy_into"),
    ("  ledger Parquet and CSV", "obc_settle/render/tables.py", "write_ledger_parquet"),
]


def main(argv: list[str]) -> None:
    source = Path(argv[0])
    started = time.perf_counter()
    from obc_settle.app import RunRequest, run_settlement  # the command's imports, as `obc-settle run` pays them

    imported = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        request = RunRequest(HERE / "contract.yaml", source, "2025-26", Path(folder) / "out")
        profile = cProfile.Profile()
        profile.enable()
        run_settlement(request)
        profile.disable()
    finished = time.perf_counter()
    stats = pstats.Stats(profile)
    cumulative = {(path, name): values[3] for (path, _, name), values in stats.stats.items()}  # type: ignore[attr-defined]
    print(f"{'phase':<48} {'seconds':>8}")
    print(f"{'import the command (no profiler)':<48} {imported - started:8.2f}")
    for title, path, name in PHASES:
        seconds = sum(value for (file, function), value in cumulative.items() if path in file and function == name)
        if seconds:
            print(f"{title:<48} {seconds:8.2f}")
    print(f"{'whole use case (with the profiler)':<48} {finished - imported:8.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
