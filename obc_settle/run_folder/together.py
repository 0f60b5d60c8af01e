"""Write several files as one: all of them, or none.

`template --per-provider` writes one workbook per provider and `extracts convert` one Parquet file
per source; a failure at the fifth (a full disk, a cell polars cannot read) used to leave the four
before it in place, complete but a set that nobody asked for. Here each file is written to a
staging file beside its target (`.NAME.*.partial`), and only when every one is written are they
renamed into place, in one step that a signal does not cut (`interrupts.deferred`). On any
failure the staging files, and the folders made for them, are removed, so the targets are as
they were.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from obc_settle import interrupts

Written = TypeVar("Written")


def write_together(targets: Sequence[Path], write: Callable[[Path, int], Written]) -> list[Written]:
    """Call `write(staging, index)` for each target, then move every staging file into place.

    Returns what each `write` returned, in order. A file is readable by all (0644), as a file
    written with `open` is, since returns and extracts are sent on."""
    made_folders: list[Path] = []
    staged: list[tuple[Path, Path]] = []
    token = interrupts.leftover(lambda: _discard(staged, made_folders))
    try:
        results = []
        for index, target in enumerate(targets):
            made_folders += [
                folder for folder in (target.parent, *target.parent.parents) if not folder.exists()
            ]
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
            os.close(handle)
            staged.append((Path(name), target))
            results.append(write(Path(name), index))
            os.chmod(name, 0o644)
        with interrupts.deferred():
            for staging, target in staged:
                os.replace(staging, target)
            staged.clear()
            made_folders.clear()
        return results
    finally:
        _discard(staged, made_folders)
        interrupts.made(token)


def _discard(staged: list[tuple[Path, Path]], made_folders: list[Path]) -> None:
    for staging, _ in staged:
        staging.unlink(missing_ok=True)
    for folder in sorted(set(made_folders), key=lambda path: len(path.parts), reverse=True):
        with contextlib.suppress(OSError):  # not empty (another target's file) or gone: leave it
            folder.rmdir()
