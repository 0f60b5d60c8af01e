"""The data checks: one list per extract kind, each check a record with its codes, what it checks
and its function.

The reader of a kind runs the checks registered for it, in the order they were registered, and
the tables of checks in docs/extracts.md are generated from the same records (`checks_table`;
tests/test_extension_points_checks.py fails when they differ). Each kind's checks are registered
by one module (`Kind.module`), at import, so a new check is one function and one `register` call
in that module. The kinds:

| kind           | the file                                   | registered in                   |
|----------------|--------------------------------------------|---------------------------------|
| `aggregated`   | an indicator extract of counts (`--data`)  | obc_settle.extracts.checks      |
| `record_level` | an indicator extract of records (`--data`) | obc_settle.extracts.records     |
| `payments`     | a payments-made extract (`--payments`)     | obc_settle.extracts.payments    |
| `claims`       | a rate-card claims extract (`--claims`)    | obc_settle.extracts.claims      |

A check runs at one stage of reading a file, told by its record's class:

- `SchemaCheck`: on the file's columns and types (the Parquet footer), before any row is read.
  With an error at this stage the rows are not read; a check with `stop_on_error` also ends this
  stage (the checks after it rely on what it checks).
- `ScanCheck`: contributes `RowCheck` conditions, all evaluated together in the file's one scan
  (indicator extracts: obc_settle.extracts.single_pass, so a check adds expressions to the scan
  and never a scan of its own; claims).
- `SumsCheck`: indicator extracts, after the single pass, from the file's sums (and its rows,
  lazily, for a check that must read them again).
- `EachRowCheck`: payments, one row at a time (payments extracts are small).

Registering a check for a kind not in `KINDS`, at a stage its kind does not run, with a code not
in the catalogue (obc_settle.errors.CODES), or twice, is an error (`RegistryError`); so is a
finding whose code its check did not register.

Cross-file and whole-data checks are not per-file checks and are not here: discovery (D001,
D011), a cell in two files (D022), duplicate records (D017), coverage (D014, D023), quantities
(D030 to D032), plausibility (D024, D025), and the earlier run folders (P001 to P006, P010).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.errors import CODES, Diagnostic, Location, Severity, did_you_mean, has_errors
from obc_settle.extracts.grouping import KnownKeys, known_keys
from obc_settle.periods import SettlementPeriod

if TYPE_CHECKING:
    from obc_settle.extracts.single_pass import FileSums


class RegistryError(ValueError):
    """A check registered wrongly (unknown kind, stage or code), or a finding it did not declare."""


@dataclass(frozen=True)
class RowCheck:
    """One row condition contributed to a file's scan. A check on a key column (`column` in
    KEY_COLUMNS) reads only key columns, so it can also be evaluated on the distinct keys of a file
    (see obc_settle.extracts.single_pass)."""

    name: str
    code: str
    column: str
    describe: str
    condition: pl.Expr
    show_values: bool = False
    values_of: str | None = None
    """The column whose values the message shows (default: `column`)."""


@dataclass(frozen=True, eq=False)
class FileContext:
    """What a check of one file is given."""

    file: str
    """The file as findings name it."""
    schema: pl.Schema
    """Its columns and types (as the reader normalised them)."""
    contract: Contract
    period: SettlementPeriod | None = None
    """The period settled, for checks that depend on it (payments)."""
    scan: pl.LazyFrame | None = None
    """The file's rows, lazily (indicator extracts)."""

    @property
    def where(self) -> Location:
        return Location(self.file)

    @cached_property
    def known(self) -> KnownKeys:
        """The providers, indicators and months the contract accepts in an extract."""
        return known_keys(self.contract)

    @property
    def period_text(self) -> pl.Expr:
        """The `period` column as text (a date as its month, `YYYY-MM`)."""
        period = pl.col("period")
        if self.schema["period"] == pl.Date:
            period = period.dt.strftime("%Y-%m")
        return period.cast(pl.String)

    @property
    def settled(self) -> SettlementPeriod:
        if self.period is None:
            raise RegistryError(f"a check of {self.file} needs the period settled, and none was given")
        return self.period

    @cached_property
    def terms(self) -> Contract:
        """The contract as in force in the contract year settled."""
        return self.contract.in_force(self.settled.contract_year.name)


@dataclass(frozen=True, kw_only=True)
class DataCheck:
    """What every check record says: its kind, its codes, what it checks and an example finding
    (one line each, for the docs); its function is in the record of its stage."""

    STAGE: ClassVar[str] = ""
    """How the stage reads in the docs tables."""

    kind: str
    codes: tuple[str, ...]
    checks: str
    """What it checks, one sentence (the docs table's `check` column)."""
    example: str
    """A finding it gives, as printed (the docs table's `example message` column)."""
    severity: Severity = Severity.ERROR
    """For the docs: the severity of its findings."""
    function: Callable[..., Any]
    """Its check (the record of each stage says what it is given and returns)."""

    @property
    def name(self) -> str:
        return self.function.__name__


