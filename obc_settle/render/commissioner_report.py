"""The commissioner's consolidated report as data: one settlement across all providers.

`report_view(ledger, context)` reads the whole ledger: the totals (contract value, outcome pool,
base payments, earned, redistributed, paid to providers, retained), each provider's totals and
its share of the earned money, and each indicator's achievement (`report_indicators`, from the
commissioner's `retained` line, which carries the indicator's derivation) with what each provider
earned on it. Totals are the ledger's own views (`obc_settle.ledger.views`: `SettlementTotals`,
each provider's `PartyTotals`, the providers' lines by type); shares are ratios of ledger
amounts shown as percentages; nothing derives or rounds money. Rendered as HTML here, as PDF in
`pdf_commissioner` and as Excel in `xlsx_commissioner`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.ledger import LineKind, LineType, party_totals, provider_line_totals, settlement_totals
from obc_settle.money import format_pounds
from obc_settle.periods import YearStart
from obc_settle.render import labels
from obc_settle.render.charts import (
    AchievementRow,
    ShareRow,
    Waterfall,
    achievement_row,
    share_rows,
    waterfall,
)
from obc_settle.render.html_templates import render_html
from obc_settle.render.report_indicators import IndicatorSummary, indicator_summaries, report_notes
from obc_settle.render.report_risk_share import RiskShareView, not_shared, risk_share_view
from obc_settle.render.scheme_steps import report_slope_sentence
from obc_settle.render.statement_view import MoneyLine, Note, risk_share_years


@dataclass(frozen=True)
class ReportContext:
    contract_name: str
    contract_id: str
    contract_version: str
    commissioners: tuple[str, ...]
    population_segment: str
    model: str
    currency: str
    provider_names: dict[str, str]
    indicator_names: dict[str, str]
    domain_names: dict[str, str]
    run_id: str
    year_starts: str = "April"
    """The month the contract's years start in (`term.year_starts`): how its periods are named."""
    risk_share_years: tuple[str, ...] | None = None
    """With a risk/gain share, the years it applies to (None: all); with none, `has_risk_share` is False."""
    has_risk_share: bool = False


@dataclass(frozen=True)
class ProviderRow:
    provider_id: str
    name: str
    role: str
    base_pence: int
    withheld_pence: int
    earned_pence: int
    unearned_pence: int
    redistributed_pence: int
    other_pence: int
    due_now_pence: int | None
    """With a payment history: the provider's `due_now` line (None without one)."""
    """The period's other payment lines (points, rate-card payments, ...): net payable = base + earned + redistributed + other."""
    net_payable_pence: int
    earned_share: float | None
    """This provider's earned money as a share of all providers' earned money."""
    earned_rate: float | None
    """Earned as a share of the provider's withheld money."""

    def pounds(self, name: str) -> str:
        return format_pounds(getattr(self, f"{name}_pence") or 0)


@dataclass(frozen=True)
class ReportView:
    context: ReportContext
    status: str
    status_label: str
    status_text: str
    period: str
    period_months: str
    contract_year: str
    totals: tuple[MoneyLine, ...]
    providers: tuple[ProviderRow, ...]
    indicators: tuple[IndicatorSummary, ...]
    notes: tuple[Note, ...]
    waterfall: Waterfall
    achievement: tuple[AchievementRow, ...]
    shares: tuple[ShareRow, ...]
    lines: tuple[dict[str, Any], ...]
    risk_share: RiskShareView | None = None

    @property
    def headline(self) -> tuple[MoneyLine, ...]:
        keys = ("contract_value", "outcome_pool", "earned", "paid", "retained", "due_now")
        return tuple(line for line in self.totals if line.key in keys)

    def total(self, key: str) -> MoneyLine:
        return next(line for line in self.totals if line.key == key)

    @property
    def provider_money(self) -> tuple[tuple[str, str], ...]:
        """(key, heading) of the providers table's money columns: withheld, earned, unearned and
        redistributed only when some provider has an amount in them (not in a fee-based year or a
        contract that redistributes nothing), "other" only when a provider has other payments, so
        that the columns left have room for their figures."""
        optional = (
            ("withheld", "Withheld"),
            ("earned", "Earned"),
            ("unearned", "Unearned"),
            ("redistributed", "Redistributed"),
        )
        columns = (
            ("base", "Base payment"),
            *(
                (key, heading)
                for key, heading in optional
                if any(getattr(p, f"{key}_pence") for p in self.providers)
            ),
        )
        other = (("other", "Other payments"),) if any(p.other_pence for p in self.providers) else ()
        due = (("due_now", "Due now"),) if any(p.due_now_pence is not None for p in self.providers) else ()
        return (*columns, *other, ("net_payable", "Net payable"), *due)

    def provider_total(self, name: str) -> str:
        """A column of the providers table added up (`base`, `earned`, ...), formatted."""
        return format_pounds(sum(getattr(p, f"{name}_pence") or 0 for p in self.providers))


