"""`improvement`: 0 at the baseline, 1 at the target, in a straight line between; all or nothing
when the baseline already meets the target."""

from __future__ import annotations

from fractions import Fraction

from obc_settle.rationals import clip, fraction_text, in_formula, shown
from obc_settle.scoring_methods.record import Levels, MethodDocs, Parameters, ScoringMethod


def improvement(levels: Levels) -> Fraction | None:
    """clip((a - B) / (G - B), 0, 1), all or nothing when B >= G; None without a baseline."""
    a, g, b = levels.achieved, levels.target, levels.baseline
    if b is None:
        return None
    if b >= g:
        return Fraction(1 if a >= g else 0)
    return clip((a - b) / (g - b))


def score(levels: Levels) -> Fraction:
    value = improvement(levels)
    return Fraction(0) if value is None else value


def explain(levels: Levels) -> list[str]:
    a, g, b = levels.achieved, levels.target, levels.baseline
    if b is None:
        return []
    if b >= g:
        return [
            f"improvement: the baseline {fraction_text(b)} already meets the target {fraction_text(g)}: all-or-nothing, {1 if a >= g else 0}"
        ]
    return [
        f"improvement = clip((a − B) / (G − B), 0, 1) = clip(({in_formula(a)} − {in_formula(b)}) / ({in_formula(g)} − {in_formula(b)}), 0, 1) = {shown(score(levels))}"
    ]


METHOD = ScoringMethod(
    name="improvement",
    label="improvement scoring",
    parameters=Parameters(baseline="required", change_from_baseline=False),
    score=score,
    explain=explain,
    docs=MethodDocs(
        score="0 at the baseline, 1 at the target, in a straight line between (credit for improving on one's own baseline); all-or-nothing if the baseline already meets the target",
        levels="baseline, target",
        formula="`clip((a − B) / (G − B), 0, 1)`; if the baseline already meets the target (`B ≥ G`), all-or-nothing instead",
    ),
)
