"""`explain` of the payment history a settlement nets off: paid on account, paid to date, due now.

A year end or a later quarter nets off what was paid before: each period this settlement covers
again is a `paid_on_account` line (netted off); each earlier period it does not cover but settled
again is a `restatement` (due again minus paid); `paid_to_date` is everything paid for the year
before this settlement, period by period (the ledger's `derivation` lists them); and
`due_now = net payable + restatements − paid on account`. All in pence, read off the ledger.
"""

from __future__ import annotations

from typing import Any

from obc_settle.ledger.derivation import derivation_of
from obc_settle.ledger.schema import LineType


def payment_history(lines: list[dict[str, Any]], net_payable: int) -> dict[str, Any]:
    """The history part of explain's totals (empty when the settlement nets nothing off)."""
    due_line = next((line for line in lines if line["line_type"] == LineType.DUE_NOW), None)
    if due_line is None:
        return {}
    on_account = [
        {
            "period": line["adjusts_period"],
            "amount_pence": line["amount_pence"],
            "note": line.get("note") or "",
        }
        for line in lines
        if line["line_type"] == LineType.PAID_ON_ACCOUNT
    ]
    restated = [
        {
            "period": line["adjusts_period"],
            "amount_pence": line["amount_pence"],
            **_restatement_formula(line),
        }
        for line in lines
        if line["line_type"] == LineType.RESTATEMENT
    ]
    paid = sum(item["amount_pence"] for item in on_account)
    restatements = sum(item["amount_pence"] for item in restated)
    history: dict[str, Any] = {
        "paid_on_account": on_account,
        "restatements": restated,
        "due_now_pence": due_line["amount_pence"],
        "due_now_formula": (
            f"net payable + restated − paid on account = {net_payable} + {restatements} − {paid} = "
            f"{net_payable + restatements - paid}"
        ),
        "history_adds_up": net_payable + restatements - paid == due_line["amount_pence"],
    }
    to_date = next((line for line in lines if line["line_type"] == LineType.PAID_TO_DATE), None)
    if to_date is not None:
        by_period = derivation_of(to_date.get("derivation")).get("paid", [])
        parts = [f"{item['pence']} ({item['period']})" for item in by_period]
        history["paid_to_date_pence"] = to_date["amount_pence"]
        history["paid_to_date_formula"] = (
            f"Σ paid for the year before this settlement = {' + '.join(parts)} = "
            f"{sum(item['pence'] for item in by_period)}"
            if parts
            else (to_date.get("note") or "nothing paid before this settlement")
        )
        history["history_adds_up"] = history["history_adds_up"] and (
            not by_period or sum(item["pence"] for item in by_period) == to_date["amount_pence"]
        )
    return history


def _restatement_formula(line: dict[str, Any]) -> dict[str, str]:
    steps = derivation_of(line.get("derivation"))
    if "due_again_pence" not in steps:
        return {"formula": line.get("note") or ""}
    due, paid = steps["due_again_pence"], steps["paid_pence"]
    return {"formula": f"due again − paid = {due} − {paid} = {due - paid}"}
