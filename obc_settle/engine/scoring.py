"""Scores in [0, 1] from achieved values, for every scoring method, in exact rationals.

The formulas are the scoring methods' own (`obc_settle.scoring_methods`, one module per method:
linear, banded, all_or_nothing, improvement, best_of, hvbp); this module prepares what they read
and applies them to the measured indicators. A method that is not registered raises
`UnknownScoringMethod`: no indicator is ever scored by a default method.

Lower-is-better indicators are scored by negating achieved value, baseline, threshold, target and
band levels, so one set of formulas serves both directions. The only rounding of a score is a
scheme's own rule (HVBP's points, to `point_decimals` places).

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

from obc_settle.engine.exact import SCORE_PLACES, as_decimal, fraction_of, fraction_text
from obc_settle.ledger.derivation import derivation_text
from obc_settle.scoring_methods import Levels, get

SCORE_DTYPE = pl.Decimal(38, SCORE_PLACES)
SCHEME_POINTS = "scheme_points"
"""Column of a scored indicator: the scoring method's intermediate points (HVBP's achievement and
improvement points) as derivation JSON, or null; the outcome lines keep it in `derivation`."""


def score_indicators(measured: pl.DataFrame, bands: pl.DataFrame) -> pl.DataFrame:
    """Add `score_exact` (null where the indicator's weight is reassigned), `score`, and the
    note of a level counted as met within the confidence interval."""
    by_indicator: dict[str, list[tuple[Fraction, Fraction]]] = {}
    for indicator_id, level, band_score in bands.iter_rows():
        by_indicator.setdefault(indicator_id, []).append((Fraction(level), Fraction(band_score)))
    scores, notes, points = [], [], []
    for row in measured.iter_rows(named=True):
        score, note, kept = _score(row, by_indicator.get(row["indicator_id"], []))
        scores.append(score)
        notes.append(note)
        points.append(kept)
    return measured.with_columns(
        pl.Series("score_exact", [fraction_text(s) for s in scores], dtype=pl.String),
        pl.Series("score", [as_decimal(s, SCORE_PLACES) for s in scores], dtype=SCORE_DTYPE),
        pl.Series("note", notes, dtype=pl.String),
        pl.Series(SCHEME_POINTS, points, dtype=pl.String),
    )


def with_score(frame: pl.DataFrame, score: Fraction) -> pl.DataFrame:
    """Every row of `frame` given the same exact score."""
    return frame.with_columns(
        score_exact=pl.lit(fraction_text(score), dtype=pl.String),
        score=pl.lit(as_decimal(score, SCORE_PLACES), dtype=SCORE_DTYPE),
    )


def _score(
    row: dict[str, Any], bands: list[tuple[Fraction, Fraction]]
) -> tuple[Fraction | None, str | None, str | None]:
    """(exact score or None, note, the scheme's points as derivation text or None) of one measured row."""
    method = get(row["scoring_method"])  # an unknown method is an error even where nothing is scored
    note = row["note"]
    if not row["measured"]:
        return None, note, None
    if not row["scorable"]:
        if row["extract_rows"] == 0:
            return Fraction(0), note, None
        policy = row["small_numbers_policy"]
        return {"score_met": Fraction(1), "score_zero": Fraction(0)}.get(policy), note, None
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
    levels = Levels(achieved, threshold, target, baseline, tuple(signed_bands), row["point_decimals"])
    kept = None if method.points is None else derivation_text(method.points(levels))
    return method.score(levels), note, kept


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
