"""Same inputs, same bytes: across reruns, thread counts, file names and listing order, machines."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app
from obc_settle.run_folder.manifest import run_identity

runner = CliRunner()
CONTRACT = ROOT / "contracts" / "diabetes-alliance.yaml"
DATA = ROOT / "sample_data" / "diabetes-alliance"
RESULTS = ("ledger.parquet", "ledger.csv", "summary.json", "statements")


def run(out: Path, contract: Path = CONTRACT, data: Path = DATA) -> None:
    result = runner.invoke(
        app,
        [
            "run",
            str(contract),
            "--data",
            str(data),
            "--period",
            "2025-26",
            "--out",
            str(out),
            "--quiet",
            "--nothing-paid-on-account",
        ],
    )
    assert result.exit_code == 0, result.stderr


def tree_hashes(folder: Path, only: tuple[str, ...] | None = None) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and (only is None or path.relative_to(folder).parts[0] in only)
    }


def test_two_runs_on_the_same_inputs_give_the_same_folder_archive_and_manifest_included(
    tmp_path: Path,
) -> None:
    run(tmp_path / "a")
    run(tmp_path / "b")
    assert tree_hashes(tmp_path / "a") == tree_hashes(tmp_path / "b")
    assert any(path.startswith("inputs/extracts/") for path in tree_hashes(tmp_path / "a"))


def settle_in_a_process(threads: str | None, out: Path, *args: str) -> dict[str, str]:
    """`obc-settle run ARGS --out OUT` in a fresh process with POLARS_MAX_THREADS=`threads` (None: Polars'
    default, one thread per core); the SHA-256 of every file it wrote."""
    environment = {key: value for key, value in os.environ.items() if key != "POLARS_MAX_THREADS"}
    if threads is not None:
        environment["POLARS_MAX_THREADS"] = threads
    command = [sys.executable, "-m", "obc_settle", "run", *args, "--out", str(out), "--quiet"]
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=environment)
    assert result.returncode == 0, result.stderr
    return tree_hashes(out)


@pytest.mark.slow
def test_every_output_byte_is_the_same_with_one_polars_thread_as_with_the_default(tmp_path: Path) -> None:
    """Polars splits scans and group-bys between threads; nothing written may depend on how.

    Two settlements, each run with one thread and with the default (one per core, at least two):
    the sample contract with the most mechanisms (Mid-Nottinghamshire: capitation, a variation, risk
    and gain share, confidence intervals, monthly instalments, payments on account) at year end in
    every format; and a record-level extract of the benchmark contract cut into 48 row groups, so the
    threads share the scan and the sums per provider, indicator and month. Every file of each run
    folder is compared, the ledger, statements, report, archive and manifest included.
    """
    records = tmp_path / "records.parquet"
    generator = ROOT / "benchmarks" / "generate_records.py"
    subprocess.run([sys.executable, str(generator), "48000", str(records)], check=True)
    pl.read_parquet(records).write_parquet(records, row_group_size=1000)  # many morsels for the threads
    settlements = {
        "mid-notts": (
            str(ROOT / "contracts" / "mid-notts-alliance.yaml"),
            *("--data", str(ROOT / "sample_data" / "mid-notts-alliance")),
            *("--period", "2026-27", "--nothing-paid-on-account"),
        ),
        "records": (
            str(ROOT / "benchmarks" / "contract.yaml"),
            *("--data", str(records), "--period", "2025-26", "--nothing-paid-on-account"),
            *("--format", "html"),  # the documents are compared in every format above
        ),
    }
    default = None if (os.cpu_count() or 1) > 1 else "2"
    for name, args in settlements.items():
        one = settle_in_a_process("1", tmp_path / f"{name}-one-thread", *args)
        many = settle_in_a_process(default, tmp_path / f"{name}-default-threads", *args)
        assert one == many, name
        assert "ledger.csv" in one and any(path.startswith("statements/") for path in one)


def test_extract_file_names_and_their_sort_order_do_not_change_the_settlement(tmp_path: Path) -> None:
    renamed = tmp_path / "renamed"
    renamed.mkdir()
    for quarter, source in enumerate(sorted(DATA.glob("*.parquet"))):
        shutil.copy(source, renamed / f"part-{9 - quarter}.parquet")  # the last quarter now sorts first
    run(tmp_path / "original")
    run(tmp_path / "renamed-run", data=renamed)
    assert tree_hashes(tmp_path / "original", RESULTS) == tree_hashes(tmp_path / "renamed-run", RESULTS)
    first, second = (
        json.loads((tmp_path / name / "manifest.json").read_text()) for name in ("original", "renamed-run")
    )
    assert first["run_id"] == second["run_id"]
    assert {i["path"] for i in second["inputs"] if i["role"] == "extract"} == {
        f"inputs/extracts/part-{n}.parquet" for n in (6, 7, 8, 9)
    }


def test_the_order_a_folder_is_listed_in_does_not_change_a_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(tmp_path / "listed")
    listing = Path.rglob
    monkeypatch.setattr(Path, "rglob", lambda self, pattern: reversed(list(listing(self, pattern))))
    run(tmp_path / "reversed")
    monkeypatch.undo()
    assert tree_hashes(tmp_path / "listed") == tree_hashes(tmp_path / "reversed")


def test_where_the_files_are_and_how_they_are_typed_does_not_change_the_settlement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(tmp_path / "absolute")
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(DATA, elsewhere / "data")
    shutil.copy(CONTRACT, elsewhere / CONTRACT.name)
    monkeypatch.chdir(elsewhere)
    run(tmp_path / "relative", contract=Path(f"./{CONTRACT.name}"), data=Path("data"))
    assert tree_hashes(tmp_path / "absolute", (*RESULTS, "inputs")) == tree_hashes(
        tmp_path / "relative", (*RESULTS, "inputs")
    )


def test_the_archive_carries_the_lock_and_the_installed_versions_are_the_locked_ones(tmp_path: Path) -> None:
    """On a fresh machine `make install` installs exactly the lock, so these versions recur."""
    run(tmp_path / "run")
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    lock = (tmp_path / "run" / manifest["lock"]["path"]).read_text()
    assert lock == (ROOT / "requirements.lock").read_text()
    pinned = dict(re.findall(r"^([a-z0-9_.-]+)==(\S+)", lock, flags=re.MULTILINE))
    for name, version in manifest["dependencies"].items():
        assert pinned.get(name) == version, f"{name} {version} is installed but {pinned.get(name)} is locked"


def test_the_formats_written_do_not_change_the_run_id(tmp_path: Path) -> None:
    base = {"command": "run", "period": "2025-26-Q3"}
    assert run_identity({**base, "formats": ["pdf"]}, []) == run_identity(base, [])
