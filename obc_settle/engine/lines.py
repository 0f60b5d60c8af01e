"""Building ledger lines: one dict per line, conformed to the ledger schema and numbered.

Every engine module that adds money to a settlement returns its lines through `Lines`: the
provider lines by party and the commissioner's lines, each a plain dict of ledger columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from obc_settle.ledger.schema import LEDGER_SCHEMA, LineKind, LineType

# Derivation columns an outcome line carries from its indicator.
DERIVATION = [
    "domain_id",
    "indicator_id",
    "indicator_kind",
    "attribution",
    "window",
    "window_first_month",
    "window_last_month",
    "extract_rows",
    "excluded",
    "numerator",
    "denominator",
    "achieved",
    "achieved_exact",
    "direction",
    "baseline",
    "threshold",
    "target",
    "scoring_method",
    "minimum_denominator",
    "scorable",
    "small_numbers_policy",
    "score",
    "score_exact",
    "weight",
    "weight_exact",
    "pool_pence",
    "share",
    "share_exact",
    "available_pence",
    "note",
    "confidence_lower",
    "confidence_upper",
]


def line(
    party_id: str, role: str, line_type: LineType, kind: LineKind, amount: int, **derivation: object
) -> dict[str, object]:
    return {
        "party_id": party_id,
        "party_role": role,
        "line_type": str(line_type),
        "kind": str(kind),
        "amount_pence": amount,
    } | derivation


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with exactly the ledger's columns and types (missing columns are nulls)."""
    columns = [
        (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in LEDGER_SCHEMA.items()
    ]
    return frame.select(columns)


def frame_of(rows: list[dict[str, Any]]) -> pl.DataFrame:
    if not rows:
        return conform(pl.DataFrame(schema={"party_id": pl.String}))
    return conform(pl.DataFrame(rows, infer_schema_length=None))


def numbered(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """The frames of one party, one after another, with `line_no` from 1."""
    frame = pl.concat([conform(f) for f in frames], how="vertical")
    return frame.with_columns(line_no=pl.int_range(1, frame.height + 1, dtype=pl.Int32))


@dataclass
class Lines:
    """Lines a mechanism adds: provider lines by provider id, and the commissioner's lines."""

    providers: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    commissioner: list[dict[str, object]] = field(default_factory=list)

    def add(self, provider_id: str, row: dict[str, object]) -> None:
        self.providers.setdefault(provider_id, []).append(row)

    def extend(self, other: Lines) -> None:
        for provider_id, rows in other.providers.items():
            self.providers.setdefault(provider_id, []).extend(rows)
        self.commissioner.extend(other.commissioner)
