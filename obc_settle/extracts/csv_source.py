"""CSV and TSV extracts (`.csv`, `.tsv`, and either gzipped): read as text, typed strictly, every
bad cell located by the line and column a person opens in an editor.

Business-intelligence teams export CSV from SUS+ and GP systems, and national data sets are
published as CSV. A CSV holds only text, so each cell is typed here, never guessed: key and other
text columns stay text; counts (`numerator`, `denominator`, `value_count`) must be whole numbers;
`value_sum` and a record-level `value` must be numbers; the record-level flags (`in_denominator`,
`in_numerator`, `excluded`) must be true/false (also 1/0, yes/no, any case). Spaces around a cell
are ignored; an empty cell is a missing value (the checks that follow say whether one may be
missing). A cell that cannot be typed is D035, located as `file:LINE:COLUMN` (line 1 is the
header; a quoted cell spanning lines shifts the lines after it, which the message cannot know).

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import polars as pl

from obc_settle.errors import Diagnostic, Location, Severity

SEPARATORS = {".csv": ",", ".tsv": "\t"}
WHOLE_NUMBER_COLUMNS = ("numerator", "denominator", "value_count")
NUMBER_COLUMNS = ("value_sum", "value")
FLAG_COLUMNS = ("in_denominator", "in_numerator", "excluded")
FLAG_WORDS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
TRANSCODE_LIMIT = 256 * 1024 * 1024
"""A Windows-1252 file is re-encoded in memory, so only up to this size (bigger: save as UTF-8)."""
SHOWN = 3
"""At most this many bad values are quoted in one finding."""


def csv_separator(path: Path) -> str | None:
    """The separator of a CSV-like file by its name (`x.csv`, `x.tsv`, `x.csv.gz`), or None."""
    suffixes = [suffix.lower() for suffix in path.suffixes]
    if suffixes[-1:] == [".gz"]:
        suffixes = suffixes[:-1]
    return SEPARATORS.get(suffixes[-1]) if suffixes else None


@dataclass
class CsvSource:
    """A CSV file typed like a Parquet extract: `scan` (lazy), or the findings that stopped it."""

    scan: pl.LazyFrame | None
    findings: list[Diagnostic] = field(default_factory=list)
    encoding: str = "utf-8"


def open_csv(path: Path, name: str) -> CsvSource:
    """Open `path` (shown as `name`) as a typed lazy frame, or say why it cannot be."""
    separator = csv_separator(path) or ","
    encoding, problem = _encoding(path)
    if problem is not None:
        return CsvSource(None, [Diagnostic("D036", problem, Location(name))])
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
        findings += _bad_cells(text, header, name)
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as error:
        return CsvSource(None, [*findings, _unreadable(path, name, separator, encoding, error)])
    typed = text.with_columns(_typed(column) for column in header if _target(column) is not None)
    return CsvSource(typed, findings, encoding)


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


def _target(column: str) -> str | None:
    if column in WHOLE_NUMBER_COLUMNS:
        return "a whole number"
    if column in NUMBER_COLUMNS:
        return "a number"
    if column in FLAG_COLUMNS:
        return "true or false"
    return None


def _typed(column: str) -> pl.Expr:
    cell = pl.col(column).str.strip_chars()
    if column in WHOLE_NUMBER_COLUMNS:
        return cell.cast(pl.Int64, strict=False).alias(column)
    if column in NUMBER_COLUMNS:
        return cell.cast(pl.Float64, strict=False).alias(column)
    return (
        cell.str.to_lowercase()
        .replace_strict(FLAG_WORDS, default=None, return_dtype=pl.Boolean)
        .alias(column)
    )


def _bad_cells(text: pl.LazyFrame, header: list[str], name: str) -> list[Diagnostic]:
    """D035 per typed column with cells that are filled but cannot be typed: count, first line,
    a few values. One pass over the file."""
    checked = [column for column in header if _target(column) is not None]
    indexed = text.with_row_index("__row")
    # Every column is read (not only the typed ones), so that a line with too many cells is found here.
    aggregates = [pl.col(column).null_count().alias(f"{column}__nulls") for column in header]
    for column in checked:
        filled = pl.col(column).str.strip_chars().str.len_chars() > 0
        bad = filled & _typed(column).is_null()
        aggregates += [
            bad.sum().alias(f"{column}__count"),
            pl.col("__row").filter(bad).first().alias(f"{column}__row"),
            pl.col(column)
            .filter(bad)
            .unique(maintain_order=True)
            .head(SHOWN)
            .implode()
            .alias(f"{column}__values"),
        ]
    found = indexed.select(aggregates).collect().row(0, named=True)
    findings = []
    for column in checked:
        count = found[f"{column}__count"]
        if not count:
            continue
        values = ", ".join(repr(value) for value in found[f"{column}__values"])
        line = found[f"{column}__row"] + 2  # line 1 is the header
        plural = "s" if count != 1 else ""
        message = f"column {column}: {count} cell{plural} not {_target(column)} ({values})" + (
            f", the first on line {line}" if count > 1 else ""
        )
        findings.append(Diagnostic("D035", message, Location(name, line, header.index(column) + 1)))
    return findings


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
