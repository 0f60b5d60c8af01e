"""Diagnostics: every problem found in the input, with where it is, in one format.

Loaders and checks never stop at the first problem: they return their findings as a list of
`Diagnostic` records, and the application decides what blocks a settlement. Each finding has a
stable code (tests assert codes, so messages can improve) and is rendered in exactly one place,
`Diagnostic.render`, as `file:line:column: CODE message` or, for data,
`file: column X: message`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class ExitCode(enum.IntEnum):
    """Process exit statuses; each means one thing (documented in docs/cli.md and --help)."""

    OK = 0
    INVALID_CONTRACT = 1
    USAGE = 2
    INVALID_DATA = 3
    VERIFY_MISMATCH = 4
    OUTPUT_ERROR = 5
    DIFFERENCES = 6
    INTERNAL_ERROR = 70


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """Where a finding is: a file, and a line and column (1-based) or a column name and row."""

    file: str
    line: int | None = None
    column: int | None = None

    def render(self) -> str:
        if self.line is None:
            return self.file
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    location: Location
    severity: Severity = Severity.ERROR

    def render(self) -> str:
        tag = "" if self.severity is Severity.ERROR else "warning "
        return f"{self.location.render()}: {tag}{self.code} {self.message}"

    def as_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "message": self.message,
        }


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def sort_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Order findings by place in the file, so output reads top to bottom and is stable."""
    return sorted(
        diagnostics,
        key=lambda d: (d.location.file, d.location.line or 0, d.location.column or 0, d.code, d.message),
    )


class SettlementError(Exception):
    """Raised when a use case cannot go on; carries the findings and the exit code to use."""

    def __init__(self, exit_code: ExitCode, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(d.render() for d in diagnostics))
        self.exit_code = exit_code
        self.diagnostics = diagnostics


