"""`explain` for money a contract states in pounds: an indicator's value (CQUIN) and an aspiration
payment whose basis was read from the previous contract year's run (QOF).

Both are read off the line's `derivation` (obc_settle.ledger.derivation), which the engine wrote
when it computed the money; nothing here recomputes an amount.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from obc_settle.engine.pools import score_percent
from obc_settle.ledger.derivation import derivation_of
from obc_settle.money import format_pounds
from obc_settle.rationals import shown


def indicator_value(line: dict[str, Any], score: Fraction | None) -> dict[str, Any]:
    """An indicator that states its value in pounds (CQUIN): what it is worth and what its score
    earned, from the line's derivation (its weights are the values' shares)."""
    steps = derivation_of(line.get("derivation"))
    if "indicator_value_pence" not in steps:
        return {}
    value, total = int(steps["indicator_value_pence"]), int(steps["values_total_pence"])
    said = f"this indicator is worth {format_pounds(value)} a year"
    if line["pool_pence"] != value:
        said += f" ({format_pounds(line['pool_pence'])} of this period's outcome pool)"
    if score is not None:
        said += f"; score {score_percent(score)} earns {format_pounds(line['amount_pence'])}"
    return {
        "indicator_value_pence": value,
        "values_total_pence": total,
        "value_weight_formula": f"value / all values = {value} / {total} = {shown(Fraction(value, total))}",
        "value_sentence": said,
    }


def previous_year_aspiration(line: dict[str, Any]) -> dict[str, Any]:
    """An aspiration line whose basis is the provider's achievement payment in the previous year's
    run: where the basis came from, and the year's aspiration and the span's twelfths of it."""
    steps = derivation_of(line.get("derivation"))
    if steps.get("aspiration_basis") != "previous_year_run":
        return {}
    basis, annual = int(steps["achievement_pence"]), int(steps["annual_pence"])
    proportion, uprating = Decimal(steps["proportion"]), Decimal(steps["uprating"])
    exact = basis * proportion * uprating
    by = f" × uprating {uprating}" if uprating != 1 else ""
    percent = f"{format((proportion * 100).normalize(), 'f')}%"
    months = list(steps["months"])
    return {
        "basis": (
            f"{percent} of your {steps['previous_year']} achievement payment of {format_pounds(basis)} "
            f"(run {steps['previous_run_id']}) = {format_pounds(annual)} a year"
        ),
        "formula": (
            f"round({basis} × {proportion}{by}) = round({format(exact.normalize(), 'f')}) = {annual} pence a year, "
            f"in twelfths by largest remainder; {months[0]} to {months[-1]}: {len(months)} of them = {line['amount_pence']}"
        ),
    }
