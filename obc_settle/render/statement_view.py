"""One provider's statement as data: what every format (HTML, PDF, Excel) shows, read off the ledger.

`statement_view(ledger, provider_id, context)` takes the provider's lines in `line_no` order and
returns labels, formatted figures and the raw ledger values beside them. Every amount is a ledger
`amount_pence` / `available_pence` / `pool_pence`, or a sum of ledger lines (totals, and the
waterfall's starting bar: base payment + withheld); nothing here derives or rounds money.
`StatementContext` carries what the ledger does not: names from the contract, and the run id.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

import polars as pl

from obc_settle.contract.models import IDENTIFIER_PATTERN, Contract
from obc_settle.ledger.schema import COMMISSIONER, LineKind, LineType
from obc_settle.money import format_pounds
from obc_settle.periods import YearStart
from obc_settle.render import labels
from obc_settle.render.charts import AchievementRow, Waterfall, achievement_row, waterfall
from obc_settle.render.risk_share_view import RiskShareFields, provider_risk_share
from obc_settle.render.scheme_steps import scheme_about
from obc_settle.render.subcontract_view import (
    SubcontractTable,
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


@dataclass(frozen=True)
class MoneyLine:
    key: str
    label: str
    explanation: str
    pence: int
    memo: bool = False
    """Shown for explanation, not added into the total (withheld, unearned)."""
    emphasis: bool = False

    @property
    def amount(self) -> str:
        return format_pounds(self.pence)


@dataclass(frozen=True)
class IndicatorLine:
    indicator_id: str
    domain: str
    name: str
    kind: str
    about: tuple[str, ...]
    attribution: str
    window: str
    window_kind: str
    numerator: str
    denominator: str
    achieved: str
    interval: str | None
    """The 95% confidence interval of the achieved value, for confidence-aware scoring."""
    threshold: str
    target: str
    score: str
    scorable: bool
    weight: str
    share: str
    pool: str
    available: str
    earned: str
    earned_pence: int
    available_pence: int | None


@dataclass(frozen=True)
class Note:
    indicator: str
    text: str
    unscorable: bool


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
        """The key figures shown first: due now (when there is a payment history), net payable, base, earned, withheld."""
        keys = ("due_now", "net_payable", "base_payment", "earned", "withheld")
        return tuple(line for key in keys if (line := self.money_line(key)) is not None)


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
    )


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
    subcontracts = subcontract_table(rows, context.indicator_names)
    money = with_explanations(_money(rows), subcontracts)
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
        indicators=tuple(_indicator_line(row, context) for row in outcomes),
        available_total=format_pounds(sum(int(row["available_pence"] or 0) for row in outcomes)),
        earned_total=format_pounds(sum(int(row["amount_pence"]) for row in outcomes)),
        notes=_notes(outcomes, context),
        waterfall=_waterfall(money),
        achievement=tuple(
            _achievement(row, context, any(item.get("pool_pence") for item in outcomes)) for row in outcomes
        ),
        lines=tuple(ledger_rows),
        subcontracts=subcontracts,
        risk_share=provider_risk_share(rows),
    )


def _provider_lines(ledger: pl.DataFrame, provider_id: str) -> pl.DataFrame:
    lines = ledger.filter((pl.col("party_id") == provider_id) & (pl.col("party_role") != COMMISSIONER)).sort(
        "line_no"
    )
    if provider_id == COMMISSIONER or lines.height == 0:
        raise ValueError(f"the ledger has no lines for provider {provider_id!r}")
    return lines


def _single(lines: pl.DataFrame, column: str, provider_id: str) -> str:
    values = lines.get_column(column).unique(maintain_order=True).to_list()
    if len(values) != 1 or values[0] is None:
        raise ValueError(f"provider {provider_id!r}: expected one {column} in the ledger, found {values}")
    return str(values[0])


def _money(rows: list[dict[str, Any]]) -> tuple[MoneyLine, ...]:
    """The provider's lines in ledger order, outcome lines gathered into one "earned" line.

    Lines of types this module has no words for (points, rate-card payments, restatements, ...)
    are shown too, each with its ledger note, so the table always holds every line that pays.
    """
    money: list[MoneyLine] = []
    outcomes = [row for row in rows if row["line_type"] == LineType.OUTCOME]
    for row in rows:
        line_type = str(row["line_type"])
        if line_type == LineType.OUTCOME:
            if row is outcomes[0]:
                total = sum(int(item["amount_pence"]) for item in outcomes)
                money.append(
                    MoneyLine(
                        "earned",
                        "Earned through outcomes",
                        "The sum of the earned amounts in the indicator table below.",
                        total,
                    )
                )
            continue
        label = labels.STATEMENT_LABELS.get(line_type) or line_type.replace("_", " ").capitalize()
        if row.get("adjusts_period"):
            label = f"{label} ({row['adjusts_period']})"
        elif line_type == LineType.BASE_PAYMENT and row.get("window_first_month"):
            label = f"{label}, {labels.month_name(row['window_first_month'])}"  # a monthly instalment
        money.append(
            MoneyLine(
                line_type,
                label,
                _explanation(row, rows),
                int(row["amount_pence"]),
                memo=row["kind"] == LineKind.MEMO and line_type not in EMPHASISED,
                emphasis=line_type in EMPHASISED,
            )
        )
    if not outcomes:
        position = next((i + 1 for i, line in enumerate(money) if line.key == "withheld"), 1)
        money.insert(
            position,
            MoneyLine(
                "earned",
                "Earned through outcomes",
                "No indicator money is attributed to you for this period.",
                0,
            ),
        )
    if not any(line.key == LineType.NET_PAYABLE for line in money):
        raise ValueError("the ledger has no net_payable line for this provider")
    return tuple(money)


EMPHASISED = ("net_payable", "due_now")


def _explanation(row: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    line_type = str(row["line_type"])
    not_added = (
        " (not added to the total)" if row["kind"] == LineKind.MEMO and line_type not in EMPHASISED else ""
    )
    if line_type == LineType.BASE_PAYMENT:
        if row["share"] is not None and row["pool_pence"] is not None:
            share = f"your base share of {labels.percent(row['share'])} of the base pool of {format_pounds(int(row['pool_pence']))}"
            instalments = [r for r in rows if r["line_type"] == LineType.BASE_PAYMENT]
            if len(instalments) > 1 and row.get("window_first_month"):
                whole = sum(int(r["amount_pence"]) for r in instalments)
                number = instalments.index(row) + 1
                return (
                    f"Instalment for {labels.month_name(row['window_first_month'])}: {number} of {len(instalments)} "
                    f"monthly parts of your base payment of {format_pounds(whole)} for the period, "
                    f"which is {share}; the parts differ by at most a penny."
                )
            return f"{share[0].upper()}{share[1:]}."
        return "Your share of the contract value that is not at risk against outcomes."
    if line_type == LineType.WITHHELD:
        outcome_rows = [r for r in rows if r["line_type"] == LineType.OUTCOME]
        if (
            int(row["amount_pence"]) == 0
            and outcome_rows
            and not any(r.get("pool_pence") for r in outcome_rows)
        ):
            return (
                "Nothing is withheld this period (a withheld proportion of 0, as in a fee-based year): the "
                "outcomes below are measured and reported, with no money at risk on them (not added to the total)."
            )
        return "Your part of the outcome pool: money at risk, earned only through outcomes (not added to the total)."
    if (
        line_type == LineType.RISK_SHARE
        and row.get("share") is not None
        and row.get("pool_pence") is not None
    ):
        part = int(row["pool_pence"])
        side = "saving" if part >= 0 else "overspend"
        mine = (
            f"Your share of {labels.percent(row['share'])} of the providers' part of the {side}, "
            f"{format_pounds(part)}: {format_pounds(int(row['amount_pence']))}."
        )
        if row.get("derivation"):
            return f"{mine} How the providers' part was found is set out field by field under Risk and gain share."
        note = row.get("note")
        return f"{mine} How the providers' part was found: {labels.sentence(str(note))}" if note else mine
    if line_type == LineType.UNEARNED:
        return "Withheld money not earned this period (not added to the total)."
    if line_type == LineType.NET_PAYABLE:
        parts = [
            labels.NET_PARTS.get(str(r["line_type"]), str(r["line_type"]).replace("_", " "))
            for r in rows
            if _adds_to_net(r)
        ]
        named = " + ".join(dict.fromkeys(parts))
        return f"The amount to be paid: {named}." if named else "The amount to be paid."
    note = row.get("note")
    text = labels.sentence(str(note)) if note else labels.LINE_DESCRIPTIONS.get(line_type, "")
    return f"{text.rstrip('.')}{not_added}." if text and not_added else text or not_added.strip()


def _adds_to_net(row: dict[str, Any]) -> bool:
    """The lines the net payable is the sum of: the period's payment lines (restatements are for earlier periods)."""
    return row["kind"] == LineKind.PAYMENT and row["line_type"] != "restatement"


