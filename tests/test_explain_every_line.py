"""`explain` derives every line a provider's statement shows, for every mechanism (issue 14).

Each sample contract is settled as an auditor would meet it (quarters netted off, a year end
reconciled), and for every provider every ledger line is found in `explain`'s document, with a
derivation and the ledger's own amount: an outcome line under its indicator, the base payment
under the base, every other mechanism's line under `other_payments`, and the memo figures
(withheld, unearned, net payable, paid to date, due now) in the totals with their formulas.
A new line type that explain does not derive fails here before it reaches a statement.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from golden_cases import GoldenCase, settle_case
from paths import ROOT

from obc_settle.audit.explain import OTHER_PAYMENTS, explain_provider
from obc_settle.contract import load_contract
from obc_settle.ledger.schema import COMMISSIONER, COMMISSIONER_LINE_TYPES, LineType

CASES = [
    GoldenCase("diabetes_q3", "diabetes-alliance", "2025-26-Q3"),
    GoldenCase("mid_notts_year_end", "mid-notts-alliance", "2026-27", reconciled=True),
    GoldenCase("staffordshire_year_end", "staffordshire-cancer-eol", "2026-27", reconciled=True),
    GoldenCase("dorset_year_end", "dorset-msk-prime", "2025-26", reconciled=True),
    GoldenCase("herefordshire_year_end", "herefordshire-alliance-risk-share", "2025-26", reconciled=True),
]

TOTALS = {
    LineType.WITHHELD: ("withheld_pence", "withheld_formula"),
    LineType.UNEARNED: ("unearned_pence", "unearned_formula"),
    LineType.REDISTRIBUTED_UNEARNED: ("redistributed_pence", "redistributed_formula"),
    LineType.NET_PAYABLE: ("net_payable_pence", "net_payable_formula"),
    LineType.PAID_TO_DATE: ("paid_to_date_pence", "paid_to_date_formula"),
    LineType.DUE_NOW: ("due_now_pence", "due_now_formula"),
}
"""Memo and summed figures: the totals key of the amount, and of its formula."""

SECTIONS = {LineType.BASE_PAYMENT, LineType.OUTCOME, LineType.PAID_ON_ACCOUNT, *OTHER_PAYMENTS, *TOTALS}
"""Restatements are derived twice: as another mechanism's line and in the history."""


def test_every_line_type_a_provider_can_have_has_a_place_in_explain() -> None:
    provider_types = {t for t in LineType if t not in COMMISSIONER_LINE_TYPES}
    assert provider_types <= SECTIONS, sorted(provider_types - SECTIONS)


@pytest.fixture(scope="module", params=CASES, ids=lambda case: case.name)
def settled(request: pytest.FixtureRequest) -> tuple[Any, pl.DataFrame]:
    case: GoldenCase = request.param
    loaded, findings = load_contract(ROOT / "contracts" / f"{case.contract}.yaml")
    assert loaded is not None, findings
    return loaded.contract, settle_case(case)


def test_explain_derives_every_line_of_every_provider(settled: tuple[Any, pl.DataFrame]) -> None:
    contract, ledger = settled
    providers = [p for p in ledger.get_column("party_id").unique(maintain_order=True) if p != COMMISSIONER]
    seen: set[str] = set()
    for provider in providers:
        document = explain_provider(ledger, contract, provider, None, None, "0" * 16)
        lines = ledger.filter(pl.col("party_id") == provider).to_dicts()
        for line in lines:
            seen.add(line["line_type"])
            assert _derived(document, line), (provider, line["line_type"], line["indicator_id"])
    assert seen - {t.value for t in SECTIONS} == set()


def _derived(document: dict[str, Any], line: dict[str, Any]) -> bool:
    kind = LineType(line["line_type"])
    amount = line["amount_pence"]
    if kind == LineType.OUTCOME:
        found = [i for i in document["indicators"] if i.get("indicator_id") == line["indicator_id"]]
        return len(found) == 1 and found[0].get("earned_pence") == amount
    if kind == LineType.BASE_PAYMENT:
        base = document["base_payment"]
        return base is not None and amount in _amounts(base)
    if kind in OTHER_PAYMENTS:
        items = [
            item
            for item in document["other_payments"]
            if item["line_type"] == kind and item["amount_pence"] == amount
        ]
        return any(item.get("formula") or item.get("derivation") or item.get("steps") for item in items)
    if kind in (LineType.PAID_ON_ACCOUNT, LineType.RESTATEMENT):
        key = "paid_on_account" if kind == LineType.PAID_ON_ACCOUNT else "restatements"
        items = document["totals"].get(key, [])
        return {"period": line["adjusts_period"], "amount_pence": amount} in [
            {"period": item["period"], "amount_pence": item["amount_pence"]} for item in items
        ]
    amount_key, formula_key = TOTALS[kind]
    totals = document["totals"]
    return totals.get(amount_key) == amount and bool(totals.get(formula_key))


def _amounts(section: dict[str, Any]) -> set[int]:
    found = {value for key, value in section.items() if key.endswith("_pence") and isinstance(value, int)}
    for value in section.values():
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    found |= _amounts(item)
    return found
