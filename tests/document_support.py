"""Statements and reports of a sample contract, for the tests of the documents people read.

The Richmond community alliance in 2025-26-Q3 has five providers, collective and individual
indicators, an indicator whose weight is reassigned (small numbers) and redistributed unearned
money: most of what a statement has to show.
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import polars as pl
from paths import ROOT

from obc_settle.contract import load_contract
from obc_settle.contract.models import Contract
from obc_settle.engine import settle
from obc_settle.extracts import read_extracts
from obc_settle.periods import SettlementPeriod
from obc_settle.render.documents import write_documents

SAMPLE = "richmond-community-alliance"
PERIOD = "2025-26-Q3"
RUN_ID = "0123456789abcdef"


@functools.cache
def sample_settlement(name: str = SAMPLE, period: str = PERIOD) -> tuple[Contract, pl.DataFrame]:
    loaded, findings = load_contract(ROOT / "contracts" / f"{name}.yaml")
    assert loaded is not None, [f.render() for f in findings]
    extracts, findings = read_extracts(ROOT / "sample_data" / name, loaded.contract)
    assert extracts is not None, [f.render() for f in findings]
    return loaded.contract, settle(loaded.contract, extracts.monthly, SettlementPeriod.parse(period))


def write_sample_documents(
    folder: Path, formats: tuple[str, ...] = ("html", "pdf", "xlsx"), name: str = SAMPLE, period: str = PERIOD
) -> Path:
    """Every statement and the commissioner's report of the sample, in `formats`, under `folder`."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    contract, ledger = sample_settlement(name, period)
    write_documents(folder, contract, ledger, RUN_ID, formats)
    return folder


def provider_lines(ledger: pl.DataFrame, provider_id: str, line_type: str) -> list[dict[str, object]]:
    return (
        ledger.filter((pl.col("party_id") == provider_id) & (pl.col("line_type") == line_type))
        .sort("line_no")
        .to_dicts()
    )


def amount(ledger: pl.DataFrame, provider_id: str, line_type: str) -> int:
    return sum(int(line["amount_pence"]) for line in provider_lines(ledger, provider_id, line_type))  # type: ignore[call-overload]
