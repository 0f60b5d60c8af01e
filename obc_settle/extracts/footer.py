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
    return _row_group_findings(path, name)


def _row_group_findings(path: Path, name: str) -> list[Diagnostic]:
    import pyarrow.lib  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]  # here: the CLI starts without it

    try:
        metadata = pq.read_metadata(path)
    except (pyarrow.lib.ArrowException, OSError):
        return []  # not a readable footer: the reader says so (D001)
    findings = []
    for index in range(metadata.num_row_groups):
        group = metadata.row_group(index)
        if group.total_byte_size > MAX_ROW_GROUP_BYTES or group.num_rows > MAX_ROW_GROUP_ROWS:
            findings.append(
                Diagnostic(
                    "D027",
                    f"row group {index + 1} holds {group.num_rows:,} rows, {group.total_byte_size:,} bytes "
                    f"uncompressed; the limits are {MAX_ROW_GROUP_ROWS:,} rows and {MAX_ROW_GROUP_BYTES:,} "
                    "bytes (1 GiB) a row group: write the file in smaller row groups",
                    Location(name),
                )
            )
            break  # one is enough to refuse the file
    return findings
