"""A statement's indicator rows: the outcome table, the achievement chart's rows and the notes.

One outcome ledger line gives one `IndicatorLine` (its levels, score, share and money as shown),
one `AchievementRow` of the chart and, when it has a note or could not be scored, one `Note`.
Split out of `statement_view` (the house limit of 400 lines a module); every figure is the
ledger's, only formatted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from obc_settle.money import format_pounds
from obc_settle.render import labels
from obc_settle.render.charts import AchievementRow, achievement_row
from obc_settle.render.scheme_steps import scheme_about

if TYPE_CHECKING:  # statement_view imports this module; the context is only a parameter's type here
    from obc_settle.render.statement_view import StatementContext


@dataclass(frozen=True)
class IndicatorLine:
    indicator_id: str
    domain: str
    name: str
    kind: str
    about: tuple[str, ...]
    attribution: str
    window: str
    window_kind: str
    numerator: str
    denominator: str
    achieved: str
    interval: str | None
    """The 95% confidence interval of the achieved value, for confidence-aware scoring."""
    threshold: str
    target: str
    score: str
    scorable: bool
    weight: str
    share: str
    pool: str
    available: str
    earned: str
    earned_pence: int
    available_pence: int | None


@dataclass(frozen=True)
class Note:
    indicator: str
    text: str
    unscorable: bool


def achievement(row: dict[str, Any], context: StatementContext, at_risk: bool) -> AchievementRow:
    """`at_risk`: some outcome money rides on the period (not a fee-based year, nothing withheld)."""
    indicator_id = str(row["indicator_id"])
    return achievement_row(
        context.indicator_names.get(indicator_id, indicator_id),
        str(row["indicator_kind"]),
        str(row["direction"]),
        row["achieved"],
        row["threshold"],
        row["target"],
        row["score"],
        row["scorable"],
        at_risk=at_risk,
    )


def indicator_line(row: dict[str, Any], context: StatementContext) -> IndicatorLine:
    indicator_id = str(row["indicator_id"])
    kind = str(row["indicator_kind"])
    domain_id = str(row["domain_id"])
    unit = context.indicator_units.get(indicator_id)
    about = [
        labels.DIRECTIONS.get(str(row["direction"]), str(row["direction"])),
        labels.method(str(row["scoring_method"])),
    ]
    if row["baseline"] is not None:
        about.append(f"baseline {labels.level(row['baseline'], kind)}")
    if unit and kind != "proportion":
        about.append(f"unit: {unit}")
    if kind == "mean":
        about.append("numerator is the sum of the values, denominator the number of values")
    excluded = row.get("excluded") or 0
    if excluded:
        people = "person" if excluded == 1 else "people"
        about.append(
            f"{labels.count(excluded)} {people} excluded from the denominator in the records "
            "(personalised care adjustments, exceptions)"
        )
    about += scheme_about(row)  # a scheme's points (HVBP) and a budget-neutral slope
    return IndicatorLine(
        indicator_id=indicator_id,
        domain=context.domain_names.get(domain_id, domain_id),
        name=context.indicator_names.get(indicator_id, indicator_id),
        kind=kind,
        about=tuple(about),
        attribution="Individual (yours)" if row["attribution"] == "individual" else "Collective",
        window=labels.window(row["window_first_month"], row["window_last_month"]),
        window_kind=labels.WINDOWS.get(str(row["window"]), str(row["window"])),
        numerator=labels.count(row["numerator"]),
        denominator=labels.count(row["denominator"]),
        achieved=labels.level(row["achieved"], kind),
        interval=_interval(row, kind),
        threshold=labels.level(row["threshold"], kind),
        target=labels.level(row["target"], kind),
        score=labels.score(row["score"], row.get("score_exact")),
        scorable=row["scorable"] is True,
        weight=labels.percent(row["weight"]),
        share=labels.percent(row["share"]),
        pool=_pounds_or_none(row["pool_pence"]),
        available=_pounds_or_none(row["available_pence"]),
        earned=format_pounds(int(row["amount_pence"])),
        earned_pence=int(row["amount_pence"]),
        available_pence=None if row["available_pence"] is None else int(row["available_pence"]),
    )


def _pounds_or_none(pence: int | None) -> str:
    return labels.NO_VALUE if pence is None else format_pounds(int(pence))


def indicator_notes(outcomes: list[dict[str, Any]], context: StatementContext) -> tuple[Note, ...]:
    notes = []
    for row in outcomes:
        indicator_id = str(row["indicator_id"])
        unscorable = row["scorable"] is False
        if row["note"] is None and not unscorable:
            continue
        text = str(row["note"]) if row["note"] is not None else "could not be scored"
        notes.append(
            Note(context.indicator_names.get(indicator_id, indicator_id), labels.sentence(text), unscorable)
        )
    return tuple(notes)


def _interval(row: dict[str, Any], kind: str) -> str | None:
    lower, upper = row.get("confidence_lower"), row.get("confidence_upper")
    if lower is None or upper is None:
        return None
    return f"95% CI {labels.level(lower, kind)} to {labels.level(upper, kind)}"
