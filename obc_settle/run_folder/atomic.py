"""Write an output folder all at once: reserved before the run reads anything, written into a
temporary folder beside it, then swapped into place.

A run that cannot write its folder is told so before it reads a byte of its extracts:
`reserve_folder(target, force)` checks the target (O001 exists without `--force`, O002 not a
folder), creates its parent (O002 if it cannot), and takes the folder's lock (O003 if another run
holds it; O002 if the parent cannot be written), and holds the lock until the run ends. Then
`ReservedFolder.write(fill)` writes and swaps. What a reader of the target path can ever see is
the previous complete folder or the new complete folder, never a mix, even if the run is killed at
any instant:

- everything is written into a staging folder `.NAME.partial-*` beside the target;
- a new target appears by one `rename`; an existing one (with `--force`) is exchanged with the
  staging folder in one atomic `renameat2(RENAME_EXCHANGE)` call on Linux (elsewhere two renames,
  with a moment in which the target is absent), and the old contents are then deleted;
- runs into the same target take an exclusive lock (`.NAME.lock` beside it) from the reservation
  to the swap, so two runs cannot interleave; the second is told at once that another run holds it;
- staging folders left behind by a killed run are removed by the next run that takes the lock;
- a reservation given up without writing (the run failed) removes the lock file and the parent
  folders it created, so a failed run leaves nothing behind. The lock file is removed while it is
  held, and a run that locks a file someone has just removed tries again on the new one.
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
from typing import IO

from obc_settle.run_folder.layout import lock_file, retired_prefix, staging_prefix

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


class ReservedFolder:
    """An output folder checked and locked for one run, until `reserve_folder`'s block ends."""

    def __init__(self, target: Path, force: bool):
        self.target = target
        self.force = force
        self.written = False

    def write(self, fill: Callable[[Path], None]) -> None:
        """Call `fill(staging)` to write everything, then put the staging folder at the target."""
        target, parent = self.target, self.target.parent
        check_target(target, self.force)  # the folder may have been made by hand meanwhile
        try:
            staging = Path(tempfile.mkdtemp(prefix=staging_prefix(target), dir=parent))
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
                retired = Path(tempfile.mkdtemp(prefix=retired_prefix(target), dir=parent))
                os.replace(target, retired / target.name)
                os.replace(staging, target)
                shutil.rmtree(retired, ignore_errors=True)
        except OSError as error:
            shutil.rmtree(staging, ignore_errors=True)
            raise OutputFolderError("O002", f"cannot write the output ({error.strerror or error})") from error
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self.written = True


@contextlib.contextmanager
def reserve_folder(target: Path, force: bool) -> Iterator[ReservedFolder]:
    """Check `target`, create its parent and hold its lock for the block (see the module's text)."""
    check_target(target, force)
    created = _make_parents(target.parent)
    reserved = ReservedFolder(target, force)
    try:
        with _exclusive(target) as lock:
            _remove_leftovers(target)
            try:
                yield reserved
            finally:
                if not reserved.written:
                    with contextlib.suppress(OSError):
                        os.unlink(lock.name)  # held: a run that opened it meanwhile tries again
    finally:
        if not reserved.written:
            for folder in created:
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only if still empty


def write_folder_atomically(target: Path, fill: Callable[[Path], None], force: bool) -> None:
    """Reserve `target`, call `fill(staging)` to write everything, and swap it into place."""
    with reserve_folder(target, force) as reserved:
        reserved.write(fill)


def _make_parents(parent: Path) -> list[Path]:
    """Create `parent` and the folders above it that are missing; those created, deepest first."""
    missing = [folder for folder in (parent, *parent.parents) if not folder.exists()]
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputFolderError(
            "O002", f"cannot create the folder {parent} ({error.strerror or error})"
        ) from error
    return missing


@contextlib.contextmanager
def _exclusive(target: Path) -> Iterator[IO[str]]:
    lock_path = lock_file(target)
    while True:
        try:
            handle = lock_path.open("a")
        except OSError as error:
            raise OutputFolderError(
                "O002", f"cannot write in {target.parent} ({error.strerror or error})"
            ) from error
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            handle.close()
            raise OutputFolderError(
                "O003", "another obc-settle run is writing this folder; try again when it ends"
            ) from error
        if _still_at(handle, lock_path):
            break
        handle.close()  # removed by the run that held it, after we opened it: lock the new one
    with handle:
        yield handle


def _still_at(handle: IO[str], path: Path) -> bool:
    """Whether the open file is still the one at `path` (not removed or replaced since)."""
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except OSError:
        return False


def _remove_leftovers(target: Path) -> None:
    """Staging and retired folders of runs that were killed (safe: we hold the lock)."""
    for prefix in (staging_prefix(target), retired_prefix(target)):
        for leftover in target.parent.glob(f"{prefix}*"):
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
