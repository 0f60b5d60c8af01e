"""SIGINT and SIGTERM as an exception that unwinds the program through every cleanup.

obc_settle.entry installs `handle` once the command line is imported. The first signal raises
`Interrupted` in the main thread: the run folder's staging folder and lock
(obc_settle/run_folder/atomic.py) and the render workers (obc_settle/run_folder/workers.py) are
cleaned up by the `finally` blocks and context managers it unwinds through. `Interrupted` is
neither a KeyboardInterrupt (click would turn it into a silent exit 130, whatever the signal) nor
an Exception (`except Exception` is for errors), so nothing on the way catches it. Later signals
are ignored, so that the cleanup finishes.

Some C extensions turn an exception raised inside them into an error of their own (reportlab's
accelerator gives `RuntimeError: unexpected exception in unicode2T1`): the command line asks
`raise_if_interrupted` before it calls an error a bug.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from types import FrameType
from typing import Any, ClassVar

SIGNALS = (signal.SIGINT, signal.SIGTERM)
MESSAGES: dict[int, str] = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}


class Interrupted(BaseException):
    """Raised in the main thread by SIGINT or SIGTERM; the process then exits 128 + the signal."""

    def __init__(self, signum: object) -> None:
        # Some libraries re-raise an exception as `type(error)(message)`: keep the signal's number.
        number = signum if isinstance(signum, int) else (_State.received or signal.SIGINT)
        super().__init__(number)
        self.signum = number

    def __str__(self) -> str:
        return message(self.signum)

    @property
    def exit_status(self) -> int:
        return 128 + self.signum


def message(signum: int) -> str:
    """The one line printed for a signal."""
    return MESSAGES.get(signum, "interrupted")


class _State:
    received: int | None = None
    """The first signal received since `install`."""
    ended = False
    """The command has ended: a signal would only interrupt the exit."""
    deferring = 0
    """Inside this many `deferred()` blocks: a signal is raised when the outermost one ends."""
    pending = False
    """A signal came inside a `deferred()` block and has not been raised yet."""
    raised = False
    """An `Interrupted` is unwinding the command now: no second one may cut its cleanup short."""
    announced = False
    """The one line for the signal has been printed (`announce`)."""
    leftovers: ClassVar[dict[int, Callable[[], object]]] = {}
    """What to remove if the command is interrupted before it can (`leftover`)."""
    unraisablehook: Callable[[Any], object] = sys.__unraisablehook__
    """The hook `_lost` passes every other unraisable exception to."""


def install(signals: Iterable[int]) -> None:
    """Handle `signals` with `handle` from now on."""
    _State.received, _State.ended, _State.pending, _State.raised = None, False, False, False
    _State.announced = False
    for signum in signals:
        signal.signal(signum, handle)
    if sys.unraisablehook is not _lost:
        _State.unraisablehook = sys.unraisablehook
        sys.unraisablehook = _lost


def _lost(unraisable: Any) -> None:
    """`Interrupted` raised where Python cannot pass it on (a callback from C code, such as a
    string conversion in an extension) is reported as 'Exception ignored' and dropped: instead,
    say nothing and raise it again a moment later, where it can unwind the command."""
    error = unraisable.exc_value
    if not isinstance(error, Interrupted):
        _State.unraisablehook(unraisable)
        return
    if not _State.ended:
        _State.raised = False  # dropped, not unwinding: raise it again
        signal.signal(signal.SIGALRM, lambda _, later: _raise_outside_import(error.signum, later))
        signal.setitimer(signal.ITIMER_REAL, 0.002)


def handle(signum: int, frame: FrameType | None) -> None:
    if _State.received is not None or _State.ended:
        return  # already unwinding (let the cleanup finish), or exiting
    _State.received = signum
    announce(signum)
    if _State.deferring:
        _State.pending = True  # raised when the step that must not be cut in two is done
        return
    _raise_outside_import(signum, frame)


def announce(signum: int) -> None:
    """Print the one line for a signal, once, straight to the standard error's file descriptor:
    whatever way the command then ends, the user has been told why."""
    if _State.announced:
        return
    _State.announced = True
    with contextlib.suppress(OSError):
        os.write(2, f"{message(signum)}\n".encode())


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A step that must not be cut in two (create a staging folder and note its name; remove a
    lock): a signal that comes meanwhile is raised as `Interrupted` as soon as the block ends."""
    _State.deferring += 1
    try:
        yield
    finally:
        _State.deferring -= 1
    if not _State.deferring and _State.pending and _State.received is not None:
        _State.pending = False
        _raise(_State.received)


def _raise_outside_import(signum: int, frame: FrameType | None) -> None:
    """Raise `Interrupted`, unless the main thread is in the import machinery itself: an exception
    there can leave a module's import lock held, and the next import of it (the renderers are
    imported on a thread meanwhile, obc_settle.app.import_ahead) waits for ever. Then try again in
    a few milliseconds (SIGALRM, which nothing else uses): a module's own code is fine."""
    if _State.ended:
        return
    if frame is not None and frame.f_code.co_filename.startswith("<frozen importlib"):
        signal.signal(signal.SIGALRM, lambda _, later: _raise_outside_import(signum, later))
        signal.setitimer(signal.ITIMER_REAL, 0.002)
        return
    _raise(signum)


def _raise(signum: int) -> None:
    """Raise `Interrupted` once: not inside a `deferred()` step (it waits for its end), not while
    one is already unwinding the command (a second would cut its cleanup short), not once ended."""
    if _State.ended or _State.raised:
        return
    if _State.deferring:
        _State.pending = True
        return
    _State.raised = True
    raise Interrupted(signum)


def leftover(remove: Callable[[], object]) -> int:
    """Note something made on disk (a staging folder, a lock file) that `remove` removes; `made`
    forgets it once the command has dealt with it. Whatever is still noted when an interrupt has
    unwound the command is removed by `remove_leftovers`: a last line of defence."""
    token = len(_State.leftovers) + 1
    while token in _State.leftovers:
        token += 1
    _State.leftovers[token] = remove
    return token


def made(token: int) -> None:
    _State.leftovers.pop(token, None)


def remove_leftovers() -> None:
    """Remove what an interrupted command left noted (see `leftover`); errors are ignored."""
    for token in sorted(_State.leftovers, reverse=True):
        with contextlib.suppress(Exception):
            _State.leftovers.pop(token)()


def announced() -> bool:
    """Whether the line for the signal has been printed already."""
    return _State.announced


def end() -> None:
    """The command has ended (finished, failed or interrupted): signals are ignored from now on."""
    _State.ended = True


def raise_if_interrupted(error: BaseException) -> None:
    """If a signal has been received, `error` is what became of its `Interrupted`: raise that."""
    if _State.received is not None:
        raise Interrupted(_State.received) from error
