"""`hvbp`: US Hospital Value-Based Purchasing points out of 10, divided by 10.

With the threshold as the achievement threshold AT and the target as the benchmark BM (both
signed, so lower-is-better measures use the same formulas):

- achievement points: 10 at or beyond BM, 0 below AT, else 9 (a - AT) / (BM - AT) + 0.5, rounded
  half up to `point_decimals` places and held to 1..9;
- improvement points: 0 without a baseline B, at or below it, or when B already meets BM; 9 at or
  beyond BM; else 10 (a - B) / (BM - B) - 0.5, rounded half up and held to 0..9;
- the score is the larger of the two, divided by 10.

`points` keeps both points and which was taken (the ledger's `derivation` of an HVBP line) and
`points_text` says them on statements and in explain: this record is the one place HVBP's formula,
steps and words live.

The rounding of points is the scheme's rule and the only rounding of any score
(docs/methodology.md, section 26).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from obc_settle.rationals import clip, fraction_text, in_formula, round_to, shown
from obc_settle.scoring_methods.record import Levels, MethodDocs, Parameters, ScoringMethod


def achievement_points(levels: Levels) -> tuple[Fraction, str]:
    """The achievement points, and how they were found."""
    a, at, bm = levels.achieved, levels.threshold, levels.target
    if a >= bm:
        return Fraction(
            10
        ), f"achievement points: a ≥ BM ({fraction_text(a)} against {fraction_text(bm)}): 10"
    if a < at:
        return Fraction(0), f"achievement points: a < AT ({fraction_text(a)} against {fraction_text(at)}): 0"
    raw = 9 * (a - at) / (bm - at) + Fraction(1, 2)
    points = clip(round_to(raw, levels.point_decimals), Fraction(1), Fraction(9))
    return points, (
        f"achievement points = 9 × (a − AT) / (BM − AT) + 0.5 (AT = T, BM = G) = "
        f"9 × ({in_formula(a)} − {in_formula(at)}) / ({in_formula(bm)} − {in_formula(at)}) + 0.5 = {shown(raw)}, "
        f"{_rounded(levels.point_decimals)} and held to 1..9: {fraction_text(points)}"
    )


def improvement_points(levels: Levels) -> tuple[Fraction, str]:
    """The improvement points, and how they were found."""
    a, bm, b = levels.achieved, levels.target, levels.baseline
    if b is None:
        return Fraction(0), "improvement points: no baseline: 0"
    if a <= b:
        return Fraction(0), f"improvement points: a ≤ B ({fraction_text(a)} against {fraction_text(b)}): 0"
    if b >= bm:
        return Fraction(0), (
            f"improvement points: the baseline {fraction_text(b)} already meets the benchmark {fraction_text(bm)}: 0"
        )
    if a >= bm:
        return Fraction(9), f"improvement points: a ≥ BM ({fraction_text(a)} against {fraction_text(bm)}): 9"
    raw = 10 * (a - b) / (bm - b) - Fraction(1, 2)
    points = clip(round_to(raw, levels.point_decimals), Fraction(0), Fraction(9))
    return points, (
        f"improvement points = 10 × (a − B) / (BM − B) − 0.5 = "
        f"10 × ({in_formula(a)} − {in_formula(b)}) / ({in_formula(bm)} − {in_formula(b)}) − 0.5 = {shown(raw)}, "
        f"{_rounded(levels.point_decimals)} and held to 0..9: {fraction_text(points)}"
    )


def _rounded(decimals: int) -> str:
    if decimals == 0:
        return "rounded half up to whole points"
    return f"rounded half up to {decimals} decimal place{'' if decimals == 1 else 's'}"


def score(levels: Levels) -> Fraction:
    return max(achievement_points(levels)[0], improvement_points(levels)[0]) / 10


def explain(levels: Levels) -> list[str]:
    (achievement, how_achieved), (improvement, how_improved) = (
        achievement_points(levels),
        improvement_points(levels),
    )
    return [
        how_achieved,
        how_improved,
        f"hvbp = max(achievement, improvement) / 10 = max({fraction_text(achievement)}, "
        f"{fraction_text(improvement)}) / 10 = {shown(max(achievement, improvement) / 10)}",
    ]


def points(levels: Levels) -> dict[str, str]:
    """Achievement and improvement points, which was taken and the measure's points, exact text:
    what the ledger's `derivation` keeps of an HVBP line, so that statements show them."""
    achievement, improvement = achievement_points(levels)[0], improvement_points(levels)[0]
    taken = "achievement" if achievement >= improvement else "improvement"
    return {
        "achievement": _text(achievement),
        "improvement": _text(improvement),
        "taken": taken,
        "points": _text(max(achievement, improvement)),
        "of": "10",
    }


def points_text(kept: Mapping[str, str]) -> str:
    """The points in words: "achievement 7, improvement 5 of 9: 7 points of 10 (achievement)"."""
    return (
        f"achievement {kept['achievement']}, improvement {kept['improvement']} of 9: "
        f"{kept['points']} points of {kept['of']} ({kept['taken']})"
    )


def _text(value: Fraction) -> str:
    text = fraction_text(value)
    assert text is not None
    return text


METHOD = ScoringMethod(
    name="hvbp",
    label="HVBP achievement or improvement points",
    parameters=Parameters(point_decimals=True, baseline="optional"),
    score=score,
    explain=explain,
    docs=MethodDocs(
        score="HVBP points out of 10, divided by 10: the better of achievement points (threshold = achievement threshold, target = benchmark) and improvement points (against the baseline); see [methodology.md](methodology.md#26-hospital-value-based-purchasing)",
        levels="threshold, target, baseline",
        formula="achievement or improvement points out of 10 (section 26), divided by 10",
    ),
    points=points,
    points_text=points_text,
)
