"""What a statement says of an outcome line beyond its columns, read off the line's `derivation`: a
scheme's points (HVBP: achievement and improvement points, and which was taken), in the scoring
method's own words, and a budget-neutral exchange slope with the figures it was found from, so
that the earned amount can be worked out from the statement alone.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from obc_settle import scoring_methods
from obc_settle.ledger.derivation import derivation_of
from obc_settle.money import round_half_up
from obc_settle.rationals import fraction_text, terminates
from obc_settle.render import labels


def scheme_about(row: dict[str, Any]) -> list[str]:
    """The points and the slope of an outcome (or retained) line, as short phrases (none for most lines)."""
    steps = derivation_of(row.get("derivation"))
    about = []
    points = steps.get("points")
    method = scoring_methods.get(str(row["scoring_method"])) if row.get("scoring_method") else None
    if points is not None and method is not None and method.points_text is not None:
        about.append(method.points_text(points))
    kept = steps.get("exchange_slope")
    if kept is not None:
        about.append(slope_sentence(kept))
    return about


def slope_sentence(kept: dict[str, Any]) -> str:
    """A budget-neutral slope and how it was found, amounts in the currency shown."""
    if kept.get("slope") is None:
        return (
            "exchange slope: none (budget neutral, but nothing was earned at a slope of 1): nothing is paid"
        )
    said = (
        f"exchange slope {number(Fraction(kept['slope']))}, budget neutral: all providers' withheld "
        f"{kept['withheld_pence']} pence / Σ TPS/100 × withheld {_pence(Fraction(kept['weighted']))}"
    )
    if kept.get("party_tps") is not None:
        said += f"; your TPS {number(Fraction(kept['party_tps']))} on your withheld {kept['party_withheld_pence']} pence"
    said += (
        "; earned = available × score × slope, the withheld money split over the lines by largest remainder"
    )
    return labels.in_pounds(said)


def scheme_note(row: dict[str, Any]) -> str | None:
    """The line's note with its points and slope after it (the workbook's Note column)."""
    parts = [str(row["note"])] if row.get("note") else []
    parts += [labels.in_pounds(text) for text in scheme_about(row)]
    return "; ".join(parts) if parts else None


def number(value: Fraction) -> str:
    """An exact figure: every digit when its decimal ends, else four decimals and the fraction."""
    text = fraction_text(value) or ""
    if terminates(value):
        return text
    return f"{float(value):.4f} ({text})"


def _pence(value: Fraction) -> str:
    return f"{value.numerator} pence" if value.denominator == 1 else f"≈ {round_half_up(value)} pence"


def report_slope_sentence(rows: list[dict[str, Any]]) -> str | None:
    """The commissioner's report: a budget-neutral slope, how it was found and each provider's TPS
    (read off the providers' outcome lines); None when the slope is the contract's number."""
    tps: dict[str, str] = {}
    kept: dict[str, Any] | None = None
    for row in rows:
        if row["line_type"] != "outcome" or not row.get("derivation"):
            continue
        found = derivation_of(row["derivation"]).get("exchange_slope")
        if found is not None:
            kept = found
            if found.get("party_tps") is not None:
                tps.setdefault(str(row["party_id"]), number(Fraction(found["party_tps"])))
    if kept is None:
        return None
    said = slope_sentence({k: v for k, v in kept.items() if not k.startswith("party_")})
    if tps:
        said += "; total performance scores: " + ", ".join(f"{party} {score}" for party, score in tps.items())
    return said[:1].upper() + said[1:] + "."
