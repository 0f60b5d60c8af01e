"""`summary.json`: the totals a CI job reads, all amounts integers in pence.

Schema (version 2; version 1 had no payment-history or mechanism fields):

    {
      "schema_version": 2,
      "obc_settle_version": "0.1.0",
      "settlements": [
        {
          "contract_id", "contract_version", "contract_name", "contract_year",
          "settlement_period", "status" ("provisional" | "final" | "estimate"),
          "contract_value_pence", "outcome_pool_pence",
          "paid_to_providers_pence", "retained_pence",
          "reconciled" (true when a payment history was given),
          "paid_to_date_pence", "due_now_pence", "to_recover_pence",
          "providers": [
            {"provider_id", "name", "role", "base_pence", "withheld_pence", "earned_pence",
             "unearned_pence", "redistributed_pence", "points_pence", "aspiration_pence",
             "risk_share_pence", "rate_card_pence", "subcontract_pence", "net_payable_pence",
             "restated_pence", "paid_to_date_pence", "due_now_pence", "to_recover_pence"}
          ]
        }
      ]
    }

Invariants: paid_to_providers_pence + retained_pence == contract_value_pence; the providers'
net_payable_pence + restated_pence add up to paid_to_providers_pence; for each provider
due_now_pence == net_payable_pence + restated_pence - (the paid-on-account lines) and
to_recover_pence == max(0, -due_now_pence). Without a payment history, due_now_pence ==
net_payable_pence and paid_to_date_pence == 0.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from obc_settle import __version__
from obc_settle.contract.models import Contract
from obc_settle.ledger import party_totals, settlement_totals

SUMMARY_SCHEMA_VERSION = 2


def settlement_summary(contract: Contract, ledger: pl.DataFrame) -> dict[str, Any]:
    totals = settlement_totals(ledger)
    names = {p.id: p.name for p in contract.providers}
    return {
        "contract_id": totals.contract_id,
        "contract_version": contract.version,
        "contract_name": contract.name,
        "contract_year": ledger.get_column("contract_year")[0],
        "settlement_period": totals.settlement_period,
        "status": totals.status,
        "contract_value_pence": totals.contract_value_pence,
        "outcome_pool_pence": totals.outcome_pool_pence,
        "paid_to_providers_pence": totals.paid_to_providers_pence,
        "retained_pence": totals.retained_pence,
        "reconciled": totals.reconciled,
        "paid_to_date_pence": totals.paid_to_date_pence,
        "due_now_pence": totals.due_now_pence,
        "to_recover_pence": sum(max(0, -party.due_now_pence) for party in party_totals(ledger)),
        "providers": [
            {
                "provider_id": party.provider_id,
                "name": names.get(party.provider_id, party.provider_id),
                "role": party.role,
                "base_pence": party.base_pence,
                "withheld_pence": party.withheld_pence,
                "earned_pence": party.earned_pence,
                "unearned_pence": party.unearned_pence,
                "redistributed_pence": party.redistributed_pence,
                "points_pence": party.points_pence,
                "aspiration_pence": party.aspiration_pence,
                "risk_share_pence": party.risk_share_pence,
                "rate_card_pence": party.rate_card_pence,
                "subcontract_pence": party.subcontract_pence,
                "net_payable_pence": party.net_payable_pence,
                "restated_pence": party.restated_pence,
                "paid_to_date_pence": party.paid_to_date_pence,
                "due_now_pence": party.due_now_pence,
                "to_recover_pence": max(0, -party.due_now_pence),
            }
            for party in party_totals(ledger)
        ],
    }


def summary_document(settlements: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schema_version": SUMMARY_SCHEMA_VERSION,
        "obc_settle_version": __version__,
        "settlements": settlements,
    }


def summary_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