@dataclass(frozen=True, kw_only=True)
class SchemaCheck(DataCheck):
    STAGE: ClassVar[str] = "columns"
    function: Callable[[FileContext], list[Diagnostic]]
    stop_on_error: bool = False
    """An error from this check skips the schema checks after it (they rely on what it checks)."""


@dataclass(frozen=True, kw_only=True)
class ScanCheck(DataCheck):
    STAGE: ClassVar[str] = "rows"
    function: Callable[[FileContext], list[RowCheck]]


@dataclass(frozen=True, kw_only=True)
class SumsCheck(DataCheck):
    STAGE: ClassVar[str] = "sums"
    function: Callable[[FileContext, FileSums], list[Diagnostic]]


@dataclass(frozen=True, kw_only=True)
class EachRowCheck(DataCheck):
    STAGE: ClassVar[str] = "rows"
    function: Callable[[FileContext, Mapping[str, Any]], Diagnostic | None]
    """Given one row (its 1-based number in the `row` column): its finding, or None."""


STAGES: tuple[type[DataCheck], ...] = (SchemaCheck, ScanCheck, EachRowCheck, SumsCheck)
"""In the order a reader runs them (and the docs list them)."""


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    """The heading of its table in docs/extracts.md."""
    module: str
    """The module that registers its checks."""
    stages: tuple[type[DataCheck], ...]


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "aggregated",
            "Aggregated indicator extracts (`--data`)",
            "obc_settle.extracts.checks",
            (SchemaCheck, ScanCheck, SumsCheck),
        ),
        Kind(
            "record_level",
            "Record-level indicator extracts (`--data`)",
            "obc_settle.extracts.records",
            (SchemaCheck, ScanCheck, SumsCheck),
        ),
        Kind(
            "payments",
            "Payments-made extract (`--payments`)",
            "obc_settle.extracts.payments",
            (SchemaCheck, EachRowCheck),
        ),
        Kind(
            "claims",
            "Rate-card claims extract (`--claims`)",
            "obc_settle.extracts.claims",
            (SchemaCheck, ScanCheck),
        ),
    )
}

_CHECKS: dict[str, list[DataCheck]] = {name: [] for name in KINDS}

C = TypeVar("C", bound=DataCheck)


def _kind(name: str) -> Kind:
    if name not in KINDS:
        raise RegistryError(
            f"unknown extract kind {name!r}{did_you_mean(name, KINDS)}; the kinds are {', '.join(KINDS)}"
        )
    return KINDS[name]


def register(check: C) -> C:
    """Add a check to the end of its kind's list (the order its findings come in); returns it."""
    kind = _kind(check.kind)
    if type(check) not in kind.stages:
        stages = ", ".join(stage.__name__ for stage in kind.stages)
        raise RegistryError(
            f"{check.name}: a {kind.name} extract has no {type(check).__name__} stage ({stages})"
        )
    if not check.codes:
        raise RegistryError(f"{check.name}: a check has at least one code")
    for code in check.codes:
        if code not in CODES:
            raise RegistryError(
                f"{check.name}: code {code!r} is not in the catalogue (obc_settle.errors.CODES){did_you_mean(code, CODES)}"
            )
    for text in (check.checks, check.example):
        if not text.strip() or "\n" in text or "|" in text.replace("\\|", ""):
            raise RegistryError(
                f"{check.name}: `checks` and `example` are one line each, without `|`: {text!r}"
            )
    if any(other.name == check.name for other in _CHECKS[kind.name]):
        raise RegistryError(f"{check.name}: a {kind.name} check of that name is already registered")
    _CHECKS[kind.name].append(check)
    return check


def register_all(checks: Iterable[DataCheck]) -> None:
    """Register each of `checks`, in order."""
    for check in checks:
        register(check)


def unregister(check: DataCheck) -> None:
    """Remove a registered check (tests that register one clean up with this)."""
    _CHECKS[_kind(check.kind).name].remove(check)


def checks_of(kind: str, stage: type[C]) -> list[C]:
    """The checks of `kind` at `stage`, in the order they were registered."""
    _loaded(kind)
    return [check for check in _CHECKS[kind] if isinstance(check, stage)]


def all_checks(kind: str) -> list[DataCheck]:
    """Every check of `kind`, stage by stage, in the order a reader runs them."""
    return [check for stage in STAGES for check in checks_of(kind, stage)]


