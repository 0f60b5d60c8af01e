"""Bounds on a Parquet file, checked from its footer before anything else reads it.

A Parquet file ends with its footer (the schema, the row groups, any key-value metadata), then the
footer's length (4 bytes, little-endian) and `PAR1`. Polars and pyarrow read the whole footer into
memory before a single row: a file with 200 MB of metadata took 2.4 GB. So the length is read from
the last 8 bytes first and a footer above `MAX_FOOTER_BYTES` is refused (D026) unparsed; a footer
within it is parsed, and a row group whose uncompressed size or rows are above their limits is
refused (D027), since a reader holds one row group's columns at a time. The limits are far above
any real extract: the benchmarks' record-level files (1,000,000-row groups) have footers of 40 KB
and row groups of about 2 MB uncompressed.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

from obc_settle.errors import Diagnostic, Location

MAX_FOOTER_BYTES = 16 * 1024 * 1024
"""16 MiB: a footer of a few thousand row groups and columns is well under 1 MiB."""
MAX_ROW_GROUP_BYTES = 1024 * 1024 * 1024
"""1 GiB uncompressed (as encoded, before compression) in one row group: 500 times the benchmarks'."""
MAX_ROW_GROUP_ROWS = 100_000_000
"""Rows in one row group: 100 times the benchmarks' 1,000,000."""
_MAGIC = b"PAR1"


def footer_findings(path: Path, name: str) -> list[Diagnostic]:
    """D026 or D027 when the file is beyond the bounds; nothing when it is within them or is not
    Parquet at all (the reader then says why it cannot be read, D001)."""
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            if size < 12:
                return []
            handle.seek(size - 8)
            tail = handle.read(8)
    except OSError:
        return []  # the reader reports what cannot be read
    if tail[4:] != _MAGIC:
        return []
    (length,) = struct.unpack("<I", tail[:4])
    if length > MAX_FOOTER_BYTES:
        return [
            Diagnostic(
                "D026",
                f"the file's footer (its schema and metadata) is {length:,} bytes; the limit is "
                f"{MAX_FOOTER_BYTES:,} (16 MiB): not read",
                Location(name),
            )
        ]
    return _row_group_findings(path, name, length)


def _row_group_findings(path: Path, name: str, length: int) -> list[Diagnostic]:
    """D027 from the footer's row groups, read with a few lines of Thrift rather than pyarrow,
    whose import alone costs a run more than a tenth of a second."""
    try:
        with path.open("rb") as handle:
            handle.seek(-8 - length, 2)
            groups = row_groups(handle.read(length))
    except (OSError, IndexError, ValueError):
        return []  # not a readable footer: the reader says so (D001)
    for index, (total_bytes, rows) in enumerate(groups):
        if total_bytes > MAX_ROW_GROUP_BYTES or rows > MAX_ROW_GROUP_ROWS:
            return [
                Diagnostic(
                    "D027",
                    f"row group {index + 1} holds {rows:,} rows, {total_bytes:,} bytes "
                    f"uncompressed; the limits are {MAX_ROW_GROUP_ROWS:,} rows and {MAX_ROW_GROUP_BYTES:,} "
                    "bytes (1 GiB) a row group: write the file in smaller row groups",
                    Location(name),
                )
            ]  # one is enough to refuse the file
    return []


def row_groups(footer: bytes) -> list[tuple[int, int]]:
    """(total uncompressed bytes, rows) of each row group in a Parquet footer: the `FileMetaData`
    struct in Thrift's compact protocol, field 4 `row_groups`, each a `RowGroup` with field 2
    `total_byte_size` and field 3 `num_rows`; everything else is skipped."""
    reader = _CompactReader(footer)
    groups = []
    for field_id, kind in reader.fields():
        if field_id == 4 and kind == _LIST:
            size, _ = reader.list_header()
            for _ in range(size):
                total = rows = 0
                for group_field, group_kind in reader.fields():
                    if group_field == 2 and group_kind == _I64:
                        total = reader.zigzag()
                    elif group_field == 3 and group_kind == _I64:
                        rows = reader.zigzag()
                    else:
                        reader.skip(group_kind)
                groups.append((total, rows))
        else:
            reader.skip(kind)
    return groups


_TRUE, _FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY, _LIST, _SET, _MAP, _STRUCT = range(1, 13)


class _CompactReader:
    """Just enough of Thrift's compact protocol to walk a struct and skip what it does not need."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.position = 0

    def byte(self) -> int:
        value = self.data[self.position]
        self.position += 1
        return value

    def varint(self) -> int:
        shift = result = 0
        while True:
            value = self.byte()
            result |= (value & 0x7F) << shift
            if not value & 0x80:
                return result
            shift += 7
            if shift > 70:
                raise ValueError("varint too long")

    def zigzag(self) -> int:
        value = self.varint()
        return (value >> 1) ^ -(value & 1)

    def list_header(self) -> tuple[int, int]:
        header = self.byte()
        size = header >> 4
        return (self.varint() if size == 15 else size), header & 0x0F

    def fields(self) -> Iterator[tuple[int, int]]:
        """(field id, type) of each field of the struct that starts here, up to its stop byte."""
        last = 0
        while True:
            header = self.byte()
            kind = header & 0x0F
            if kind == 0:
                return
            delta = header >> 4
            last = last + delta if delta else self.zigzag()
            yield last, kind

    def skip(self, kind: int, in_container: bool = False) -> None:
        if kind in (_TRUE, _FALSE):
            self.position += 1 if in_container else 0  # a struct field's boolean is in its type
        elif kind == _BYTE:
            self.position += 1
        elif kind in (_I16, _I32, _I64):
            self.varint()
        elif kind == _DOUBLE:
            self.position += 8
        elif kind == _BINARY:
            length = self.varint()  # read first: `position += varint()` would add to the old position
            self.position += length
        elif kind in (_LIST, _SET):
            size, element = self.list_header()
            for _ in range(size):
                self.skip(element, in_container=True)
        elif kind == _MAP:
            size = self.varint()
            types = self.byte() if size else 0
            for _ in range(size):
                self.skip(types >> 4, in_container=True)
                self.skip(types & 0x0F, in_container=True)
        elif kind == _STRUCT:
            for _, field_kind in self.fields():
                self.skip(field_kind)
        else:
            raise ValueError(f"not a Thrift compact type: {kind}")
        if self.position > len(self.data):
            raise IndexError("past the end of the footer")
