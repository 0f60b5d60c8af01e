"""How the parts of a PDF document are kept together across pages: a heading and its intro with
the start of what they introduce.

reportlab's own means fall short here: `keepWithNext` on a heading keeps it with the one flowable
after it only (a heading, then an intro, then a table left the heading and intro at a page's foot
and the table on the next page), and a KeepTogether around a heading and a table moves the whole
table to the next page when it does not fit, leaving the rest of the page blank. So a story is
given, before each heading or intro, a flowable that breaks the page when the heading, its intro
and the first rows of their table or chart would not fit, and does nothing otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.platypus import Flowable, FrameBreak, KeepTogether, Paragraph, Spacer, Table

KEPT_ROWS = 2
"""How many rows of a table (after its header) or of a chart a heading and its intro keep with them."""


class _RoomForTheStart(Flowable):
    """Nothing drawn: a page break when less room is left than a heading, its intro and the start
    of what they introduce need, so that a heading or an intro is never left at a page's foot with
    its table on the next page. The rest of a long table still flows on from there (a KeepTogether
    would move the whole table, leaving half a page blank)."""

    locChanger = 1  # as reportlab's CondPageBreak: it may move what follows to another page

    def __init__(self, heads: Sequence[Flowable], follows: Sequence[Flowable]) -> None:
        super().__init__()
        self._heads, self._follows = list(heads), list(follows)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        frame = self._doctemplateAttr("frame")
        if frame is not None and not frame._atTop and availHeight < self._needed(availWidth, availHeight):
            frame.add_generated_content(FrameBreak)
        return 0, 0

    def draw(self) -> None:
        pass

    def _needed(self, width: float, height: float) -> float:
        total = sum(self._height_of(head, width, height) for head in self._heads)
        rows = 0
        for flowable in self._follows:
            if isinstance(flowable, Table):
                flowable.wrapOn(self.canv, width, height)
                return total + sum(flowable._rowHeights[: flowable.repeatRows + KEPT_ROWS])
            if isinstance(flowable, KeepTogether):
                flowable.wrapOn(self.canv, width, height)
                return total + flowable._H
            total += self._height_of(flowable, width, height)
            rows += not isinstance(flowable, Spacer)
            if rows > KEPT_ROWS:  # a chart: its legend and first rows
                break
        return total

    def _height_of(self, flowable: Flowable, width: float, height: float) -> float:
        return (
            flowable.wrapOn(self.canv, width, height)[1]
            + flowable.getSpaceBefore()
            + flowable.getSpaceAfter()
        )


def _style_of(flowable: Flowable) -> str | None:
    return flowable.style.name if isinstance(flowable, Paragraph) else None


def kept_with_their_start(story: Sequence[Flowable]) -> list[Flowable]:
    """`story` with a `_RoomForTheStart` before each heading (with the intros after it) and before
    each intro set straight above a table or chart (a small paragraph: "How the saving was
    shared, step by step:"). A small paragraph after a table, its note, stays with that table."""
    kept: list[Flowable] = []
    index = 0
    while index < len(story):
        end = index
        while end < len(story) and (
            _style_of(story[end]) in ("h2", "small") or isinstance(story[end], Spacer)
        ):
            end += 1
        if end == index:
            kept.append(story[index])
            index += 1
            continue
        run, follows = list(story[index:end]), list(story[end : end + KEPT_ROWS + 2])
        headings = [at for at, flowable in enumerate(run) if _style_of(flowable) == "h2"]
        intros = [at for at, flowable in enumerate(run) if _style_of(flowable) == "small"]
        introduces = bool(follows) and not isinstance(follows[0], Paragraph)
        start = headings[0] if headings else intros[-1] if intros and introduces else None
        if start is not None and follows:
            kept += [*run[:start], _RoomForTheStart(run[start:], follows), *run[start:]]
        else:
            kept += run
        index = end
    return kept
