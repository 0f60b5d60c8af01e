"""The program's entry point (`obc-settle`, `python -m obc_settle`): Ctrl-C and SIGTERM at any moment.

A signal can come at any moment, from the first import to the last byte written, and always gets
one line on standard error ("interrupted", "terminated") and exit status 130 (SIGINT) or 143
(SIGTERM), never a traceback:

- While the command line is imported (typer, rich, pydantic: a few tenths of a second), nothing
  has been written, so the process leaves at once (`os._exit`).
- Then the signal raises `Interrupted` in the main thread, which unwinds through every cleanup
  (obc_settle.interrupts); a second signal meanwhile is ignored, so the cleanup finishes.
- Once the command has ended, signals are ignored while the process exits (left to Python, a
  signal during the interpreter's shutdown would kill it with no message and no exit status).

A signal ignored when obc-settle is started (`nohup`, a background job of a script) stays
ignored. Before the first line of this module runs, the interpreter itself is starting (about
15 ms): a signal then has Python's own behaviour. This module imports nothing heavy, so that
`--help` stays quick and that window stays short; `import obc_settle` installs no handler.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from types import FrameType

from obc_settle import interrupts


def _leave_at_once(signum: int, frame: FrameType | None) -> None:
    """While importing: nothing has been written, so there is nothing to clean up."""
    os.write(2, f"{interrupts.message(signum)}\n".encode())
    os._exit(128 + signum)


def leave(status: int) -> None:
    """Exit with `status` at once, without the interpreter's shutdown (replaced in tests)."""
    os._exit(status)


def main() -> None:
    """`obc-settle`: the command line, with the signal handling above around it."""
    handled = [signum for signum in interrupts.SIGNALS if signal.getsignal(signum) is not signal.SIG_IGN]
    for signum in handled:
        signal.signal(signum, _leave_at_once)
    from obc_settle.cli import main as command_line  # after the handlers: it takes a while

    interrupts.install(handled)
    try:
        command_line()
    except interrupts.Interrupted as interrupted:
        # Every cleanup has run. Leave now rather than through the interpreter's shutdown, where
        # a background import (obc_settle.app.import_ahead) cut short could print a traceback.
        interrupts.end()
        interrupts.remove_leftovers()
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        if not interrupts.announced():  # a real signal was announced as it came (interrupts.handle)
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.write(f"{interrupted}\n")
                sys.stderr.flush()
        leave(interrupted.exit_status)
    finally:
        # Python restores the default handlers while it shuts down, but leaves ignored ones ignored.
        interrupts.end()
        for signum in handled:
            signal.signal(signum, signal.SIG_IGN)
