"""The ledger's invariants, checked on every ledger before anything is written.

As beancount runs every loaded ledger through one list of validations, every settlement runs its
ledger through `INVARIANTS`: `violations(ledger, contract)` returns each invariant that does not
hold (empty when the ledger is sound) and `require_invariants` raises `SettlementError` with exit
status 70 (internal error: a bug, never bad input) naming the invariant, the party and the
amounts. The checks read the ledger and the contract's terms in force, never the extracts, and
do not recompute a settlement: they check what must hold whatever the data was. Each reads the
ledger through `invariant_view.View` and is named after its invariant; they live by what they
check: `invariants_totals` (the ledger's shape and totals), `invariants_split` (how the contract
value is split) and `invariants_mechanisms` (what each payment mechanism may pay).

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

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.errors import ExitCode, SettlementError
from obc_settle.ledger.invariant_view import Check, View, Violation
from obc_settle.ledger.invariants_mechanisms import (
    declared_mechanisms,
    mirrored,
    payment_bounds,
    redistribution,
    subcontracts,
)
from obc_settle.ledger.invariants_split import base_split, contract_value, indicator_pools
from obc_settle.ledger.invariants_totals import (
    due_now,
    ledger_structure,
    money_conserved,
    net_payable,
    net_retained,
    whole_pence,
    withheld,
)

__all__ = ["INVARIANTS", "Violation", "require_invariants", "violations"]

INVARIANTS: list[Check] = [
    ledger_structure,
    money_conserved,
    net_payable,
    net_retained,
    due_now,
    withheld,
    contract_value,
    base_split,
    indicator_pools,
    payment_bounds,
    declared_mechanisms,
    mirrored,
    subcontracts,
    redistribution,
]
"""Run in this order on every ledger, after `whole-pence` (which, failing, stops the others)."""


def violations(ledger: pl.DataFrame, contract: Contract) -> list[Violation]:
    """Every invariant that does not hold for the ledger of `contract` (its terms in force are used)."""
    found = whole_pence(ledger)
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
