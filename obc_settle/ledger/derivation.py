"""The `derivation` column: structured steps of a line, written and read one way.

A line's derivation is a JSON object (keys sorted, no whitespace variations) so that the same
settlement always gives the same bytes. Amounts are integer pence; exact rationals are text that
`fractions.Fraction` reads. Engine modules build it with `derivation_text`; renderers and explain
read it with `derivation_of`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def derivation_text(steps: Mapping[str, Any]) -> str:
    """The column's text for a derivation: canonical JSON (sorted keys, compact separators)."""
    return json.dumps(steps, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def derivation_of(text: str | None) -> dict[str, Any]:
    """A line's derivation as a dict (empty when the line has none)."""
    if not text:
        return {}
    loaded = json.loads(text)
    if not isinstance(loaded, dict):
        raise ValueError(f"a ledger derivation must be a JSON object, not {type(loaded).__name__}")
    return loaded
