"""The settlement of the sample contracts must not change unnoticed.

If a change of results is intended, run `make golden` and review the ledger diff.
"""

from __future__ import annotations

import polars as pl
import pytest
from golden_cases import CASES, GoldenCase, settle_case
from paths import ROOT


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_sample_settlement_matches_its_golden_ledger(case: GoldenCase) -> None:
    golden = (ROOT / "tests" / "golden" / case.name / "ledger.csv").read_text(encoding="utf-8")
    ledger = settle_case(case)
    assert ledger.write_csv(line_terminator="\n") == golden


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_golden_ledger_conserves_money(case: GoldenCase) -> None:
    ledger = settle_case(case)
    value = ledger.filter(pl.col("line_type") == "contract_value")["amount_pence"].sum()
    paid = ledger.filter(pl.col("kind") == "payment")["amount_pence"].sum()
    retained = ledger.filter(pl.col("kind") == "retention")["amount_pence"].sum()
    assert paid + retained == value