def _waterfall(money: tuple[MoneyLine, ...]) -> Waterfall:
    """Base payment + withheld (what full achievement would pay) -> withheld -> earned -> other payments -> net payable."""
    amounts: dict[str, int] = {}
    for line in money:  # monthly base instalments are several lines of one kind: their sum
        amounts[line.key] = amounts.get(line.key, 0) + line.pence
    base, withheld = amounts.get("base_payment", 0), amounts.get("withheld", 0)
    steps = [("Withheld", -withheld), ("Earned", amounts.get("earned", 0))]
    for line in money:
        if line.key not in NOT_STEPS and not line.memo and not line.emphasis:
            steps.append((labels.WATERFALL_LABELS.get(line.key, line.label), line.pence))
    return waterfall(
        ("Base payment + withheld", base + withheld), steps, ("Net payable", amounts["net_payable"])
    )


NOT_STEPS = (
    "base_payment",
    "withheld",
    "earned",
    "unearned",
    "restatement",
    "paid_on_account",
    "paid_to_date",
)


def _achievement(row: dict[str, Any], context: StatementContext, at_risk: bool) -> AchievementRow:
    """`at_risk`: some outcome money rides on the period (not a fee-based year, nothing withheld)."""
    indicator_id = str(row["indicator_id"])
    return achievement_row(
        context.indicator_names.get(indicator_id, indicator_id),
        str(row["indicator_kind"]),
        str(row["direction"]),
        row["achieved"],
        row["threshold"],
        row["target"],
        row["score"],
        row["scorable"],
        at_risk=at_risk,
    )


