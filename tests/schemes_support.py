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
from obc_settle.periods import APRIL, SettlementPeriod

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
    """Settle `rows` written for the April year 2025-26 (`MONTHS_2025_26`, quarters `2025-26-Q3`).

    A template whose years start in another month (MSSP: the calendar year 2025; HVBP: the federal
    fiscal year 2025-26, from October) is settled over its own year: each row moves to the same
    place in that year (October 2025, the seventh month of 2025-26, is July 2025 of the calendar
    year) and the period to the same quarter of it, so the published examples keep their amounts.
    """
    year_start = contract.term.year_start
    april = SettlementPeriod.parse(period)
    if year_start == APRIL:
        return settle(contract, monthly(rows), april, claims)
    own = SettlementPeriod(year_start.parse_year(contract.contract_years[0].year), april.quarter)
    moved = [(row[0], row[1], in_year_of(own, str(row[2])), *row[3:]) for row in rows]
    return settle(contract, monthly(moved), own, claims)


def in_year_of(period: SettlementPeriod, april_month: str) -> str:
    """The month of `period`'s contract year at the place `april_month` has in the April year 2025-26."""
    place = MONTHS_2025_26.index(april_month) if april_month in MONTHS_2025_26 else None
    if place is None:
        return april_month
    return period.contract_year.months()[place]


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
