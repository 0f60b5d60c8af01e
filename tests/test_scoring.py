"""Scoring methods in both directions, checked through the whole settlement in pence.

Unless a test says otherwise: the contract year 2025-26 is worth 10,000,000 pence with 10%
withheld, so settling the whole year gives an outcome pool of 1,000,000 pence; one indicator
carries all of it; providers A, B, C have base shares 0.5, 0.3, 0.2, so a score s earns
A 500,000 x s, B 300,000 x s and C 200,000 x s (each rounded half up to the penny).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from engine_support import (
    D,
    contract_from,
    exact,
    indicator,
    indicator_row,
    monthly,
    outcome_by_party,
    score_of,
)

from obc_settle.engine import settle
from obc_settle.engine.exact import SCORE_PLACES, as_decimal
from obc_settle.periods import SettlementPeriod

YEAR = SettlementPeriod.parse("2025-26")


def settle_one(spec: dict[str, Any], rows: list[tuple[Any, ...]]) -> Any:
    return settle(contract_from(indicators=[spec]), monthly(rows), YEAR)


def expect(ledger: Any, score: float | str | Fraction, a: int, b: int, c: int) -> None:
    exact_score = score if isinstance(score, Fraction) else Fraction(str(score))
    assert Fraction(indicator_row(ledger, "i1")["score_exact"]) == exact_score
    assert score_of(ledger, "i1") == as_decimal(exact_score, SCORE_PLACES)
    assert outcome_by_party(ledger, "i1") == {"A": a, "B": b, "C": c}


# --- linear -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "score", "a", "b", "c"),
    [
        # 65/100 = 0.65: (0.65 - 0.6) / (0.7 - 0.6) = 0.5 -> 500,000 earned = 250,000/150,000/100,000.
        (65, 0.5, 250_000, 150_000, 100_000),
        # 0.6 is the threshold: nothing earned.
        (60, 0.0, 0, 0, 0),
        # 0.55 is below the threshold: clipped to 0.
        (55, 0.0, 0, 0, 0),
        # 0.75 is beyond the target: clipped to 1 -> 500,000/300,000/200,000.
        (75, 1.0, 500_000, 300_000, 200_000),
        # 0.62: 0.02 / 0.1 = 0.2 -> 100,000/60,000/40,000.
        (62, 0.2, 100_000, 60_000, 40_000),
    ],
)
def test_linear_higher_is_better_pays_the_fraction_of_the_way_from_threshold_to_target(
    numerator: int, score: float, a: int, b: int, c: int
) -> None:
    # The achievement is measured over all providers' rows: 40 + 25 of 60 + 40 is the same as 65/100.
    rows = [("A", "i1", "2025-06", numerator - 25, 60), ("B", "i1", "2025-07", 25, 40)]
    expect(settle_one(indicator(), rows), score, a, b, c)


@pytest.mark.parametrize(
    ("events", "score", "a", "b", "c"),
    [
        # 27 events per 10,000 people = 2.7 per 1,000: (3.0 - 2.7) / (3.0 - 2.4) = 0.5.
        (27, 0.5, 250_000, 150_000, 100_000),
        # 3.3 per 1,000 is worse than the threshold 3.0: 0.
        (33, 0.0, 0, 0, 0),
        # 2.1 per 1,000 is better than the target 2.4: 1.
        (21, 1.0, 500_000, 300_000, 200_000),
        # 2.85 per 1,000 (28.5 events): 0.15 / 0.6 = 0.25 -> 125,000/75,000/50,000.
        (D("28.5"), 0.25, 125_000, 75_000, 50_000),
    ],
)
def test_linear_lower_is_better_pays_as_the_rate_falls_from_threshold_to_target(
    events: Any, score: float, a: int, b: int, c: int
) -> None:
    spec = indicator(kind="rate_per_1000", direction="lower_is_better", threshold="3.0", target="2.4")
    expect(settle_one(spec, [("C", "i1", "2025-09", events, 10_000)]), score, a, b, c)


def test_a_mean_indicator_is_the_sum_of_values_over_their_count() -> None:
    # 7,000 / 1,000 = 7.0 on a 6-to-8 scale: (7 - 6) / (8 - 6) = 0.5.
    spec = indicator(kind="mean", threshold="6", target="8")
    ledger = settle_one(
        spec, [("A", "i1", "2025-05", 0, 0, 4000, 600), ("B", "i1", "2025-05", 0, 0, 3000, 400)]
    )
    expect(ledger, 0.5, 250_000, 150_000, 100_000)
    assert indicator_row(ledger, "i1")["achieved"] == pytest.approx(7.0)


def test_an_observed_to_expected_ratio_can_be_lower_is_better() -> None:
    # 90 observed / 100 expected = 0.9; threshold 1.0, target 0.8: (1.0 - 0.9) / 0.2 = 0.5.
    spec = indicator(kind="observed_expected", direction="lower_is_better", threshold="1.0", target="0.8")
    expect(settle_one(spec, [("A", "i1", "2025-05", 90, 100)]), 0.5, 250_000, 150_000, 100_000)


def test_a_change_from_baseline_indicator_scores_the_change() -> None:
    # 60/100 = 0.6 against baseline 0.5 is a change of 0.1; threshold 0.05, target 0.15 -> 0.5.
    spec = indicator(
        kind="change_from_baseline", measure="proportion", baseline="0.5", threshold="0.05", target="0.15"
    )
    ledger = settle_one(spec, [("A", "i1", "2025-05", 60, 100)])
    expect(ledger, 0.5, 250_000, 150_000, 100_000)
    assert indicator_row(ledger, "i1")["achieved"] == pytest.approx(0.1)


def test_each_partys_earned_part_is_rounded_half_up_on_its_own() -> None:
    # 70/100 = 0.7 with threshold 0.6 and target 0.9: 0.1 / 0.3 = 1/3 exactly (not rounded).
    # A: 500,000 / 3 = 166,666.67 -> 166,667; B: 300,000 / 3 = 100,000; C: 200,000 / 3 = 66,666.67 -> 66,667.
    ledger = settle_one(indicator(threshold="0.6", target="0.9"), [("A", "i1", "2025-05", 70, 100)])
    expect(ledger, Fraction(1, 3), 166_667, 100_000, 66_667)
    # The commissioner keeps the rest: 1,000,000 - (166,667 + 100,000 + 66,667) = 666,666.
    assert indicator_row(ledger, "i1")["amount_pence"] == 666_666


# --- banded -----------------------------------------------------------------------------------

BANDS_UP = [
    {"level": D("6.5"), "score": D("0.25")},
    {"level": D("7.0"), "score": D("0.6")},
    {"level": D("7.5"), "score": D("1")},
]


@pytest.mark.parametrize(
    ("value_sum", "score", "a", "b", "c"),
    [
        (6400, 0.0, 0, 0, 0),  # 6.4 reaches no band
        (6500, 0.25, 125_000, 75_000, 50_000),  # exactly 6.5: the first band
        # 7.2 reaches 7.0 but not 7.5: 0.6 -> 600,000 = 300,000/180,000/120,000.
        (7200, 0.6, 300_000, 180_000, 120_000),
        (7600, 1.0, 500_000, 300_000, 200_000),
    ],
)
def test_banded_higher_is_better_pays_the_best_band_reached(
    value_sum: int, score: float, a: int, b: int, c: int
) -> None:
    spec = indicator(
        kind="mean", threshold="6.5", target="7.5", scoring={"method": "banded", "bands": BANDS_UP}
    )
    expect(settle_one(spec, [("A", "i1", "2025-05", 0, 0, value_sum, 1000)]), score, a, b, c)


@pytest.mark.parametrize(
    ("events", "score", "a", "b", "c"),
    [
        (31, 0.0, 0, 0, 0),  # 3.1 per 1,000: worse than every band
        (28, 0.5, 250_000, 150_000, 100_000),  # 2.8 is at or below 3.0 but above 2.5
        (25, 1.0, 500_000, 300_000, 200_000),  # 2.5 exactly: the best band
    ],
)
def test_banded_lower_is_better_pays_the_best_band_reached(
    events: int, score: float, a: int, b: int, c: int
) -> None:
    bands = [{"level": D("3.0"), "score": D("0.5")}, {"level": D("2.5"), "score": D("1")}]
    spec = indicator(
        kind="rate_per_1000",
        direction="lower_is_better",
        threshold="3.0",
        target="2.5",
        scoring={"method": "banded", "bands": bands},
    )
    expect(settle_one(spec, [("A", "i1", "2025-05", events, 10_000)]), score, a, b, c)


# --- all or nothing ---------------------------------------------------------------------------


@pytest.mark.parametrize(("numerator", "score"), [(69, 0.0), (70, 1.0), (71, 1.0)])
def test_all_or_nothing_higher_is_better_pays_everything_only_at_the_target(
    numerator: int, score: float
) -> None:
    spec = indicator(threshold="0.7", target="0.7", scoring={"method": "all_or_nothing"})
    earned = int(score) * 500_000
    expect(
        settle_one(spec, [("B", "i1", "2025-05", numerator, 100)]),
        score,
        earned,
        int(score) * 300_000,
        int(score) * 200_000,
    )


@pytest.mark.parametrize(("events", "score"), [(25, 0.0), (24, 1.0), (20, 1.0)])
def test_all_or_nothing_lower_is_better_pays_everything_only_at_or_below_the_target(
    events: int, score: float
) -> None:
    spec = indicator(
        kind="rate_per_1000",
        direction="lower_is_better",
        threshold="3.0",
        target="2.4",
        scoring={"method": "all_or_nothing"},
    )
    ledger = settle_one(spec, [("B", "i1", "2025-05", events, 10_000)])
    expect(ledger, score, int(score) * 500_000, int(score) * 300_000, int(score) * 200_000)


# --- improvement and best of ------------------------------------------------------------------


def test_improvement_credits_progress_from_the_baseline_even_below_the_threshold() -> None:
    # 0.55 with baseline 0.5 and target 0.7: (0.55 - 0.5) / (0.7 - 0.5) = 0.25 (linear would give 0).
    spec = indicator(baseline="0.5", scoring={"method": "improvement"})
    expect(settle_one(spec, [("A", "i1", "2025-05", 55, 100)]), 0.25, 125_000, 75_000, 50_000)


def test_improvement_lower_is_better_credits_the_fall_from_the_baseline() -> None:
    # 2.8 per 1,000 with baseline 3.2 and target 2.4: (3.2 - 2.8) / (3.2 - 2.4) = 0.5.
    spec = indicator(
        kind="rate_per_1000",
        direction="lower_is_better",
        threshold="3.0",
        target="2.4",
        baseline="3.2",
        scoring={"method": "improvement"},
    )
    expect(settle_one(spec, [("A", "i1", "2025-05", 28, 10_000)]), 0.5, 250_000, 150_000, 100_000)


@pytest.mark.parametrize(("numerator", "score"), [(72, 1.0), (69, 0.0)])
def test_improvement_is_all_or_nothing_when_the_baseline_already_meets_the_target(
    numerator: int, score: float
) -> None:
    spec = indicator(baseline="0.75", scoring={"method": "improvement"})
    ledger = settle_one(spec, [("A", "i1", "2025-05", numerator, 100)])
    expect(ledger, score, int(score) * 500_000, int(score) * 300_000, int(score) * 200_000)


def test_best_of_takes_improvement_when_it_is_better() -> None:
    # 0.65 with baseline 0.5: linear (0.65 - 0.6) / 0.1 = 0.5; improvement 0.15 / 0.2 = 0.75 -> 0.75.
    spec = indicator(baseline="0.5", scoring={"method": "best_of"})
    expect(settle_one(spec, [("A", "i1", "2025-05", 65, 100)]), 0.75, 375_000, 225_000, 150_000)


def test_best_of_takes_linear_when_it_is_better() -> None:
    # 0.66 with baseline 0.65 (above the threshold): linear 0.06 / 0.1 = 0.6; improvement
    # 0.01 / 0.05 = 0.2 -> 0.6 = 300,000/180,000/120,000.
    spec = indicator(baseline="0.65", scoring={"method": "best_of"})
    expect(settle_one(spec, [("A", "i1", "2025-05", 66, 100)]), 0.6, 300_000, 180_000, 120_000)


def test_best_of_lower_is_better() -> None:
    # 2.8 per 1,000: linear (3.0 - 2.8) / 0.6 = 0.333333; improvement (3.2 - 2.8) / 0.8 = 0.5 -> 0.5.
    spec = indicator(
        kind="rate_per_1000",
        direction="lower_is_better",
        threshold="3.0",
        target="2.4",
        baseline="3.2",
        scoring={"method": "best_of"},
    )
    expect(settle_one(spec, [("A", "i1", "2025-05", 28, 10_000)]), 0.5, 250_000, 150_000, 100_000)


def test_the_ledger_shows_how_the_score_was_derived() -> None:
    ledger = settle_one(indicator(), [("A", "i1", "2025-06", 40, 60), ("B", "i1", "2025-07", 25, 40)])
    row = indicator_row(ledger, "i1")
    assert (row["numerator"], row["denominator"]) == (65.0, 100.0)
    assert row["achieved"] == pytest.approx(0.65)
    assert (row["threshold"], row["target"], row["direction"]) == (0.6, 0.7, "higher_is_better")
    assert (row["scoring_method"], row["extract_rows"], exact(row["weight"])) == ("linear", 2, 1)
    assert row["pool_pence"] == 1_000_000
    # The commissioner retains the unearned half: 1,000,000 - 500,000.
    assert row["amount_pence"] == 500_000


def test_a_change_from_baseline_exactly_at_the_target_meets_it_for_all_or_nothing() -> None:
    # 60/100 = 0.60 against baseline 0.50 is a change of exactly 0.10 = the target: score 1.
    # (As floats 0.6 - 0.5 = 0.09999999999999998, which must not decide the payment.)
    spec = indicator(
        kind="change_from_baseline",
        measure="proportion",
        baseline="0.5",
        threshold="0.1",
        target="0.1",
        scoring={"method": "all_or_nothing"},
    )
    expect(settle_one(spec, [("A", "i1", "2025-05", 60, 100)]), 1, 500_000, 300_000, 200_000)


def test_a_change_from_baseline_exactly_at_a_band_level_reaches_the_band() -> None:
    # A change of exactly 0.10 reaches the band at level 0.1 (score 1).
    bands = [{"level": D("0.1"), "score": D("1")}]
    spec = indicator(
        kind="change_from_baseline",
        measure="proportion",
        baseline="0.5",
        threshold="0.05",
        target="0.1",
        scoring={"method": "banded", "bands": bands},
    )
    expect(settle_one(spec, [("A", "i1", "2025-05", 60, 100)]), 1, 500_000, 300_000, 200_000)


def test_a_mean_exactly_at_a_band_level_reaches_the_band() -> None:
    # 21.0 / 3 = 7.0 reaches the 7.0 band (0.6): 300,000 / 180,000 / 120,000.
    spec = indicator(
        kind="mean", threshold="6.5", target="7.5", scoring={"method": "banded", "bands": BANDS_UP}
    )
    expect(settle_one(spec, [("A", "i1", "2025-05", 0, 0, D("21.0"), 3)]), "0.6", 300_000, 180_000, 120_000)


def test_a_score_with_more_than_six_places_is_not_rounded_before_it_multiplies_money() -> None:
    # 64,938,285 / 100,000,000 = 0.64938285: (0.64938285 - 0.6) / 0.1 = 0.4938285 exactly (once
    # rounded to 0.493829, which paid A 246,915). Exact: A: 500,000 x 0.4938285 = 246,914.25 -> 246,914;
    # B: 300,000 x 0.4938285 = 148,148.55 -> 148,149; C: 200,000 x 0.4938285 = 98,765.7 -> 98,766.
    ledger = settle_one(indicator(), [("A", "i1", "2025-05", 64_938_285, 100_000_000)])
    expect(ledger, "0.4938285", 246_914, 148_149, 98_766)
