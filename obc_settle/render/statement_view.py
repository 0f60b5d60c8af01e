"""One provider's statement as data: what every format (HTML, PDF, Excel) shows, read off the ledger.

`statement_view(ledger, provider_id, context)` takes the provider's lines in `line_no` order and
returns labels, formatted figures and the raw ledger values beside them. Every amount is a ledger
`amount_pence` / `available_pence` / `pool_pence`, or a sum of ledger lines (totals, and the
waterfall's starting bar: base payment + withheld); nothing here derives or rounds money.
`StatementContext` carries what the ledger does not: names from the contract, and the run id.
The money table and waterfall are built in `statement_money`, the indicator rows, achievement
chart and notes in `statement_indicators`, the subcontract table in `subcontract_view`.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

import polars as pl

from obc_settle.contract.models import IDENTIFIER_PATTERN, Contract
from obc_settle.ledger.schema import COMMISSIONER, LineType
from obc_settle.money import format_pounds
from obc_settle.periods import YearStart
from obc_settle.render import labels
from obc_settle.render.charts import AchievementRow, Waterfall
from obc_settle.render.risk_share_view import RiskShareFields, not_settled, provider_risk_share
from obc_settle.render.statement_indicators import (
    IndicatorLine,
    Note,
    achievement,
    indicator_line,
    indicator_notes,
)
from obc_settle.render.statement_money import MoneyLine, money_lines, money_waterfall
from obc_settle.render.statement_money import explain_line as _explanation  # noqa: F401 (tests import it from here)
from obc_settle.render.subcontract_view import (
    NO_INDICATORS,
    SubcontractTable,
    no_indicators_text,
    shown_rows,
    subcontract_table,
    with_explanations,
)


@dataclass(frozen=True)
class StatementContext:
    """What a statement shows besides the ledger: names and labels from the contract, and the run."""

    contract_name: str
    contract_id: str
    contract_version: str
    commissioners: tuple[str, ...]
    population_segment: str
    currency: str
    provider_name: str
    provider_role: str
    indicator_names: dict[str, str]
    indicator_units: dict[str, str | None]
    domain_names: dict[str, str]
    run_id: str
    year_starts: str = "April"
    """The month the contract's years start in (`term.year_starts`): how its periods are named."""
    risk_share_years: tuple[str, ...] | None = None
    """With a risk/gain share, the years it applies to (None: all); with none, `has_risk_share` is False."""
    has_risk_share: bool = False


@dataclass(frozen=True)
class StatementView:
    context: StatementContext
    provider_id: str
    role: str
    status: str
    status_label: str
    status_text: str
    period: str
    period_months: str
    contract_year: str
    money: tuple[MoneyLine, ...]
    indicators: tuple[IndicatorLine, ...]
    available_total: str
    earned_total: str
    notes: tuple[Note, ...]
    waterfall: Waterfall
    achievement: tuple[AchievementRow, ...]
    lines: tuple[dict[str, Any], ...]
    """The provider's ledger rows, in line order (for the Excel ledger sheet)."""
    subcontracts: SubcontractTable | None = None
    """Subcontract money received or passed on, indicator by indicator (a provider with subcontract lines)."""
    risk_share: RiskShareFields | None = None
    """How the risk/gain share was worked out, field by field (a year with a risk/gain share)."""
    no_indicators: str = NO_INDICATORS
    """What is said where the indicator table would be when there are no indicator rows (a subcontractor:
    that its outcome money is a share of the prime's earnings, in the subcontract table)."""

    def money_line(self, key: str) -> MoneyLine | None:
        """The line of `key`; monthly base instalments (several lines) as one, their sum."""
        lines = [line for line in self.money if line.key == key]
        if len(lines) > 1:
            total = sum(line.pence for line in lines)
            label = f"{labels.STATEMENT_LABELS.get(key, key)} ({len(lines)} monthly instalments)"
            return dataclasses.replace(lines[0], label=label, pence=total)
        return lines[0] if lines else None

    @property
    def headline(self) -> tuple[MoneyLine, ...]:
        """The key figures shown first: due now (when there is a payment history), net payable, base,
        earned, withheld. With nothing withheld from the provider (a subcontractor, a fee-based
        year, a points or rate-card contract), earned and withheld are £0.00 and say nothing: the
        other payments that make up its net payable are shown instead (subcontract money, ...)."""
        withheld = self.money_line("withheld")
        at_risk = withheld is not None and withheld.pence != 0
        keys = ("due_now", "net_payable", "base_payment", *(("earned", "withheld") if at_risk else ()))
        shown = [line for key in keys if (line := self.money_line(key)) is not None]
        if not at_risk:
            shown += self._other_payments()
        return tuple(shown)

    def _other_payments(self) -> list[MoneyLine]:
        """One key figure per kind of other payment the provider has, not zero, in table order."""
        totals: dict[str, int] = {}
        for line in self.money:
            if line.key in HEADLINE_PAYMENTS:
                totals[line.key] = totals.get(line.key, 0) + line.pence
        return [
            MoneyLine(key, _headline_label(key, pence), "", pence) for key, pence in totals.items() if pence
        ]


def _headline_label(key: str, pence: int) -> str:
    if key == "subcontract":
        return "Subcontract money" if pence > 0 else "Passed on to subcontractors"
    return labels.STATEMENT_LABELS.get(key, key)


