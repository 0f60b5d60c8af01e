"""A prime contractor passes outcome money to its subcontractors by their subcontract terms.

For each indicator, the prime's earned amount is split by largest remainder between its
subcontractors (each by its `share`) and the prime (the rest), ties to the subcontract listed
first. Each subcontractor gets a `subcontract` payment line and the prime an equal negative one,
so the total paid to providers, and money conservation, are unchanged.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.engine.exact import fraction_text, split_exact
from obc_settle.engine.lines import Lines, line
from obc_settle.ledger.schema import LineKind, LineType


def subcontract_lines(contract: Contract, provider_parts: pl.DataFrame) -> Lines:
    lines = Lines()
    roles = {p.id: p.role for p in contract.providers}
    passed: dict[tuple[str, str], int] = {}
    for prime in dict.fromkeys(item.prime for item in contract.subcontracts):
        earned = provider_parts.filter(pl.col("party_id") == prime).sort("indicator_order")
        for indicator_id, amount in earned.select("indicator_id", "earned_pence").iter_rows():
            terms = [
                item
                for item in contract.subcontracts
                if item.prime == prime and (item.indicators is None or indicator_id in item.indicators)
            ]
            if not terms or amount <= 0:
                continue
            kept = Decimal(1) - sum((item.share for item in terms), Decimal(0))
            parts = split_exact(int(amount), [Fraction(item.share) for item in terms] + [Fraction(kept)])
            for item, part in zip(terms, parts, strict=False):
                passed[(prime, item.subcontractor)] = passed.get((prime, item.subcontractor), 0) + part
    for (prime, subcontractor), amount in passed.items():
        share = next(
            item.share
            for item in contract.subcontracts
            if item.prime == prime and item.subcontractor == subcontractor
        )
        lines.add(
            subcontractor,
            line(
                subcontractor,
                roles[subcontractor],
                LineType.SUBCONTRACT,
                LineKind.PAYMENT,
                amount,
                share=share,
                share_exact=fraction_text(Fraction(share)),
                note=f"outcome money passed on by {prime} under the subcontract ({share} of its earned money on the indicators named)",
            ),
        )
        lines.add(
            prime,
            line(
                prime,
                roles[prime],
                LineType.SUBCONTRACT,
                LineKind.PAYMENT,
                -amount,
                share=share,
                share_exact=fraction_text(Fraction(share)),
                note=f"outcome money passed on to {subcontractor} under its subcontract",
            ),
        )
    return lines
