"""The ledger's invariants, checked on every ledger before anything is written.

As beancount runs every loaded ledger through one list of validations, every settlement runs its
ledger through `INVARIANTS`: `violations(ledger, contract)` returns each invariant that does not
hold (empty when the ledger is sound) and `require_invariants` raises `SettlementError` with exit
status 70 (internal error: a bug, never bad input) naming the invariant, the party and the
amounts. The checks read the ledger and the contract's terms in force, never the extracts, and
do not recompute a settlement: they check what must hold whatever the data was.

Invariants (names are stable; docs/methodology.md "Invariants checked at every run"):

- `whole-pence`: every amount is a whole number of pence, none missing, and every total fits in
  a 64-bit integer (totals are computed as Python integers, which cannot overflow);
- `ledger-structure`: one settlement per ledger, known line types of the right kind for the
  party, the contract's providers and the commissioner only, lines numbered 1..n per party;
- `money-conserved`: sum(payment) + sum(retention) = the contract value of the period;
- `net-payable`: one per provider, = the sum of its payment lines for the period itself;
- `net-retained`: one for the commissioner, = the sum of its retention lines;
- `due-now`: with a payment history, due_now = net_payable + restatements - paid_on_account;
- `withheld`: each provider's withheld memo = earned + unearned (= what it had available);
- `contract-value`: a fixed contract value is the contract's, split into quarters by largest
  remainder; outcome pool = contract value x withheld proportion, rounded once;
- `base-split`: base payments add up to contract value - outcome pool, each provider's its exact
  base share rounded down or up (largest remainder), instalments within a penny of each other;
- `indicator-pools`: indicator pools (+ retained_unscored, held) add up to the outcome pool; per
  indicator retained + earned = pool, and the parties' available money is at most the pool;
- `payment-bounds`: no payment below (or above) what the contract allows: base, outcome, points,
  aspiration, rate-card and redistributed payments are never negative; earned <= available x
  exchange slope, and = available x the line's exact score x slope, rounded once (when the
  ledger carries `score_exact`); a rate-card payment <= price x claims; risk share negative only
  with a losses side, positive only with a gains side; a subcontractor never pays, a prime never
  receives;
- `declared-mechanisms`: lines only for the mechanisms, indicators and periods the contract has;
- `mirrored`: the commissioner's line of each mechanism is the opposite of the providers' lines;
- `subcontracts`: subcontract lines net to zero, and a prime passes on at most what it earned;
- `redistribution`: redistributed money is at most the providers' unearned money, and goes only
  to providers that earned outcome money.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.errors import Diagnostic, ExitCode, Location, SettlementError
from obc_settle.ledger.schema import COMMISSIONER, PERIOD_PAYMENT_TYPES, LineKind, LineType
from obc_settle.money import largest_remainder, pounds_to_pence, round_half_up
from obc_settle.periods import SettlementPeriod

__all__ = ["INVARIANTS", "Violation", "require_invariants", "violations"]

INT64 = 2**63 - 1
T = LineType
P, R, M = LineKind.PAYMENT, LineKind.RETENTION, LineKind.MEMO
PROVIDER_KINDS = {
    T.BASE_PAYMENT: P,
    T.WITHHELD: M,
    T.OUTCOME: P,
    T.UNEARNED: M,
    T.REDISTRIBUTED_UNEARNED: P,
    T.NET_PAYABLE: M,
    T.POINTS: P,
    T.ASPIRATION: P,
    T.RISK_SHARE: P,
    T.RATE_CARD: P,
    T.SUBCONTRACT: P,
    T.RESTATEMENT: P,
    T.PAID_ON_ACCOUNT: M,
    T.PAID_TO_DATE: M,
    T.DUE_NOW: M,
}
COMMISSIONER_KINDS = {
    T.CONTRACT_VALUE: M,
    T.OUTCOME_POOL: M,
    T.RETAINED: R,
    T.RETAINED_UNSCORED: R,
    T.HELD: R,
    T.REDISTRIBUTED_UNEARNED: R,
    T.POINTS: R,
    T.ASPIRATION: R,
    T.RISK_SHARE: R,
    T.RATE_CARD: R,
    T.RESTATEMENT: R,
    T.NET_RETAINED: M,
}
MIRRORED = (T.REDISTRIBUTED_UNEARNED, T.POINTS, T.ASPIRATION, T.RISK_SHARE, T.RATE_CARD)
NEVER_NEGATIVE = (
    T.BASE_PAYMENT,
    T.OUTCOME,
    T.REDISTRIBUTED_UNEARNED,
    T.POINTS,
    T.ASPIRATION,
    T.RATE_CARD,
    T.WITHHELD,
)
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


class View:
    """The ledger's lines as Python integers, with the contract's terms in force and the period."""

    def __init__(self, ledger: pl.DataFrame, contract: Contract):
        rows = ledger.select(COLUMNS).rows()
        scores = (
            ledger.get_column("score_exact").to_list()
            if "score_exact" in ledger.columns
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
            )
            for r, s in zip(rows, scores, strict=True)
        ]
        self.settlements = sorted({(str(r[0]), str(r[1]), str(r[2])) for r in rows})
        """(contract_id, contract_year, settlement_period) of the lines: exactly one for a sound ledger."""
        named = self.settlements[0][2] if self.settlements else contract.contract_years[0].year
        try:
            self.period = SettlementPeriod.parse(named)
        except ValueError:
            self.period = SettlementPeriod.parse(contract.contract_years[0].year)
        self.contract = contract.in_force(self.period.contract_year.name)
        self.providers = [p.id for p in self.contract.providers]
        self.slope = Fraction(self.contract.outcome_framework.exchange_slope)
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


def _whole_pence(ledger: pl.DataFrame) -> list[Violation]:
    found = []
    missing = [name for name in COLUMNS if name not in ledger.columns]
    if missing:
        return [Violation("whole-pence", None, f"the ledger lacks the columns {', '.join(missing)}")]
    for name in ("amount_pence", "pool_pence", "available_pence"):
        if not ledger.schema[name].is_integer():
            found.append(Violation("whole-pence", None, f"{name} is {ledger.schema[name]}, not whole pence"))
    nulls = ledger.filter(pl.col("amount_pence").is_null())
    for row in nulls.select("party_id", "line_type").iter_rows():
        found.append(Violation("whole-pence", row[0], f"a {row[1]} line has no amount"))
    if found:
        return found
    amounts = [int(a) for a in ledger.get_column("amount_pence").to_list()]
    for label, total in (
        ("payments", _sum(ledger, "payment")),
        ("retentions", _sum(ledger, "retention")),
        ("all amounts", sum(abs(a) for a in amounts)),
    ):
        if abs(total) > INT64:
            found.append(
                Violation("whole-pence", None, f"{label} total {total} pence, beyond a 64-bit integer")
            )
    return found


def _sum(ledger: pl.DataFrame, kind: str) -> int:
    return sum(int(a) for a in ledger.filter(pl.col("kind") == kind).get_column("amount_pence").to_list())


def _structure(view: View) -> list[Violation]:
    found = []
    if not view.lines:
        return [Violation("ledger-structure", None, "the ledger has no lines")]
    if len(view.settlements) != 1:
        found.append(
            Violation(
                "ledger-structure",
                None,
                f"lines of {len(view.settlements)} settlements: {', '.join(' '.join(s) for s in view.settlements)}",
            )
        )
    elif view.settlements[0] != (view.contract.id, view.period.contract_year.name, view.period.name):
        found.append(
            Violation(
                "ledger-structure",
                None,
                f"lines of {' '.join(view.settlements[0])}, not a settlement period of contract {view.contract.id}",
            )
        )
    roles = {p.id: p.role for p in view.contract.providers}
    for x in view.lines:
        kinds = COMMISSIONER_KINDS if x.party == COMMISSIONER else PROVIDER_KINDS
        if x.party != COMMISSIONER and x.party not in roles:
            found.append(
                Violation("ledger-structure", x.party, "a party that is not a provider of the contract")
            )
        elif x.line_type not in kinds:
            found.append(
                Violation(
                    "ledger-structure",
                    x.party,
                    f"a {x.line_type} line, which a {'commissioner' if x.party == COMMISSIONER else 'provider'} does not have",
                )
            )
        elif kinds[x.line_type] != x.kind:
            found.append(
                Violation(
                    "ledger-structure",
                    x.party,
                    f"a {x.line_type} line of kind {x.kind}, not {kinds[x.line_type]}",
                )
            )
        elif x.role != roles.get(x.party, COMMISSIONER):
            found.append(
                Violation(
                    "ledger-structure", x.party, f"role {x.role}, not {roles.get(x.party, COMMISSIONER)}"
                )
            )
    for party in sorted({x.party for x in view.lines}):
        numbers = sorted(x.line_no for x in view.of(party))
        if numbers != list(range(1, len(numbers) + 1)):
            found.append(Violation("ledger-structure", party, "lines are not numbered 1 to n"))
    for missing in [p for p in view.providers if not view.of(p)] + (
        [] if view.of(COMMISSIONER) else [COMMISSIONER]
    ):
        found.append(Violation("ledger-structure", missing, "no lines for a party of the contract"))
    return found


def _money_conserved(view: View) -> list[Violation]:
    found: list[Violation] = []
    value = view.one(COMMISSIONER, T.CONTRACT_VALUE, "money-conserved", found)
    paid, kept = view.total(None, kind=P), view.total(None, kind=R)
    if value is not None and paid + kept != value:
        found.append(
            Violation(
                "money-conserved",
                None,
                f"payments {paid} + retentions {kept} = {paid + kept} pence, not the contract value {value} pence",
            )
        )
    return found


def _net_payable(view: View) -> list[Violation]:
    found: list[Violation] = []
    for party in view.providers:
        net = view.one(party, T.NET_PAYABLE, "net-payable", found)
        paid = view.total(party, *PERIOD_PAYMENT_TYPES, kind=P)
        if net is not None and net != paid:
            found.append(
                Violation(
                    "net-payable",
                    party,
                    f"net_payable {net} pence, but its payment lines for the period add up to {paid} pence",
                )
            )
    return found


def _net_retained(view: View) -> list[Violation]:
    found: list[Violation] = []
    net = view.one(COMMISSIONER, T.NET_RETAINED, "net-retained", found)
    kept = view.total(COMMISSIONER, kind=R)
    if net is not None and net != kept:
        found.append(
            Violation(
                "net-retained",
                COMMISSIONER,
                f"net_retained {net} pence, but its retention lines add up to {kept} pence",
            )
        )
    return found


def _due_now(view: View) -> list[Violation]:
    found: list[Violation] = []
    if not view.of(None, T.DUE_NOW, T.PAID_TO_DATE):
        for x in view.of(None, T.RESTATEMENT, T.PAID_ON_ACCOUNT):
            found.append(
                Violation(
                    "due-now", x.party, f"a {x.line_type} line of {x.amount} pence without a due_now line"
                )
            )
        return found
    for party in view.providers:
        due = view.one(party, T.DUE_NOW, "due-now", found)
        view.one(party, T.PAID_TO_DATE, "due-now", found)
        net = view.total(party, T.NET_PAYABLE)
        restated, on_account = view.total(party, T.RESTATEMENT), view.total(party, T.PAID_ON_ACCOUNT)
        if due is not None and due != net + restated - on_account:
            found.append(
                Violation(
                    "due-now",
                    party,
                    f"due_now {due} pence, not net_payable {net} + restatements {restated} - paid on account {on_account} = {net + restated - on_account} pence",
                )
            )
    for x in view.of(None, T.RESTATEMENT):
        if not x.adjusts:
            found.append(Violation("due-now", x.party, f"a restatement of {x.amount} pence names no period"))
    return found


def _withheld(view: View) -> list[Violation]:
    found: list[Violation] = []
    for party in view.providers:
        withheld = view.one(party, T.WITHHELD, "withheld", found)
        unearned = view.one(party, T.UNEARNED, "withheld", found)
        outcome = view.of(party, T.OUTCOME)
        earned = sum(x.amount for x in outcome)
        if withheld is None or unearned is None:
            continue
        if withheld != earned + unearned:
            found.append(
                Violation(
                    "withheld",
                    party,
                    f"withheld {withheld} pence, not earned {earned} + unearned {unearned} = {earned + unearned} pence",
                )
            )
        available = sum(x.available or 0 for x in outcome)
        if outcome and withheld != available:
            found.append(
                Violation(
                    "withheld",
                    party,
                    f"withheld {withheld} pence, but its outcome lines had {available} pence available",
                )
            )
    pool = view.total(COMMISSIONER, T.OUTCOME_POOL)
    withheld_total = view.providers_total(T.WITHHELD)
    if withheld_total > pool:
        found.append(
            Violation(
                "withheld",
                None,
                f"providers' withheld money {withheld_total} pence is more than the outcome pool {pool} pence",
            )
        )
    return found


def _quarters(view: View) -> list[int]:
    period = view.period
    if period.quarter is None:
        return [1, 2, 3, 4]
    if view.contract.payment_terms.outcome_on_account == "year_to_date":
        return list(range(1, period.quarter + 1))
    return [period.quarter]


def _contract_value(view: View) -> list[Violation]:
    found: list[Violation] = []
    value = view.one(COMMISSIONER, T.CONTRACT_VALUE, "contract-value", found)
    pool = view.one(COMMISSIONER, T.OUTCOME_POOL, "contract-value", found)
    terms = view.contract.year_terms(view.period.contract_year.name)
    if value is None or pool is None or terms is None:
        return found + (
            [Violation("contract-value", None, f"the contract has no terms for {view.period.contract_year}")]
            if terms is None
            else []
        )
    if value < 0:
        found.append(Violation("contract-value", COMMISSIONER, f"a negative contract value {value} pence"))
    if terms.capitation is None:
        quarters = largest_remainder(pounds_to_pence(terms.contract_value or Decimal(0)), [1, 1, 1, 1])
        expected = sum(quarters[q - 1] for q in _quarters(view))
        if value != expected:
            found.append(
                Violation(
                    "contract-value",
                    COMMISSIONER,
                    f"contract value {value} pence, but the contract's value for {view.period} is {expected} pence",
                )
            )
    expected_pool = round_half_up(Fraction(value) * Fraction(terms.withheld_proportion))
    if pool != expected_pool:
        found.append(
            Violation(
                "contract-value",
                COMMISSIONER,
                f"outcome pool {pool} pence, not {value} x withheld proportion {terms.withheld_proportion} = {expected_pool} pence",
            )
        )
    return found


def _base_split(view: View) -> list[Violation]:
    found: list[Violation] = []
    base_pool = view.total(COMMISSIONER, T.CONTRACT_VALUE) - view.total(COMMISSIONER, T.OUTCOME_POOL)
    paid = view.providers_total(T.BASE_PAYMENT)
    if paid != base_pool:
        found.append(
            Violation(
                "base-split",
                None,
                f"base payments add up to {paid} pence, not the base pool {base_pool} pence",
            )
        )
    shares = {p.id: Fraction(p.base_share) for p in view.contract.providers}
    whole = sum(shares.values()) or Fraction(1)
    for party in view.providers:
        lines = view.of(party, T.BASE_PAYMENT)
        base = sum(x.amount for x in lines)
        exact = base_pool * shares[party] / whole
        if abs(base - exact) >= 1:  # a largest-remainder part is its exact share rounded down or up
            found.append(
                Violation(
                    "base-split",
                    party,
                    f"base payment {base} pence, not its exact share {_pence(exact)} pence rounded down or up",
                )
            )
        if lines and max(x.amount for x in lines) - min(x.amount for x in lines) > 1:
            found.append(
                Violation(
                    "base-split",
                    party,
                    f"instalments {[x.amount for x in lines]} differ by more than a penny",
                )
            )
    return found


def _pence(value: Fraction) -> str:
    return (
        str(value.numerator)
        if value.denominator == 1
        else f"{Decimal(value.numerator) / Decimal(value.denominator):.4f}"
    )


def _indicator_pools(view: View) -> list[Violation]:
    found: list[Violation] = []
    retained = view.of(COMMISSIONER, T.RETAINED)
    pools = sum(x.pool or 0 for x in retained)
    rest = view.total(COMMISSIONER, T.RETAINED_UNSCORED, T.HELD)
    outcome_pool = view.total(COMMISSIONER, T.OUTCOME_POOL)
    if pools + rest != outcome_pool:
        found.append(
            Violation(
                "indicator-pools",
                None,
                f"indicator pools {pools} + unscored or held {rest} = {pools + rest} pence, not the outcome pool {outcome_pool} pence",
            )
        )
    by_indicator = {x.indicator: x for x in retained}
    if len(by_indicator) != len(retained):
        found.append(
            Violation("indicator-pools", COMMISSIONER, "an indicator has more than one retained line")
        )
    outcome: dict[str | None, list[Line]] = {}
    for y in view.of(None, T.OUTCOME):
        outcome.setdefault(y.indicator, []).append(y)
    for x in retained:
        parts = outcome.get(x.indicator, [])
        earned, available, pool = (
            sum(y.amount for y in parts),
            sum(y.available or 0 for y in parts),
            x.pool or 0,
        )
        if pool < 0:
            found.append(
                Violation("indicator-pools", None, f"indicator {x.indicator}: a negative pool {pool} pence")
            )
        if x.amount + earned != pool:
            found.append(
                Violation(
                    "indicator-pools",
                    None,
                    f"indicator {x.indicator}: retained {x.amount} + earned {earned} = {x.amount + earned} pence, not its pool {pool} pence",
                )
            )
        if available > pool:
            found.append(
                Violation(
                    "indicator-pools",
                    None,
                    f"indicator {x.indicator}: parties have {available} pence available, more than its pool {pool} pence",
                )
            )
        for y in parts:
            if y.pool != pool:
                found.append(
                    Violation(
                        "indicator-pools",
                        y.party,
                        f"indicator {x.indicator}: its outcome line's pool {y.pool} pence is not the indicator pool {pool} pence",
                    )
                )
        if len({y.party for y in parts}) != len(parts):
            found.append(
                Violation("indicator-pools", None, f"indicator {x.indicator}: a party has two outcome lines")
            )
    for y in view.of(None, T.OUTCOME):
        if y.indicator not in by_indicator:
            found.append(
                Violation(
                    "indicator-pools",
                    y.party,
                    f"an outcome line of {y.amount} pence for indicator {y.indicator}, which has no pool",
                )
            )
    return found


def _payment_bounds(view: View) -> list[Violation]:
    found = []
    risk = view.contract.risk_share
    for x in view.of(None, *NEVER_NEGATIVE):
        if x.party != COMMISSIONER and x.amount < 0:
            found.append(
                Violation(
                    "payment-bounds",
                    x.party,
                    f"a negative {x.line_type} line of {x.amount} pence{_on(x)}, which the contract does not allow",
                )
            )
    for x in view.of(None, T.OUTCOME):
        most = round_half_up(Fraction(x.available or 0) * view.slope)
        if x.amount > most:
            found.append(
                Violation(
                    "payment-bounds",
                    x.party,
                    f"earned {x.amount} pence{_on(x)}, more than available {x.available} x exchange slope {view.slope} = {most} pence",
                )
            )
        if x.score is not None and x.amount != round_half_up(
            Fraction(x.available or 0) * x.score * view.slope
        ):
            earned = round_half_up(Fraction(x.available or 0) * x.score * view.slope)
            found.append(
                Violation(
                    "payment-bounds",
                    x.party,
                    f"earned {x.amount} pence{_on(x)}, not available {x.available} x score {x.score} x exchange slope {view.slope} = {earned} pence",
                )
            )
    for x in view.of(None, T.UNEARNED):
        if x.amount < 0 and view.slope <= 1:
            found.append(
                Violation(
                    "payment-bounds",
                    x.party,
                    f"unearned {x.amount} pence is negative with an exchange slope of {view.slope}",
                )
            )
    for x in view.of(None, T.RATE_CARD):
        if x.party != COMMISSIONER and x.available is not None and x.amount > x.available:
            found.append(
                Violation(
                    "payment-bounds",
                    x.party,
                    f"rate card {x.amount} pence{_on(x)}, more than price x claims {x.available} pence",
                )
            )
    signs = {
        (x.amount > 0) - (x.amount < 0) for x in view.of(None, T.RISK_SHARE) if x.party != COMMISSIONER
    } - {0}
    if len(signs) > 1:
        found.append(
            Violation("payment-bounds", None, "risk share pays some providers and recovers from others")
        )
    for x in view.of(None, T.RISK_SHARE):
        if x.party != COMMISSIONER and (
            (x.amount > 0 and (risk is None or risk.gains is None))
            or (x.amount < 0 and (risk is None or risk.losses is None))
        ):
            found.append(
                Violation(
                    "payment-bounds",
                    x.party,
                    f"risk share {x.amount} pence, but the contract shares no {'savings' if x.amount > 0 else 'overspends'}",
                )
            )
    primes = {s.prime for s in view.contract.subcontracts}
    subcontractors = {s.subcontractor for s in view.contract.subcontracts}
    for x in view.of(None, T.SUBCONTRACT):
        if x.amount < 0 and x.party not in primes:
            found.append(
                Violation(
                    "payment-bounds",
                    x.party,
                    f"subcontract {x.amount} pence paid by a provider that is no prime",
                )
            )
        if x.amount > 0 and x.party not in subcontractors:
            found.append(
                Violation(
                    "payment-bounds",
                    x.party,
                    f"subcontract {x.amount} pence paid to a provider that is no subcontractor",
                )
            )
    return found


def _on(x: Line) -> str:
    return f" on {x.indicator}" if x.indicator else ""


def _declared_mechanisms(view: View) -> list[Violation]:
    found = []
    c, year = view.contract, view.period.is_year
    risk_years = None if c.risk_share is None else c.risk_share.years
    declared = {
        T.POINTS: (c.points is not None and year, "a points contract's contract-year settlement"),
        T.ASPIRATION: (
            c.points is not None and c.points.aspiration is not None and not year,
            "a points contract with aspiration, in-year",
        ),
        T.RISK_SHARE: (
            c.risk_share is not None
            and year
            and (risk_years is None or view.period.contract_year.name in risk_years),
            "a contract-year settlement of a year the risk share applies to",
        ),
        T.RATE_CARD: (c.rate_card is not None, "a contract with a rate card"),
        T.SUBCONTRACT: (bool(c.subcontracts), "a contract with subcontracts"),
        T.REDISTRIBUTED_UNEARNED: (
            c.unearned == "redistributed",
            "a contract that redistributes unearned money",
        ),
        T.HELD: (
            c.payment_terms.outcome_on_account == "year_end" and not year,
            "a quarter whose outcome money is held to year end",
        ),
    }
    for line_type, (allowed, where) in declared.items():
        for x in view.of(None, line_type):
            if not allowed:
                found.append(
                    Violation(
                        "declared-mechanisms",
                        x.party,
                        f"a {line_type} line of {x.amount} pence, found only in {where}",
                    )
                )
    indicators = {i.id: i for _, i in c.indicators()}
    for x in view.of(None, T.OUTCOME, T.RETAINED):
        indicator = indicators.get(str(x.indicator))
        if indicator is None:
            found.append(
                Violation(
                    "declared-mechanisms",
                    x.party,
                    f"a {x.line_type} line for {x.indicator}, not an indicator of the contract",
                )
            )
        elif (
            x.line_type == T.OUTCOME
            and indicator.attribution == "individual"
            and x.party != indicator.provider
        ):
            found.append(
                Violation(
                    "declared-mechanisms",
                    x.party,
                    f"earned {x.amount} pence on {x.indicator}, an individual indicator of {indicator.provider}",
                )
            )
    return found


def _mirrored(view: View) -> list[Violation]:
    found = []
    for line_type in MIRRORED:
        given, kept = view.providers_total(line_type), view.total(COMMISSIONER, line_type)
        if given + kept != 0:
            found.append(
                Violation(
                    "mirrored",
                    None,
                    f"providers' {line_type} lines add up to {given} pence, the commissioner's to {kept} pence: not opposite",
                )
            )
    periods = {x.adjusts for x in view.of(None, T.RESTATEMENT)}
    for period in sorted(p or "" for p in periods):
        lines = [x for x in view.of(None, T.RESTATEMENT) if (x.adjusts or "") == period]
        given, kept = (
            sum(x.amount for x in lines if x.party != COMMISSIONER),
            sum(x.amount for x in lines if x.party == COMMISSIONER),
        )
        if given + kept != 0:
            found.append(
                Violation(
                    "mirrored",
                    None,
                    f"restatements of {period}: providers {given} pence, commissioner {kept} pence: not opposite",
                )
            )
    for x in view.of(COMMISSIONER, T.RISK_SHARE):
        if abs(x.amount) > abs(x.pool or 0):
            found.append(
                Violation(
                    "mirrored",
                    None,
                    f"risk share of {-x.amount} pence to providers, more than their part {x.pool} pence",
                )
            )
    return found


def _subcontracts(view: View) -> list[Violation]:
    found = []
    total = view.providers_total(T.SUBCONTRACT)
    if total != 0:
        found.append(Violation("subcontracts", None, f"subcontract lines add up to {total} pence, not zero"))
    for party in view.providers:
        passed = -sum(x.amount for x in view.of(party, T.SUBCONTRACT) if x.amount < 0)
        earned = view.total(party, T.OUTCOME)
        if passed > max(earned, 0):
            found.append(
                Violation(
                    "subcontracts", party, f"passes on {passed} pence, more than the {earned} pence it earned"
                )
            )
    return found


def _redistribution(view: View) -> list[Violation]:
    found = []
    given, unearned = view.providers_total(T.REDISTRIBUTED_UNEARNED), view.providers_total(T.UNEARNED)
    if given > max(unearned, 0):
        found.append(
            Violation(
                "redistribution",
                None,
                f"{given} pence redistributed, more than the providers' unearned {unearned} pence",
            )
        )
    for party in view.providers:
        extra = view.total(party, T.REDISTRIBUTED_UNEARNED)
        if extra > 0 and view.total(party, T.OUTCOME) <= 0:
            found.append(
                Violation(
                    "redistribution",
                    party,
                    f"{extra} pence of unearned money, but it earned no outcome money",
                )
            )
    return found


INVARIANTS: list[Check] = [
    _structure,
    _money_conserved,
    _net_payable,
    _net_retained,
    _due_now,
    _withheld,
    _contract_value,
    _base_split,
    _indicator_pools,
    _payment_bounds,
    _declared_mechanisms,
    _mirrored,
    _subcontracts,
    _redistribution,
]
"""Run in this order on every ledger, after `whole-pence` (which, failing, stops the others)."""


def violations(ledger: pl.DataFrame, contract: Contract) -> list[Violation]:
    """Every invariant that does not hold for the ledger of `contract` (its terms in force are used)."""
    found = _whole_pence(ledger)
    if found:
        return found
    view = View(ledger, contract)
    return [violation for check in INVARIANTS for violation in check(view)]


def require_invariants(ledger: pl.DataFrame, contract: Contract) -> None:
    """Raise `SettlementError` (exit 70, I001 for each violation) unless every invariant holds."""
    found = violations(ledger, contract)
    if found:
        first = ledger.row(0, named=True) if ledger.height else {}
        where = (
            f"ledger of {first.get('contract_id', contract.id)} {first.get('settlement_period', '')}".strip()
        )
        raise SettlementError(ExitCode.INTERNAL_ERROR, [v.diagnostic(where) for v in found])