def _loaded(kind: str) -> None:
    importlib.import_module(_kind(kind).module)


def _declared(check: DataCheck, findings: Iterable[Diagnostic]) -> list[Diagnostic]:
    found = list(findings)
    for finding in found:
        if finding.code not in check.codes:
            raise RegistryError(
                f"{check.name} gave {finding.code}, not one of its codes ({', '.join(check.codes)})"
            )
    return found


def schema_findings(kind: str, context: FileContext) -> list[Diagnostic]:
    """The findings of the schema checks of `kind` on one file."""
    findings: list[Diagnostic] = []
    for check in checks_of(kind, SchemaCheck):
        found = _declared(check, check.function(context))
        findings += found
        if check.stop_on_error and has_errors(found):
            break
    return findings


def scan_checks(kind: str, context: FileContext) -> list[RowCheck]:
    """The row conditions of `kind` for one file, to be evaluated in its one scan."""
    conditions: list[RowCheck] = []
    for check in checks_of(kind, ScanCheck):
        contributed = check.function(context)
        for condition in contributed:
            if condition.code not in check.codes:
                raise RegistryError(
                    f"{check.name} contributed {condition.code}, not one of its codes ({', '.join(check.codes)})"
                )
        conditions += contributed
    return conditions


def sums_findings(kind: str, context: FileContext, sums: FileSums) -> list[Diagnostic]:
    """The findings of the checks of `kind` on one file's sums."""
    return [
        finding
        for check in checks_of(kind, SumsCheck)
        for finding in _declared(check, check.function(context, sums))
    ]


def each_row_findings(kind: str, context: FileContext, rows: Iterable[Mapping[str, Any]]) -> list[Diagnostic]:
    """The findings of the row-by-row checks of `kind`, row by row, each row's in check order."""
    checks = checks_of(kind, EachRowCheck)
    findings: list[Diagnostic] = []
    for row in rows:
        for check in checks:
            found = check.function(context, row)
            if found is not None:
                findings += _declared(check, [found])
    return findings


# The docs: one table per kind in docs/extracts.md, between these two lines.
TABLE_START = "<!-- data checks: {kind} (generated from obc_settle.extracts.registry; do not edit) -->"
TABLE_END = "<!-- end of data checks: {kind} -->"
HEADER = "| code | stage | check | example message |\n|---|---|---|---|"


def checks_table(kind: str) -> str:
    """The docs table of the checks of `kind`: code, stage, what it checks, an example finding."""
    rows = [HEADER]
    for check in all_checks(kind):
        codes = ", ".join(check.codes) + (" (warning)" if check.severity is Severity.WARNING else "")
        rows.append(f"| {codes} | {check.STAGE} | {check.checks} | `{check.example}` |")
    return "\n".join(rows)


def _section(kind: str) -> re.Pattern[str]:
    start, end = (re.escape(mark.format(kind=kind)) for mark in (TABLE_START, TABLE_END))
    return re.compile(f"{start}\n(.*?){end}", re.DOTALL)


def documented_table(text: str, kind: str) -> str | None:
    """The table of `kind` as written in `text` (docs/extracts.md), or None when it has none."""
    match = _section(kind).search(text)
    return None if match is None else match.group(1).rstrip("\n")


def with_generated_tables(text: str) -> str:
    """`text` with the table of every kind that has its two marker lines replaced by the generated one."""
    for kind in KINDS:
        generated = f"{TABLE_START.format(kind=kind)}\n{checks_table(kind)}\n{TABLE_END.format(kind=kind)}"
        text = _section(kind).sub(generated.replace("\\", "\\\\"), text)
    return text


def documentation_problems(text: str) -> list[str]:
    """How `text` (docs/extracts.md) differs from the registered checks: a kind without its table,
    a registered check not in its kind's table, a row of the table that no check has."""
    problems = []
    for kind in KINDS:
        written = documented_table(text, kind)
        if written is None:
            start = TABLE_START.format(kind=kind)
            problems.append(f"no table of the {kind} checks (between the lines {start!r} and its end)")
            continue
        expected, lines = checks_table(kind).splitlines(), written.splitlines()
        missing = [
            f"the {kind} check {check.name} ({', '.join(check.codes)}) is not documented; its row: {row}"
            for check, row in zip(all_checks(kind), expected[2:], strict=True)
            if row not in lines
        ]
        stale = [
            f"{kind}: a row that no registered check has: {line}" for line in lines if line not in expected
        ]
        if not missing and not stale and lines != expected:
            stale.append(f"{kind}: the rows are not in the order the checks run")
        problems += missing + stale
    return problems