def _indicator_line(row: dict[str, Any], context: StatementContext) -> IndicatorLine:
    indicator_id = str(row["indicator_id"])
    kind = str(row["indicator_kind"])
    domain_id = str(row["domain_id"])
    unit = context.indicator_units.get(indicator_id)
    about = [
        labels.DIRECTIONS.get(str(row["direction"]), str(row["direction"])),
        labels.method(str(row["scoring_method"])),
    ]
    if row["baseline"] is not None:
        about.append(f"baseline {labels.level(row['baseline'], kind)}")
    if unit and kind != "proportion":
        about.append(f"unit: {unit}")
    if kind == "mean":
        about.append("numerator is the sum of the values, denominator the number of values")
    about += scheme_about(row)  # a scheme's points (HVBP) and a budget-neutral slope
    return IndicatorLine(
        indicator_id=indicator_id,
        domain=context.domain_names.get(domain_id, domain_id),
        name=context.indicator_names.get(indicator_id, indicator_id),
        kind=kind,
        about=tuple(about),
        attribution="Individual (yours)" if row["attribution"] == "individual" else "Collective",
        window=labels.window(row["window_first_month"], row["window_last_month"]),
        window_kind=labels.WINDOWS.get(str(row["window"]), str(row["window"])),
        numerator=labels.count(row["numerator"]),
        denominator=labels.count(row["denominator"]),
        achieved=labels.level(row["achieved"], kind),
        interval=_interval(row, kind),
        threshold=labels.level(row["threshold"], kind),
        target=labels.level(row["target"], kind),
        score=labels.score(row["score"], row.get("score_exact")),
        scorable=row["scorable"] is True,
        weight=labels.percent(row["weight"]),
        share=labels.percent(row["share"]),
        pool=_pounds_or_none(row["pool_pence"]),
        available=_pounds_or_none(row["available_pence"]),
        earned=format_pounds(int(row["amount_pence"])),
        earned_pence=int(row["amount_pence"]),
        available_pence=None if row["available_pence"] is None else int(row["available_pence"]),
    )


def _pounds_or_none(pence: int | None) -> str:
    return labels.NO_VALUE if pence is None else format_pounds(int(pence))


def _notes(outcomes: list[dict[str, Any]], context: StatementContext) -> tuple[Note, ...]:
    notes = []
    for row in outcomes:
        indicator_id = str(row["indicator_id"])
        unscorable = row["scorable"] is False
        if row["note"] is None and not unscorable:
            continue
        text = str(row["note"]) if row["note"] is not None else "could not be scored"
        notes.append(
            Note(context.indicator_names.get(indicator_id, indicator_id), labels.sentence(text), unscorable)
        )
    return tuple(notes)


def _interval(row: dict[str, Any], kind: str) -> str | None:
    lower, upper = row.get("confidence_lower"), row.get("confidence_upper")
    if lower is None or upper is None:
        return None
    return f"95% CI {labels.level(lower, kind)} to {labels.level(upper, kind)}"
