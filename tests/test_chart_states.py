"""A chart's words and its bar agree: one test (`target_reached`) decides whether the target was
reached, and a score that says otherwise is told as such."""

from __future__ import annotations

import pytest

from obc_settle.render.charts import achievement_row, target_reached


def row(achieved: float, score: float, direction: str = "higher_is_better") -> tuple[str, str, bool | None]:
    drawn = achievement_row("i", "proportion", direction, achieved, 0.6, 0.7, score, True)
    bar_reaches = drawn.bar_end is not None and (
        drawn.bar_end >= drawn.target_at
        if direction == "higher_is_better"
        else drawn.bar_start <= drawn.target_at
    )
    return drawn.state, drawn.state_text, bar_reaches


@pytest.mark.parametrize(
    ("achieved", "score", "words"),
    [
        (0.75, 1.0, "Target met: score 100.0%"),
        (0.65, 1.0, "Short of the target, scored in full: score 100.0%"),  # small numbers scored as met
        (0.72, 0.5, "Target reached, scored in part: score 50.0%"),
        (0.65, 0.5, "Partly met: score 50.0%"),
        (0.5, 0.0, "Below threshold: score 0.0%"),
    ],
)
def test_the_words_say_what_the_bar_shows(achieved: float, score: float, words: str) -> None:
    _, text, bar_reaches = row(achieved, score)
    assert text == words
    assert ("Target met" in text or "Target reached" in text) == bar_reaches


def test_lower_is_better_reaches_the_target_from_above() -> None:
    assert target_reached(0.65, 0.7, "lower_is_better") is True
    assert target_reached(0.75, 0.7, "lower_is_better") is False
    assert target_reached(None, 0.7, "higher_is_better") is None
