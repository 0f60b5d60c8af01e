"""Apply a mapping (obc_settle.extracts.mapping) to an extract read as text.

In order: the named source columns are renamed to the schema's; constants are added; the long
shape is pivoted (one row per provider x indicator x month, a column per measure); codes are
replaced by the contract's ids; months are rewritten as `YYYY-MM`. Everything stays lazy, and
every row keeps the source line it came from (for a pivoted row, the first of its lines), so that
a finding about a cell still points at the source.

Findings: a column the mapping names that the source lacks (D037, at the mapping's line); a month
not in the mapping's format (D037, at the cell); a code the code list does not know (D038, at the
first cell holding it, refused unless `unmapped_codes: leave_out`); a measure given twice for one
provider x indicator x month in the long shape (D019, as any repeated row).
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from obc_settle.errors import Diagnostic, Location, Severity
from obc_settle.extracts.mapping import ExtractMapping, LongShape, MappingInUse
from obc_settle.extracts.schema import KEY_COLUMNS
from obc_settle.extracts.text_table import LINE, Locate, TextTable, offending, plural, shown_values
from obc_settle.periods import YearStart

SHOWN = 5


def apply_mapping(table: TextTable, used: MappingInUse) -> TextTable:
    """`table` in the schema's shape, or with the findings that stop it (frame None)."""
    if table.frame is None:
        return table
    mapping = used.mapping
    missing = _missing_columns(table.header, used)
    if missing:
        return replace(table, frame=None, findings=[*table.findings, *missing])
    source_of: dict[str, str] = {schema: source for source, schema in mapping.columns.items()}
    frame = table.frame.rename(mapping.columns)
    if mapping.constants:
        frame = frame.with_columns(
            pl.lit(value, dtype=pl.String).alias(name) for name, value in mapping.constants.items()
        )
    findings = list(table.findings)
    if mapping.long is not None:
        frame, long_findings = _pivoted(frame, mapping.long, table)
        findings += long_findings
        source_of |= dict.fromkeys(mapping.long.measures.values(), mapping.long.value_column)

    def locate(line: int, column: str) -> Location:
        return table.locate(line, source_of.get(column, column))

    for column, codes in mapping.codes.items():
        frame, code_findings = _recoded(frame, column, codes, mapping.unmapped_codes, locate, used)
        findings += code_findings
    if "period" in frame.collect_schema() and mapping.period_format != "YYYY-MM":
        frame, period_findings = _months(frame, used, locate)
        findings += period_findings
    header = [name for name in frame.collect_schema() if name != LINE]
    return TextTable(frame, findings, header, table.name, locate)


def _missing_columns(header: list[str], used: MappingInUse) -> list[Diagnostic]:
    mapping, findings = used.mapping, []
    named: list[tuple[str, tuple[str | int, ...]]] = [
        (source, ("columns", source)) for source in mapping.columns
    ]
    if mapping.long is not None:
        named += [
            (mapping.long.measure_column, ("long", "measure_column")),
            (mapping.long.value_column, ("long", "value_column")),
        ]
    for source, path in named:
        if source not in header:
            shown = ", ".join(repr(name) for name in header[:12]) + (", ..." if len(header) > 12 else "")
            message = f"column {source!r} is not in the file (its columns: {shown})"
            findings.append(
                Diagnostic("D037", message, used.source_map.locate(path, key=path[0] == "columns"))
            )
    return findings


def _pivoted(frame: pl.LazyFrame, long: LongShape, table: TextTable) -> tuple[pl.LazyFrame, list[Diagnostic]]:
    """One row per key (the other columns, but for the measure and value columns), a column per
    measure. A key with a measure twice is D019; measures not listed are left out, with a warning."""
    names = frame.collect_schema().names()
    keys = [name for name in names if name not in (long.measure_column, long.value_column, LINE)]
    measure = pl.col(long.measure_column).str.strip_chars()
    listed = measure.is_in(list(long.measures))
    other = (
        frame.filter(listed.not_() & measure.is_not_null())
        .select(
            measure.unique(maintain_order=True).head(SHOWN).implode().alias("names"),
            listed.not_().sum().alias("rows"),
        )
        .collect()
        .row(0, named=True)
    )
    findings = []
    if other["rows"]:
        shown = ", ".join(repr(name) for name in other["names"])
        message = (
            f"{plural(other['rows'], 'row')} of measures the mapping does not list are left out ({shown})"
        )
        findings.append(Diagnostic("D037", message, Location(table.name), Severity.WARNING))
    kept = frame.filter(listed)
    aggregates = [pl.col(LINE).min()]
    twice = []
    for source_name, column in long.measures.items():
        is_it = measure == source_name
        aggregates.append(pl.col(long.value_column).filter(is_it).first().alias(column))
        twice.append(is_it.sum().alias(f"{column}__times"))
    grouped = kept.group_by(keys, maintain_order=True).agg(*aggregates, *twice)
    repeated = (
        grouped.filter(pl.any_horizontal(pl.col(f"{c}__times") > 1 for c in long.measures.values()))
        .select(pl.len().alias("keys"), pl.col(LINE).min().alias("line"))
        .collect()
        .row(0, named=True)
    )
    if repeated["keys"]:
        message = (
            f"{repeated['keys']} {'/'.join(k for k in keys if k in KEY_COLUMNS)} with a measure given twice "
            f"in the long shape (column {long.measure_column})"
        )
        findings.append(Diagnostic("D019", message, table.locate(repeated["line"], long.measure_column)))
    return grouped.drop(f"{c}__times" for c in long.measures.values()), findings


