"""A run that cannot write its output folder fails before it reads anything (issue 15).

An existing folder without --force (O001), a folder another run is writing (O003) and a place that
cannot be written (O002) are found before the contract and the extracts are read, with exit
status 5 and the same messages as before. The order is shown without timing: the readers are
replaced by ones that fail the test if they are called.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.app import settlement, simulate, whatif
from obc_settle.app.settlement import RunRequest, run_settlement
from obc_settle.app.whatif import EstimateRequest, run_estimate
from obc_settle.cli import app
from obc_settle.errors import ExitCode, SettlementError

CONTRACT = ROOT / "contracts" / "diabetes-alliance.yaml"
DATA = ROOT / "sample_data" / "diabetes-alliance"
LOCKED = "another obc-settle run is writing this folder; try again when it ends"


def _not_reached(*_: Any, **__: Any) -> Any:
    raise AssertionError("an input was read although the output folder cannot be written")


@pytest.fixture
def nothing_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading the contract or the extracts, in any command, fails the test."""
    for module in (settlement, whatif):
        monkeypatch.setattr(module, "load_contract", _not_reached)
        monkeypatch.setattr(module, "read_extracts", _not_reached)
    monkeypatch.setattr(whatif, "load_inputs", _not_reached)
    monkeypatch.setattr(simulate, "design", _not_reached)


@pytest.fixture
def held_lock(tmp_path: Path) -> Iterator[Path]:
    """`tmp_path/run`, whose lock another run holds."""
    with (tmp_path / ".run.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        yield tmp_path / "run"


def _refusal(request: RunRequest) -> tuple[str, str]:
    with pytest.raises(SettlementError) as raised:
        run_settlement(request)
    assert raised.value.exit_code == ExitCode.OUTPUT_ERROR
    [finding] = raised.value.diagnostics
    return finding.code, finding.message


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"NO_COLOR": "1", "COLUMNS": "200"})
    return result.exit_code, result.stderr


def test_a_run_into_a_folder_another_run_is_writing_is_refused_before_reading(
    held_lock: Path, nothing_is_read: None
) -> None:
    request = RunRequest(CONTRACT, DATA, "2025-26-Q3", held_lock)
    assert _refusal(request) == ("O003", LOCKED)
    assert not held_lock.exists()


def test_a_run_whose_parent_is_a_file_is_refused_before_reading(
    tmp_path: Path, nothing_is_read: None
) -> None:
    (tmp_path / "a-file").write_text("x")
    code, message = _refusal(RunRequest(CONTRACT, DATA, "2025-26-Q3", tmp_path / "a-file" / "run"))
    assert code == "O002"
    assert message.startswith(f"cannot create the folder {tmp_path / 'a-file'} (")


def test_a_run_that_cannot_create_its_lock_is_refused_before_reading(
    tmp_path: Path, nothing_is_read: None
) -> None:
    (tmp_path / ".run.lock").mkdir()  # the lock cannot be opened as a file: the place cannot be written
    code, message = _refusal(RunRequest(CONTRACT, DATA, "2025-26-Q3", tmp_path / "run"))
    assert code == "O002"
    assert message.startswith(f"cannot write in {tmp_path} (")


def test_an_existing_folder_without_force_is_refused_before_reading(
    tmp_path: Path, nothing_is_read: None
) -> None:
    (tmp_path / "run").mkdir()
    code, message = _refusal(RunRequest(CONTRACT, DATA, "2025-26-Q3", tmp_path / "run"))
    assert (code, message) == ("O001", "output folder exists; use --force to replace it")


def test_the_command_line_says_so_with_exit_status_5(held_lock: Path, nothing_is_read: None) -> None:
    status, stderr = _cli(
        "run", str(CONTRACT), "--data", str(DATA), "--period", "2025-26-Q3", "--out", str(held_lock)
    )
    assert status == 5
    assert f"{held_lock}: O003 {LOCKED}" in stderr
    assert "nothing was written" in stderr


def test_an_estimate_into_a_locked_folder_is_refused_before_reading(
    held_lock: Path, nothing_is_read: None
) -> None:
    with pytest.raises(SettlementError) as raised:
        run_estimate(EstimateRequest(CONTRACT, DATA, "2025-26", held_lock))
    assert raised.value.exit_code == ExitCode.OUTPUT_ERROR
    assert [d.code for d in raised.value.diagnostics] == ["O003"]


@pytest.mark.parametrize(
    "command",
    [
        ["sensitivity", str(CONTRACT), "--data", str(DATA), "--period", "2025-26"],
        ["scenario", str(CONTRACT), "--data", str(DATA), "--period", "2025-26", "--scenario", "s.yaml"],
        ["design", str(CONTRACT), "--data", str(DATA)],
    ],
    ids=["sensitivity", "scenario", "design"],
)
def test_a_simulation_into_a_locked_folder_is_refused_before_reading(
    command: list[str], held_lock: Path, nothing_is_read: None
) -> None:
    status, stderr = _cli("simulate", *command, "--out", str(held_lock))
    assert status == 5
    assert f"{held_lock}: O003 {LOCKED}" in stderr


def test_the_lock_is_held_from_before_the_extracts_are_read_until_the_folder_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second run into the same folder, started while the first reads its extracts, is refused."""
    out = tmp_path / "run"
    read_extracts = settlement.read_extracts
    second: list[tuple[str, str]] = []

    def read_while_another_run_starts(*args: Any, **kwargs: Any) -> Any:
        second.append(_refusal(RunRequest(CONTRACT, DATA, "2025-26-Q3", out, force=True)))
        return read_extracts(*args, **kwargs)

    monkeypatch.setattr(settlement, "read_extracts", read_while_another_run_starts)
    run_settlement(RunRequest(CONTRACT, DATA, "2025-26-Q3", out, formats=("html",)))
    assert second == [("O003", LOCKED)]
    assert (out / "manifest.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # the lock is removed as the run ends


def test_a_run_that_fails_after_the_reservation_leaves_nothing_behind(tmp_path: Path) -> None:
    """Neither the lock nor the folders created for it: a failed run wrote nothing."""
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [\n", encoding="utf-8")
    out = tmp_path / "new" / "deeper" / "run"
    with pytest.raises(SettlementError) as raised:
        run_settlement(RunRequest(broken, DATA, "2025-26-Q3", out))
    assert raised.value.exit_code == ExitCode.INVALID_CONTRACT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.yaml"]
