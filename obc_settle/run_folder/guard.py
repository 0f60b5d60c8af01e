"""Which folder a run may write: never one that would destroy or corrupt what the user has.

`--force` replaces the whole output folder, and a folder written inside an input becomes an input
of the next run, so before anything is read the target is refused (exit status 5) when it:

- is a symbolic link (O008): replacing it would replace the link, not the folder it names, so
  the user is asked to give that folder instead (symbolic links among its parents are fine:
  every path here is compared by its real path, `os.path.realpath`);
- is, is inside, or contains an input of the command (O005): the contract, every `--data` path
  (a glob by its part before the first wildcard), `--paid` folders, `--payments`, `--claims`,
  scenario and draft files;
- is inside another run's folder, or contains one (O006): a folder whose `manifest.json` is an
  obc-settle run manifest. The target itself may be a run folder: that is what `--force` replaces;
- exists, `--force` is given, and it is neither empty nor a complete run folder (O007): one whose
  manifest lists every file in it. Anything else may hold the user's own files, which
  `--force` would delete: they must remove it by hand or choose another folder.

The older refusals stay as they were: O002 a path that is not a folder, O001 an existing folder
without `--force`. `refusals` returns every problem found, as (code, message) pairs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from obc_settle.run_folder.layout import MANIFEST, SIGNATURE

GLOB_CHARACTERS = "*?["
BELOW_LIMIT = 20_000
"""Folders looked through for a run folder below a target `--force` would replace, at most."""

APART = "choose an output folder apart from the inputs"


def refusals(target: Path, force: bool, protected: Sequence[Path] = ()) -> list[tuple[str, str]]:
    """Why `target` may not be written (with `--force` if `force`): (code, message) pairs."""
    found: list[tuple[str, str]] = []
    if target.is_symlink():
        found.append(
            ("O008", f"is a symbolic link to {os.readlink(target)}: give that folder as --out instead")
        )
    real = Path(os.path.realpath(target))
    for path in dict.fromkeys(protected):
        found.extend(_clash(real, path))
    around = _run_folder_around(real)
    if around is not None:
        shown = next((given for given in target.parents if os.path.realpath(given) == str(around)), around)
        found.append(("O006", f"is inside the run folder {shown}: choose a folder outside every run folder"))
    if found or not target.exists():
        return found
    if not target.is_dir():
        return [("O002", "exists and is not a folder")]
    if not force:
        return [("O001", "output folder exists; use --force to replace it")]
    if _is_empty(target) or is_complete_run_folder(target):
        return []
    below = run_folders_below(target)
    if below:
        more = f" (and {len(below) - 1} more)" if len(below) > 1 else ""
        return [
            (
                "O006",
                f"contains the run folder {below[0]}{more}: --force would delete it; choose another folder",
            )
        ]
    return [
        (
            "O007",
            "exists and is neither empty nor an obc-settle run folder (a manifest.json listing every "
            "file in it): --force replaces only those; remove it by hand or choose another folder",
        )
    ]


def is_run_manifest(path: Path) -> bool:
    """Whether `path` is the `manifest.json` of an obc-settle run folder."""
    return _listed_outputs(path) is not None


def is_complete_run_folder(folder: Path) -> bool:
    """A run folder whose manifest lists every file in it (but itself and its signature):
    replacing it loses nothing of the user's."""
    listed = _listed_outputs(folder / MANIFEST)
    return listed is not None and set(_entries(folder)) <= listed | {MANIFEST, SIGNATURE}


def run_folders_below(folder: Path) -> list[Path]:
    """The run folders strictly below `folder` (not below each other), looking through a bounded
    number of folders; symbolic links are not followed."""
    found: list[Path] = []
    for count, (where, folders, files) in enumerate(os.walk(folder)):
        if count >= BELOW_LIMIT:
            break
        if where != str(folder) and MANIFEST in files and is_run_manifest(Path(where, MANIFEST)):
            found.append(Path(where))
            folders.clear()
        folders.sort()
    return found


def _clash(real: Path, given: Path) -> list[tuple[str, str]]:
    """The target (its real path) against one input, as given on the command line."""
    source = Path(os.path.realpath(_fixed_part(given)))
    if real == source:
        return [("O005", f"is the input {given}: {APART}")]
    if real.is_relative_to(source):
        return [("O005", f"is inside the input {given}: {APART}")]
    if source.is_relative_to(real):
        return [("O005", f"contains the input {given}: --force would delete it; {APART}")]
    return []


def _fixed_part(path: Path) -> Path:
    """A glob's folder before its first wildcard (`records/**/*.parquet`: `records`); else the path."""
    fixed: list[str] = []
    for part in path.parts:
        if any(character in part for character in GLOB_CHARACTERS):
            return Path(*fixed) if fixed else Path(".")
        fixed.append(part)
    return path


def _run_folder_around(real: Path) -> Path | None:
    """The nearest folder above `real` (not `real` itself) that is a run folder."""
    for folder in real.parents:
        if is_run_manifest(folder / MANIFEST):
            return folder
    return None


def _listed_outputs(manifest: Path) -> set[str] | None:
    """The paths a run manifest lists as its outputs, or None if `manifest` is not one."""
    try:
        if not manifest.is_file():
            return None
        document = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or not isinstance(document.get("run_id"), str):
        return None
    outputs = document.get("outputs")
    if not isinstance(document.get("schema_version"), int) or not isinstance(outputs, list):
        return None
    return {str(item["path"]) for item in outputs if isinstance(item, dict) and "path" in item}


def _entries(folder: Path) -> list[str]:
    """Every file, symbolic link or other non-folder below `folder`, by its path in it, with `/`."""
    entries = []
    for where, folders, files in os.walk(folder):
        base = Path(where)
        links = [name for name in folders if (base / name).is_symlink()]
        for name in (*files, *links):
            entries.append((base / name).relative_to(folder).as_posix())
    return entries


def _is_empty(folder: Path) -> bool:
    return next(folder.iterdir(), None) is None
