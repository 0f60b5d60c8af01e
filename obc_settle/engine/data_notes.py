"""What the settlement noticed about its data, written on the ledger lines it concerns.

Missing provider-months and implausible achieved values change nothing in the arithmetic, but a
reader of a provisional statement must see them beside the money they affect: each is appended
to the `note` of every line of its indicator (and, for a value measured on one provider's rows,
of that provider's lines only).
"""

from __future__ import annotations

import polars as pl

from obc_settle.engine.coverage import missing_note
from obc_settle.engine.plausibility import Implausible, implausible_note


def with_data_notes(
    ledger: pl.DataFrame, cells: pl.DataFrame, implausible: list[Implausible]
) -> pl.DataFrame:
    """The ledger with notes on missing cells and implausible values; amounts untouched."""
    notes: dict[tuple[str, str | None], list[str]] = {}
    for indicator_id in sorted(set(cells.get_column("indicator_id").to_list())):
        note = missing_note(cells, indicator_id)
        if note:
            notes.setdefault((indicator_id, None), []).append(note)
    for item in implausible:
        notes.setdefault((item.indicator_id, item.party_id), []).append(implausible_note(item))
    if not notes:
        return ledger
    rows = [(indicator_id, party_id, "; ".join(texts)) for (indicator_id, party_id), texts in notes.items()]
    extra = pl.DataFrame(
        rows, schema={"indicator_id": pl.String, "__party": pl.String, "__note": pl.String}, orient="row"
    )
    for_all = extra.filter(pl.col("__party").is_null()).drop("__party")
    for_party = extra.filter(pl.col("__party").is_not_null()).rename(
        {"__party": "party_id", "__note": "__party_note"}
    )
    annotated = ledger.join(for_all, on="indicator_id", how="left", maintain_order="left").join(
        for_party, on=["indicator_id", "party_id"], how="left", maintain_order="left"
    )
    joined = pl.concat_str(
        [pl.col("note"), pl.col("__note"), pl.col("__party_note")], separator="; ", ignore_nulls=True
    )
    return annotated.with_columns(note=pl.when(joined == "").then(None).otherwise(joined)).select(
        ledger.columns
    )
