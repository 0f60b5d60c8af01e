"""Write an output folder all at once: into a temporary folder beside it, then moved into place.

A run that is killed or fails part-way leaves the previous complete folder (or none), never a
mix. An existing folder is replaced only when the caller says so (`--force`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


class OutputFolderError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def check_target(target: Path, force: bool) -> None:
    if target.exists() and not force:
        raise OutputFolderError("O001", f"{target}: output folder exists; use --force to replace it")
    if target.exists() and not target.is_dir():
        raise OutputFolderError("O002", f"{target}: exists and is not a folder")


def write_folder_atomically(target: Path, fill: Callable[[Path], None], force: bool) -> None:
    """Call `fill(staging)` to write everything, then swap the staging folder into `target`."""
    check_target(target, force)
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=parent))
    except OSError as error:
        raise OutputFolderError("O002", f"{parent}: cannot create the output folder ({error.strerror or error})") from error
    try:
        fill(staging)
        os.chmod(staging, 0o755)
        if target.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=parent))
            os.replace(target, retired / target.name)
            os.replace(staging, target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, target)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputFolderError("O002", f"{target}: cannot write the output ({error.strerror or error})") from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
