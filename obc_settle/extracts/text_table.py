"""An extract read as text (a CSV file or a worksheet), and its cells typed strictly.

CSV and Excel sources are first read with every cell as text, each row carrying the place a
person would look for it (`LINE`: the CSV line, or the worksheet row). A mapping may then rename,
pivot and recode the columns (obc_settle.extracts.mapping_apply), and only then are the cells of
the schema's columns typed, here, never guessed: `numerator` and `denominator` must be numbers
(read exactly as decimals to six places, as the monthly sums are: person-years, case-mix expected
counts and spend in pounds and pence are not whole), `value_count` a whole number, `value_sum` and
a record-level `value` numbers; the
record-level flags true or false (also 1/0, yes/no, any case). Spaces around a cell are ignored;
an empty cell is a missing value (the checks that follow say whether one may be missing). A cell
that cannot be typed is D035, located where it stands in the source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from obc_settle.errors import Diagnostic, Location

LINE = "__line"
"""The column holding each row's place in the source (CSV line, worksheet row), 1-based."""
WHOLE_NUMBER_COLUMNS = ("value_count",)
DECIMAL_COLUMNS = ("numerator", "denominator")
NUMBER_COLUMNS = ("value_sum", "value")
EXACT = pl.Decimal(38, 6)
"""How a decimal cell is read: as the monthly sums hold it (`extracts.schema.SUM_DTYPE`)."""
FLAG_COLUMNS = ("in_denominator", "in_numerator", "excluded")
FLAG_WORDS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
SHOWN = 3
"""At most this many bad values are quoted in one finding."""

Locate = Callable[[int, str], Location]
"""Where the cell of a source line and schema column stands (`q3.csv:17:4`, `r.xlsx[Returns]!D17`)."""


@dataclass
class TextTable:
    """Every cell as text, in source order, with `LINE`; or the findings that stopped the reading."""

    frame: pl.LazyFrame | None
    findings: list[Diagnostic] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    """The source's column names, in order (not `LINE`)."""
    name: str = ""
    """The file as findings name it (`q3.csv`, `returns.xlsx[Returns]`)."""
    locate: Locate = lambda line, column: Location("", line)


def offending(name: str, condition: pl.Expr, value: pl.Expr) -> list[pl.Expr]:
    """Aggregates saying which rows meet `condition`: how many (`<name>__count`), the first one's
    source line (`<name>__line`) and up to `SHOWN` distinct values (`<name>__values`). The same
    three figures back every located finding about cells (typing, codes, months)."""
    return [
        condition.sum().alias(f"{name}__count"),
        pl.col(LINE).filter(condition).first().alias(f"{name}__line"),
        value.filter(condition).unique(maintain_order=True).head(SHOWN).implode().alias(f"{name}__values"),
    ]


def shown_values(found: dict[str, Any], name: str) -> str:
    """The values `offending` gathered, quoted: `'n/a', '2.5'`."""
    return ", ".join(repr(value) for value in found[f"{name}__values"])


def plural(count: int, noun: str) -> str:
    """`1 cell`, `3 cells`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def typed(table: TextTable, keep_line: bool = False) -> tuple[pl.LazyFrame | None, list[Diagnostic]]:
    """The frame with the schema's typed columns typed (the rest stay text, `LINE` dropped unless
    `keep_line`), and a
    D035 per column with cells that are filled but cannot be typed, located at the first of them.
    One pass over the source."""
    if table.frame is None:
        return None, []
    columns = [column for column in table.frame.collect_schema() if column != LINE]
    checked = [column for column in columns if target(column) is not None]
    # Every column is read (not only the typed ones), so that a ragged CSV line is found here.
    aggregates = [pl.col(column).null_count().alias(f"{column}__nulls") for column in columns]
    for column in checked:
        bad = pl.col(column).str.strip_chars().str.len_chars().gt(0) & _typed(column).is_null()
        aggregates += offending(column, bad, pl.col(column))
    found = table.frame.select(aggregates).collect().row(0, named=True)
    findings = []
    for column in checked:
        count = found[f"{column}__count"]
        if not count:
            continue
        message = (
            f"column {column}: {plural(count, 'cell')} not {target(column)} ({shown_values(found, column)})"
        )
        findings.append(Diagnostic("D035", message, table.locate(found[f"{column}__line"], column)))
    frame = table.frame.with_columns(_typed(column) for column in checked)
    return (frame if keep_line else frame.drop(LINE)), findings


def target(column: str) -> str | None:
    """What a cell of a schema column must be, in words; None for a text column."""
    if column in WHOLE_NUMBER_COLUMNS:
        return "a whole number"
    if column in NUMBER_COLUMNS or column in DECIMAL_COLUMNS:
        return "a number"
    if column in FLAG_COLUMNS:
        return "true or false"
    return None


def _typed(column: str) -> pl.Expr:
    cell = pl.col(column).str.strip_chars()
    if column in WHOLE_NUMBER_COLUMNS:
        return cell.cast(pl.Int64, strict=False).alias(column)
    if column in DECIMAL_COLUMNS:
        return cell.cast(EXACT, strict=False).alias(column)
    if column in NUMBER_COLUMNS:
        return cell.cast(pl.Float64, strict=False).alias(column)
    words = cell.str.to_lowercase()
    return words.replace_strict(FLAG_WORDS, default=None, return_dtype=pl.Boolean).alias(column)
