"""What a scoring method is (`ScoringMethod`), and the registry every part of obc-settle reads.

One record per method carries everything the rest of the program needs to know about it: its name
(the contract's `scoring.method`), the contract keys it needs or accepts (`Parameters`, read by the
contract's checks), the formula (`score`, exact `Fraction` arithmetic, read by the engine), the
steps `obc-settle explain` prints for a line scored by it (`explain`), its label on statements
(`label`) and its rows in the documentation (`docs`, checked against docs/ by the test suite).

The registry is a name -> record table filled once, when `obc_settle.scoring_methods` is imported
(`BUILT_IN` there). Looking up a name that is not registered raises `UnknownScoringMethod`: no
part of the program falls back to a default method. `registered(method)` adds a method for the
length of a `with` block (tests, plug-ins).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from obc_settle.registry import Registry


@dataclass(frozen=True)
class Levels:
    """What a formula reads, in the signed space: for a lower-is-better indicator every level is
    negated first (engine.scoring, audit.explain), so that a formula is written once, for "higher
    is better"."""

    achieved: Fraction
    """a: the exact achieved value (raised to a level within its confidence interval, when one is)."""
    threshold: Fraction
    """T: the threshold of the settlement's contract year."""
    target: Fraction
    """G: the target of the settlement's contract year."""
    baseline: Fraction | None = None
    """B: the indicator's baseline, if it has one."""
    bands: tuple[tuple[Fraction, Fraction], ...] = ()
    """(level, score) of each band, levels signed, in contract order (`scoring.bands`)."""
    point_decimals: int = 0
    """`scoring.point_decimals`: decimal places of a scheme's points (0 when not given)."""


@dataclass(frozen=True)
class Parameters:
    """What a method reads from the contract besides the achieved value, threshold and target
    (which every indicator has). The contract's checks enforce these (C022, C027)."""

    bands: bool = False
    """Needs `scoring.bands` (at least one band); bands given to any other method are refused."""
    point_decimals: bool = False
    """Accepts `scoring.point_decimals`; it is refused for any other method."""
    baseline: Literal["required", "optional", "unused"] = "unused"
    """The indicator's `baseline`: `required` makes an indicator without one a finding."""
    change_from_baseline: bool = True
    """Whether it may score a `change_from_baseline` indicator (already a change from its baseline)."""
    threshold_may_equal_target: bool = False
    """Whether the threshold may equal the target (they may never be the wrong way round)."""


@dataclass(frozen=True)
class MethodDocs:
    """A method's rows in the documentation, as Markdown table cells (tests check docs/ lists them)."""

    score: str
    """docs/contract-reference.md, the table of methods under `scoring`: the score in words."""
    levels: str
    """The same table: the levels the method uses."""
    formula: str
    """docs/methodology.md, section 8 (Scores): the formula, with a, T, G, B, Lₖ and sₖ."""

    def reference_row(self, name: str) -> str:
        return f"| `{name}` | {self.score} | {self.levels} |"

    def methodology_row(self, name: str) -> str:
        return f"| `{name}` | {self.formula} |"


@dataclass(frozen=True)
class ScoringMethod:
    """One scoring method: a score in [0, 1] from an indicator's achieved value and levels."""

    name: str
    """The contract's `scoring.method` and the ledger's `scoring_method`."""
    label: str
    """How statements and workbooks name it ("linear scoring")."""
    parameters: Parameters
    score: Callable[[Levels], Fraction]
    """The formula: an exact score from 0 to 1. Rounds nothing, unless the scheme's own rule does."""
    explain: Callable[[Levels], list[str]]
    """The steps `obc-settle explain` prints, with the numbers put in (for a scorable line)."""
    docs: MethodDocs
    points: Callable[[Levels], dict[str, str]] | None = None
    """A scheme's intermediate points (exact text by name), for a method that scores by points (HVBP's
    achievement and improvement points): the engine keeps them in the line's `derivation`."""
    points_text: Callable[[Mapping[str, str]], str] | None = None
    """Those points in words, as statements and explain show them ("achievement 7, improvement 5 of 9: ...")."""


class UnknownScoringMethod(LookupError):
    """A scoring method that is not registered: a contract that passed validation never has one."""


NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
_REGISTRY: Registry[ScoringMethod] = Registry(
    "scoring method", NAME_PATTERN, "lower_case_with_underscores", UnknownScoringMethod, "the methods are"
)
register = _REGISTRY.register
unregister = _REGISTRY.unregister
registered = _REGISTRY.registered
get = _REGISTRY.get
names = _REGISTRY.names
methods = _REGISTRY.records


def using(parameter: Literal["bands", "point_decimals"]) -> str:
    """The methods that use a `scoring` key, for messages: `banded`, `linear or hvbp`."""
    return " or ".join(m.name for m in _REGISTRY.records() if getattr(m.parameters, parameter))
