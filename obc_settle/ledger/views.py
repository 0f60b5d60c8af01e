"""Totals read off the ledger. These are views: they add up lines, they never derive money."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from obc_settle.ledger.schema import COMMISSIONER, LineKind, LineType
from obc_settle.money_columns import pence_sum, pence_total


@dataclass(frozen=True)
class PartyTotals:
    provider_id: str
    role: str
    base_pence: int
    withheld_pence: int
    earned_pence: int
    unearned_pence: int
    redistributed_pence: int
    net_payable_pence: int
    points_pence: int = 0
    aspiration_pence: int = 0
    risk_share_pence: int = 0
    rate_card_pence: int = 0
    subcontract_pence: int = 0
    restated_pence: int = 0
    paid_to_date_pence: int = 0
    due_now_pence: int = 0
    """What to pay now: net payable + restated - paid on account (net payable with no payment history)."""
    paid_on_account_pence: int = 0
    """Paid for the earlier settlements this one covers, and therefore nets off."""

    @property
    def other_payments_pence(self) -> int:
        """The period's payments other than base, earned and redistributed money: points,
        aspiration, risk share, rate-card and subcontract payments. Net payable = base + earned +
        redistributed + these."""
        return (
            self.points_pence
            + self.aspiration_pence
            + self.risk_share_pence
            + self.rate_card_pence
            + self.subcontract_pence
        )


@dataclass(frozen=True)
class SettlementTotals:
    contract_id: str
    settlement_period: str
    status: str
    contract_value_pence: int
    outcome_pool_pence: int
    paid_to_providers_pence: int
    retained_pence: int
    paid_to_date_pence: int = 0
    due_now_pence: int = 0
    reconciled: bool = False
    """True when the settlement was given a payment history (earlier runs or a payments extract)."""


def _sum(ledger: pl.DataFrame, condition: pl.Expr) -> int:
    return pence_total(ledger.filter(condition).get_column("amount_pence"))


def party_totals(ledger: pl.DataFrame) -> list[PartyTotals]:
    """One record per provider, in ledger order."""
    totals = []
    providers = ledger.filter(pl.col("party_id") != COMMISSIONER)
    for (provider_id, role), lines in providers.group_by("party_id", "party_role", maintain_order=True):
        by_type = lines.group_by("line_type").agg(pence_sum("amount_pence"))
        amounts: dict[str, int] = dict(
            zip(by_type["line_type"].to_list(), by_type["amount_pence"].to_list(), strict=True)
        )
        totals.append(
            PartyTotals(
                provider_id=str(provider_id),
                role=str(role),
                base_pence=int(amounts.get(LineType.BASE_PAYMENT, 0)),
                withheld_pence=int(amounts.get(LineType.WITHHELD, 0)),
                earned_pence=int(amounts.get(LineType.OUTCOME, 0)),
                unearned_pence=int(amounts.get(LineType.UNEARNED, 0)),
                redistributed_pence=int(amounts.get(LineType.REDISTRIBUTED_UNEARNED, 0)),
                net_payable_pence=int(amounts.get(LineType.NET_PAYABLE, 0)),
                points_pence=int(amounts.get(LineType.POINTS, 0)),
                aspiration_pence=int(amounts.get(LineType.ASPIRATION, 0)),
                risk_share_pence=int(amounts.get(LineType.RISK_SHARE, 0)),
                rate_card_pence=int(amounts.get(LineType.RATE_CARD, 0)),
                subcontract_pence=int(amounts.get(LineType.SUBCONTRACT, 0)),
                restated_pence=int(amounts.get(LineType.RESTATEMENT, 0)),
                paid_to_date_pence=int(amounts.get(LineType.PAID_TO_DATE, 0)),
                due_now_pence=int(amounts.get(LineType.DUE_NOW, amounts.get(LineType.NET_PAYABLE, 0))),
                paid_on_account_pence=int(amounts.get(LineType.PAID_ON_ACCOUNT, 0)),
            )
        )
    return totals


def provider_line_totals(ledger: pl.DataFrame, kind: LineKind | None = None) -> dict[str, int]:
    """The providers' lines (of one kind, or all) added up by line type, in the order the types
    first appear in the ledger. A type is there when a provider has a line of it, even one that
    adds up to nothing."""
    lines = ledger.filter(pl.col("party_id") != COMMISSIONER)
    if kind is not None:
        lines = lines.filter(pl.col("kind") == kind)
    totals = lines.group_by("line_type", maintain_order=True).agg(pence_sum("amount_pence"))
    return {str(line_type): int(pence) for line_type, pence in totals.iter_rows()}


def settlement_totals(ledger: pl.DataFrame) -> SettlementTotals:
    first = ledger.row(0, named=True)
    return SettlementTotals(
        contract_id=first["contract_id"],
        settlement_period=first["settlement_period"],
        status=first["status"],
        contract_value_pence=_sum(ledger, pl.col("line_type") == LineType.CONTRACT_VALUE),
        outcome_pool_pence=_sum(ledger, pl.col("line_type") == LineType.OUTCOME_POOL),
        paid_to_providers_pence=_sum(ledger, pl.col("kind") == LineKind.PAYMENT),
        retained_pence=_sum(ledger, pl.col("kind") == LineKind.RETENTION),
        paid_to_date_pence=_sum(ledger, pl.col("line_type") == LineType.PAID_TO_DATE),
        due_now_pence=sum(party.due_now_pence for party in party_totals(ledger)),
        reconciled=ledger.filter(pl.col("line_type") == LineType.DUE_NOW).height > 0,
    )
