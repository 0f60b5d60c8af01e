"""The golden scenarios: a sample contract, its sample extracts and a settlement period."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from paths import ROOT

from obc_settle.contract import load_contract
from obc_settle.engine import settle, settle_with_history
from obc_settle.engine.reconcile import history_of
from obc_settle.extracts import read_extracts
from obc_settle.periods import SettlementPeriod


@dataclass(frozen=True)
class GoldenCase:
    name: str
    contract: str
    period: str
    reconciled: bool = False
    """Settle the earlier quarters of the year first, each netted against the ones before, and
    settle `period` against them all (a year-end reconciliation)."""


CASES = [
    GoldenCase("diabetes_alliance_q3_provisional", "diabetes-alliance", "2025-26-Q3"),
    GoldenCase("diabetes_alliance_year_end_final", "diabetes-alliance", "2025-26"),
    GoldenCase("mid_notts_capitated_year_end_reconciled", "mid-notts-alliance", "2026-27", reconciled=True),
    GoldenCase(
        "staffordshire_outcomes_year_end_reconciled", "staffordshire-cancer-eol", "2026-27", reconciled=True
    ),
]


def settle_case(case: GoldenCase) -> pl.DataFrame:
    loaded, findings = load_contract(ROOT / "contracts" / f"{case.contract}.yaml")
    assert loaded is not None, findings
    extracts, data_findings = read_extracts(ROOT / "sample_data" / case.contract, loaded.contract)
    assert extracts is not None, data_findings
    period = SettlementPeriod.parse(case.period)
    if not case.reconciled:
        return settle(loaded.contract, extracts.monthly, period)
    runs: list[tuple[pl.DataFrame, str]] = []
    last = 4 if period.quarter is None else period.quarter - 1
    for quarter in range(1, last + 1):
        name = f"{period.contract_year.name}-Q{quarter}"
        history = history_of(runs) if runs else None
        runs.append(
            (
                settle_with_history(loaded.contract, extracts.monthly, SettlementPeriod.parse(name), history),
                name,
            )
        )
    return settle_with_history(loaded.contract, extracts.monthly, period, history_of(runs))
