"""Which files `--data` names: one Parquet file, a folder of them, or a glob; and the hive
partition values (`period=2025-10/`) of the folders each file sits in.

- A file is read as given, whatever its name.
- A folder: every file whose name ends in `.parquet` anywhere below it.
- A glob (a path with `*`, `?` or `[`): every file it matches (`**` matches any depth), below the
  folder that is its part before the first wildcard (its *root*).

Files come back in sorted path order, so listing order never matters. Folders between the root
and a file that are named `column=value` are hive partitions: for a key column (`provider_id`,
`indicator_id`, `period`) that a file does not have itself, the value supplies it for every row
(the value is URL-unquoted, as hive writers escape it). Other partition names (`year=2025`) only
organise the files. Nothing here opens a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from obc_settle.errors import Diagnostic, Location

GLOB_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True)
class SourceFile:
    path: Path
    relative: str
    """The path below the data root, with `/` (for a single file: its name)."""
    partitions: dict[str, str] = field(default_factory=dict)
    """Hive partition values from the folders between the data root and the file, outermost first."""


def is_glob(data_path: Path | str) -> bool:
    return any(character in GLOB_CHARACTERS for character in str(data_path))


def data_root(data_path: Path) -> Path:
    """The folder the files are found below: a folder itself, a glob's part before its first
    wildcard, or a single file's folder."""
    if is_glob(data_path):
        parts = Path(data_path).parts
        fixed = [part for part in _until_wildcard(parts)]
        return Path(*fixed) if fixed else Path(".")
    return data_path if data_path.is_dir() else data_path.parent


def _until_wildcard(parts: tuple[str, ...]) -> list[str]:
    fixed = []
    for part in parts:
        if is_glob(part):
            break
        fixed.append(part)
    return fixed


def discover(data_path: Path) -> tuple[list[SourceFile], list[Diagnostic]]:
    """The extract files `data_path` names, in sorted order, or D001/D011 findings."""
    shown = str(data_path)
    if is_glob(data_path):
        root = data_root(data_path)
        pattern = Path(*Path(data_path).parts[len(_until_wildcard(Path(data_path).parts)) :]).as_posix()
        if not root.is_dir():
            return [], [Diagnostic("D001", "no such folder (the part of the pattern before its first wildcard)", Location(shown))]
        paths = sorted(path for path in root.glob(pattern) if path.is_file())
        if not paths:
            return [], [Diagnostic("D011", "no files match the pattern", Location(shown))]
        return [_source(path, root) for path in paths], []
    if not data_path.exists():
        return [], [Diagnostic("D001", "no such file or folder", Location(shown))]
    if data_path.is_file():
        return [SourceFile(data_path, data_path.name)], []
    paths = sorted(path for path in data_path.rglob("*.parquet") if path.is_file())
    if not paths:
        return [], [Diagnostic("D011", "no .parquet files found", Location(shown))]
    return [_source(path, data_path) for path in paths], []


def _source(path: Path, root: Path) -> SourceFile:
    relative = path.relative_to(root)
    partitions = {}
    for folder in relative.parts[:-1]:
        name, equals, value = folder.partition("=")
        if equals and name:
            partitions[unquote(name)] = unquote(value)
    return SourceFile(path, relative.as_posix(), partitions)