EARNED_TEXT = "What the providers earned on the indicators."
"""The report's earned line, followed by how a budget-neutral exchange slope was found (if one was)."""


def report_context(contract: Contract, run_id: str) -> ReportContext:
    pairs = contract.indicators()
    return ReportContext(
        contract_name=contract.name,
        contract_id=contract.id,
        contract_version=contract.version,
        commissioners=tuple(contract.commissioners),
        population_segment=contract.population_segment,
        model=contract.model.replace("_", " "),
        currency=contract.currency,
        provider_names={provider.id: provider.name for provider in contract.providers},
        indicator_names={indicator.id: indicator.name for _, indicator in pairs},
        domain_names={domain.id: domain.name for domain in contract.outcome_framework.domains},
        run_id=run_id,
        year_starts=contract.term.year_starts,
        risk_share_years=risk_share_years(contract),
        has_risk_share=contract.risk_share is not None,
    )


def report_view(ledger: pl.DataFrame, context: ReportContext) -> ReportView:
    if ledger.height == 0:
        raise ValueError("the ledger is empty")
    totals = settlement_totals(ledger)
    first = ledger.row(0, named=True)
    if (first["contract_id"], first["contract_version"]) != (context.contract_id, context.contract_version):
        raise ValueError(
            f"the ledger is for contract {first['contract_id']!r}, the report context for {context.contract_id!r}"
        )
    if totals.status not in labels.STATUS:
        raise ValueError(f"unknown settlement status {totals.status!r} in the ledger")
    rows = ledger.to_dicts()
    providers = _providers(ledger, context, reconciled=totals.reconciled)
    earned = sum(p.earned_pence for p in providers)
    other = _other_payments(provider_line_totals(ledger, LineKind.PAYMENT))
    money = [
        MoneyLine(
            "contract_value",
            "Contract value",
            "The contract value of the settlement period.",
            totals.contract_value_pence,
        ),
        MoneyLine(
            "outcome_pool",
            "Outcome pool (withheld)",
            "Withheld from the contract value and earned only through outcomes.",
            totals.outcome_pool_pence,
            memo=True,
        ),
        MoneyLine(
            "base",
            "Base payments",
            "Contract value minus the outcome pool, split by base share.",
            sum(p.base_pence for p in providers),
        ),
        MoneyLine(
            "earned",
            "Earned through outcomes",
            " ".join(filter(None, [EARNED_TEXT, report_slope_sentence(rows)])),
            earned,
        ),
        *other,
        MoneyLine(
            "paid",
            "Paid to providers",
            "Every payment line: the sum of the lines above that are added.",
            totals.paid_to_providers_pence,
            emphasis=True,
        ),
        MoneyLine(
            "retained",
            "Retained by the commissioner",
            f"Every retention line. Paid to providers + retained = {format_pounds(totals.contract_value_pence)}.",
            totals.retained_pence,
            emphasis=True,
        ),
        *_settled_to_date(provider_line_totals(ledger)),
    ]
    indicators = indicator_summaries(
        rows, [p.provider_id for p in providers], context.indicator_names, context.domain_names
    )
    steps = [("Outcome pool", -totals.outcome_pool_pence), ("Earned", earned)]
    steps += [(labels.WATERFALL_LABELS.get(line.key, line.label), line.pence) for line in other]
    status_label, status_text = labels.STATUS[totals.status]
    return ReportView(
        context=context,
        status=totals.status,
        status_label=status_label,
        status_text=status_text,
        period=totals.settlement_period,
        period_months=labels.period_months(totals.settlement_period, YearStart.named(context.year_starts)),
        contract_year=str(first["contract_year"]),
        totals=tuple(money),
        providers=providers,
        indicators=indicators,
        notes=report_notes(rows, context.indicator_names),
        waterfall=waterfall(
            ("Contract value", totals.contract_value_pence),
            steps,
            ("Paid to providers", totals.paid_to_providers_pence),
        ),
        achievement=tuple(
            achievement_row(
                i.name,
                i.kind,
                str(i.line["direction"]),
                i.line["achieved"],
                i.line["threshold"],
                i.line["target"],
                i.line["score"],
                i.line["scorable"],
                at_risk=any(item.line.get("pool_pence") for item in indicators),
            )
            for i in indicators
        ),
        shares=share_rows(
            [(f"{p.name} ({p.provider_id})", p.earned_pence, p.withheld_pence) for p in providers]
        ),
        lines=tuple(rows),
        risk_share=risk_share_view(rows, {p.provider_id: p.name for p in providers})
        or not_shared(
            context.has_risk_share,
            context.risk_share_years,
            str(first["contract_year"]),
            str(first["settlement_period"]),
        ),
    )


