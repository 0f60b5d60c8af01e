"""The indicators of the commissioner's report: one summary per indicator, and the notes.

Each summary is read from the commissioner's `retained` line of the indicator, which carries its
derivation (achieved, threshold, target, score, pool), with what each provider earned on it (its
`outcome` lines); levels and scores are only formatted (`render.labels`), nothing is derived.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from obc_settle import scoring_methods
from obc_settle.ledger import COMMISSIONER, LineKind, LineType
from obc_settle.ledger.derivation import derivation_of
from obc_settle.render import labels
from obc_settle.render.statement_view import Note


@dataclass(frozen=True)
class IndicatorSummary:
    indicator_id: str
    name: str
    domain: str
    kind: str
    attribution: str
    direction: str
    window: str
    achieved: str
    threshold: str
    target: str
    score: str
    scorable: bool
    weight: str
    pool_pence: int
    earned_pence: int
    retained_pence: int
    earned_by_provider: tuple[int | None, ...]
    """Per provider, in contract order: its `outcome` amount on this indicator (None: no line)."""
    line: dict[str, Any]


def indicator_summaries(
    rows: list[dict[str, Any]],
    provider_ids: list[str],
    indicator_names: dict[str, str],
    domain_names: dict[str, str],
) -> tuple[IndicatorSummary, ...]:
    """One entry per indicator with a `retained` line, in the commissioner's line order (contract order);
    `earned_by_provider` follows `provider_ids`."""
    summaries = []
    for line in rows:
        if line["party_id"] != COMMISSIONER or line["line_type"] != LineType.RETAINED:
            continue
        indicator_id = str(line["indicator_id"])
        outcome = {
            row["party_id"]: int(row["amount_pence"])
            for row in rows
            if row["line_type"] == LineType.OUTCOME
            and row["indicator_id"] == indicator_id
            and row["kind"] == LineKind.PAYMENT
        }
        kind = str(line["indicator_kind"])
        attribution = "Collective"
        if line["attribution"] == "individual":
            holders = ", ".join(sorted(outcome)) or labels.NO_VALUE
            attribution = f"Individual ({holders})"
        summaries.append(
            IndicatorSummary(
                indicator_id=indicator_id,
                name=indicator_names.get(indicator_id, indicator_id),
                domain=domain_names.get(str(line["domain_id"]), str(line["domain_id"])),
                kind=kind,
                attribution=attribution,
                direction=labels.DIRECTIONS.get(str(line["direction"]), str(line["direction"])),
                window=labels.window(line["window_first_month"], line["window_last_month"]),
                achieved=labels.level(line["achieved"], kind),
                threshold=labels.level(line["threshold"], kind),
                target=labels.level(line["target"], kind),
                score=_score_with_points(line),
                scorable=line["scorable"] is True,
                weight=labels.percent(line["weight"]),
                pool_pence=int(line["pool_pence"] or 0),
                earned_pence=sum(outcome.values()),
                retained_pence=int(line["amount_pence"]),
                earned_by_provider=tuple(outcome.get(provider_id) for provider_id in provider_ids),
                line=line,
            )
        )
    return tuple(summaries)


def _score_with_points(line: dict[str, Any]) -> str:
    """The score, and a scheme's points after it where the line has them (HVBP: "60.0% (6 points
    of 10, improvement: achievement 5, improvement 6 of 9)"), so each hospital's score is derived."""
    shown = labels.score(line["score"], line.get("score_exact"))
    points = derivation_of(line.get("derivation")).get("points")
    method = scoring_methods.get(str(line["scoring_method"])) if line.get("scoring_method") else None
    if points is None or method is None or method.points_text is None:
        return shown
    return f"{shown} ({method.points_text(points)})"


def report_notes(rows: list[dict[str, Any]], indicator_names: dict[str, str]) -> tuple[Note, ...]:
    """The notes of the commissioner's indicator lines (one per indicator), and of unscored pools."""
    notes = []
    for row in rows:
        if row["party_id"] != COMMISSIONER or row["line_type"] not in (
            LineType.RETAINED,
            LineType.RETAINED_UNSCORED,
        ):
            continue
        unscorable = row["scorable"] is False
        if row["note"] is None and not unscorable:
            continue
        name = (
            indicator_names.get(str(row["indicator_id"]), str(row["indicator_id"]))
            if row["indicator_id"]
            else "Outcome pool"
        )
        notes.append(
            Note(
                name, labels.sentence(str(row["note"]) if row["note"] else "could not be scored"), unscorable
            )
        )
    return tuple(notes)
