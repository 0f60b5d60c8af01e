"""The golden scenarios: a sample contract, its sample extracts and a settlement period."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from paths import ROOT

from obc_settle.contract import load_contract
from obc_settle.engine import settle
from obc_settle.extracts import read_extracts
from obc_settle.periods import SettlementPeriod


@dataclass(frozen=True)
class GoldenCase:
    name: str
    contract: str
    period: str


CASES = [
    GoldenCase("diabetes_alliance_q3_provisional", "diabetes-alliance", "2025-26-Q3"),
    GoldenCase("diabetes_alliance_year_end_final", "diabetes-alliance", "2025-26"),
]


def settle_case(case: GoldenCase) -> pl.DataFrame:
    loaded, findings = load_contract(ROOT / "contracts" / f"{case.contract}.yaml")
    assert loaded is not None, findings
    extracts, data_findings = read_extracts(ROOT / "sample_data" / case.contract, loaded.contract)
    assert extracts is not None, data_findings
    return settle(loaded.contract, extracts.monthly, SettlementPeriod.parse(case.period))
