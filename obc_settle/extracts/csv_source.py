"""CSV and TSV extracts (`.csv`, `.tsv`, and either gzipped), read as text for typing
(obc_settle.extracts.text_table), every row carrying its line number.

Business-intelligence teams export CSV from SUS+ and GP systems, and national data sets are
published as CSV. Line 1 is the header, so the first data row is line 2, as an editor shows it (a
quoted cell spanning lines shifts the lines after it, which the message cannot know). A line with
more or fewer cells than the header is D001 at that line.

Encoding: UTF-8, with or without the byte-order mark Excel writes. A file that is not UTF-8 but
reads as Windows-1252 (Excel's "CSV" on Windows) is read as that, with a warning (D036) saying so;
UTF-16 and anything else unreadable is refused (D036) with how to save it instead. Gzipped files
are decompressed on the fly; the others are scanned lazily, so a large CSV streams like Parquet.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import polars as pl

from obc_settle.errors import Diagnostic, Location, Severity
from obc_settle.extracts.text_table import LINE, TextTable

SEPARATORS = {".csv": ",", ".tsv": "\t"}
TRANSCODE_LIMIT = 256 * 1024 * 1024
"""A Windows-1252 file is re-encoded in memory, so only up to this size (bigger: save as UTF-8)."""


def csv_separator(path: Path) -> str | None:
    """The separator of a CSV-like file by its name (`x.csv`, `x.tsv`, `x.csv.gz`), or None."""
    suffixes = [suffix.lower() for suffix in path.suffixes]
    if suffixes[-1:] == [".gz"]:
        suffixes = suffixes[:-1]
    return SEPARATORS.get(suffixes[-1]) if suffixes else None


def read_csv_text(path: Path, name: str) -> TextTable:
    """`path` (shown as `name`) with every cell as text and each row's line, or why it cannot be read."""
    separator = csv_separator(path) or ","
    encoding, problem = _encoding(path)
    if problem is not None:
        return TextTable(None, [Diagnostic("D036", problem, Location(name))])
    findings: list[Diagnostic] = []
    try:
        if encoding == "utf-8":
            text = pl.scan_csv(path, separator=separator, infer_schema=False, encoding="utf8")
        else:
            findings.append(
                Diagnostic(
                    "D036",
                    "the file is not UTF-8; read as Windows-1252 (Excel's 'CSV' on Windows). "
                    "Save it as 'CSV UTF-8' to be sure of names with accents",
                    Location(name),
                    Severity.WARNING,
                )
            )
            with _opened(path) as raw:
                utf8 = raw.read().decode("cp1252").encode("utf-8")
            text = pl.read_csv(io.BytesIO(utf8), separator=separator, infer_schema=False).lazy()
        header = list(text.collect_schema())
        text.select(pl.all().null_count()).collect()  # every cell parsed once: a ragged line fails here
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as error:
        return TextTable(None, [*findings, _unreadable(path, name, separator, encoding, error)])
    numbered = text.with_row_index(LINE, offset=2).with_columns(pl.col(LINE).cast(pl.Int64))
    return TextTable(numbered, findings, header, name, lambda line, column: _cell(name, header, line, column))


def _cell(name: str, header: list[str], line: int, column: str) -> Location:
    return Location(name, line, header.index(column) + 1 if column in header else None)


def _unreadable(path: Path, name: str, separator: str, encoding: str, error: Exception) -> Diagnostic:
    """D001, at the first line whose number of cells differs from the header's when there is one
    (the usual cause: an unquoted comma in a number or a name), else with Polars' reason."""
    with _opened(path) as raw:
        lines = io.TextIOWrapper(raw, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="")
        rows = csv.reader(lines, delimiter=separator)
        try:
            width = len(next(rows))
            for row in rows:
                if row and len(row) != width:
                    message = (
                        f"{len(row)} cells where the header has {width}: "
                        "an unquoted separator in a number or a name?"
                    )
                    return Diagnostic("D001", message, Location(name, rows.line_num))
        except (csv.Error, UnicodeDecodeError, StopIteration):
            pass
    return Diagnostic("D001", f"not a readable CSV file ({_first_line(error)})", Location(name))


def _encoding(path: Path) -> tuple[str, str | None]:
    """`utf-8` or `cp1252`, or a message why the file can be read as neither."""
    with _opened(path) as raw:
        head = raw.read(4)
        if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return "", "the file is UTF-16 text: save it as 'CSV UTF-8 (comma delimited)' and try again"
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            decoder.decode(head)
            for chunk in _chunks(raw):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8", None
        except UnicodeDecodeError:
            pass
    size = path.stat().st_size
    if size > TRANSCODE_LIMIT:
        return (
            "",
            "the file is not UTF-8 and too large to re-encode here: save it as 'CSV UTF-8' and try again",
        )
    try:
        with _opened(path) as raw:
            raw.read().decode("cp1252")
    except UnicodeDecodeError:
        return "", "the file is neither UTF-8 nor Windows-1252 text: save it as 'CSV UTF-8' and try again"
    return "cp1252", None


def _opened(path: Path) -> IO[bytes]:  # a gzip stream reads like a file
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _chunks(raw: IO[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    while chunk := raw.read(size):
        yield chunk


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
