"""Ctrl-C and SIGTERM at any moment, and engine panics, end a run cleanly (issue 16).

`obc-settle run` is sent SIGINT or SIGTERM at moments from its first line to its last byte: it
exits 130 or 143 (or 0 when it had finished), prints one line and no traceback, and leaves beside
its output either nothing or the complete folder, and no worker process. "Its first line": the test
waits until the process catches SIGTERM (Linux's /proc/PID/status), which only obc_settle.entry
does; before that the interpreter is still starting (about 15 ms) and has Python's own behaviour.
The moments are drawn by a seeded generator: a failure names its seed, signal and delay, and
`OBC_SETTLE_INTERRUPT_SEED=N` replays it (as nearly as timing allows).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from paths import ROOT

from obc_settle import entry, interrupts
from obc_settle.errors import ExitCode

CONTRACT = ROOT / "contracts" / "diabetes-alliance.yaml"
DATA = ROOT / "sample_data" / "diabetes-alliance"
SEED = int(os.environ.get("OBC_SETTLE_INTERRUPT_SEED", "16"))
MESSAGES: dict[int, str] = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}
MARKER = "OBC_SETTLE_TEST_RUN"
"""An environment variable with a value unique to each run: its worker processes inherit it."""

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/status").exists(),
    reason="these tests wait for a run to install its signal handlers and look for its leftover processes "
    "through /proc, which only Linux has (the handling itself is the same elsewhere)",
)


def command(out: Path) -> list[str]:
    script = Path(sys.executable).parent / "obc-settle"
    program = [str(script)] if script.exists() else [sys.executable, "-m", "obc_settle"]
    period = ["--period", "2025-26-Q3"]
    return [*program, "run", str(CONTRACT), "--data", str(DATA), *period, "--out", str(out), "--quiet"]


def start(out: Path) -> tuple[subprocess.Popen[str], str]:
    """`obc-settle run` with one render worker (so that the workers are interrupted too), once its
    first line has run."""
    marker = uuid.uuid4().hex
    environment = {**os.environ, "OBC_SETTLE_RENDER_WORKERS": "1", MARKER: marker}
    environment.pop("OBC_SETTLE_DEBUG", None)
    process = subprocess.Popen(
        command(out), env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    status = Path(f"/proc/{process.pid}/status")
    while process.poll() is None:  # until reaped, /proc/PID is there
        caught = re.search(r"^SigCgt:\s*([0-9a-f]+)", status.read_text(), re.MULTILINE)
        if caught and int(caught[1], 16) & 1 << (signal.SIGTERM - 1):
            break
        time.sleep(0.0005)
    return process, marker


def interrupt(out: Path, signum: int, delay: float, again: float | None = None) -> tuple[int, str, str]:
    """Start a run, send `signum` `delay` seconds after its first line (and again `again` seconds
    later); its exit status, standard error and the run's marker."""
    process, marker = start(out)
    time.sleep(delay)
    process.send_signal(signum)
    if again is not None:
        time.sleep(again)
        if process.poll() is None:
            process.send_signal(signum)
    _, stderr = process.communicate(timeout=120)
    return process.returncode, stderr, marker


