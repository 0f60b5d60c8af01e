"""What `explain` says of an outcome line's exchange slope and of a scheme's points (HVBP), read off
the line's `derivation` (obc_settle.engine.exchange_slope writes it; nothing is recomputed here but
the arithmetic shown, whose result is the ledger's).

A budget-neutral slope is derived in three steps: the providers' withheld money sum W, the sum of
TPS/100 x W (what they would earn at a slope of 1: sum of available x score), and their ratio.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from obc_settle import scoring_methods
from obc_settle.contract.models import Contract
from obc_settle.ledger.derivation import derivation_of
from obc_settle.rationals import shown

HALF_UP = "rounded to the penny, halves up"
LARGEST_REMAINDER = "the withheld pool split over the lines' exact earnings by largest remainder, so the amounts paid add up to it exactly"


def line_slope(line: dict[str, Any], contract: Contract) -> tuple[Fraction | None, str]:
    """(the slope the line was earned at, as shown): the contract's number, or the budget-neutral
    slope its derivation keeps (None when nothing was earned at a slope of 1, so none was found)."""
    fixed = contract.outcome_framework.fixed_slope
    if fixed is not None:
        text = format(fixed.normalize(), "f")
        return Fraction(fixed), text.rstrip("0").rstrip(".") if "." in text else text
    kept = derivation_of(line.get("derivation")).get("exchange_slope", {})
    value = None if kept.get("slope") is None else Fraction(kept["slope"])
    return value, f"{shown(value)} (budget neutral)" if value is not None else "none (budget neutral)"


def slope_and_points(line: dict[str, Any]) -> dict[str, Any]:
    """The keys an explained indicator gains from its line's derivation: the slope's steps (budget
    neutral), how its earning was rounded, and the scheme's points in words."""
    steps = derivation_of(line.get("derivation"))
    found: dict[str, Any] = {}
    kept = steps.get("exchange_slope")
    if kept is not None:
        found["exchange_slope_steps"] = slope_steps(kept)
        found["earned_rounding"] = LARGEST_REMAINDER
    points = steps.get("points")
    method = scoring_methods.get(str(line["scoring_method"])) if line.get("scoring_method") else None
    if points is not None and method is not None and method.points_text is not None:
        found["points"] = points
        found["points_text"] = method.points_text(points)
    return found


def slope_steps(kept: dict[str, Any]) -> list[str]:
    """How a budget-neutral slope was found, with the numbers (pence; exact fractions)."""
    withheld, weighted = kept["withheld_pence"], Fraction(kept["weighted"])
    lines = [
        "exchange slope: budget neutral, so that the providers are paid back exactly what was withheld "
        "from them (W_h = applicable% × base payments B_h, so the applicable % cancels)",
        f"Σ W = Σ available over the providers' outcome lines = {withheld} pence",
        f"Σ TPS/100 × W = Σ available × score = {shown(weighted)} pence",
    ]
    if "party_withheld_pence" in kept:
        tps = kept.get("party_tps")
        lines.append(
            f"this provider: W = {kept['party_withheld_pence']} pence, Σ available × score = "
            f"{shown(Fraction(kept['party_weighted']))} pence, TPS = 100 × {shown(Fraction(kept['party_weighted']))} / "
            f"{kept['party_withheld_pence']} = {shown(Fraction(tps)) if tps is not None else 'none'}"
        )
    if kept.get("slope") is None:
        lines.append(
            "slope: none (nothing was earned at a slope of 1): nothing is paid, the pool is retained"
        )
    else:
        slope = Fraction(kept["slope"])
        lines.append(f"slope = Σ W / Σ (TPS/100 × W) = {withheld} / {shown(weighted)} = {shown(slope)}")
    return lines
