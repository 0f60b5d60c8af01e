"""The settlement of the sample contracts must not change unnoticed.

Each golden ledger carries the SHA-256 of what it was settled from (`inputs.sha256`, see
golden_cases.py). If a change of results is intended, run `make golden`: it prints the lines that
change and the money that moves, and writes only after review (`make golden ACCEPT=1` when money
moves).
"""

from __future__ import annotations

import polars as pl
import pytest
from golden_cases import (
    CASES,
    DIGESTS,
    GOLDEN,
    GoldenCase,
    changed_inputs,
    ledger_csv,
    ledger_label,
    read_digests,
    settle_case,
    sha256,
)

REGENERATE = "run `make golden`, review the lines and the money it says move, and commit them together"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_golden_ledger_was_written_by_make_golden_from_the_inputs_as_they_are(case: GoldenCase) -> None:
    digests = GOLDEN / case.name / DIGESTS
    assert digests.exists(), f"{digests.relative_to(GOLDEN.parent.parent)} is missing: {REGENERATE}"
    stored = read_digests(digests.read_text(encoding="utf-8"))
    changed = changed_inputs(case, stored)
    assert not changed, (
        f"the inputs of the golden ledger {case.name} changed since it was written: {', '.join(changed)}; "
        f"{REGENERATE}"
    )
    ledger = (GOLDEN / case.name / "ledger.csv").read_bytes()
    assert stored.get(ledger_label(case)) == sha256(ledger), (
        f"{ledger_label(case)} is not the file `make golden` wrote from these inputs (edited by hand?): "
        f"{REGENERATE}"
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_sample_settlement_matches_its_golden_ledger(case: GoldenCase) -> None:
    golden = (GOLDEN / case.name / "ledger.csv").read_text(encoding="utf-8")
    assert ledger_csv(settle_case(case)) == golden, (
        f"the settlement of {case.name} no longer matches its golden ledger: a regression, or, if the "
        f"change of results is intended, {REGENERATE}"
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_golden_ledger_conserves_money(case: GoldenCase) -> None:
    ledger = pl.read_csv(GOLDEN / case.name / "ledger.csv", infer_schema_length=None)
    value = ledger.filter(pl.col("line_type") == "contract_value")["amount_pence"].sum()
    paid = ledger.filter(pl.col("kind") == "payment")["amount_pence"].sum()
    retained = ledger.filter(pl.col("kind") == "retention")["amount_pence"].sum()
    assert paid + retained == value
