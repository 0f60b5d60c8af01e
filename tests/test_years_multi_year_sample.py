"""The multi-year samples: four quarterly runs and a year-end reconciliation for two contract
years of each seed model, where the amounts paid over the year plus the reconciliation equal what
the year-end rules give, to the penny.

- mid-notts-alliance: a capitated alliance paid on account on the year to date, with confidence
  scoring, a provider joining in 2026-27 (version 2) and a risk/gain share on the budget;
- staffordshire-cancer-eol: a prime contractor, fee based in 2025-26, then outcomes held to the
  year end, subcontract pass-through and risk/gain share from 2026-27 (version 2);
- richmond-community-alliance: a fee-based 2024-25, then outcomes paid each quarter.
"""

from __future__ import annotations

from functools import cache

import polars as pl
import pytest
from engine_support import COMMISSIONER, lines
from paths import ROOT

from obc_settle.contract import load_contract
from obc_settle.contract.models import Contract
from obc_settle.engine import settle, settle_with_history
from obc_settle.engine.reconcile import history_of
from obc_settle.extracts import read_extracts
from obc_settle.periods import SettlementPeriod

SAMPLES = [
    ("mid-notts-alliance", "2025-26"),
    ("mid-notts-alliance", "2026-27"),
    ("staffordshire-cancer-eol", "2025-26"),
    ("staffordshire-cancer-eol", "2026-27"),
    ("richmond-community-alliance", "2024-25"),
    ("richmond-community-alliance", "2025-26"),
]


@cache
def sample(stem: str) -> tuple[Contract, pl.DataFrame]:
    loaded, findings = load_contract(ROOT / "contracts" / f"{stem}.yaml")
    assert loaded is not None, findings
    extracts, data_findings = read_extracts(ROOT / "sample_data" / stem, loaded.contract)
    assert extracts is not None, data_findings
    return loaded.contract, extracts.monthly


@cache
def year_of_runs(stem: str, year: str) -> tuple[tuple[pl.DataFrame, ...], pl.DataFrame]:
    contract, monthly = sample(stem)
    runs: list[tuple[pl.DataFrame, str]] = []
    for quarter in range(1, 5):
        name = f"{year}-Q{quarter}"
        runs.append(
            (
                settle_with_history(
                    contract, monthly, SettlementPeriod.parse(name), history_of(runs) if runs else None
                ),
                name,
            )
        )
    final = settle_with_history(contract, monthly, SettlementPeriod.parse(year), history_of(runs))
    return tuple(ledger for ledger, _ in runs), final


def due_now(ledger: pl.DataFrame) -> dict[str, int]:
    kind = "due_now" if lines(ledger, "due_now").height else "net_payable"
    return {
        r["party_id"]: int(r["amount_pence"])
        for r in lines(ledger, kind).iter_rows(named=True)
        if r["party_id"] != COMMISSIONER
    }


@pytest.mark.parametrize(("stem", "year"), SAMPLES)
def test_paid_over_the_year_plus_the_reconciliation_equals_the_year_end_rules(stem: str, year: str) -> None:
    contract, monthly = sample(stem)
    quarters, final = year_of_runs(stem, year)
    paid: dict[str, int] = {}
    for ledger in [*quarters, final]:
        for party, amount in due_now(ledger).items():
            paid[party] = paid.get(party, 0) + amount
    rules = due_now(settle(contract, monthly, SettlementPeriod.parse(year)))
    assert paid == rules


@pytest.mark.parametrize(("stem", "year"), SAMPLES)
def test_money_is_conserved_in_every_run_of_the_year(stem: str, year: str) -> None:
    quarters, final = year_of_runs(stem, year)
    for ledger in [*quarters, final]:
        value = int(lines(ledger, "contract_value")["amount_pence"].item())
        assert (
            int(ledger.filter(pl.col("kind").is_in(["payment", "retention"]))["amount_pence"].sum()) == value
        )


def test_mid_notts_names_the_version_in_force_and_pays_the_joining_provider_from_its_first_year() -> None:
    first, second = (
        year_of_runs("mid-notts-alliance", "2025-26")[1],
        year_of_runs("mid-notts-alliance", "2026-27")[1],
    )
    assert set(first["contract_version"]) == {"1"} and set(second["contract_version"]) == {"2"}
    assert (
        "MNCVS" not in set(first["party_id"])
        and int(lines(second, "net_payable", "MNCVS")["amount_pence"].item()) > 0
    )
    assert "capitation: 1290.00 pounds per head per year" in lines(first, "contract_value")["note"].item()


def test_mid_notts_shares_a_saving_then_recovers_part_of_an_overspend() -> None:
    first, second = (
        year_of_runs("mid-notts-alliance", "2025-26")[1],
        year_of_runs("mid-notts-alliance", "2026-27")[1],
    )
    assert (
        int(lines(first, "risk_share", COMMISSIONER)["amount_pence"].item()) < 0
    )  # a gain paid to providers
    assert int(lines(second, "risk_share", COMMISSIONER)["amount_pence"].item()) > 0  # a loss recovered
    assert all(
        v < 0 for v in due_now(second).values()
    )  # the year to date was paid in-year: only the loss is due back


def test_mid_notts_small_survey_samples_are_judged_with_their_confidence_interval() -> None:
    q1 = year_of_runs("mid-notts-alliance", "2025-26")[0][0]
    row = (
        lines(q1, "retained", COMMISSIONER)
        .filter(pl.col("indicator_id") == "personalised_care_plan")
        .row(0, named=True)
    )
    assert row["confidence_lower"] < row["achieved"] < row["target"] <= row["confidence_upper"]
    assert float(row["score"]) == 1.0 and "lies within the confidence interval" in row["note"]


def test_staffordshire_is_fee_based_then_pays_outcomes_and_a_gain_share_at_year_end() -> None:
    _fee_quarters, fee_year = year_of_runs("staffordshire-cancer-eol", "2025-26")
    assert (
        int(lines(fee_year, "outcome_pool")["amount_pence"].item()) == 0
        and lines(fee_year, "risk_share").height == 0
    )
    quarters, year = year_of_runs("staffordshire-cancer-eol", "2026-27")
    assert all(lines(q, "outcome").height == 0 and lines(q, "held").height == 1 for q in quarters)
    assert lines(quarters[0], "base_payment", "UHNM").height == 3  # monthly instalments
    assert set(year["contract_version"]) == {"2"}
    passed = lines(year, "subcontract")
    assert (
        int(passed["amount_pence"].sum()) == 0
        and int(passed.filter(pl.col("party_id") == "KATH")["amount_pence"].sum()) > 0
    )
    assert int(lines(year, "risk_share", COMMISSIONER)["amount_pence"].item()) < 0
