"""Documents rendered by worker processes beside the main one: the same bytes, in the same order,
with progress counted one by one; an error in a worker raised as itself; no worker left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from document_support import RUN_ID, sample_settlement
from paths import ROOT

from obc_settle.app import RunRequest, run_settlement
from obc_settle.render import document_formats
from obc_settle.render.documents import STAGE, Document, document_count, render_document, write_documents
from obc_settle.render.statement_view import statement_context, statement_view
from obc_settle.run_folder import workers as workers_module
from obc_settle.run_folder.workers import ENVIRONMENT, RenderWorkers, worker_count

pytestmark = pytest.mark.skipif(
    sys.platform != "linux",
    reason="these tests watch worker processes through /proc, which only Linux has (the renderers run the same elsewhere)",
)


class Counting:
    """RenderWorkers, remembering how many documents the workers rendered."""

    def __init__(self, workers: RenderWorkers):
        self.workers, self.by_workers = workers, 0

    def run(self, task: Callable[[Any], None], items: Sequence[Any], on_done: Callable[[Any], None]) -> int:
        self.by_workers = self.workers.run(task, items, on_done)
        return self.by_workers


def files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def gone(pid: int) -> bool:
    """The process has exited (a zombie not yet reaped by whoever adopted it counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (FileNotFoundError, ProcessLookupError):
        return True


@pytest.mark.parametrize("count", [1, 2])
def test_workers_write_the_same_bytes_in_the_same_order_with_progress_one_by_one(
    tmp_path: Path, count: int
) -> None:
    contract, ledger = sample_settlement()
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    serial.mkdir()
    parallel.mkdir()
    progress: list[tuple[str, int, int]] = []
    with workers_module.render_workers(count) as workers:
        assert workers is not None and workers.wait_ready(60) == count
        counting = Counting(workers)
        written = write_documents(
            parallel,
            contract,
            ledger,
            RUN_ID,
            on_progress=lambda *call: progress.append(call),
            workers=counting,
        )  # type: ignore[arg-type]
        pids = workers.pids
    expected = write_documents(serial, contract, ledger, RUN_ID)
    assert (
        0 < counting.by_workers < document_count(contract)
    )  # shared between the main process and the workers
    assert [p.relative_to(parallel) for p in written] == [p.relative_to(serial) for p in expected]
    assert files(parallel) == files(serial)
    total = document_count(contract)
    assert progress == [(STAGE, done, total) for done in range(1, total + 1)]
    assert all(gone(pid) for pid in pids)


def test_a_run_with_a_worker_writes_the_same_folder_as_a_serial_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def settle(out: Path, workers: str) -> list[tuple[str, int, int]]:
        monkeypatch.setenv(ENVIRONMENT, workers)
        progress: list[tuple[str, int, int]] = []
        contract, data = (
            ROOT / "contracts" / "diabetes-alliance.yaml",
            ROOT / "sample_data" / "diabetes-alliance",
        )
        run_settlement(
            RunRequest(contract, data, "2025-26-Q3", out, on_progress=lambda *call: progress.append(call))
        )
        return [call for call in progress if call[0] == STAGE]

    with_worker = settle(tmp_path / "parallel", "1")
    settle(tmp_path / "serial", "0")
    assert files(tmp_path / "parallel") == files(tmp_path / "serial")
    assert [done for _, done, _ in with_worker] == list(range(1, len(with_worker) + 1)) and with_worker[-1][
        2
    ] == 15


def test_a_document_failing_in_a_worker_raises_what_the_serial_path_raises_and_ends_the_workers(
    tmp_path: Path,
) -> None:
    contract, ledger = sample_settlement()
    provider = contract.providers[0].id
    view = statement_view(ledger, provider, statement_context(contract, provider, RUN_ID))
    broken = Document(
        "statement", document_formats.get("html"), view, tmp_path / "no such folder" / f"{provider}.html"
    )
    with pytest.raises(FileNotFoundError):
        render_document(broken)
    workers = RenderWorkers(1)
    assert workers.wait_ready(60) == 1
    pids = workers.pids
    with pytest.raises(FileNotFoundError) as raised:  # a ready worker is given the first documents
        workers.run(render_document, [broken, broken], lambda _: None)
    assert "render worker process" in "".join(raised.value.__notes__)
    assert len(workers) == 0 and all(gone(pid) for pid in pids)


class Unpicklable(Exception):
    def __init__(self, first: str, second: str):
        super().__init__(f"{first} and {second}")


def misbehave(how: str) -> None:
    """In a worker only: fail with an exception that cannot be pickled back, or die."""
    if os.environ.get("OBC_SETTLE_TEST_MAIN_PID") == str(os.getpid()):
        return
    if how == "die":
        os._exit(3)
    raise Unpicklable("one", "two")


def test_an_exception_that_cannot_travel_arrives_as_a_runtime_error_with_its_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OBC_SETTLE_TEST_MAIN_PID", str(os.getpid()))
    with workers_module.render_workers(1) as workers:
        assert workers is not None and workers.wait_ready(60) == 1
        with pytest.raises(RuntimeError, match="Unpicklable: one and two"):
            workers.run(misbehave, ["raise"], lambda _: None)


def test_the_documents_of_a_worker_that_dies_are_rendered_by_the_main_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OBC_SETTLE_TEST_MAIN_PID", str(os.getpid()))
    done: list[str] = []
    with workers_module.render_workers(1) as workers:
        assert workers is not None and workers.wait_ready(60) == 1
        assert workers.run(misbehave, ["die", "die", "die"], done.append) == 0
        assert len(workers) == 0
    assert done == ["die", "die", "die"]


def test_a_worker_exits_when_its_main_process_dies() -> None:
    script = (
        "import os\nfrom obc_settle.run_folder.workers import RenderWorkers\n"
        "workers = RenderWorkers(1, preload=())\nassert workers.wait_ready(60) == 1\n"
        "print(workers.pids[0], flush=True)\nos._exit(0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    pid = int(result.stdout)
    deadline = time.monotonic() + 30
    while not gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(pid)


def test_how_many_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENVIRONMENT, raising=False)
    monkeypatch.setattr(workers_module, "available_cpus", lambda: 2)
    assert worker_count(0.5) == 0  # a few documents: not worth a process's start-up
    assert worker_count(2.5) == 1
    monkeypatch.setattr(workers_module, "available_cpus", lambda: 1)
    assert worker_count(2.5) == 0
    for setting, expected in (("0", 0), ("1", 1), ("2", 2), (" 2 ", 2), ("auto", 0), ("-1", 0)):
        monkeypatch.setenv(ENVIRONMENT, setting)
        assert worker_count(2.5) == expected, setting
