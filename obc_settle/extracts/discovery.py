"""Which files `--data` names: one Parquet file, a folder of them, or a glob; and the hive
partition values (`period=2025-10/`) of the folders each file sits in.

- A file is read as given, whatever its name.
- A folder: every extract file anywhere below it: `.parquet`, `.csv`, `.tsv` (also gzipped) and
  `.xlsx` (not Excel's `~$` lock files, not hidden files).
- A glob (a path with `*`, `?` or `[`): every file it matches (`**` matches any depth), below the
  folder that is its part before the first wildcard (its *root*).

Files come back in sorted path order, so listing order never matters. Folders in a file's path as
found (the `--data` path and the folders below it) that are named `column=value` are hive
partitions: for a key column (`provider_id`, `indicator_id`, `period`) that a file does not have
itself, the value supplies it for every row (the value is URL-unquoted, as hive writers escape
it; of two folders naming one column, the inner wins). Other partition names (`year=2025`) only
organise the files. Nothing here opens a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from obc_settle.errors import Diagnostic, Location
from obc_settle.extracts.schema import KEY_COLUMNS

GLOB_CHARACTERS = frozenset("*?[")
EXTRACT_SUFFIXES = (".parquet", ".csv", ".tsv", ".csv.gz", ".tsv.gz", ".xlsx")
"""The files a `--data` folder is searched for (a file named directly is read whatever its name)."""


@dataclass(frozen=True)
class SourceFile:
    path: Path
    relative: str
    """The path below the data root, with `/` (a single file: its name), after any key partition
    folders of the root itself (`--data records/period=2025-10`: `period=2025-10/part-0.parquet`)."""
    partitions: dict[str, str] = field(default_factory=dict)
    """Hive partition values from the `column=value` folders of the file's path."""


def is_glob(path: Path | str) -> bool:
    return any(character in GLOB_CHARACTERS for character in str(path))


def data_root(data_path: Path) -> Path:
    """The folder the files are found below: a folder itself, a glob's part before its first
    wildcard, or a single file's folder."""
    if is_glob(data_path):
        fixed = _until_wildcard(data_path.parts)
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
        pattern = "/".join(data_path.parts[len(_until_wildcard(data_path.parts)) :])
        if not root.is_dir():
            return [], [
                Diagnostic(
                    "D001",
                    "no such folder (the part of the pattern before its first wildcard)",
                    Location(shown),
                )
            ]
        paths = sorted(path for path in root.glob(pattern) if path.is_file())
        if not paths:
            return [], [Diagnostic("D011", "no files match the pattern", Location(shown))]
        return [_source(path, root) for path in paths], []
    if not data_path.exists():
        return [], [Diagnostic("D001", "no such file or folder", Location(shown))]
    if data_path.is_file():
        return [_source(data_path, data_path.parent)], []
    paths = sorted(path for path in data_path.rglob("*") if path.is_file() and is_extract_file(path))
    if not paths:
        message = f"no extract files found ({', '.join(EXTRACT_SUFFIXES)})"
        return [], [Diagnostic("D011", message, Location(shown))]
    return [_source(path, data_path) for path in paths], []


def is_extract_file(path: Path) -> bool:
    """Whether a file found in a `--data` folder is an extract: by its name, not Excel's lock files
    (`~$returns.xlsx`) or hidden files."""
    name = path.name.lower()
    if name.startswith(("~$", ".")):
        return False
    return any(name.endswith(suffix) for suffix in EXTRACT_SUFFIXES)


def _source(path: Path, root: Path) -> SourceFile:
    return SourceFile(path, _relative(path, root), partitions_of(path))


def _relative(path: Path, root: Path) -> str:
    """The path below the root, after the key partitions (`period=2025-10`) of the root's own
    path: a copy of the file at this relative path keeps every value its folders supplied."""
    above = [folder for folder in root.parts if folder.partition("=")[0] in KEY_COLUMNS and "=" in folder]
    return "/".join([*above, path.relative_to(root).as_posix()])


def partitions_of(path: Path) -> dict[str, str]:
    """`column=value` folder names in a file's path as found (an inner folder wins)."""
    partitions = {}
    for folder in path.parts[:-1]:
        name, equals, value = folder.partition("=")
        if equals and name:
            partitions[unquote(name)] = unquote(value)
    return partitions
