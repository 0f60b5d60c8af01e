"""`explain --records`: the people behind one indicator's numerator and denominator.

A provider that disputes an indicator wants to check the settlement's counts against its own
records, person by person. With record-level extracts (one row per person, indicator and month,
see obc_settle.extracts.records) the archived files say who was counted: over the months of the
indicator's window,

    denominator  rows with in_denominator, not excluded (for a mean: and a value)
    numerator    rows with in_numerator and in_denominator, not excluded (not for a mean)
    excluded     rows with in_denominator and excluded

exactly as the reader sums them. Only the asking provider's own people are listed (ids are
personal data, and each provider has its own); for a collective indicator, whose counts take in
every provider's rows, the other providers appear as counts only. The totals over all providers
are set against the ledger's numerator and denominator, so the lists can be trusted to be the
ones that were counted.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from obc_settle.contract.models import Indicator
from obc_settle.extracts.records import is_record_level

LISTS = ("numerator", "denominator", "excluded")


def people_counted(
    files: list[tuple[str, pl.LazyFrame | None]], line: dict[str, Any], indicator: Indicator, provider_id: str
) -> dict[str, Any] | None:
    """The provider's people in each list for one ledger line, or None without record-level files.
    `files`: each archived extract in the schema's shape, with a `place` column naming each row's
    place in the file as received (obc_settle.app.audit.archived_extracts)."""
    frames, aggregated = [], []
    for shown, scan in files:
        if scan is None:
            return None
        schema = scan.collect_schema()
        if not is_record_level(schema):
            aggregated.append(shown)
            continue
        frames.append(_window(scan, schema, shown, line))
    if not frames:
        return None
    rows = pl.concat(frames)
    if indicator.attribution == "individual":
        rows = rows.filter(pl.col("provider_id") == indicator.provider)
    mean = line["indicator_kind"] == "mean" or (
        line["indicator_kind"] == "change_from_baseline" and indicator.measure == "mean"
    )
    conditions = _conditions(mean)
    own = rows.filter(pl.col("provider_id") == provider_id)
    columns = ["patient_id", "period", "file", "place"] + (["value"] if mean else [])
    lists = {
        name: own.filter(condition).select(columns).sort("patient_id", "period", "file").to_dicts()
        for name, condition in conditions.items()
    }
    everyone = {name: rows.filter(condition).height for name, condition in conditions.items()}
    others = rows.filter(pl.col("provider_id") != provider_id)
    return {
        "provider_id": provider_id,
        "indicator_id": indicator.id,
        "months": [line["window_first_month"], line["window_last_month"]],
        "mean": mean,
        "lists": lists,
        "counts": {name: len(people) for name, people in lists.items()},
        "all_providers_counts": everyone,
        "other_providers_counts": {
            str(p): {
                name: others.filter((pl.col("provider_id") == p) & c).height for name, c in conditions.items()
            }
            for p in sorted(others.get_column("provider_id").unique().to_list())
        },
        "aggregated_files": aggregated,
        "matches_ledger": not aggregated and _matches(everyone, line, mean),
    }


def _window(scan: pl.LazyFrame, schema: pl.Schema, shown: str, line: dict[str, Any]) -> pl.DataFrame:
    period = pl.col("period")
    if schema["period"] == pl.Date:
        period = period.dt.strftime("%Y-%m")
    excluded = pl.col("excluded") if "excluded" in schema else pl.lit(False)
    value = pl.col("value").cast(pl.Float64) if "value" in schema else pl.lit(None, dtype=pl.Float64)
    first, last = line["window_first_month"], line["window_last_month"]
    return (
        scan.select(
            pl.col("patient_id").cast(pl.String),
            pl.col("provider_id").cast(pl.String),
            pl.col("indicator_id").cast(pl.String),
            period.cast(pl.String).alias("period"),
            pl.col("in_denominator"),
            pl.col("in_numerator"),
            excluded.alias("excluded"),
            value.alias("value"),
            pl.lit(shown).alias("file"),
            (pl.col("place") if "place" in schema else pl.lit(None, dtype=pl.String)).alias("place"),
        )
        .filter(
            (pl.col("indicator_id") == line["indicator_id"])
            & pl.col("period").is_between(pl.lit(first), pl.lit(last))
        )
        .collect()
    )


def _conditions(mean: bool) -> dict[str, pl.Expr]:
    counted = pl.col("in_denominator") & pl.col("excluded").not_()
    return {
        "numerator": pl.lit(False) if mean else counted & pl.col("in_numerator"),
        "denominator": counted & pl.col("value").is_not_null() if mean else counted,
        "excluded": pl.col("in_denominator") & pl.col("excluded"),
    }


def _matches(everyone: dict[str, int], line: dict[str, Any], mean: bool) -> bool:
    denominator = line["denominator"] or 0
    if mean:
        return everyone["denominator"] == denominator
    return everyone["denominator"] == denominator and everyone["numerator"] == (line["numerator"] or 0)
