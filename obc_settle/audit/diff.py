"""`diff`: what changed between two runs of a contract, and why.

A restated extract, a contract variation or a what-if gives a second run; contract managers must
see which amounts moved and what input moved them. Lines are matched on their meaning, not their
position: (party, line type, indicator). Every amount is read off the two ledgers; the difference
is new minus old, in pence. Alongside the lines come the causes: the inputs whose bytes differ
(by role and archive path), the contract terms that differ (key by key, with list entries named
by their `id` or `year`), and the provider × indicator × month sums of the extracts that differ.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from obc_settle.audit.explain import plain
from obc_settle.errors import Diagnostic, Location, Severity
from obc_settle.ledger.views import party_totals, settlement_totals
from obc_settle.run_folder.manifest import LOCATION_PARAMETERS, FileRecord

KEY = ("party_id", "line_type", "indicator_id", "adjusts_period")
DERIVATION = (
    "extract_rows",
    "excluded",
    "numerator",
    "denominator",
    "achieved",
    "baseline",
    "threshold",
    "target",
    "scoring_method",
    "scorable",
    "score",
    "weight",
    "pool_pence",
    "share",
    "available_pence",
    "note",
)
MEASURES = ("numerator", "denominator", "value_sum", "value_count", "rows")


@dataclass(frozen=True)
class DiffReport:
    old: dict[str, Any]
    new: dict[str, Any]
    warnings: list[Diagnostic]
    lines: list[dict[str, Any]]
    totals: list[dict[str, Any]]
    inputs: list[dict[str, Any]]
    parameters: list[dict[str, Any]]
    terms: list[dict[str, Any]]
    extract_sums: list[dict[str, Any]] | None
    currency: str = "GBP"
    """The later run's contract currency: the differences are shown in it."""

    @property
    def amounts_differ(self) -> bool:
        return any(
            line["difference_pence"] != 0 or None in (line["old_pence"], line["new_pence"])
            for line in self.lines
        )

    @property
    def inputs_differ(self) -> bool:
        return bool(self.inputs or self.parameters or self.terms)

    @property
    def differs(self) -> bool:
        return bool(self.lines) or self.inputs_differ

    def as_json(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "differs": self.differs,
            "amounts_differ": self.amounts_differ,
            "inputs_differ": self.inputs_differ,
            "warnings": [w.as_json() for w in self.warnings],
            "inputs": self.inputs,
            "parameters": self.parameters,
            "contract_terms": self.terms,
            "extract_sums": self.extract_sums,
            "lines": self.lines,
            "totals": self.totals,
        }


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def ledger_changes(old: pl.DataFrame, new: pl.DataFrame) -> list[dict[str, Any]]:
    """Every line whose amount or derivation differs, or that only one run has, in ledger order."""
    before, after = _keyed(old), _keyed(new)
    parties = list(dict.fromkeys(new.get_column("party_id").to_list() + old.get_column("party_id").to_list()))
    order = {key: (parties.index(key[0]), row["line_no"], 1) for key, row in before.items()}
    order.update({key: (parties.index(key[0]), row["line_no"], 0) for key, row in after.items()})
    changes = []
    for key in sorted(order, key=lambda k: order[k]):
        was, now = before.get(key), after.get(key)
        old_pence = None if was is None else int(was["amount_pence"])
        new_pence = None if now is None else int(now["amount_pence"])
        changed = {
            column: [_json_value(was.get(column)), _json_value(now.get(column))]
            for column in DERIVATION
            if was is not None and now is not None and was.get(column) != now.get(column)
        }
        if old_pence == new_pence and not changed and was is not None and now is not None:
            continue
        changes.append(
            {
                "party_id": key[0],
                "line_type": key[1],
                "indicator_id": key[2],
                "adjusts_period": key[3],
                "old_pence": old_pence,
                "new_pence": new_pence,
                "difference_pence": (new_pence or 0) - (old_pence or 0),
                "changed": changed,
            }
        )
    return changes