# The code catalogue. C = contract file, D = data extract, O = output, R = run arguments,
# P = payment history (earlier runs, payments extract),
# A = audit of a run folder (verify, explain, diff), S = scenario file (simulate scenario),
# I = a ledger invariant that does not hold (a bug in obc-settle, exit status 70; nothing is written).
CODES: dict[str, str] = {
    "C001": "the file cannot be read (missing, unreadable, or not UTF-8)",
    "C002": "YAML syntax error",
    "C003": "duplicate key in a mapping",
    "C004": "YAML feature not allowed in contracts (tags, anchors/aliases, merge keys)",
    "C005": "the file is empty or is not a mapping at the top",
    "C006": "the file is larger than the contract size limit",
    "C007": "lists and mappings nested deeper than the limit (32 levels)",
    "C010": "unknown key",
    "C011": "required key missing",
    "C012": "wrong type or value",
    "C020": "weights in a level do not sum to 1",
    "C021": "provider base shares do not sum to 1",
    "C022": "threshold and target disagree with the direction",
    "C023": "contract years do not cover the term exactly",
    "C024": "reference to an unknown provider, indicator or contract year",
    "C025": "duplicate id",
    "C026": "fixed shares do not sum to 1",
    "C027": "scoring parameters are inconsistent",
    "C028": "term is not made of whole contract years",
    "C029": "a variation is dated outside the term, not on a 1 April, or out of date order",
    "C030": "more providers, indicators, contract years, variations or entries of a list than a contract may have",
    "C031": "an amount of money, or a sum of amounts, above the limit of £10^12",
    "C032": "a number beyond its limit (a multiplier of money above its maximum, any number beyond 10^15)",
    "C040": "a risk-share minimum rate table that cannot be read (no table or points, both, points not by rising population, beside a minimum_rate, no population to count)",
    "C041": "risk-share bands whose upper ends mix proportions of the budget and amounts, or a band end given both ways",
    "C042": "a revenue-based risk-share cap without its revenue figure (amount or indicator), or with both",
    "C043": "a risk-share adjustment on the wrong side (loss_forgiven on gains)",
    "C044": "a risk-share quality input naming an unknown indicator or domain",
    "C045": "a contract year or period not named in the form of the contract's years (term.year_starts)",
    "C050": "a budget-neutral exchange slope with no withheld pool or no indicators to share it by",
    "C055": "indicators that state values: one states its value in pounds and another does not",
    "C056": "indicators that state values: a weight is given beside them",
    "C057": "indicators that state values: they do not add up to a contract year's outcome pool",
    "C058": "indicator values in a points contract, or in a capitated contract year",
    "C059": "an indicator's value is not above 0",
    "D001": "extract file or folder cannot be read",
    "D002": "required column missing",
    "D003": "column has the wrong type",
    "D004": "null in a key column",
    "D005": "negative count",
    "D006": "numerator above denominator for a proportion",
    "D007": "unknown provider",
    "D008": "unknown indicator",
    "D009": "period outside the contract term",
    "D010": "period not in YYYY-MM form",
    "D011": "no extract files found",
    "D012": "value_count is zero while value_sum is not",
    "D013": "unknown column (ignored)",
    "D014": "no indicator rows for the settlement period",
    "D015": "null in a record-level flag column (in_denominator, in_numerator, excluded)",
    "D016": "record in the numerator but not in the denominator",
    "D017": "duplicate record: the same patient_id, indicator_id and period twice (when asked for)",
    "D019": "a row of an aggregated extract repeats an earlier row in every column",
    "D018": "a mean value outside the indicator's declared value_range (mixed units)",
    "D020": "a measure column that the file's indicators need is missing",
    "D021": "a measure column is null on rows of an indicator that needs it",
    "D022": "the same provider x indicator x month in two extract files (a corrected file beside the original?)",
    "D023": "provider x indicator x month cells the contract expects are missing (refused in a final settlement)",
    "D024": "an achieved value outside the indicator's plausible_range (units?)",
    "D025": "an achieved value implausibly far from the indicator's baseline (warning; refused in a final settlement unless accepted)",
    "D026": "a Parquet file's footer (its schema and metadata) is larger than the limit (16 MiB)",
    "D027": "a row group of a Parquet file is larger than the limit uncompressed (1 GiB)",
    "D028": "a monthly total of a measure beyond 10,000,000,000 (wrong units, or a corrupt extract)",
    "D030": "no registered population rows for months of a capitated settlement",
    "D031": "no actual spend rows for months of a risk/gain share year (the finance extract misses months)",
    "D032": "no list size or disease register rows in the month a points settlement reads them from",
    "D033": "the rate-card claims extract cannot be read or lacks columns",
    "D034": "a rate-card claim with an unknown outcome or provider, or a month outside the term",
    "D035": "a CSV or Excel cell that is not of its column's type (a whole number, a number, true or false)",
    "D036": "a CSV file's text encoding: not UTF-8 (read as Windows-1252, a warning) or unreadable (UTF-16)",
    "D037": "a mapping that does not fit its extract: a column it names is missing, a month not in its format",
    "D038": "an extract code (indicator, provider) that the mapping's code list does not map",
    "D039": "an Excel cell holding an error value (#DIV/0!, #REF!, ...), or a sheet the workbook does not have",
    "D040": "a return workbook made by obc-settle template for another contract, or holding months outside its period",
    "P001": "an earlier run folder or a payments extract cannot be read",
    "P002": "an earlier run settles another contract, or pays providers the contract does not have",
    "P003": "an earlier run or payment is for a period that cannot be netted off (another year, or later)",
    "P004": "two earlier runs settle the same period",
    "P005": "an earlier run counted payments that the runs given do not show",
    "P006": "an earlier run of the year is missing",
    "P007": "a payments extract lacks a column, has a wrong type, an empty cell or an unknown provider",
    "P008": "the payments extract does not match the earlier runs",
    "P009": "unknown column in a payments extract (ignored)",
    "P010": "an earlier run was settled under another contract version (warning)",
    "P011": "a payments extract states an amount beyond the limit of £10^12",
    "R001": "settlement period not understood or outside the term",
    "R002": "an option does not apply to this contract",
    "R003": "no such contract template",
    "R004": "a what-if option out of range (estimate: --through, --trajectory, --period; simulate: --indicator, --years)",
    "R005": "a contract-year settlement of a contract that pays on account in-year, or a later quarter of one whose quarters settle the year to date, without --paid, --payments or --nothing-paid-on-account",
    "R006": "--previous-year: missing where the contract year takes its aspiration from the previous year's run, or not a run folder",
    "R007": "--previous-year: the run settles another contract, or not the whole previous contract year",
    "R008": "--previous-year: the run is incomplete or altered (no manifest, a ledger the manifest does not record, no points lines)",
    "S001": "scenario file: unknown or missing key, wrong type or value, not exactly one kind of change",
    "S002": "scenario file: unknown indicator or provider, or a spend change without a risk/gain share",
    "O001": "output folder exists (use --force to replace it)",
    "O002": "output cannot be written",
    "O003": "another run is writing the same output folder",
    "O004": "an input changed while the run was reading it",
    "O005": "the output folder is, is inside or contains an input of the run (contract, --data, --paid, ...)",
    "O006": "the output folder is inside another run's folder, or contains one",
    "O007": "--force on a folder that is neither empty nor a complete obc-settle run folder (remove it by hand)",
    "O008": "the output folder is a symbolic link (give the folder it points to)",
    "A001": "not a run folder, or its manifest cannot be read",
    "A002": "the run folder cannot be replayed by this version (manifest schema, input roles, paths)",
    "A003": "an archived input is missing",
    "A004": "an archived input does not match the SHA-256 the manifest records (changed or corrupted)",
    "A005": "a file in the archive is not recorded in the manifest",
    "A006": "a recomputed output differs from the archived one",
    "A007": "the settlement cannot be recomputed from the archived inputs",
    "A008": "a version differs from the one that wrote the run (warning)",
    "A009": "no such provider or indicator in the run",
    "A010": "--records needs a record-level extract",
    "A011": "the runs compared settle different contracts or periods (warning)",
    "A012": "--records lists the people of one indicator: --indicator is needed",
    "A013": "verify --trust: the run is not signed (no signature beside its manifest)",
    "A014": "the signature does not match the manifest's bytes, or cannot be read",
    "A015": "the run is signed by a key other than the trusted one",
    "A016": "a file of the run folder is a symbolic link or not a regular file inside the folder",
    "A017": "a file the manifest lists is missing or does not match its SHA-256, or a document of a recorded format is missing",
    "A018": "the run register's hash chain is broken (a line edited, deleted, re-ordered or unreadable)",
    "A019": "a run folder named in the register does not match its register line",
    "A020": "the register holds different runs of the same contract and period (warning)",
    "A021": "a key file is missing, unreadable or not an Ed25519 key of the expected kind",
    "A022": "the run register cannot be read or appended to",
    "A023": "keys new: a key file already exists (never overwritten)",
    "I001": "a settlement invariant does not hold (a bug: please report it); nothing is written",
}


def did_you_mean(word: str, choices: Iterable[object]) -> str:
    """` (did you mean 'x'?)` for the closest choice, or nothing."""
    import difflib

    close = difflib.get_close_matches(word, sorted(str(c) for c in choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
