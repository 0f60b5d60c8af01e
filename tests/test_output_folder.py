"""Output folders are complete or untouched: killed runs, concurrent runs, unwritable places."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from paths import ROOT

from obc_settle.run_folder.atomic import OutputFolderError, write_folder_atomically

CONTRACT = ROOT / "contracts" / "diabetes-alliance.yaml"
DATA = ROOT / "sample_data" / "diabetes-alliance"


def run_command(out: Path, period: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "obc_settle",
        "run",
        str(CONTRACT),
        "--data",
        str(DATA),
        "--period",
        period,
        "--out",
        str(out),
        "--force",
        "--quiet",
        *(["--nothing-paid-on-account"] if period.count("-") == 1 else []),
    ]


def complete_run_period(folder: Path) -> str:
    """The period of a complete run folder: every file listed in its manifest, with its hash."""
    manifest = json.loads((folder / "manifest.json").read_text())
    listed = {item["path"]: item["sha256"] for item in manifest["outputs"]}
    present = {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in folder.rglob("*")
        if path.is_file() and path.name != "manifest.json"
    }
    assert present == listed, "the folder mixes files of different runs"
    return str(manifest["parameters"]["period"])


@pytest.mark.slow
def test_a_run_killed_at_any_moment_leaves_the_old_or_the_new_folder_whole(tmp_path: Path) -> None:
    out = tmp_path / "run"
    subprocess.run(run_command(out, "2025-26-Q3"), check=True)
    seen = set()
    # Kill the replacing run at spread-out moments: during start-up, settlement, writing, swapping.
    for delay in (0.05, 0.3, 0.6, 0.9, 1.2, 1.5, 1.8, 2.2, 2.6, 3.0):
        process = subprocess.Popen(run_command(out, "2025-26"))
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        period = complete_run_period(out)
        assert period in {"2025-26-Q3", "2025-26"}
        seen.add(period)
        if period == "2025-26":
            subprocess.run(run_command(out, "2025-26-Q3"), check=True)
    # A rerun after the kills succeeds and clears what killed runs left beside the folder.
    subprocess.run(run_command(out, "2025-26"), check=True)
    assert complete_run_period(out) == "2025-26"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
    assert "2025-26-Q3" in seen


def test_a_second_run_into_a_folder_being_written_is_refused_clearly(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with (tmp_path / ".run.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = subprocess.run(run_command(out, "2025-26-Q3"), capture_output=True, text=True, check=False)
    assert result.returncode == 5
    assert "O003" in result.stderr and "another obc-settle run is writing this folder" in result.stderr
    assert not out.exists()


def test_an_output_path_inside_a_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    result = subprocess.run(
        run_command(blocker / "run", "2025-26-Q3"), capture_output=True, text=True, check=False
    )
    assert result.returncode == 5
    assert "O002" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_full_disk_while_writing_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "run"

    def fill(folder: Path) -> None:
        (folder / "ledger.csv").write_text("half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(OutputFolderError, match="No space left on device") as caught:
        write_folder_atomically(target, fill, force=False)
    assert caught.value.code == "O002"
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []  # nor the lock: a run that wrote nothing leaves nothing


def test_an_existing_run_folder_is_replaced_whole_with_force(tmp_path: Path) -> None:
    target = tmp_path / "run"
    target.mkdir()
    (target / "old.txt").write_text("old")
    manifest = {"schema_version": 2, "run_id": "0" * 16, "outputs": [{"path": "old.txt"}]}
    (target / "manifest.json").write_text(json.dumps(manifest))

    def fill(folder: Path) -> None:
        (folder / "new.txt").write_text("new")

    write_folder_atomically(target, fill, force=True)
    assert sorted(p.name for p in target.iterdir()) == ["new.txt"]
