"""The command line: parse options, call one use case, render, exit with a documented status.

Exit statuses: 0 success; 1 invalid contract; 2 usage error; 3 invalid data; 4 verification
mismatch; 5 output cannot be written; 6 the runs compared differ; 70 internal error; 130 or
143 interrupted by SIGINT or SIGTERM (obc_settle.entry, obc_settle.interrupts).

Each command module registers its commands on the one typer `app` (cli.base); importing them
here makes them part of `obc-settle`.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

from obc_settle.cli import (
    audit,  # noqa: F401  (registers verify, explain, diff)
    check,  # noqa: F401  (registers check)
    contract,  # noqa: F401  (registers contract show)
    returns,  # noqa: F401  (registers template)
    settlement,  # noqa: F401  (registers validate, run, schema)
    trust,  # noqa: F401  (registers keys new, register check)
    whatif,  # noqa: F401  (registers estimate, simulate)
)

# isort: split
# Imported last: commands are listed in `--help` in the order they are registered.
from obc_settle import interrupts
from obc_settle.cli import init  # noqa: F401  (registers init)
from obc_settle.cli.base import app
from obc_settle.errors import ExitCode

__all__ = ["app", "main"]


def main() -> None:
    """The command line: no tracebacks for users; internal errors get exit status 70.

    Run through obc_settle.entry, which handles SIGINT and SIGTERM (130, 143) around it.
    """
    # Read Parquet two row groups ahead rather than Polars' default: peak memory on a 50-million-row
    # record-level extract falls from about 610 to 440 MiB at the same speed (benchmarks/results.md).
    os.environ.setdefault("POLARS_ROW_GROUP_PREFETCH_SIZE", "2")
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except Exception as error:
        interrupts.raise_if_interrupted(error)  # what a C extension made of an interrupt
        _internal_error(error, str(error))
    except BaseException as error:
        if not _is_panic(error):
            raise  # obc_settle.interrupts.Interrupted: handled by obc_settle.entry
        interrupts.raise_if_interrupted(error)
        # A panic's text can run over lines (Rust's message and a backtrace): one line here.
        _internal_error(error, " ".join(str(error).split()))


def _is_panic(error: BaseException) -> bool:
    """A panic in Polars' or Arrow's Rust code: a `PanicException` (pyo3's, or another binding's
    of the same name), which derives from BaseException so that `except Exception` misses it."""
    return any(kind.__name__ == "PanicException" for kind in type(error).__mro__)


def _internal_error(error: BaseException, text: str) -> NoReturn:
    if os.environ.get("OBC_SETTLE_DEBUG"):
        raise error
    sys.stderr.write(
        f"internal error: {type(error).__name__}: {text}\n(set OBC_SETTLE_DEBUG=1 for a traceback)\n"
    )
    sys.exit(ExitCode.INTERNAL_ERROR)
