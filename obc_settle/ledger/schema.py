"""The ledger's columns, in their fixed order, and the meaning of each line.

`kind` says what a line's `amount_pence` is:
- `payment`: money paid to a provider for the settlement (negative when it is recovered from it);
- `retention`: money the commissioner keeps (negative when it pays out more than the period's
  contract value holds: unearned money given away, points, rate-card outcomes, a gain share, a
  restatement in the providers' favour);
- `memo`: a figure shown for explanation (withheld, unearned, net payable, paid to date, due
  now), never added.

Invariants, for every contract and period:

1. sum(payment) + sum(retention) = the contract value of the period (the `contract_value` line).
   Every line that pays a provider money the contract value does not hold has a commissioner
   retention line of the opposite sign, so the sum is unchanged.
2. A provider's `net_payable` = the sum of its payment lines for the period itself (all but
   `restatement` lines, which are for earlier periods, named in `adjusts_period`).
3. With a payment history: `due_now` = `net_payable` + sum(`restatement`) - sum(`paid_on_account`)
   (the payments for periods this settlement covers and therefore nets off);
   `paid_to_date` = everything paid for the contract year before this settlement.

These, and the others of `obc_settle.ledger.invariants`, are checked on every ledger before
anything is written; a ledger that breaks one stops the run (exit 70, I001).

Exact figures: `achieved_exact`, `score_exact`, `weight_exact` and `share_exact` hold the exact
rationals money was computed from, as text (`0.85`, or `119/97` when the decimal does not
terminate; `fractions.Fraction(text)` reads them). `achieved` (a float), `score` (15 places),
`weight` and `share` (12 places) are the same numbers for reading and sorting.

`derivation`: for a line whose derivation has more parts than these columns hold (a risk/gain
share's budget, spend, bands, caps and gates; a scheme's intermediate points), a JSON object with
sorted keys, amounts in integer pence and rationals as exact text; null otherwise. Renderers read
it through `obc_settle.ledger.derivation`; nothing recomputes money from it.
"""

from __future__ import annotations

import enum

import polars as pl

from obc_settle.contract.models import COMMISSIONER

__all__ = [
    "COMMISSIONER",
    "COMMISSIONER_LINE_TYPES",
    "LEDGER_SCHEMA",
    "PERIOD_PAYMENT_TYPES",
    "LineKind",
    "LineType",
]


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
    HELD = "held"
    POINTS = "points"
    ASPIRATION = "aspiration"
    RISK_SHARE = "risk_share"
    COMMISSIONER_SHARE = "commissioner_share"
    RATE_CARD = "rate_card"
    SUBCONTRACT = "subcontract"
    RESTATEMENT = "restatement"
    PAID_ON_ACCOUNT = "paid_on_account"
    PAID_TO_DATE = "paid_to_date"
    DUE_NOW = "due_now"


COMMISSIONER_LINE_TYPES = frozenset(
    {
        LineType.CONTRACT_VALUE,
        LineType.OUTCOME_POOL,
        LineType.RETAINED,
        LineType.RETAINED_UNSCORED,
        LineType.NET_RETAINED,
        LineType.HELD,
        LineType.COMMISSIONER_SHARE,
    }
)
"""Line types only the commissioner has; every other type can be on a provider's statement, so it
needs a statement label and an explain derivation (tests/test_line_labels.py, test_explain_every_line.py)."""


PERIOD_PAYMENT_TYPES = (
    LineType.BASE_PAYMENT,
    LineType.OUTCOME,
    LineType.REDISTRIBUTED_UNEARNED,
    LineType.POINTS,
    LineType.ASPIRATION,
    LineType.RISK_SHARE,
    LineType.RATE_CARD,
    LineType.SUBCONTRACT,
)
"""Provider payment lines that pay for the settlement period itself (they add up to net_payable)."""


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
    "excluded": pl.Int64(),
    "numerator": pl.Float64(),
    "denominator": pl.Float64(),
    "achieved": pl.Float64(),
    "achieved_exact": pl.String(),
    "direction": pl.String(),
    "baseline": pl.Float64(),
    "threshold": pl.Float64(),
    "target": pl.Float64(),
    "scoring_method": pl.String(),
    "minimum_denominator": pl.Int64(),
    "scorable": pl.Boolean(),
    "small_numbers_policy": pl.String(),
    "score": pl.Decimal(38, 15),
    "score_exact": pl.String(),
    "weight": pl.Decimal(38, 12),
    "weight_exact": pl.String(),
    "pool_pence": pl.Int64(),
    "share": pl.Decimal(38, 12),
    "share_exact": pl.String(),
    "available_pence": pl.Int64(),
    "amount_pence": pl.Int64(),
    "note": pl.String(),
    "confidence_lower": pl.Float64(),
    "confidence_upper": pl.Float64(),
    "adjusts_period": pl.String(),
    "derivation": pl.String(),
}
