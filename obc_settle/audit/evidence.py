"""Which extract rows a ledger line counted, file by file, so a provider can find them.

The ledger records how many extract rows each indicator counted; an auditor also wants to know
in which files they are. This reads only the key columns of the archived extracts (one lazy scan
per file) and counts rows per provider, indicator and month; nothing here touches money.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from obc_settle.contract.models import Indicator


def row_counts_by_file(files: list[tuple[str, pl.LazyFrame | None]]) -> pl.DataFrame | None:
    """Extract rows per archived file, provider, indicator and month (None when unreadable).
    `files`: each archived extract, in the schema's shape whatever its format
    (obc_settle.app.audit.archived_extracts)."""
    frames = []
    for shown, scan in files:
        if scan is None:
            return None
        try:
            period = pl.col("period")
            if scan.collect_schema()["period"] == pl.Date:
                period = period.dt.strftime("%Y-%m")
            keys = [
                pl.col("provider_id").cast(pl.String),
                pl.col("indicator_id").cast(pl.String),
                period.cast(pl.String).alias("period"),
            ]
            counted = (
                scan.select(keys)
                .group_by("provider_id", "indicator_id", "period")
                .agg(pl.len().cast(pl.Int64).alias("rows"))
            )
            frames.append(counted.with_columns(pl.lit(shown).alias("file")).collect())
        except (pl.exceptions.PolarsError, OSError, KeyError):
            return None
    return pl.concat(frames) if frames else None


def rows_counted(line: dict[str, Any], indicator: Indicator, counts: pl.DataFrame | None) -> dict[str, Any]:
    """The ledger's count of rows, and how many of them each archived file holds."""
    result: dict[str, Any] = {
        "counted": line["extract_rows"],
        "excluded": line.get("excluded") or 0,
        "files": None,
    }
    if counts is None or line["window_first_month"] is None:
        return result
    wanted = counts.filter(
        (pl.col("indicator_id") == indicator.id)
        & pl.col("period").is_between(pl.lit(line["window_first_month"]), pl.lit(line["window_last_month"]))
    )
    if indicator.attribution == "individual":
        wanted = wanted.filter(pl.col("provider_id") == indicator.provider)
    per_file = wanted.group_by("file").agg(pl.col("rows").sum()).sort("file")
    result["files"] = [{"file": f, "rows": int(r)} for f, r in per_file.iter_rows()]
    return result
