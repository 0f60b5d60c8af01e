"""`all_or_nothing`: 1 if the target is reached, else 0."""

from __future__ import annotations

from fractions import Fraction

from obc_settle.rationals import fraction_text
from obc_settle.scoring_methods.record import Levels, MethodDocs, Parameters, ScoringMethod


def score(levels: Levels) -> Fraction:
    return Fraction(1 if levels.achieved >= levels.target else 0)


def explain(levels: Levels) -> list[str]:
    a, g = levels.achieved, levels.target
    return [
        f"all or nothing: a {'≥' if a >= g else '<'} G ({fraction_text(a)} against {fraction_text(g)}): {score(levels)}"
    ]


METHOD = ScoringMethod(
    name="all_or_nothing",
    label="all-or-nothing scoring",
    parameters=Parameters(threshold_may_equal_target=True),
    score=score,
    explain=explain,
    docs=MethodDocs(
        score="1 if the target is reached, else 0",
        levels="target (the threshold may equal the target)",
        formula="`1` if `a ≥ G`, else `0`",
    ),
)
