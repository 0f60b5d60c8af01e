"""`obc-settle extracts convert`: CSV and Excel extracts (through their mapping) as schema-shaped
Parquet, for whoever keeps a Parquet archive.

The same reading as a run (obc_settle.extracts.sources): strict types, every bad cell located,
the mapping applied; a file with an error is not converted, and nothing is written unless every
file converts. Each Parquet file is written beside its final name and renamed into place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from obc_settle.errors import Diagnostic, ExitCode, Location, SettlementError, has_errors
from obc_settle.extracts.discovery import data_root, discover
from obc_settle.extracts.mapping import MAPPING_FILE_NAME, MappingInUse, load_mapping
from obc_settle.extracts.sources import mapping_for, open_source, source_format
from obc_settle.run_folder.together import write_together


@dataclass(frozen=True)
class Converted:
    source: Path
    target: Path
    rows: int


def convert_extracts(
    inputs: list[Path], out: Path, mapping: Path | None, force: bool
) -> tuple[list[Converted], list[Diagnostic]]:
    """Convert every extract file `inputs` name (files, folders, globs) into `out`; the warnings."""
    findings: list[Diagnostic] = []
    planned = []
    for given in inputs:
        sources, found = discover(given)
        findings += found
        used = _mapping(mapping, given, findings)
        for source in sources:
            if source_format(source.path) == "parquet":
                continue  # already Parquet: nothing to convert
            planned.append((source, used, out / (source.relative or source.path.name)))
    if not planned and not has_errors(findings):
        findings.append(
            Diagnostic("D011", "no CSV or Excel files to convert", Location(" ".join(map(str, inputs))))
        )
    frames = []
    for source, used, target in planned:
        target = target.with_name(_stem(target.name) + ".parquet")
        opened = open_source(source, str(source.path), mapping_for(source, used))
        findings += opened.findings
        if target.exists() and not force:
            findings.append(
                Diagnostic("O001", "the file exists; use --force to replace it", Location(str(target)))
            )
        if opened.scan is not None:
            frames.append((source.path, target, opened.scan))
    if has_errors(findings):
        code = (
            ExitCode.OUTPUT_ERROR
            if all(f.code.startswith("O") for f in findings if f.severity == "error")
            else ExitCode.INVALID_DATA
        )
        raise SettlementError(code, findings)

    def write(staging: Path, index: int) -> int:
        frame = frames[index][2].collect()
        frame.write_parquet(staging, compression="zstd", statistics=True)
        return frame.height

    heights = write_together([target for _, target, _ in frames], write)  # all, or none of them
    converted = [
        Converted(source_path, target, height)
        for (source_path, target, _), height in zip(frames, heights, strict=True)
    ]
    return converted, findings


def _mapping(given: Path | None, data: Path, findings: list[Diagnostic]) -> MappingInUse | None:
    path = given if given is not None else data_root(data) / MAPPING_FILE_NAME
    if not path.is_file():
        if given is not None:
            findings.append(Diagnostic("D037", "no such mapping file", Location(str(path))))
        return None
    used, found = load_mapping(path)
    findings += found
    return used


def _stem(name: str) -> str:
    for suffix in (".csv.gz", ".tsv.gz", ".csv", ".tsv", ".xlsx", ".xlsm"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name
