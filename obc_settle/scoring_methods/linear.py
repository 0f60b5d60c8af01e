"""`linear`: 0 at or below the threshold, 1 at or beyond the target, in a straight line between."""

from __future__ import annotations

from fractions import Fraction

from obc_settle.rationals import clip, in_formula, shown
from obc_settle.scoring_methods.record import Levels, MethodDocs, Parameters, ScoringMethod


def score(levels: Levels) -> Fraction:
    """clip((a - T) / (G - T), 0, 1); all or nothing when T = G."""
    a, t, g = levels.achieved, levels.threshold, levels.target
    if g == t:
        return Fraction(1 if a >= g else 0)
    return clip((a - t) / (g - t))


def explain(levels: Levels) -> list[str]:
    a, t, g = in_formula(levels.achieved), in_formula(levels.threshold), in_formula(levels.target)
    return [
        f"linear = clip((a − T) / (G − T), 0, 1) = clip(({a} − {t}) / ({g} − {t}), 0, 1) = {shown(score(levels))}"
    ]


METHOD = ScoringMethod(
    name="linear",
    label="linear scoring",
    parameters=Parameters(),
    score=score,
    explain=explain,
    docs=MethodDocs(
        score="0 at or below the threshold, 1 at or beyond the target, in a straight line between",
        levels="threshold, target",
        formula="`clip((a − T) / (G − T), 0, 1)`",
    ),
)
