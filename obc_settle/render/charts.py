"""Chart models shared by the HTML and PDF documents: what to draw, not how.

Three charts, each a list of rows whose geometry is given as fractions (0 to 1) of the drawing
width, so that the SVG renderer (`svg_charts`) and the reportlab renderer (`pdf_charts`) draw
the same picture:

- a **waterfall** (money bridge) from a starting total through increases and decreases to an
  end total, e.g. base payment + withheld -> withheld -> earned -> net payable. Every step is a
  ledger amount; the running level is only where a bar is placed, never a new figure. When every
  bar ends far from zero (a withheld proportion of 5%), the axis starts at a round number below
  the smallest level and the chart says so (`axis_broken`), so that small steps stay visible;
- an **achievement** chart: per indicator, the achieved value as a bar on a scale banded by its
  threshold and target (below threshold / between / target met, turned round when lower is
  better); the state shown comes from the ledger's score, not from the bar;
- a **share** chart: per provider, earned against withheld.

Nothing here reads a clock or derives money; positions are floats used only for drawing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from obc_settle.money import format_pounds
from obc_settle.render.labels import finite, level, percent


@dataclass(frozen=True)
class WaterfallBar:
    label: str
    start: float
    """Left end of the bar, as a fraction of the axis."""
    end: float
    kind: str
    """`total`, `up` or `down`."""
    amount: str
    """The ledger amount, signed for steps: `£1,000.00`, `+£38.00`, `-£78.00`."""


@dataclass(frozen=True)
class Waterfall:
    bars: tuple[WaterfallBar, ...]
    axis_low: str
    axis_high: str
    axis_broken: bool
    description: str


@dataclass(frozen=True)
class Band:
    start: float
    end: float
    kind: str
    """`below` (below threshold), `partial` (between threshold and target) or `met`."""


@dataclass(frozen=True)
class AchievementRow:
    label: str
    achieved: str
    threshold: str
    target: str
    direction: str
    state: str
    """`met`, `partial`, `below`, `unscored` or `no_data`."""
    state_text: str
    bar_start: float | None
    bar_end: float | None
    threshold_at: float
    target_at: float
    bands: tuple[Band, ...]
    axis_low: str
    axis_high: str


@dataclass(frozen=True)
class ShareRow:
    label: str
    withheld_end: float
    earned_end: float
    text: str


def waterfall(start: tuple[str, int], steps: list[tuple[str, int]], end: tuple[str, int]) -> Waterfall:
    """Bars for `start` (a total), each step (a change, in pence) and `end` (a total)."""
    levels: list[tuple[str, int, int, str, str]] = [(start[0], 0, start[1], "total", format_pounds(start[1]))]
    running = start[1]
    for label, delta in steps:
        kind = "down" if delta < 0 else "up"
        sign = "-" if delta < 0 else "+"
        levels.append(
            (
                label,
                min(running, running + delta),
                max(running, running + delta),
                kind,
                sign + format_pounds(abs(delta)),
            )
        )
        running += delta
    levels.append((end[0], 0, end[1], "total", format_pounds(end[1])))
    low, high = _waterfall_axis(
        [item for item in levels if item[3] != "total"], max(max(item[2] for item in levels), 1)
    )
    span = high - low
    bars = tuple(
        WaterfallBar(label, _clamp((max(a, low) - low) / span), _clamp((b - low) / span), kind, amount)
        for label, a, b, kind, amount in levels
    )
    description = "; ".join(f"{bar.label} {bar.amount}" for bar in bars)
    return Waterfall(bars, format_pounds(low), format_pounds(high), low > 0, description)


def _waterfall_axis(steps: list[tuple[str, int, int, str, str]], top: int) -> tuple[int, int]:
    """From 0, or from a round number below the steps when they are all high up the axis."""
    lows = [item[1] for item in steps]
    if any(item[1] < 0 for item in steps):
        return min(lows), top
    floor = min(lows) if lows else 0
    if not lows or floor <= top // 2 or floor >= top:
        return 0, top
    return _round_down(max(floor - (top - floor), 0)), top


def _round_down(value: int) -> int:
    """Down to two significant figures: 1,776,775 -> 1,700,000."""
    if value <= 0:
        return 0
    magnitude = 10 ** max(len(str(value)) - 2, 0)
    return value // magnitude * magnitude


def achievement_row(
    label: str,
    kind: str,
    direction: str,
    achieved: object,
    threshold: object,
    target: object,
    score: object,
    scorable: object,
    at_risk: bool = True,
) -> AchievementRow:
    """One indicator on its own scale: wide enough for achieved, threshold and target with room either side."""
    values = [v for v in (finite(achieved), finite(threshold), finite(target)) if v is not None]
    low, high = _scale(values, kind)
    span = high - low

    def at(value: float) -> float:
        return _clamp((value - low) / span)

    t, g = finite(threshold), finite(target)
    t_at = at(t) if t is not None else 0.0
    g_at = at(g) if g is not None else 1.0
    if direction == "lower_is_better":
        bands = (Band(0.0, g_at, "met"), Band(g_at, t_at, "partial"), Band(t_at, 1.0, "below"))
    else:
        bands = (Band(0.0, t_at, "below"), Band(t_at, g_at, "partial"), Band(g_at, 1.0, "met"))
    value = finite(achieved)
    origin = at(0.0) if low < 0 < high else 0.0
    state, state_text = _state(score, scorable, value, target_reached(value, g, direction))
    if not at_risk and state not in ("no_data",):
        # A fee-based year (nothing withheld): measured and shown, but no money rode on it.
        state, state_text = (
            "unscored",
            f"Nothing at risk this year: measured only ({state_text[:1].lower()}{state_text[1:]})",
        )
    return AchievementRow(
        label=label,
        achieved=level(achieved, kind),
        threshold=level(threshold, kind),
        target=level(target, kind),
        direction=direction,
        state=state,
        state_text=state_text,
        bar_start=None if value is None else min(origin, at(value)),
        bar_end=None if value is None else max(origin, at(value)),
        threshold_at=t_at,
        target_at=g_at,
        bands=tuple(band for band in bands if band.end > band.start),
        axis_low=level(low, kind),
        axis_high=level(high, kind),
    )


def target_reached(achieved: float | None, target: float | None, direction: str) -> bool | None:
    """Whether the achieved value is at or beyond the target, as the bar and the target line show
    it: the one test behind both the drawing and the words beside it (None without both)."""
    if achieved is None or target is None:
        return None
    return achieved <= target if direction == "lower_is_better" else achieved >= target


def _state(score: object, scorable: object, achieved: float | None, reached: bool | None) -> tuple[str, str]:
    """The row's colour and words. The words never contradict the bar: a score of 100% on a bar
    short of the target line (small numbers scored as met, a confidence interval, a band, the
    better of achievement and improvement) says so, as does a bar past the line scored less."""
    number = finite(score)
    if achieved is None:
        return "no_data", "No data: scored as zero" if number == 0 else "No data"
    if number is None:
        return "unscored", "Not scored: weight given to other indicators"
    if scorable is False:
        return "unscored", f"Not scorable: score {percent(number)}"
    if number >= 1:
        if reached is False:
            return "met", "Short of the target, scored in full: score 100.0%"
        return "met", "Target met: score 100.0%"
    if reached:
        return "partial", f"Target reached, scored in part: score {percent(number)}"
    if number <= 0:
        return "below", "Below threshold: score 0.0%"
    return "partial", f"Partly met: score {percent(number)}"


def _scale(values: list[float], kind: str) -> tuple[float, float]:
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    span = high - low or max(abs(high), 1.0) * 0.2
    low, high = low - span * 0.5, high + span * 0.5
    if min(values) >= 0 and low < 0:
        low = 0.0
    if kind == "proportion" and max(values) <= 1 and high > 1:
        high = 1.0
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return 0.0, 1.0
    return low, high


def share_rows(rows: list[tuple[str, int, int]]) -> tuple[ShareRow, ...]:
    """(label, earned pence, withheld pence) per provider, on one axis up to the largest withheld."""
    top = max([max(earned, withheld) for _, earned, withheld in rows] + [1])
    return tuple(
        ShareRow(
            label,
            _clamp(withheld / top),
            _clamp(earned / top),
            f"{format_pounds(earned)} earned of {format_pounds(withheld)} withheld"
            + (f" ({percent(earned / withheld, 1)})" if withheld > 0 else ""),
        )
        for label, earned, withheld in rows
    )


def _clamp(value: float) -> float:
    return min(max(value, 0.0), 1.0)


COLOURS = {
    "total": "#1d3557",
    "down": "#b3261e",
    "up": "#2e7d32",
    "below": "#f4d3d0",
    "partial": "#fbe3b5",
    "met": "#cfe9d2",
    "bar": "#1d3557",
    "threshold": "#8a4b00",
    "target": "#0b5a2a",
    "withheld": "#c5cfdc",
    "earned": "#1d3557",
}
"""One palette for the SVG and PDF charts. Colour is never the only carrier: every bar has its figure in text."""