def _keyed(ledger: pl.DataFrame) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Lines by meaning: party, line type, indicator, the earlier period a line adjusts (if the
    ledger has such lines), and a count for any line that would otherwise share its key."""
    keyed: dict[tuple[Any, ...], dict[str, Any]] = {}
    seen: Counter[tuple[Any, ...]] = Counter()
    for row in ledger.sort("party_id", "line_no").to_dicts():
        key = tuple(row.get(column) for column in KEY)
        keyed[(*key, seen[key])] = row
        seen[key] += 1
    return keyed


def totals_changes(old: pl.DataFrame, new: pl.DataFrame) -> list[dict[str, Any]]:
    """Net payable per provider, then the settlement's totals: old, new and difference."""
    rows = []
    before = {t.provider_id: t.net_payable_pence for t in party_totals(old)}
    after = {t.provider_id: t.net_payable_pence for t in party_totals(new)}
    for provider in list(after) + [p for p in before if p not in after]:
        rows.append(_total(f"{provider} net payable", before.get(provider), after.get(provider)))
    first, second = settlement_totals(old), settlement_totals(new)
    for name in ("contract_value_pence", "outcome_pool_pence", "paid_to_providers_pence", "retained_pence"):
        rows.append(
            _total(name.removesuffix("_pence").replace("_", " "), getattr(first, name), getattr(second, name))
        )
    return rows


def _total(label: str, old: int | None, new: int | None) -> dict[str, Any]:
    return {"total": label, "old_pence": old, "new_pence": new, "difference_pence": (new or 0) - (old or 0)}


def input_changes(old: list[FileRecord], new: list[FileRecord]) -> list[dict[str, Any]]:
    """Inputs whose bytes differ: the contract by role (it may be renamed), extracts by path."""

    def keyed(records: list[FileRecord]) -> dict[tuple[str, str], FileRecord]:
        return {(r.role, "" if r.role == "contract" else r.path): r for r in records}

    before, after = keyed(old), keyed(new)
    changes = []
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        if was is not None and now is not None and was.sha256 == now.sha256:
            continue
        status = "added" if was is None else "removed" if now is None else "changed"
        changes.append(
            {
                "role": key[0],
                "status": status,
                "old_path": was.path if was else None,
                "new_path": now.path if now else None,
                "old_sha256": was.sha256 if was else None,
                "new_sha256": now.sha256 if now else None,
            }
        )
    return changes


def parameter_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Settlement parameters that differ (the period, the formats); not where inputs were found."""
    names = sorted((old.keys() | new.keys()) - set(LOCATION_PARAMETERS))
    return [
        {"parameter": name, "old": old.get(name), "new": new.get(name)}
        for name in names
        if old.get(name) != new.get(name)
    ]


def contract_term_changes(old: Any, new: Any) -> list[dict[str, Any]]:
    """Contract keys whose values differ, named like `providers[WHIT].base_share`."""
    before, after = _flatten(old), _flatten(new)
    return [
        {"term": term, "old": _json_value(before.get(term)), "new": _json_value(after.get(term))}
        for term in sorted(before.keys() | after.keys())
        if before.get(term) != after.get(term) or (term in before) != (term in after)
    ]


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list):
        flat = {}
        for index, item in enumerate(value):
            name = item.get("id", item.get("year", index)) if isinstance(item, dict) else index
            flat.update(_flatten(item, f"{prefix}[{name}]"))
        return flat or {prefix: []}
    return {prefix: value}


def monthly_changes(old: pl.DataFrame, new: pl.DataFrame) -> list[dict[str, Any]]:
    """Provider × indicator × month sums of the extracts that differ (restated data)."""
    keys = ["provider_id", "indicator_id", "period"]
    joined = old.join(new, on=keys, how="full", coalesce=True, suffix="_new")
    differs = pl.any_horizontal([pl.col(m).ne_missing(pl.col(f"{m}_new")) for m in MEASURES])
    changes = []
    for row in joined.filter(differs).sort(keys).to_dicts():
        old_side = None if row["rows"] is None else {m: _json_value(row[m]) for m in MEASURES}
        new_side = None if row["rows_new"] is None else {m: _json_value(row[f"{m}_new"]) for m in MEASURES}
        changes.append({**{k: row[k] for k in keys}, "old": old_side, "new": new_side})
    return changes


def run_mismatches(old: pl.DataFrame, new: pl.DataFrame, where: Location) -> list[Diagnostic]:
    """Two runs of different contracts or periods can be compared, but rarely mean to be."""
    found = []
    for column, what in (("contract_id", "contract"), ("settlement_period", "settlement period")):
        first, second = old[column][0], new[column][0]
        if first != second:
            found.append(
                Diagnostic(
                    "A011",
                    f"the runs settle a different {what}: {first} and {second}",
                    where,
                    Severity.WARNING,
                )
            )
    return found
