"""The ledger's columns, in their fixed order, and the meaning of each line.

`kind` says what a line's `amount_pence` is:
- `payment`: money paid to a provider;
- `retention`: money the commissioner keeps (negative when it gives unearned money away);
- `memo`: a figure shown for explanation (withheld, unearned, net payable), never added.

Invariant, for every contract and period: sum(payment) + sum(retention) = contract value.
"""

from __future__ import annotations

import enum

import polars as pl

from obc_settle.contract.models import COMMISSIONER

__all__ = ["COMMISSIONER", "LEDGER_SCHEMA", "LineKind", "LineType"]


class LineKind(enum.StrEnum):
    PAYMENT = "payment"
    RETENTION = "retention"
    MEMO = "memo"


class LineType(enum.StrEnum):
    CONTRACT_VALUE = "contract_value"
    OUTCOME_POOL = "outcome_pool"
    BASE_PAYMENT = "base_payment"
    WITHHELD = "withheld"
    OUTCOME = "outcome"
    UNEARNED = "unearned"
    REDISTRIBUTED_UNEARNED = "redistributed_unearned"
    NET_PAYABLE = "net_payable"
    RETAINED = "retained"
    RETAINED_UNSCORED = "retained_unscored"
    NET_RETAINED = "net_retained"


LEDGER_SCHEMA: dict[str, pl.DataType] = {
    "contract_id": pl.String(),
    "contract_version": pl.String(),
    "contract_year": pl.String(),
    "settlement_period": pl.String(),
    "status": pl.String(),
    "party_id": pl.String(),
    "party_role": pl.String(),
    "line_no": pl.Int32(),
    "line_type": pl.String(),
    "kind": pl.String(),
    "domain_id": pl.String(),
    "indicator_id": pl.String(),
    "indicator_kind": pl.String(),
    "attribution": pl.String(),
    "window": pl.String(),
    "window_first_month": pl.String(),
    "window_last_month": pl.String(),
    "extract_rows": pl.Int64(),
    "numerator": pl.Float64(),
    "denominator": pl.Float64(),
    "achieved": pl.Float64(),
    "direction": pl.String(),
    "baseline": pl.Float64(),
    "threshold": pl.Float64(),
    "target": pl.Float64(),
    "scoring_method": pl.String(),
    "minimum_denominator": pl.Int64(),
    "scorable": pl.Boolean(),
    "small_numbers_policy": pl.String(),
    "score": pl.Decimal(38, 6),
    "weight": pl.Decimal(38, 12),
    "pool_pence": pl.Int64(),
    "share": pl.Decimal(38, 12),
    "available_pence": pl.Int64(),
    "amount_pence": pl.Int64(),
    "note": pl.String(),
}
