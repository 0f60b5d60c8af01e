"""No silent wrong money: every measure an indicator needs is there, and every cell comes from one file.

Three findings, each computed from what the single pass already has (no extra scan of a file):

- D020: a measure column that the file's indicators need is missing. Which indicators a file
  holds is read off its per-file sums (their distinct keys); a column no indicator in the file
  needs may be absent and counts as 0.
- D021: a needed measure column is null on rows of an indicator that needs it: a row check
  (obc_settle.extracts.checks.null_needed_measures, from `measure_needs`), evaluated in the single pass
  with the others.
- D022: the same provider x indicator x month (a *cell*) in two files, found on the files'
  distinct keys (a few thousand rows each). A corrected file beside its original would otherwise
  be summed with it. A file named with `--restated` replaces the cells it holds in the other
  files instead (`restated_cells`, `without_cells`); two restated files holding one cell are
  still D022.

What a kind needs (docs/contract-reference.md, Kinds): `proportion`, `rate_per_1000`,
`observed_expected` need `numerator` and `denominator`; `mean` needs `value_sum` and
`value_count`; `change_from_baseline` needs those of its `measure`; a quantity (population,
spend, list size, register, share-rule quantity) needs `numerator`. A record-level file sums its
flags, which it must have; only a mean's `value` column is optional there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from obc_settle.contract.models import Contract, Indicator
from obc_settle.errors import Diagnostic, Location, Severity
from obc_settle.extracts.schema import COUNT_COLUMNS, KEY_COLUMNS, VALUE_COLUMNS

SHOWN_IDS = 5
BESIDE_THE_ORIGINAL = "a corrected file beside the original? Settle with the corrected file instead of the original, or name it with --restated"
"""At most this many indicator ids are listed in a D020 message."""


def measure_needs(contract: Contract) -> dict[str, frozenset[str]]:
    """Per measure column (aggregated `numerator`, `denominator`, `value_sum`, `value_count`, and the
    record-level `value`), the extract ids of any version of the contract that need it."""
    needs: dict[str, set[str]] = {name: set() for name in (*COUNT_COLUMNS, *VALUE_COLUMNS, "value")}
    for terms in contract.versions():
        for _, indicator in terms.indicators():
            for name in measure_columns(indicator):
                needs[name].add(indicator.id)
        needs["numerator"] |= terms.quantity_ids()
    return {name: frozenset(ids) for name, ids in needs.items()}


def measure_columns(indicator: Indicator) -> tuple[str, ...]:
    """The measure columns the indicator's rows need: an aggregated extract's (numerator and
    denominator, or value_sum and value_count for a mean) and, for a mean, a record-level `value`."""
    measure = indicator.measure if indicator.kind == "change_from_baseline" else indicator.kind
    return (*VALUE_COLUMNS, "value") if measure == "mean" else COUNT_COLUMNS


def missing_column_findings(
    schema: pl.Schema, indicator_ids: Iterable[str], contract: Contract, file: str, record_level: bool
) -> list[Diagnostic]:
    """D020: one finding per measure column absent from the file that an indicator with rows in
    the file needs. `indicator_ids` are the file's distinct indicator ids (from its sums)."""
    present = set(indicator_ids)
    columns = ("value",) if record_level else (*COUNT_COLUMNS, *VALUE_COLUMNS)
    findings = []
    for name, ids in measure_needs(contract).items():
        if name not in columns or name in schema:
            continue
        needing = sorted(present & ids)
        if needing:
            shown = ", ".join(needing[:SHOWN_IDS]) + (
                f" (and {len(needing) - SHOWN_IDS} more)" if len(needing) > SHOWN_IDS else ""
            )
            message = f"column {name} is missing, but the file has rows of indicators that need it: {shown}"
            findings.append(Diagnostic("D020", message, Location(file)))
    return findings


@dataclass(frozen=True)
class FileCells:
    """One file's distinct cells (provider_id, indicator_id, period as text), for D022."""

    file: str
    cells: pl.DataFrame
    restated: bool = False


def file_cells(file: str, monthly: pl.DataFrame, restated: bool = False) -> FileCells:
    """The distinct cells of a file's sums (two dates of one month are one cell)."""
    return FileCells(file, monthly.select(KEY_COLUMNS).unique(), restated)


def overlap_findings(files: list[FileCells]) -> list[Diagnostic]:
    """D022: for each pair of files holding a cell in common (both restated, or neither), one
    finding on the later file (in the given, sorted, order) naming the earlier one, the first
    common cell in sorted order, and how many more there are."""
    if len(files) < 2:
        return []
    tagged = pl.concat(
        [
            item.cells.with_columns(pl.lit(number, dtype=pl.Int64).alias("__file"))
            for number, item in enumerate(files)
        ],
        how="vertical",
    )
    shared = tagged.filter(pl.len().over(KEY_COLUMNS) > 1)
    if shared.is_empty():
        return []
    flags = pl.DataFrame(
        {"__file": range(len(files)), "__restated": [item.restated for item in files]},
        schema={"__file": pl.Int64, "__restated": pl.Boolean},
    )
    shared = shared.join(flags, on="__file")
    pairs = (
        shared.join(shared, on=list(KEY_COLUMNS), suffix="__earlier")
        .filter(
            (pl.col("__file") > pl.col("__file__earlier"))
            & (pl.col("__restated") == pl.col("__restated__earlier"))
        )
        .sort("__file", "__file__earlier", *KEY_COLUMNS)
        .group_by("__file", "__file__earlier", maintain_order=True)
        .agg(pl.len().alias("__cells"), *[pl.col(name).first() for name in KEY_COLUMNS])
    )
    findings = []
    for row in pairs.iter_rows(named=True):
        later, earlier = files[row["__file"]], files[row["__file__earlier"]]
        more = row["__cells"] - 1
        others = f" (and {more:,} more cell{'s' if more != 1 else ''})" if more else ""
        if later.restated:
            hint = "two --restated files cannot both replace one cell: keep one of them"
        else:
            hint = BESIDE_THE_ORIGINAL
        cell = f"provider {row['provider_id']}, indicator {row['indicator_id']}, month {row['period']}"
        findings.append(
            Diagnostic("D022", f"{cell} is also in {earlier.file}{others}: {hint}", Location(later.file))
        )
    return findings


def idle_restatements(files: list[FileCells]) -> list[Diagnostic]:
    """A warning (D022) for each restated file that replaces no cell of the other files: named by
    mistake, or the corrected file of other data."""
    originals = [item.cells for item in files if not item.restated]
    others = pl.concat(originals, how="vertical").unique() if originals else None
    return [
        Diagnostic(
            "D022",
            "named with --restated, but replaces no provider x indicator x month of the other files: "
            "is it the corrected file of these data?",
            Location(item.file),
            Severity.WARNING,
        )
        for item in files
        if item.restated
        and (others is None or item.cells.join(others, on=list(KEY_COLUMNS), how="semi").is_empty())
    ]


def restated_cells(frames: list[pl.DataFrame]) -> pl.DataFrame | None:
    """The cells the restated files' frames hold (None without a restated file)."""
    if not frames:
        return None
    return pl.concat([frame.select(KEY_COLUMNS) for frame in frames], how="vertical").unique()


def without_cells(frame: pl.DataFrame, cells: pl.DataFrame | None) -> pl.DataFrame:
    """A file's frame keyed by provider_id, indicator_id, period (as text) without the rows of
    `cells`: the rows a restated file replaces."""
    return frame if cells is None else frame.join(cells, on=list(KEY_COLUMNS), how="anti")
