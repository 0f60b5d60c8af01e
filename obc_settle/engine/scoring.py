"""Scores in [0, 1] from achieved values, for every scoring method, in exact rationals.

Lower-is-better indicators are scored by negating achieved value, baseline, threshold, target and
band levels, so one set of formulas serves both directions:

- linear:         clip((a - T) / (G - T), 0, 1)
- all_or_nothing: 1 if a >= G else 0
- improvement:    clip((a - B) / (G - B), 0, 1); all_or_nothing when the baseline already meets G
- best_of:        max(linear, improvement)
- banded:         the highest band score whose level a reaches, else 0
- hvbp:           max(achievement points, improvement points) / 10, with the threshold as the
                  achievement threshold AT and the target as the benchmark BM (US Hospital
                  Value-Based Purchasing): achievement = 9 (a - AT) / (BM - AT) + 0.5 rounded half
                  up and held to 1..9 in [AT, BM), 10 at or beyond BM, 0 below AT; improvement =
                  10 (a - B) / (BM - B) - 0.5 rounded half up and held to 0..9, 0 at or below B.
                  Points are rounded to `point_decimals` places (the scheme's rule); that is the
                  only rounding of a score.

The achieved value, the levels and the band scores are exact (`Fraction`s of the exact sums and
of the contract's decimals), so a level equal to the achieved value is met, and the score is the
exact rational the formula gives: `score_exact` carries it as text (engine.exact), and money is
computed from it; `score` is the same number to 15 decimal places, for reading.

Confidence-aware scoring: when an indicator declares a confidence interval and one of its levels
(threshold, target, a band level) is better than the achieved value but lies within the interval,
the indicator counts as meeting that level: it is scored as if it had achieved the best such level.
(The interval is a float computation; the level is compared with its ends as they are.)

An indicator with no extract rows at all in its window is missing data, not small numbers: it
scores zero whatever its small-numbers policy, so missing data never moves money elsewhere. An
indicator not measured in the settlement (none of its collection months in its window) has no
score: its weight goes to the other indicators of its domain.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import polars as pl

from obc_settle.engine.exact import SCORE_PLACES, as_decimal, clip, fraction_of, fraction_text, round_to

SCORE_DTYPE = pl.Decimal(38, SCORE_PLACES)


def score_indicators(measured: pl.DataFrame, bands: pl.DataFrame) -> pl.DataFrame:
    """Add `score_exact` (null where the indicator's weight is reassigned), `score`, and the
    note of a level counted as met within the confidence interval."""
    by_indicator: dict[str, list[tuple[Fraction, Fraction]]] = {}
    for indicator_id, level, band_score in bands.iter_rows():
        by_indicator.setdefault(indicator_id, []).append((Fraction(level), Fraction(band_score)))
    scores, notes = [], []
    for row in measured.iter_rows(named=True):
        score, note = _score(row, by_indicator.get(row["indicator_id"], []))
        scores.append(score)
        notes.append(note)
    return measured.with_columns(
        pl.Series("score_exact", [fraction_text(s) for s in scores], dtype=pl.String),
        pl.Series("score", [as_decimal(s, SCORE_PLACES) for s in scores], dtype=SCORE_DTYPE),
        pl.Series("note", notes, dtype=pl.String),
    )


def with_score(frame: pl.DataFrame, score: Fraction) -> pl.DataFrame:
    """Every row of `frame` given the same exact score."""
    return frame.with_columns(
        score_exact=pl.lit(fraction_text(score), dtype=pl.String),
        score=pl.lit(as_decimal(score, SCORE_PLACES), dtype=SCORE_DTYPE),
    )


def _score(row: dict[str, Any], bands: list[tuple[Fraction, Fraction]]) -> tuple[Fraction | None, str | None]:
    """(exact score or None, note) of one measured indicator row."""
    note = row["note"]
    if not row["measured"]:
        return None, note
    if not row["scorable"]:
        if row["extract_rows"] == 0:
            return Fraction(0), note
        policy = row["small_numbers_policy"]
        return {"score_met": Fraction(1), "score_zero": Fraction(0)}.get(policy), note
    sign = 1 if row["direction"] == "higher_is_better" else -1
    achieved = sign * Fraction(row["achieved_exact"])
    threshold = sign * Fraction(row["threshold_exact"])
    target = sign * Fraction(row["target_exact"])
    baseline_exact = fraction_of(row["baseline_exact"])
    baseline = None if baseline_exact is None else sign * baseline_exact
    signed_bands = [(sign * level, band_score) for level, band_score in bands]
    credited = _credited(
        row,
        sign,
        achieved,
        [("threshold", threshold), ("target", target), *(("band level", level) for level, _ in signed_bands)],
    )
    if credited is not None:
        name, level = credited
        text = (
            f"{name} {round(float(sign * level), 6)} lies within the confidence interval "
            f"{round(row['confidence_lower'], 4)} to {round(row['confidence_upper'], 4)} of the achieved value: counted as met"
        )
        note = text if note is None else f"{note}; {text}"
        achieved = level
    return _by_method(row, achieved, threshold, target, baseline, signed_bands), note


def _credited(
    row: dict[str, Any], sign: int, achieved: Fraction, levels: list[tuple[str, Fraction]]
) -> tuple[str, Fraction] | None:
    """The best level (signed) better than the achieved value but within its confidence interval."""
    lower, upper = row["confidence_lower"], row["confidence_upper"]
    if lower is None or upper is None:
        return None
    favourable = Fraction(upper) if sign > 0 else -Fraction(lower)
    best: tuple[str, Fraction] | None = None
    for name, level in levels:
        if achieved < level <= favourable and (best is None or level > best[1]):
            best = (name, level)
    return best


def _by_method(
    row: dict[str, Any],
    a: Fraction,
    t: Fraction,
    g: Fraction,
    b: Fraction | None,
    bands: list[tuple[Fraction, Fraction]],
) -> Fraction:
    method = row["scoring_method"]
    if method == "banded":
        return max((band_score for level, band_score in bands if a >= level), default=Fraction(0))
    if method == "hvbp":
        return _hvbp_points(a, t, g, b, row["point_decimals"]) / 10
    all_or_nothing = Fraction(1 if a >= g else 0)
    if method == "all_or_nothing":
        return all_or_nothing
    linear = clip((a - t) / (g - t)) if g != t else all_or_nothing
    if b is None:
        improvement = None
    elif b >= g:
        improvement = all_or_nothing
    else:
        improvement = clip((a - b) / (g - b))
    if method == "improvement":
        return improvement if improvement is not None else Fraction(0)
    if method == "best_of":
        return linear if improvement is None else max(linear, improvement)
    return linear


def _hvbp_points(a: Fraction, at: Fraction, bm: Fraction, b: Fraction | None, decimals: int) -> Fraction:
    """max(achievement points, improvement points), 0 to 10, in the signed (higher-is-better) space."""
    if a >= bm:
        achievement = Fraction(10)
    elif a < at:
        achievement = Fraction(0)
    else:
        achievement = clip(
            round_to(9 * (a - at) / (bm - at) + Fraction(1, 2), decimals), Fraction(1), Fraction(9)
        )
    if b is None or a <= b or b >= bm:
        improvement = Fraction(0)
    elif a >= bm:
        improvement = Fraction(9)
    else:
        improvement = clip(
            round_to(10 * (a - b) / (bm - b) - Fraction(1, 2), decimals), Fraction(0), Fraction(9)
        )
    return max(achievement, improvement)
