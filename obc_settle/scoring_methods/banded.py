"""`banded`: the score of the best band whose level is reached; 0 below the first band."""

from __future__ import annotations

from fractions import Fraction

from obc_settle.rationals import fraction_text
from obc_settle.scoring_methods.record import Levels, MethodDocs, Parameters, ScoringMethod


def score(levels: Levels) -> Fraction:
    a = levels.achieved
    return max((band_score for level, band_score in levels.bands if a >= level), default=Fraction(0))


def explain(levels: Levels) -> list[str]:
    a = levels.achieved
    reached = [
        f"{fraction_text(level)} (score {fraction_text(band_score)})"
        for level, band_score in levels.bands
        if a >= level
    ]
    return [
        f"banded: a = {fraction_text(a)} reaches {', '.join(reached) if reached else 'no band'}: the largest score of those reached, or 0"
    ]


METHOD = ScoringMethod(
    name="banded",
    label="banded scoring",
    parameters=Parameters(bands=True),
    score=score,
    explain=explain,
    docs=MethodDocs(
        score="the score of the best band whose level is reached; 0 below the first band",
        levels="bands",
        formula="the largest `sₖ` among the bands with `a ≥ Lₖ`; `0` if no band is reached",
    ),
)
