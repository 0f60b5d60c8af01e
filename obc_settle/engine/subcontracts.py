"""A prime contractor passes outcome money to its subcontractors by their subcontract terms.

For each indicator, the prime's earned amount is split by largest remainder between its
subcontractors (each by its `share`) and the prime (the rest), ties to the subcontract listed
first: each indicator's money is rounded once, and the parties' parts of it add up to it exactly.
Each subcontract term gives the subcontractor one `subcontract` payment line (the sum of its parts
over the indicators) and the prime an equal negative one, so the total paid to providers, and
money conservation, are unchanged.

Both lines carry the same `derivation` (obc_settle.ledger.derivation): the prime and the
subcontractor, the share, and per indicator the prime's earned money, the exact part
(share x earned), the part in pence and the whole split of that indicator's money among the prime
and its subcontractors (so that the largest-remainder step can be checked by hand). Statements and
`explain` show it; the invariants check that the parts add up to the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl

from obc_settle.contract.mechanisms import Subcontract
from obc_settle.contract.models import Contract
from obc_settle.engine.exact import fraction_text, split_exact
from obc_settle.engine.lines import Lines, line
from obc_settle.ledger.derivation import derivation_text
from obc_settle.ledger.schema import LineKind, LineType


@dataclass
class _Passed:
    """What one subcontract term passes on: its parts, indicator by indicator."""

    term: Subcontract
    indicators: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(int(item["part_pence"]) for item in self.indicators)


def subcontract_lines(contract: Contract, provider_parts: pl.DataFrame) -> Lines:
    lines = Lines()
    roles = {p.id: p.role for p in contract.providers}
    names = {p.id: p.name for p in contract.providers}
    passed = [_Passed(term) for term in contract.subcontracts]
    for prime in dict.fromkeys(item.prime for item in contract.subcontracts):
        earned = provider_parts.filter(pl.col("party_id") == prime).sort("indicator_order")
        for indicator_id, amount in earned.select("indicator_id", "earned_pence").iter_rows():
            covering = [
                item
                for item in passed
                if item.term.prime == prime
                and (item.term.indicators is None or indicator_id in item.term.indicators)
            ]
            if not covering:
                continue
            for item, entry in zip(
                covering, _split(prime, str(indicator_id), int(amount), covering), strict=True
            ):
                item.indicators.append(entry)
    for item in passed:
        if not any(entry["earned_pence"] > 0 for entry in item.indicators):
            continue  # nothing earned on the indicators passed on: no line
        term = item.term
        share = Fraction(term.share)
        derivation = derivation_text(
            {
                "prime": term.prime,
                "prime_name": names[term.prime],
                "subcontractor": term.subcontractor,
                "subcontractor_name": names[term.subcontractor],
                "share": fraction_text(share),
                "indicators": item.indicators,
                "total_pence": item.total,
            }
        )
        named = _indicator_list([str(entry["indicator_id"]) for entry in item.indicators])
        for party, amount, note in (
            (
                term.subcontractor,
                item.total,
                f"outcome money passed on by {term.prime} under the subcontract: {term.share} of its earned money on {named}, indicator by indicator",
            ),
            (
                term.prime,
                -item.total,
                f"outcome money passed on to {term.subcontractor} under its subcontract: {term.share} of the earned money on {named}, indicator by indicator",
            ),
        ):
            lines.add(
                party,
                line(
                    party,
                    roles[party],
                    LineType.SUBCONTRACT,
                    LineKind.PAYMENT,
                    amount,
                    share=term.share,
                    share_exact=fraction_text(share),
                    note=note,
                    derivation=derivation,
                ),
            )
    return lines


def _split(prime: str, indicator_id: str, amount: int, covering: list[_Passed]) -> list[dict[str, Any]]:
    """Each covering term's entry for one indicator: the prime's earned `amount` split by largest
    remainder between the subcontractors (their shares) and the prime (the rest)."""
    shares = [Fraction(item.term.share) for item in covering]
    kept = Fraction(Decimal(1) - sum((item.term.share for item in covering), Decimal(0)))
    parts = split_exact(amount, [*shares, kept]) if amount > 0 else [0] * (len(shares) + 1)
    split = [
        {
            "party": party,
            "share": fraction_text(weight),
            "exact_pence": fraction_text(amount * weight),
            "pence": part,
            **({"kept": True} if party == prime else {}),
        }
        for party, weight, part in zip(
            [*(item.term.subcontractor for item in covering), prime], [*shares, kept], parts, strict=True
        )
    ]
    return [
        {
            "indicator_id": indicator_id,
            "earned_pence": max(amount, 0),
            "exact_pence": fraction_text(max(amount, 0) * share),
            "part_pence": part,
            "split": split,
        }
        for share, part in zip(shares, parts, strict=False)
    ]


def _indicator_list(ids: list[str]) -> str:
    return ids[0] if len(ids) == 1 else f"{', '.join(ids[:-1])} and {ids[-1]}"