def assert_ended_cleanly(out: Path, signum: int, status: int, stderr: str, marker: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert len(stderr.splitlines()) <= 2, stderr
    assert status in (0, 128 + signum), (status, stderr)
    if status:
        assert stderr.strip() == MESSAGES[signum]
    left = sorted(path.name for path in out.parent.iterdir())
    assert not [name for name in left if ".partial-" in name or ".retired-" in name], left
    if out.exists():
        assert_complete(out)
        # A run that has put its folder in place keeps its lock file (obc_settle/run_folder/atomic.py).
        assert set(left) <= {out.name, f".{out.name}.lock"}, left
    else:
        assert left == [], left  # not even the lock
    assert_no_process_left(marker)


def assert_complete(folder: Path) -> None:
    """Every file the manifest lists, with its hash, and no other."""
    manifest = json.loads((folder / "manifest.json").read_text())
    listed = {item["path"]: item["sha256"] for item in manifest["outputs"]}
    present = {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in folder.rglob("*")
        if path.is_file() and path.name != "manifest.json"
    }
    assert present == listed


def assert_no_process_left(marker: str) -> None:
    """No process of the run (its render workers) is still alive a moment after it exits."""
    deadline = time.monotonic() + 10
    while (alive := processes_with(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive, f"processes of the run still alive: {alive}"


def processes_with(marker: str) -> list[int]:
    found = []
    needle = f"{MARKER}={marker}".encode()
    for folder in Path("/proc").iterdir():
        if not folder.name.isdigit():
            continue
        try:
            if needle in (folder / "environ").read_bytes().split(b"\0"):
                state = (folder / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":  # a zombie is dead; its parent (init, by now) reaps it
                    found.append(int(folder.name))
        except OSError:
            continue
    return found


@pytest.fixture
def out(tmp_path: Path) -> Path:
    (tmp_path / "out").mkdir()
    return tmp_path / "out" / "run"


@pytest.mark.parametrize(
    ("signum", "delay", "again"),
    [
        (signal.SIGINT, 0.0, None),  # while the command line is imported
        (signal.SIGTERM, 0.45, None),  # while settling or rendering, a worker running
        (signal.SIGINT, 0.6, 0.005),  # Ctrl-C twice: the second lands in the cleanup
    ],
)
def test_a_signal_at_a_fixed_moment_ends_the_run_cleanly(
    out: Path, signum: int, delay: float, again: float | None
) -> None:
    status, stderr, marker = interrupt(out, signum, delay, again)
    assert_ended_cleanly(out, signum, status, stderr, marker)
    if delay == 0.0:
        assert status == 128 + signum, "a signal during the imports must stop the run"


@pytest.mark.slow
def test_signals_at_random_moments_end_the_run_cleanly(tmp_path: Path) -> None:
    # How long a whole run takes here, from its first line to its exit.
    process, _ = start(tmp_path / "timed" / "run")
    began = time.monotonic()
    process.communicate(timeout=120)
    length = time.monotonic() - began
    assert process.returncode == 0
    generator = random.Random(SEED)
    outcomes = set()
    for attempt in range(36):
        signum = generator.choice((signal.SIGINT, signal.SIGTERM))
        delay = generator.uniform(0, length * 1.1)
        again = generator.choice((None, None, generator.uniform(0, 0.05)))
        (tmp_path / str(attempt)).mkdir()
        out = tmp_path / str(attempt) / "run"
        status, stderr, marker = interrupt(out, signum, delay, again)
        where = f"seed {SEED}, attempt {attempt}: {signum!r} after {delay:.3f} s (again: {again})"
        try:
            assert_ended_cleanly(out, signum, status, stderr, marker)
        except AssertionError as error:
            raise AssertionError(f"{where}: {error}") from error
        outcomes.add(status != 0)
    assert True in outcomes  # most signals land before the end


def test_a_signal_ignored_at_start_stays_ignored(out: Path) -> None:
    """`nohup`, or a background job of a script: SIGINT ignored by whoever started obc-settle."""
    process = subprocess.Popen(
        command(out),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert_complete(out)


@pytest.fixture
def handlers() -> Iterator[None]:
    """entry.main installs signal handlers: give pytest its own back."""
    saved = {signum: signal.getsignal(signum) for signum in interrupts.SIGNALS}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def test_a_polars_panic_is_an_internal_error_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], handlers: None
) -> None:
    from polars.exceptions import PanicException  # pyo3_runtime.PanicException: a BaseException

    def panics() -> None:
        raise PanicException("called `Option::unwrap()` on a `None` value\n  at polars-core/src/x.rs:1")

    monkeypatch.delenv("OBC_SETTLE_DEBUG", raising=False)
    monkeypatch.setattr("obc_settle.cli.app", panics)
    with pytest.raises(SystemExit) as exit_:
        entry.main()
    assert exit_.value.code == ExitCode.INTERNAL_ERROR
    message, hint = capsys.readouterr().err.splitlines()
    assert message == (
        "internal error: PanicException: called `Option::unwrap()` on a `None` value "
        "at polars-core/src/x.rs:1"
    )
    assert "OBC_SETTLE_DEBUG=1" in hint

    monkeypatch.setenv("OBC_SETTLE_DEBUG", "1")
    with pytest.raises(PanicException):
        entry.main()


def test_an_interrupt_inside_a_command_exits_143_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], handlers: None
) -> None:
    def terminated() -> None:
        raise interrupts.Interrupted(signal.SIGTERM)

    def leave(status: int) -> None:
        raise SystemExit(status)

    monkeypatch.setattr("obc_settle.cli.app", terminated)
    monkeypatch.setattr(entry, "leave", leave)  # the real one leaves the process at once (os._exit)
    with pytest.raises(SystemExit) as exit_:
        entry.main()
    assert exit_.value.code == 143
    assert capsys.readouterr().err == "terminated\n"


def test_importing_the_package_or_the_entry_point_installs_no_handler() -> None:
    """Only running `obc-settle` handles signals; importing obc_settle (a library, a test) does not."""
    script = (
        "import signal, sys, obc_settle, obc_settle.entry\n"
        "print(signal.getsignal(signal.SIGTERM) is signal.SIG_DFL, 'typer' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "False"]


def test_a_signal_inside_a_deferred_step_is_raised_when_the_step_ends(handlers: None) -> None:
    """Making a staging folder and noting its name is one step: a signal waits for its end."""
    interrupts.install([signal.SIGUSR1])
    steps = []

    def step() -> None:
        with interrupts.deferred():
            signal.raise_signal(signal.SIGUSR1)
            steps.append("the step finished")
        steps.append("not reached")

    with pytest.raises(interrupts.Interrupted) as raised:
        step()
    assert steps == ["the step finished"]
    assert raised.value.signum == signal.SIGUSR1
    signal.signal(signal.SIGUSR1, signal.SIG_DFL)
