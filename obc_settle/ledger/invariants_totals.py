"""Invariants of the ledger's shape and totals: whole pence, a sound structure, money conserved, and
each party's net payable, net retained, due now and withheld memo lines equal to the lines they
add up. Each function is named after the invariant it checks (`obc_settle.ledger.invariants`).
"""

from __future__ import annotations

import polars as pl

from obc_settle.ledger.invariant_view import COLUMNS, M, P, R, T, View, Violation
from obc_settle.ledger.schema import COMMISSIONER, PERIOD_PAYMENT_TYPES, LineKind

INT64 = 2**63 - 1


# Keyed by str: the ledger lines carry their line type as text.
PROVIDER_KINDS: dict[str, LineKind] = {
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


COMMISSIONER_KINDS: dict[str, LineKind] = {
    T.CONTRACT_VALUE: M,
    T.OUTCOME_POOL: M,
    T.RETAINED: R,
    T.RETAINED_UNSCORED: R,
    T.HELD: R,
    T.REDISTRIBUTED_UNEARNED: R,
    T.POINTS: R,
    T.ASPIRATION: R,
    T.RISK_SHARE: R,
    T.COMMISSIONER_SHARE: M,
    T.RATE_CARD: R,
    T.RESTATEMENT: R,
    T.NET_RETAINED: M,
}


def whole_pence(ledger: pl.DataFrame) -> list[Violation]:
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


def ledger_structure(view: View) -> list[Violation]:
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


def money_conserved(view: View) -> list[Violation]:
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


def net_payable(view: View) -> list[Violation]:
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


def net_retained(view: View) -> list[Violation]:
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


def due_now(view: View) -> list[Violation]:
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


def withheld(view: View) -> list[Violation]:
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
