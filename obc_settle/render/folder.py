"""Write an output folder all at once: into a temporary folder beside it, then swapped into place.

What a reader of the target path can ever see is the previous complete folder or the new complete
folder, never a mix, even if the run is killed at any instant:

- everything is written into a staging folder `.NAME.partial-*` beside the target;
- a new target appears by one `rename`; an existing one (with `--force`) is exchanged with the
  staging folder in one atomic `renameat2(RENAME_EXCHANGE)` call on Linux (elsewhere two renames,
  with a moment in which the target is absent), and the old contents are then deleted;
- runs into the same target take an exclusive lock (`.NAME.lock` beside it) for the write and
  swap, so two runs cannot interleave; the loser is told another run holds it;
- staging folders left behind by a killed run are removed by the next run that takes the lock.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class OutputFolderError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def check_target(target: Path, force: bool) -> None:
    if target.exists() and not target.is_dir():
        raise OutputFolderError("O002", "exists and is not a folder")
    if target.exists() and not force:
        raise OutputFolderError("O001", "output folder exists; use --force to replace it")


@contextlib.contextmanager
def _exclusive(target: Path) -> Iterator[None]:
    lock_path = target.parent / f".{target.name}.lock"
    try:
        handle = lock_path.open("a")
    except OSError as error:
        raise OutputFolderError(
            "O002", f"cannot write in {target.parent} ({error.strerror or error})"
        ) from error
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise OutputFolderError(
                "O003", "another obc-settle run is writing this folder; try again when it ends"
            ) from error
        yield


def _remove_leftovers(target: Path) -> None:
    """Staging and retired folders of runs that were killed (safe: we hold the lock)."""
    for pattern in (f".{target.name}.partial-*", f".{target.name}.old-*"):
        for leftover in target.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _sync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())


def write_folder_atomically(target: Path, fill: Callable[[Path], None], force: bool) -> None:
    """Call `fill(staging)` to write everything, then put the staging folder at `target`."""
    check_target(target, force)
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputFolderError(
            "O002", f"cannot create the folder {parent} ({error.strerror or error})"
        ) from error
    with _exclusive(target):
        check_target(target, force)  # another run may have finished while we computed
        _remove_leftovers(target)
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=parent))
        except OSError as error:
            raise OutputFolderError(
                "O002", f"cannot write in {parent} ({error.strerror or error})"
            ) from error
        try:
            fill(staging)
            _sync_tree(staging)
            os.chmod(staging, 0o755)
            if not target.exists():
                os.replace(staging, target)
            elif _exchange(staging, target):
                shutil.rmtree(staging, ignore_errors=True)
            else:
                retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=parent))
                os.replace(target, retired / target.name)
                os.replace(staging, target)
                shutil.rmtree(retired, ignore_errors=True)
        except OSError as error:
            shutil.rmtree(staging, ignore_errors=True)
            raise OutputFolderError("O002", f"cannot write the output ({error.strerror or error})") from error
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
