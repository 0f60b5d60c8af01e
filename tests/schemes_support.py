"""Helpers for the scheme tests: load a template from contracts/templates, change it, settle it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import polars as pl
from engine_support import COMMISSIONER, dump, lines, load_text, monthly
from paths import ROOT

from obc_settle.contract.models import Contract
from obc_settle.contract.yaml_source import read_yaml
from obc_settle.engine import settle
from obc_settle.periods import SettlementPeriod

TEMPLATES = ROOT / "contracts" / "templates"
MONTHS_2025_26 = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 4)]


def template(name: str) -> dict[str, Any]:
    document, findings = read_yaml(TEMPLATES / f"{name}.yaml")
    assert document is not None, findings
    return copy.deepcopy(document.value)


def contract_of(body: dict[str, Any]) -> Contract:
    loaded, findings = load_text(dump(body))
    assert findings == [], [f.render() for f in findings]
    assert loaded is not None
    return loaded.contract


def varied(name: str, change: Callable[[dict[str, Any]], None]) -> Contract:
    body = template(name)
    change(body)
    return contract_of(body)


def settle_rows(
    contract: Contract,
    rows: list[tuple[Any, ...]],
    period: str = "2025-26",
    claims: pl.DataFrame | None = None,
) -> pl.DataFrame:
    return settle(contract, monthly(rows), SettlementPeriod.parse(period), claims)


def amounts(ledger: pl.DataFrame, line_type: str) -> dict[str, int]:
    frame = (
        lines(ledger, line_type).group_by("party_id", maintain_order=True).agg(pl.col("amount_pence").sum())
    )
    return {party: int(amount) for party, amount in frame.iter_rows()}


def provider_amounts(ledger: pl.DataFrame, line_type: str) -> dict[str, int]:
    return {party: amount for party, amount in amounts(ledger, line_type).items() if party != COMMISSIONER}


def conserved(ledger: pl.DataFrame) -> bool:
    value = int(lines(ledger, "contract_value")["amount_pence"].sum())
    return int(ledger.filter(pl.col("kind").is_in(["payment", "retention"]))["amount_pence"].sum()) == value
