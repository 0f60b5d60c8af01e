"""Write an output folder all at once: reserved before the run reads anything, written into a
temporary folder beside it, then swapped into place.

A run that cannot write its folder is told so before it reads a byte of its extracts:
`reserve_folder(target, force, protected)` checks the target (O001 exists without `--force`, O002
not a folder; and, so that `--force` never deletes or corrupts what the user has, O005 to O008:
obc_settle.run_folder.guard), creates its parent (O002 if it cannot), and takes the folder's lock
(O003 if another run holds it; O002 if the parent cannot be written), and holds the lock until
the run ends. Then
`ReservedFolder.write(fill)` writes and swaps. What a reader of the target path can ever see is
the previous complete folder or the new complete folder, never a mix, even if the run is killed at
any instant:

- everything is written into a staging folder `.NAME.partial-*` beside the target;
- a new target appears by one `rename`; an existing one (with `--force`) is exchanged with the
  staging folder in one atomic `renameat2(RENAME_EXCHANGE)` call on Linux (elsewhere two renames,
  with a moment in which the target is absent), and the old contents are then deleted;
- runs into the same target take an exclusive lock (`.NAME.lock` beside it) from the reservation
  to the swap, so two runs cannot interleave; the second is told at once that another run holds it;
- what a killed run left beside the target (staging and retired folders, and a staging name
  that the exchange left pointing somewhere: file, folder or symbolic link) is removed by the
  next run that takes the lock, and its lock file by the end of that run;
- every run removes its lock file when it ends, written or not, and a reservation given up
  without writing (the run failed) also removes the parent folders it created, so a run leaves
  nothing beside its folder. The lock file is removed while it is held, and a run that locks a
  file someone has just removed tries again on the new one.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO

from obc_settle import interrupts
from obc_settle.run_folder.guard import refusals
from obc_settle.run_folder.layout import lock_file, retired_prefix, staging_prefix

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class OutputFolderError(Exception):
    """The output folder cannot be written: `code` and the message, then any further `problems`."""

    def __init__(self, code: str, message: str, more: Sequence[tuple[str, str]] = ()):
        super().__init__(message)
        self.code = code
        self.problems = [(code, message), *more]


def check_target(target: Path, force: bool, protected: Sequence[Path] = ()) -> None:
    """Raise `OutputFolderError` with every reason `target` may not be written (guard.refusals)."""
    found = refusals(target, force, protected)
    if found:
        (code, message), *more = found
        raise OutputFolderError(code, message, more)


class ReservedFolder:
    """An output folder checked and locked for one run, until `reserve_folder`'s block ends."""

    def __init__(self, target: Path, force: bool, protected: Sequence[Path] = ()):
        self.target = target
        self.force = force
        self.protected = tuple(protected)
        self.written = False

    def write(self, fill: Callable[[Path], None]) -> None:
        """Call `fill(staging)` to write everything, then put the staging folder at the target."""
        target, parent = self.target, self.target.parent
        check_target(target, self.force, self.protected)  # it may have been made by hand meanwhile
        made: list[Path] = []
        try:
            with interrupts.deferred():  # a signal now would leave a staging folder nobody knows of
                made.append(Path(tempfile.mkdtemp(prefix=staging_prefix(target), dir=parent)))
                noted = interrupts.leftover(lambda: _remove(made[0]))
        except OSError as error:
            raise OutputFolderError(
                "O002", f"cannot write in {parent} ({error.strerror or error})"
            ) from error
        except BaseException:
            for folder in made:  # created, then the signal raised as the block ended
                _remove(folder)
            raise
        staging = made[0]
        try:
            fill(staging)
            _sync_tree(staging)
            os.chmod(staging, 0o755)
            if not target.exists():
                os.replace(staging, target)
            elif _exchange(staging, target):
                _remove(staging)  # now the old folder
            else:
                retired = Path(tempfile.mkdtemp(prefix=retired_prefix(target), dir=parent))
                os.replace(target, retired / target.name)
                os.replace(staging, target)
                shutil.rmtree(retired, ignore_errors=True)
            interrupts.made(noted)  # in place: nothing to remove any more
        except OSError as error:
            with interrupts.deferred():
                _remove(staging)
                interrupts.made(noted)
            raise OutputFolderError("O002", f"cannot write the output ({error.strerror or error})") from error
        except BaseException:
            with interrupts.deferred():
                _remove(staging)
                interrupts.made(noted)
            raise
        self.written = True


@contextlib.contextmanager
def reserve_folder(target: Path, force: bool, protected: Sequence[Path] = ()) -> Iterator[ReservedFolder]:
    """Check `target` (against the inputs `protected` too), create its parent and hold its lock
    for the block (see the module's text)."""
    check_target(target, force, protected)
    created = _make_parents(target.parent)
    reserved = ReservedFolder(target, force, protected)
    try:
        with _exclusive(target):
            _remove_leftovers(target)
            yield reserved
    finally:
        if not reserved.written:
            for folder in created:
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only if still empty


def write_folder_atomically(
    target: Path, fill: Callable[[Path], None], force: bool, protected: Sequence[Path] = ()
) -> None:
    """Reserve `target`, call `fill(staging)` to write everything, and swap it into place."""
    with reserve_folder(target, force, protected) as reserved:
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
    """The folder's lock, held for the block and removed (while still held) when it ends. Taking
    it is one step a signal waits for (obc_settle.interrupts.deferred): a lock file created and
    then left behind by an interrupt would be a leftover."""
    held: list[IO[str]] = []
    try:
        with interrupts.deferred():
            held.append(_take_lock(target))
            noted = interrupts.leftover(lambda: os.unlink(held[0].name))
        yield held[0]
    finally:
        for handle in held:
            with interrupts.deferred(), contextlib.suppress(OSError):
                os.unlink(handle.name)  # held: a run that opened it meanwhile tries again
            interrupts.made(noted)
            handle.close()


def _take_lock(target: Path) -> IO[str]:
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
            return handle
        handle.close()  # removed by the run that held it, after we opened it: lock the new one


def _still_at(handle: IO[str], path: Path) -> bool:
    """Whether the open file is still the one at `path` (not removed or replaced since)."""
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except OSError:
        return False


def _remove_leftovers(target: Path) -> None:
    """What runs that were killed left beside the target (safe: we hold the lock): staging and
    retired folders, or a staging name the exchange left as a file or a symbolic link (removed
    as a link, never followed)."""
    prefixes = (staging_prefix(target), retired_prefix(target))
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            if entry.name.startswith(prefixes):
                _remove(Path(entry.path))


def _remove(path: Path) -> None:
    if path.is_symlink() or not path.is_dir():
        with contextlib.suppress(OSError):
            path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


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
