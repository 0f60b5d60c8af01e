"""`explain` of a subcontract line: the money a prime passes on, derived indicator by indicator.

Read off the line's own `derivation` (obc_settle.engine.subcontracts writes it): for each indicator,
the prime's earned money on it (with a pointer to the prime's outcome line, whose derivation
`explain --provider <prime> --indicator <id>` shows), the share, the exact part, and the
largest-remainder step that made it whole pence: the whole pence of every party's exact part, the
pennies left over and who got them. Then the parts add up to the line. Nothing is recomputed: the
pence are the ledger's, and the steps only show how they follow from each other.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from obc_settle.ledger.derivation import derivation_of
from obc_settle.ledger.schema import LineType
from obc_settle.rationals import fraction_text, shown


def subcontract_explained(line: dict[str, Any], ledger_rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The derivation of one subcontract line (its `derivation` column), with the steps as text."""
    steps = derivation_of(line.get("derivation"))
    if not steps:
        return {}
    prime, sub = str(steps["prime"]), str(steps["subcontractor"])
    share = Fraction(str(steps["share"]))
    outcome = {
        str(row["indicator_id"]): row
        for row in ledger_rows
        if row["party_id"] == prime and row["line_type"] == LineType.OUTCOME
    }
    indicators = [
        _indicator(item, share, outcome.get(str(item["indicator_id"])), prime) for item in steps["indicators"]
    ]
    parts = [int(item["part_pence"]) for item in steps["indicators"]]
    sign = -1 if int(line["amount_pence"]) < 0 else 1
    total = sum(parts)
    text = [
        f"{'passed on to' if sign < 0 else 'received from'} "
        f"{steps.get('subcontractor_name' if sign < 0 else 'prime_name')} "
        f"({sub if sign < 0 else prime}): share {shown(share)} of {prime}'s earned money on each indicator"
    ]
    for item in indicators:
        text += [
            f"{item['indicator_id']}: {item['formula']}",
            f"  {item['earned_from']}",
            f"  {item['rounding']}",
        ]
    total_formula = f"{' + '.join(str(p) for p in parts)} = {total}"
    text.append(
        f"total = Σ parts = {total_formula} pence, {'passed on' if sign < 0 else 'received'}: "
        f"the ledger line of {line['amount_pence']}"
    )
    return {
        "subcontract": {
            "prime": {"id": prime, "name": steps.get("prime_name")},
            "subcontractor": {"id": sub, "name": steps.get("subcontractor_name")},
            "share": steps["share"],
            "indicators": indicators,
            "total_pence": total,
            "total_formula": total_formula,
            "adds_up": sign * total == int(line["amount_pence"]),
        },
        "formula": f"Σ share × earned by indicator, each split to the penny = {total_formula}",
        "steps": text,
    }


def _indicator(
    item: dict[str, Any], share: Fraction, outcome: dict[str, Any] | None, prime: str
) -> dict[str, Any]:
    earned, part = int(item["earned_pence"]), int(item["part_pence"])
    exact = Fraction(str(item["exact_pence"]))
    if outcome is None:
        pointer = f"{prime} has no outcome line on it in this ledger"
        line_no = None
    else:
        line_no = outcome["line_no"]
        pointer = (
            f"earned {earned} = {prime}'s outcome line {line_no} (available {outcome['available_pence']} × score "
            f"{outcome.get('score_exact') or outcome.get('score')}, rounded; "
            f"obc-settle explain --provider {prime} --indicator {item['indicator_id']})"
        )
    return {
        "indicator_id": item["indicator_id"],
        "earned_pence": earned,
        "earned_line_no": line_no,
        "earned_from": pointer,
        "share": fraction_text(share),
        "exact": item["exact_pence"],
        "part_pence": part,
        "formula": f"{shown(share)} × {earned} = {shown(exact)} → {part}",
        "split": item.get("split", []),
        "rounding": _rounding(item),
    }


def _rounding(item: dict[str, Any]) -> str:
    """The largest-remainder step of one indicator: whole pence, pennies left, who got them."""
    split = item.get("split") or []
    if not split:
        return "no split recorded"
    earned = int(item["earned_pence"])
    floors = {str(p["party"]): math.floor(Fraction(str(p["exact_pence"]))) for p in split}
    left = earned - sum(floors.values())
    winners = [
        f"{p['party']} ({shown(Fraction(str(p['exact_pence'])) - floors[str(p['party'])])})"
        for p in split
        if int(p["pence"]) > floors[str(p["party"])]
    ]
    parties = ", ".join(
        f"{p['party']}{' (kept)' if p.get('kept') else ''} {shown(Fraction(str(p['share'])))}" for p in split
    )
    given = (
        f"; {left} left over to the largest remainders: {', '.join(winners)}"
        if left
        else "; nothing left over"
    )
    return (
        f"split of {earned} among {parties}: whole pence "
        f"{' + '.join(str(v) for v in floors.values())} = {sum(floors.values())}{given}"
    )