HEADLINE_PAYMENTS = (
    "points",
    "aspiration",
    "risk_share",
    "rate_card",
    "subcontract",
    "redistributed_unearned",
)
"""Payments shown as key figures when nothing is withheld from the provider."""


def document_file_name(provider_id: str, extension: str) -> str:
    """`<provider id>.<extension>`; refuses anything that is not a contract identifier (no paths)."""
    if not isinstance(provider_id, str) or not re.fullmatch(IDENTIFIER_PATTERN, provider_id):
        raise ValueError(f"provider id {provider_id!r} cannot name a statement file")
    return f"{provider_id}.{extension}"


def statement_context(contract: Contract, provider_id: str, run_id: str) -> StatementContext:
    provider = next((p for p in contract.providers if p.id == provider_id), None)
    if provider is None:
        raise ValueError(f"provider {provider_id!r} is not in contract {contract.id!r}")
    pairs = contract.indicators()
    return StatementContext(
        contract_name=contract.name,
        contract_id=contract.id,
        contract_version=contract.version,
        commissioners=tuple(contract.commissioners),
        population_segment=contract.population_segment,
        currency=contract.currency,
        provider_name=provider.name,
        provider_role=provider.role,
        indicator_names={indicator.id: indicator.name for _, indicator in pairs},
        indicator_units={indicator.id: indicator.unit for _, indicator in pairs},
        domain_names={domain.id: domain.name for domain in contract.outcome_framework.domains},
        run_id=run_id,
        year_starts=contract.term.year_starts,
        risk_share_years=risk_share_years(contract),
        has_risk_share=contract.risk_share is not None,
    )


def risk_share_years(contract: Contract) -> tuple[str, ...] | None:
    """The years a contract's risk/gain share applies to (None: every year, or no risk share)."""
    years = contract.risk_share.years if contract.risk_share is not None else None
    return None if years is None else tuple(years)


def statement_view(ledger: pl.DataFrame, provider_id: str, context: StatementContext) -> StatementView:
    """The statement of one provider, from that provider's lines of the ledger."""
    lines = _provider_lines(ledger, provider_id)
    header = {
        name: _single(lines, name, provider_id)
        for name in ("contract_id", "contract_version", "contract_year", "settlement_period", "status")
    }
    if (header["contract_id"], header["contract_version"]) != (context.contract_id, context.contract_version):
        raise ValueError(
            f"the ledger is for contract {header['contract_id']!r} version {header['contract_version']!r}, "
            f"the statement context for {context.contract_id!r} version {context.contract_version!r}"
        )
    if header["status"] not in labels.STATUS:
        raise ValueError(f"unknown settlement status {header['status']!r} in the ledger")
    status_label, status_text = labels.STATUS[header["status"]]
    ledger_rows = lines.to_dicts()
    rows = shown_rows(ledger_rows)  # a subcontractor's share-0 lines on the prime's indicators left off
    outcomes = [row for row in rows if row["line_type"] == LineType.OUTCOME]
    subcontracts = subcontract_table(rows, context.indicator_names, _outcome_lines(ledger, rows))
    money = with_explanations(money_lines(rows), subcontracts, indicators_shown=bool(outcomes))
    return StatementView(
        context=context,
        provider_id=provider_id,
        role=labels.ROLES.get(context.provider_role, context.provider_role),
        status=header["status"],
        status_label=status_label,
        status_text=status_text,
        period=header["settlement_period"],
        period_months=labels.period_months(header["settlement_period"], YearStart.named(context.year_starts)),
        contract_year=header["contract_year"],
        money=money,
        indicators=tuple(indicator_line(row, context) for row in outcomes),
        available_total=format_pounds(sum(int(row["available_pence"] or 0) for row in outcomes)),
        earned_total=format_pounds(sum(int(row["amount_pence"]) for row in outcomes)),
        notes=indicator_notes(outcomes, context),
        waterfall=money_waterfall(money),
        achievement=tuple(
            achievement(row, context, any(item.get("pool_pence") for item in outcomes)) for row in outcomes
        ),
        lines=tuple(ledger_rows),
        subcontracts=subcontracts,
        risk_share=provider_risk_share(rows)
        or (
            not_settled(
                list(context.risk_share_years) if context.risk_share_years is not None else None,
                header["contract_year"],
                header["settlement_period"] == header["contract_year"],
            )
            if context.has_risk_share
            else None
        ),
        no_indicators=no_indicators_text(subcontracts),
    )


def _provider_lines(ledger: pl.DataFrame, provider_id: str) -> pl.DataFrame:
    lines = ledger.filter((pl.col("party_id") == provider_id) & (pl.col("party_role") != COMMISSIONER)).sort(
        "line_no"
    )
    if provider_id == COMMISSIONER or lines.height == 0:
        raise ValueError(f"the ledger has no lines for provider {provider_id!r}")
    return lines


def _outcome_lines(ledger: pl.DataFrame, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every party's outcome lines, for a provider with subcontract lines: the subcontract table
    shows the prime's achieved value and score on each indicator passed on (why it earned that)."""
    if not any(row["line_type"] == LineType.SUBCONTRACT for row in rows):
        return []
    return ledger.filter(pl.col("line_type") == LineType.OUTCOME).to_dicts()


def _single(lines: pl.DataFrame, column: str, provider_id: str) -> str:
    values = lines.get_column(column).unique(maintain_order=True).to_list()
    if len(values) != 1 or values[0] is None:
        raise ValueError(f"provider {provider_id!r}: expected one {column} in the ledger, found {values}")
    return str(values[0])
