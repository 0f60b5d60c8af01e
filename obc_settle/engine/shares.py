"""Each party's share of collective outcome money, by the contract's share rule.

Shares are exact fractions: pro rata to base share, a fixed split, or in proportion to a quantity
from the extract (e.g. attributed patients over the settlement period). Caps are applied by water
filling: a provider above its cap is held at the cap and the excess is shared among the others in
proportion to their shares; what no provider may take stays with the commissioner.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import polars as pl

from obc_settle.contract.models import Contract, ShareRule
from obc_settle.ledger.schema import COMMISSIONER


def collective_shares(
    contract: Contract, quantities: dict[str, Decimal], rule: ShareRule | None = None
) -> tuple[dict[str, Fraction], str | None]:
    """Shares by party id (providers, and the commissioner if caps leave a remainder), and a note.

    `rule` defaults to the contract's share rule (a risk share may name its own)."""
    rule = rule or contract.share_rule
    note = None
    if rule.method == "fixed" and rule.fixed is not None:
        raw = {p.id: Fraction(rule.fixed.get(p.id, Decimal(0))) for p in contract.providers}
    elif rule.method == "by_quantity":
        total = sum(quantities.get(p.id, Decimal(0)) for p in contract.providers)
        if total > 0:
            raw = {
                p.id: Fraction(quantities.get(p.id, Decimal(0))) / Fraction(total) for p in contract.providers
            }
        else:
            raw = {p.id: Fraction(p.base_share) for p in contract.providers}
            note = (
                f"no {rule.quantity} quantity in the period: collective money shared pro rata to base share"
            )
    else:
        raw = {p.id: Fraction(p.base_share) for p in contract.providers}
    capped = apply_caps(raw, {k: Fraction(v) for k, v in rule.caps.items()})
    return capped, note


def apply_caps(shares: dict[str, Fraction], caps: dict[str, Fraction]) -> dict[str, Fraction]:
    result = dict(shares)
    fixed: set[str] = set()
    while True:
        over = [
            pid for pid, share in result.items() if pid in caps and pid not in fixed and share > caps[pid]
        ]
        if not over:
            break
        excess = Fraction(0)
        for pid in over:
            excess += result[pid] - caps[pid]
            result[pid] = caps[pid]
            fixed.add(pid)
        free = [pid for pid in result if pid not in fixed and result[pid] > 0]
        free_total = sum((result[pid] for pid in free), Fraction(0))
        if free_total == 0:
            result[COMMISSIONER] = result.get(COMMISSIONER, Fraction(0)) + excess
            break
        for pid in free:
            result[pid] += excess * result[pid] / free_total
    return result


def period_quantities(monthly: pl.DataFrame, quantity: str | None, months: list[str]) -> dict[str, Decimal]:
    if quantity is None:
        return {}
    sums = (
        monthly.filter((pl.col("indicator_id") == quantity) & pl.col("period").is_in(months))
        .group_by("provider_id")
        .agg(pl.col("numerator").sum())
    )
    return {row["provider_id"]: Decimal(row["numerator"]) for row in sums.iter_rows(named=True)}
