"""Worker processes that render documents beside the main process, to use a second core.

Rendering (reportlab, xlsxwriter, jinja2) is pure-Python work that holds the GIL, so threads do
not help; processes do. `RenderWorkers(n)` starts `n` fresh Python processes (a spawn: never a
`fork`, as Polars has run threads in the main process by then), each importing `PRELOAD` as soon
as it starts, so a caller starts them early and their start-up overlaps its own work.
`RenderWorkers.run(task, items, on_done)` then calls `task(item)` for every item, pickled to a
worker or in the main process: the main process renders too, and hands a worker items only once
it has said it is ready, at most `AHEAD` at a time, so nobody waits for a worker still starting
and the work is shared as it goes.

- `on_done(item)` is called in the main process, once per item, as each finishes.
- An exception in a worker is raised in the main process: the same exception, pickled, with the
  worker's traceback as a note. A worker that dies has its items done by the main process.
- On any error, and on `close`, the workers are ended before control returns, so none writes
  after; a worker whose main process dies sees its pipe close and exits.

The pool runs pickled tasks; all it knows of documents is the name of the module its workers
import first (`PRELOAD`). obc_settle.render.documents decides what to render and whether a worker
is worth starting (`document_workers`).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import queue
import subprocess
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

from obc_settle import interrupts

ENVIRONMENT = "OBC_SETTLE_RENDER_WORKERS"
"""Worker processes to use besides the main process: 0 renders serially; unset, automatic."""
PRELOAD = ("obc_settle.render.documents",)
"""Imported by a worker when it starts (the renderers: reportlab, xlsxwriter, jinja2, Polars).
A module name, not an import: the pool sits below the renderers and never imports them itself."""
AHEAD = 2
"""Items given to a worker at a time: one it renders, one waiting, so it is not idle while the main process renders."""
WORTH_A_WORKER = 2.0
"""Estimated seconds of rendering below which no worker is started: its start-up costs ~0.8 s of
CPU, and with a second core it saves about half of the rendering after it is ready. Measured on
2 cores: no gain at 12 providers (about 1 s of rendering), 0.9 s saved at 36 providers."""
MAX_WORKERS = 8

Item = TypeVar("Item")


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(estimated_seconds: float) -> int:
    """`OBC_SETTLE_RENDER_WORKERS` when it is a whole number; else one worker when there are two
    CPUs or more and enough to render; none where a worker cannot be started."""
    if os.name != "posix" or not sys.executable or getattr(sys, "frozen", False):
        return 0
    setting = os.environ.get(ENVIRONMENT, "").strip()
    if setting.isdigit():
        return min(int(setting), MAX_WORKERS)
    return 1 if available_cpus() > 1 and estimated_seconds >= WORTH_A_WORKER else 0


class _Worker:
    """A fresh Python process (`python -c`, with this process's `sys.path`) running `serve`.

    Not `multiprocessing`: its spawn imports the caller's `__main__` script again in the worker
    (and runs it, if unguarded); a worker needs the renderers only. It has a process group of its
    own, so a Ctrl-C reaches the main process alone, which then ends it; and it ignores SIGINT (a
    `kill -INT` of the whole tree), so it never prints a traceback or reports an interrupt as its
    task's error: the main process decides, and ends it. SIGTERM ends it quietly.
    """

    def __init__(self, preload: Sequence[str]) -> None:
        worker_reads, main_writes = os.pipe()
        main_reads, worker_writes = os.pipe()
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    _BOOT,
                    str(worker_reads),
                    str(worker_writes),
                    ",".join(preload),
                    *map(str, sys.path),
                ],
                stdin=subprocess.DEVNULL,
                pass_fds=(worker_reads, worker_writes),
                process_group=0,
            )
        except BaseException:
            os.close(main_reads)
            os.close(main_writes)
            raise
        finally:
            os.close(worker_reads)
            os.close(worker_writes)
        self.sender = Connection(main_writes, readable=False)
        self.receiver = Connection(main_reads, writable=False)
        self.ready = False
        self.items: list[int] = []
        """Indexes of the items sent to it and not yet done, oldest first."""

    def end(self, at_once: bool) -> None:
        """Close its pipes (an idle worker then exits by itself); `at_once` kills it whatever it is doing."""
        if at_once:
            self.process.kill()
        self.sender.close()
        self.receiver.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_BOOT = f"import signal; signal.signal(signal.SIGINT, signal.SIG_IGN); import sys; sys.path[:] = sys.argv[4:]; from {__name__} import serve; serve(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])"
"""The worker's program (`python -c`): this module's `serve`, found by this module's own name,
once SIGINT is ignored (before the imports, which take most of a worker's start-up)."""


class RenderWorkers:
    def __init__(self, count: int, preload: Sequence[str] = PRELOAD):
        self._workers: list[_Worker] = []
        try:
            for _ in range(count):
                self._workers.append(_Worker(preload))
        except BaseException:
            self.stop()
            raise

    def __len__(self) -> int:
        return len(self._workers)

    @property
    def pids(self) -> list[int]:
        return [worker.process.pid for worker in self._workers]

    def wait_ready(self, timeout: float | None = None) -> int:
        """Wait (at most `timeout` seconds in all) for the workers to have started; how many have."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for worker in list(self._workers):
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                if not worker.ready and worker.receiver.poll(left):
                    worker.ready = worker.receiver.recv() == "ready"
            except (EOFError, OSError):  # it died starting
                self._lost(worker, deque())
        return sum(worker.ready for worker in self._workers)

    def run(
        self, task: Callable[[Item], None], items: Sequence[Item], on_done: Callable[[Item], None]
    ) -> int:
        """`task(item)` for every item, in this process or a worker, first items first; returns
        how many the workers did."""
        waiting, by_workers = deque(range(len(items))), 0
        try:
            while waiting or any(worker.items for worker in self._workers):
                by_workers += self._receive(items, waiting, on_done, block=not waiting)
                for worker in list(self._workers):
                    while worker.ready and waiting and len(worker.items) < AHEAD:
                        index = waiting.popleft()
                        worker.items.append(index)
                        try:
                            worker.sender.send((index, task, items[index]))
                        except OSError:  # the worker has died (its pipe is broken)
                            self._lost(worker, waiting)
                            break
                if waiting:
                    index = waiting.popleft()
                    task(items[index])
                    on_done(items[index])
        except BaseException:
            self.stop()
            raise
        return by_workers

    def _receive(
        self, items: Sequence[Item], waiting: deque[int], on_done: Callable[[Item], None], block: bool
    ) -> int:
        """Take every message the workers have sent; with `block`, wait for one from a worker with
        items. Returns how many items they have done."""
        done = 0
        # Keyed by object: `wait` returns the connections it was given, typed as any waitable.
        receivers: dict[object, _Worker] = {worker.receiver: worker for worker in self._workers}
        watched = [w.receiver for w in receivers.values() if w.items or not block]
        for receiver in wait(watched, timeout=None if block else 0):
            worker = receivers[receiver]
            while True:
                try:
                    if not worker.receiver.poll():
                        break
                    message = worker.receiver.recv()
                except (EOFError, OSError):  # the worker has died
                    self._lost(worker, waiting)
                    break
                if message == "ready":
                    worker.ready = True
                    continue
                index, failure = message
                worker.items.remove(index)
                if failure is not None:
                    error, where = pickle.loads(failure[0]), failure[1]
                    error.add_note(f"(raised in a render worker process)\n{where}")
                    raise error
                on_done(items[index])
                done += 1
        return done

    def _lost(self, worker: _Worker, waiting: deque[int]) -> None:
        """A worker has died: the items it had are done here, first."""
        waiting.extendleft(reversed(worker.items))
        self._workers.remove(worker)
        worker.end(at_once=True)

    def stop(self) -> None:
        """End the workers at once, whatever they are doing."""
        workers, self._workers = self._workers, []
        _end(workers, lambda worker: True)

    def close(self) -> None:
        """End the workers: one idle exits when its pipe closes; one still starting or busy is killed."""
        workers, self._workers = self._workers, []
        _end(workers, lambda worker: not worker.ready or bool(worker.items))


def _end(workers: list[_Worker], at_once: Callable[[_Worker], bool]) -> None:
    """End each worker; if ending one is interrupted (Ctrl-C, SIGTERM), kill the others before the
    interrupt goes on, so that none is left writing into a folder being removed."""
    with interrupts.deferred():  # a worker left running could write into a folder being removed
        for number, worker in enumerate(workers):
            try:
                worker.end(at_once(worker))
            except BaseException:
                for other in workers[number:]:
                    other.process.kill()
                    other.process.wait()
                raise


@contextlib.contextmanager
def render_workers(count: int) -> Iterator[RenderWorkers | None]:
    """`count` workers for the duration of the block (None for none), ended when it exits."""
    try:
        workers = RenderWorkers(count) if count > 0 else None
    except OSError:  # cannot start a process (a limit on processes, ...): render in this one
        workers = None
    if workers is None:
        yield None
        return
    try:
        yield workers
    finally:
        workers.close()


def serve(reads: int, writes: int, preload: str) -> None:
    """A worker: import `preload` (modules, comma-separated), say so, then run each task received
    until the pipe closes. A thread reads the pipe while a task runs, so the main process never
    waits to send.
    """
    inbox_pipe, outbox = Connection(reads, writable=False), Connection(writes, readable=False)
    for module in filter(None, preload.split(",")):
        importlib.import_module(module)
    inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def read() -> None:
        try:
            while True:
                inbox.put(inbox_pipe.recv())
        except (EOFError, OSError):
            inbox.put(None)

    try:
        outbox.send("ready")
        threading.Thread(target=read, daemon=True).start()
        while (message := inbox.get()) is not None:
            index, task, item = message
            try:
                task(item)
            except BaseException as error:
                outbox.send((index, (_pickled(error), traceback.format_exc())))
            else:
                outbox.send((index, None))
            del message, item
    except OSError:
        pass  # the main process has gone: nobody to report to


def _pickled(error: BaseException) -> bytes:
    """The pickled exception, or a RuntimeError with its text if it does not survive pickling."""
    try:
        data = pickle.dumps(error)
        pickle.loads(data)
        return data
    except Exception:
        return pickle.dumps(RuntimeError(f"{type(error).__qualname__}: {error}"))
