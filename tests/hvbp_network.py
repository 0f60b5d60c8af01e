"""A network of hospitals under HVBP with a budget-neutral slope: each hospital is a provider, its
measures individual indicators of its own, and its base share its base-operating DRG payments B_h
over all hospitals' (so what is withheld from it is the applicable percentage of B_h)."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from schemes_support import contract_of, template

from obc_settle.contract.models import Contract

MEASURES = (
    "MORT_30_AMI",
    "MORT_30_HF",
    "HCAHPS_COMMS_NURSES",
    "HCAHPS_RESPONSIVENESS",
    "CLABSI",
    "CAUTI",
    "MSPB",
)


def network_body(
    shares: dict[str, Decimal], contract_value: Decimal = Decimal("50000000.00")
) -> dict[str, Any]:
    """The HVBP template made a network: `shares` are B_h / sum of B (they sum to 1)."""
    body = template("hvbp")
    body["name"] = "Hospital Value-Based Purchasing, a network of hospitals"
    body["model"] = "alliance"
    body["providers"] = [
        {"id": h, "name": f"Hospital {h}", "role": "lead" if i == 0 else "member", "base_share": share}
        for i, (h, share) in enumerate(shares.items())
    ]
    body["contract_years"][0]["contract_value"] = contract_value
    body["outcome_framework"]["exchange_slope"] = "budget_neutral"
    for domain in body["outcome_framework"]["domains"]:
        measures = domain["indicators"]
        domain["indicators"] = []
        for measure in measures:
            for h, share in shares.items():
                # fresh numbers: one object written twice would be a YAML alias
                mine = {
                    k: Decimal(str(v)) if isinstance(v, Decimal) else copy.deepcopy(v)
                    for k, v in measure.items()
                }
                mine.update(
                    id=f"{measure['id']}_{h}",
                    name=f"{measure['name']}, {h}",
                    attribution="individual",
                    provider=h,
                    weight=Decimal(str(measure["weight"])) * share,
                )
                domain["indicators"].append(mine)
    return body


def network(shares: dict[str, Decimal]) -> Contract:
    return contract_of(network_body(shares))


def network_rows(values: dict[str, dict[str, tuple[int, int]]]) -> list[tuple[Any, ...]]:
    """Extract rows: hospital -> measure -> (numerator, denominator), in October 2025."""
    return [
        (h, f"{measure}_{h}", "2025-10", n, d)
        for h, measures in values.items()
        for measure, (n, d) in measures.items()
    ]