def _recoded(
    frame: pl.LazyFrame, column: str, codes: dict[str, str], unmapped: str, locate: Locate, used: MappingInUse
) -> tuple[pl.LazyFrame, list[Diagnostic]]:
    if column not in frame.collect_schema():
        where = used.source_map.locate(("codes", column), key=True)
        return frame, [Diagnostic("D037", f"codes for {column}, but the file has no {column} column", where)]
    cell = pl.col(column).str.strip_chars()
    unknown = cell.is_not_null() & cell.is_in(list(codes)).not_()
    found = frame.select(offending("codes", unknown, cell)).collect().row(0, named=True)
    findings = []
    if found["codes__count"]:
        severity = Severity.WARNING if unmapped == "leave_out" else Severity.ERROR
        outcome = "left out (unmapped_codes: leave_out)" if unmapped == "leave_out" else "refused"
        message = (
            f"column {column}: {plural(found['codes__count'], 'row')} with codes that {used.name} does not map "
            f"({shown_values(found, 'codes')}): {outcome}; add them under codes.{column}"
        )
        findings.append(Diagnostic("D038", message, locate(found["codes__line"], column), severity))
    recoded = frame.filter(unknown.not_()) if unmapped == "leave_out" else frame
    return recoded.with_columns(cell.replace_strict(codes, default=None).alias(column)), findings


def _months(frame: pl.LazyFrame, used: MappingInUse, locate: Locate) -> tuple[pl.LazyFrame, list[Diagnostic]]:
    mapping = used.mapping
    cell = pl.col("period").str.strip_chars()
    try:
        month = _month_expression(cell, mapping, used.year_start)
    except ValueError as error:  # a financial_year not named as the contract names its years
        where = used.source_map.locate(("financial_year",))
        return frame, [Diagnostic("D037", f"financial_year: {error}", where)]
    bad = cell.is_not_null() & month.is_null()
    found = frame.select(offending("months", bad, cell)).collect().row(0, named=True)
    findings = []
    if found["months__count"]:
        message = (
            f"column period: {plural(found['months__count'], 'cell')} not months in the mapping's format "
            f"{mapping.period_format} ({shown_values(found, 'months')})"
        )
        findings.append(Diagnostic("D037", message, locate(found["months__line"], "period")))
    return frame.with_columns(month.alias("period")), findings


def _month_expression(cell: pl.Expr, mapping: ExtractMapping, year_start: YearStart) -> pl.Expr:
    """The month of each cell as `YYYY-MM` text (null where the cell is not in the format). A
    financial month counts from the first month of the contract's year (`year_start`): 1 is April
    of an April year, January of a calendar year; ValueError if `financial_year` is not a year of
    that form."""
    form = mapping.period_format
    if form == "financial_month":
        assert mapping.financial_year is not None  # the mapping's own check
        months = year_start.parse_year(mapping.financial_year).months()
        number = cell.cast(pl.Int64, strict=False)
        by_number = dict(enumerate(months, start=1))
        return number.replace_strict(by_number, default=None, return_dtype=pl.String)
    parsed = {
        "YYYY-MM-DD": cell.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
        "YYYYMM": (cell + "01").str.to_date("%Y%m%d", strict=False),
        "Mon-YY": ("01-" + cell).str.to_date("%d-%b-%y", strict=False),
        "Month YYYY": ("1 " + cell).str.to_date("%d %B %Y", strict=False),
    }[form]
    return parsed.dt.strftime("%Y-%m")
