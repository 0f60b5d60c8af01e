"""The ledger as the invariants read it: its lines as Python integers, with the contract's terms in
force for the settlement period, and the `Violation` an invariant reports when it does not hold.

Amounts are read into Python integers, which cannot overflow, so a check adds up any number of
lines exactly; `score_exact` is read as a `Fraction` where the ledger has it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.errors import Diagnostic, Location
from obc_settle.ledger.schema import COMMISSIONER, LineKind, LineType

T = LineType


P, R, M = LineKind.PAYMENT, LineKind.RETENTION, LineKind.MEMO


COLUMNS = (
    "contract_id",
    "contract_year",
    "settlement_period",
    "party_id",
    "party_role",
    "line_no",
    "line_type",
    "kind",
    "indicator_id",
    "attribution",
    "pool_pence",
    "available_pence",
    "amount_pence",
    "adjusts_period",
)


@dataclass(frozen=True)
class Violation:
    """One invariant that does not hold: its name, the party (None: the whole settlement), the amounts."""

    invariant: str
    party: str | None
    message: str

    def diagnostic(self, where: str) -> Diagnostic:
        party = "" if self.party is None else f" for {self.party}"
        return Diagnostic(
            "I001",
            f"invariant {self.invariant} does not hold{party}: {self.message} (a bug: please report it)",
            Location(where),
        )


@dataclass(frozen=True)
class Line:
    party: str
    role: str
    line_no: int
    line_type: str
    kind: str
    indicator: str | None
    attribution: str | None
    pool: int | None
    available: int | None
    amount: int
    adjusts: str | None
    score: Fraction | None = None
    """The exact score an outcome line was earned at (`score_exact`), when the ledger has it."""
    derivation: str | None = None
    """The line's `derivation` (JSON text, read with `obc_settle.ledger.derivation`), when it has one."""


class View:
    """The ledger's lines as Python integers, with the contract's terms in force and the period."""

    def __init__(self, ledger: pl.DataFrame, contract: Contract):
        rows = ledger.select(COLUMNS).rows()
        scores = (
            ledger.get_column("score_exact").to_list()
            if "score_exact" in ledger.columns
            else [None] * len(rows)
        )
        derivations = (
            ledger.get_column("derivation").to_list()
            if "derivation" in ledger.columns
            else [None] * len(rows)
        )
        self.lines = [
            Line(
                str(r[3]),
                str(r[4]),
                int(r[5] or 0),
                str(r[6]),
                str(r[7]),
                r[8],
                r[9],
                r[10],
                r[11],
                int(r[12]),
                r[13],
                _fraction(s),
                d,
            )
            for r, s, d in zip(rows, scores, derivations, strict=True)
        ]
        self.settlements = sorted({(str(r[0]), str(r[1]), str(r[2])) for r in rows})
        """(contract_id, contract_year, settlement_period) of the lines: exactly one for a sound ledger."""
        named = self.settlements[0][2] if self.settlements else contract.contract_years[0].year
        year_start = contract.term.year_start
        try:
            self.period = year_start.parse_period(named)
        except ValueError:
            self.period = year_start.parse_period(contract.contract_years[0].year)
        self.contract = contract.in_force(self.period.contract_year.name)
        self.providers = [p.id for p in self.contract.providers]
        framework = self.contract.outcome_framework
        self.budget_neutral = framework.budget_neutral
        """The slope is computed (`exchange_slope: budget_neutral`): read back from the lines themselves."""
        fixed = framework.fixed_slope
        self.slope = _budget_neutral_slope(self.lines) if fixed is None else Fraction(fixed)
        self.by_party: dict[str, list[Line]] = {}
        for x in self.lines:
            self.by_party.setdefault(x.party, []).append(x)

    def of(self, party: str | None, *types: str) -> list[Line]:
        lines = self.lines if party is None else self.by_party.get(party, [])
        return [x for x in lines if not types or x.line_type in types]

    def total(self, party: str | None, *types: str, kind: str | None = None) -> int:
        return sum(x.amount for x in self.of(party, *types) if kind is None or x.kind == kind)

    def providers_total(self, *types: str) -> int:
        return sum(x.amount for x in self.lines if x.party != COMMISSIONER and x.line_type in types)

    def one(self, party: str, line_type: str, invariant: str, found: list[Violation]) -> int | None:
        """The amount of the party's one line of a type, or None (and a violation) if not exactly one."""
        matches = self.of(party, line_type)
        if len(matches) != 1:
            found.append(Violation(invariant, party, f"{len(matches)} {line_type} lines, not one"))
            return None
        return matches[0].amount


Check = Callable[[View], list[Violation]]


def _fraction(text: object) -> Fraction | None:
    try:
        return None if text is None else Fraction(str(text))
    except (ValueError, ZeroDivisionError):
        return None


def _budget_neutral_slope(lines: list[Line]) -> Fraction:
    """Sum of the providers' available / sum of available x score, over their outcome lines (0 when
    nothing is earned at a slope of 1): found again from the ledger, not taken from the engine."""
    earning = [x for x in lines if x.line_type == T.OUTCOME and x.party != COMMISSIONER]
    withheld = sum(x.available or 0 for x in earning)
    weighted = sum((Fraction(x.available or 0) * (x.score or 0) for x in earning), Fraction(0))
    return Fraction(withheld) / weighted if weighted else Fraction(0)
