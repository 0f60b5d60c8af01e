"""The risk/gain share of the commissioner's report: the steps from the risk-share lines'
`derivation` (as on the statements, `risk_share_view`), each provider's share of the providers'
part, and, for a contract with a risk/gain share and none in a settlement, why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from obc_settle.contract.fields import COMMISSIONER
from obc_settle.ledger import LineType
from obc_settle.ledger.derivation import derivation_of
from obc_settle.render import labels
from obc_settle.render.risk_share_view import RiskShareFields, not_settled, risk_share_fields


@dataclass(frozen=True)
class RiskShareRow:
    name: str
    provider_id: str
    share: object
    """The provider's share of the providers' part (a decimal), as the ledger line holds it."""
    pence: int


@dataclass(frozen=True)
class RiskShareView:
    """The risk/gain share of the settlement: budget against spend, how the providers' part of the
    saving or overspend was found (the ledger's own derivation, in pounds), each provider's share."""

    derivation: str
    providers_part_pence: int
    commissioner: str
    rows: tuple[RiskShareRow, ...]
    fields: RiskShareFields | None = None
    """Budget, spend, gate, bands, quality, caps, adjustments and both parties' parts, field by field."""

    @property
    def side(self) -> str:
        return "saving" if self.providers_part_pence >= 0 else "overspend"


def risk_share_view(rows: list[dict[str, Any]], names: dict[str, str]) -> RiskShareView | None:
    """From the ledger's risk_share lines; None for a settlement without a risk/gain share."""
    lines = [row for row in rows if row["line_type"] == LineType.RISK_SHARE]
    providers = [row for row in lines if row["party_id"] != COMMISSIONER]
    if not providers:
        return None
    commissioner = next((row for row in lines if row["party_id"] == COMMISSIONER), None)
    first = providers[0]
    fields = risk_share_fields(derivation_of(first.get("derivation")))
    return RiskShareView(
        fields=fields,
        derivation=labels.sentence(str(first["note"])) if first.get("note") else "",
        providers_part_pence=int(first["pool_pence"] or 0),
        commissioner=labels.sentence(str(commissioner["note"]))
        if commissioner and commissioner.get("note")
        else "",
        rows=tuple(
            RiskShareRow(
                names.get(row["party_id"], row["party_id"]),
                row["party_id"],
                row["share"],
                int(row["amount_pence"]),
            )
            for row in providers
        ),
    )


def not_shared(
    has_risk_share: bool, risk_share_years: tuple[str, ...] | None, contract_year: str, period: str
) -> RiskShareView | None:
    """For a contract with a risk/gain share and none in this settlement: why, in words."""
    if not has_risk_share:
        return None
    years = list(risk_share_years) if risk_share_years is not None else None
    fields = not_settled(years, contract_year, period == contract_year)
    return RiskShareView(fields=fields, derivation="", providers_part_pence=0, commissioner="", rows=())
