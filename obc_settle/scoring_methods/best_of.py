"""`best_of`: the better of `linear` and `improvement`."""

from __future__ import annotations

from fractions import Fraction

from obc_settle.scoring_methods import improvement, linear
from obc_settle.scoring_methods.record import Levels, MethodDocs, Parameters, ScoringMethod


def score(levels: Levels) -> Fraction:
    on_baseline = improvement.improvement(levels)
    straight = linear.score(levels)
    return straight if on_baseline is None else max(straight, on_baseline)


def explain(levels: Levels) -> list[str]:
    return [
        *linear.explain(levels),
        *improvement.explain(levels),
        "best of = the larger of linear and improvement",
    ]


METHOD = ScoringMethod(
    name="best_of",
    label="best of linear and improvement scoring",
    parameters=Parameters(baseline="required", change_from_baseline=False),
    score=score,
    explain=explain,
    docs=MethodDocs(
        score="the better of `linear` and `improvement`",
        levels="threshold, target, baseline",
        formula="`max(linear, improvement)`",
    ),
)