def render_report_html(ledger: pl.DataFrame, context: ReportContext) -> str:
    """The commissioner's report as one self-contained HTML page."""
    return report_html(report_view(ledger, context))


def report_html(view: ReportView) -> str:
    return render_html("commissioner.html.j2", r=view)


def _settled_to_date(by_type: dict[str, int]) -> list[MoneyLine]:
    """With a payment history: what was paid on account, paid to date and is due now, over all
    providers (`by_type`: the providers' lines added up by type), each when the ledger has its lines."""
    words = {
        LineType.PAID_ON_ACCOUNT: "Paid to the providers for the settlements this one nets off.",
        LineType.PAID_TO_DATE: "Paid to the providers for the contract year before this settlement.",
        LineType.DUE_NOW: "To pay the providers now (negative: to recover): net payable + restatements - paid on account.",
    }
    return [
        MoneyLine(
            str(line_type),
            labels.STATEMENT_LABELS.get(line_type, line_type),
            explanation,
            by_type[line_type],
            memo=line_type != LineType.DUE_NOW,
            emphasis=line_type == LineType.DUE_NOW,
        )
        for line_type, explanation in words.items()
        if line_type in by_type
    ]


def _other_payments(payments: dict[str, int]) -> list[MoneyLine]:
    """Providers' payment lines other than base and outcome (redistributed money, points, ...), added up by
    type (`payments`: the providers' payment lines added up by type, in ledger order)."""
    totals = {
        line_type: pence
        for line_type, pence in payments.items()
        if line_type not in (LineType.BASE_PAYMENT, LineType.OUTCOME)
    }
    words: dict[str, str] = {
        LineType.REDISTRIBUTED_UNEARNED: "Unearned money shared among the providers that achieved."
    }
    return [
        MoneyLine(
            line_type,
            labels.STATEMENT_LABELS.get(line_type) or line_type.replace("_", " ").capitalize(),
            words.get(line_type, "Paid to providers; see their statements."),
            pence,
        )
        for line_type, pence in totals.items()
    ]


def _providers(ledger: pl.DataFrame, context: ReportContext, *, reconciled: bool) -> tuple[ProviderRow, ...]:
    """Each provider's row, from its `PartyTotals`; due now only with a payment history."""
    parties = party_totals(ledger)
    earned = sum(p.earned_pence for p in parties)
    return tuple(
        ProviderRow(
            provider_id=p.provider_id,
            name=context.provider_names.get(p.provider_id, p.provider_id),
            role=labels.ROLES.get(p.role, p.role),
            base_pence=p.base_pence,
            withheld_pence=p.withheld_pence,
            earned_pence=p.earned_pence,
            unearned_pence=p.unearned_pence,
            redistributed_pence=p.redistributed_pence,
            other_pence=p.other_payments_pence,
            due_now_pence=p.due_now_pence if reconciled else None,
            net_payable_pence=p.net_payable_pence,
            earned_share=p.earned_pence / earned if earned else None,
            earned_rate=p.earned_pence / p.withheld_pence if p.withheld_pence else None,
        )
        for p in parties
    )
