"""Provider statements as self-contained HTML: a view of one provider's ledger lines.

Every amount shown is read from the ledger (`amount_pence`, `available_pence`, `pool_pence`) and
only formatted with `format_pounds`; nothing here derives or rounds money. Totals are sums of
ledger lines, as in `obc_settle.ledger.views`. Rows follow the ledger's `line_no` order and no
clock is read, so identical inputs give identical bytes.

The template is rendered with autoescaping and `StrictUndefined`: every text that comes from a
contract or an extract (names, notes) is escaped, and a missing value is an error, not a blank.
"""

from __future__ import annotations

import functools
import math
from decimal import Decimal
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import polars as pl

from obc_settle.contract.models import IDENTIFIER_PATTERN, Contract
from obc_settle.ledger.schema import COMMISSIONER, LineType
from obc_settle.money import format_pounds
from obc_settle.periods import SettlementPeriod

TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "statement.html.j2"
NO_VALUE = "\u2014"

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_STATUS = {
    "provisional": ("Provisional", "In-year settlement of one quarter; the final settlement of the contract year uses the whole year's data."),
    "final": ("Final", "Settlement of the whole contract year on the full year's data."),
}
_ROLES = {"lead": "Lead provider", "member": "Member", "prime": "Prime contractor", "subcontractor": "Subcontractor"}
_WINDOWS = {"period": "settlement period", "year_to_date": "year to date", "rolling_12_months": "rolling 12 months"}
_DIRECTIONS = {"higher_is_better": "Higher is better", "lower_is_better": "Lower is better"}
_METHODS = {
    "linear": "linear scoring",
    "banded": "banded scoring",
    "all_or_nothing": "all-or-nothing scoring",
    "improvement": "improvement scoring",
    "best_of": "best of linear and improvement scoring",
}


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


@dataclass(frozen=True)
class SummaryRow:
    label: str
    explanation: str
    amount: str
    emphasis: bool = False


@dataclass(frozen=True)
class IndicatorRow:
    domain: str
    name: str
    about: tuple[str, ...]
    attribution: str
    window: str
    window_kind: str
    numerator: str
    denominator: str
    achieved: str
    threshold: str
    target: str
    score: str
    scorable: bool
    weight: str
    share: str
    pool: str
    available: str
    earned: str


@dataclass(frozen=True)
class Note:
    indicator: str
    text: str
    unscorable: bool


def statement_file_name(provider_id: str) -> str:
    """`<provider id>.html`; refuses anything that is not a contract identifier (no paths)."""
    if not isinstance(provider_id, str) or not re.fullmatch(IDENTIFIER_PATTERN, provider_id):
        raise ValueError(f"provider id {provider_id!r} cannot name a statement file")
    return f"{provider_id}.html"


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
    )


def render_statement(ledger: pl.DataFrame, provider_id: str, context: StatementContext) -> str:
    """The HTML statement of one provider, from that provider's lines of the ledger."""
    if context.currency != "GBP":
        raise ValueError(f"statements show pounds and pence; currency {context.currency!r} is not supported")
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
    if header["status"] not in _STATUS:
        raise ValueError(f"unknown settlement status {header['status']!r} in the ledger")
    status_label, status_text = _STATUS[header["status"]]
    rows = lines.to_dicts()
    outcomes = [row for row in rows if row["line_type"] == LineType.OUTCOME]
    return _template().render(
        context=context,
        provider_id=provider_id,
        role=_ROLES.get(context.provider_role, context.provider_role),
        status=header["status"],
        status_label=status_label,
        status_text=status_text,
        period=header["settlement_period"],
        period_months=_period_months(header["settlement_period"]),
        contract_year=header["contract_year"],
        summary=_summary(rows),
        indicators=[_indicator_row(row, context) for row in outcomes],
        available_total=format_pounds(sum(int(row["available_pence"] or 0) for row in outcomes)),
        earned_total=format_pounds(sum(int(row["amount_pence"]) for row in outcomes)),
        notes=_notes(outcomes, context),
    )


@functools.cache
def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return environment.get_template(TEMPLATE_NAME)


def _provider_lines(ledger: pl.DataFrame, provider_id: str) -> pl.DataFrame:
    lines = ledger.filter((pl.col("party_id") == provider_id) & (pl.col("party_role") != COMMISSIONER)).sort("line_no")
    if provider_id == COMMISSIONER or lines.height == 0:
        raise ValueError(f"the ledger has no lines for provider {provider_id!r}")
    return lines


def _single(lines: pl.DataFrame, column: str, provider_id: str) -> str:
    values = lines.get_column(column).unique(maintain_order=True).to_list()
    if len(values) != 1 or values[0] is None:
        raise ValueError(f"provider {provider_id!r}: expected one {column} in the ledger, found {values}")
    return str(values[0])


def _amount(rows: list[dict[str, Any]], line_type: LineType, *, required: bool = True) -> int | None:
    """The sum of `amount_pence` over the lines of one type (None if there are none and none are required)."""
    matching = [row for row in rows if row["line_type"] == line_type]
    if not matching:
        if required:
            raise ValueError(f"the ledger has no {line_type} line for this provider")
        return None
    return sum(int(row["amount_pence"]) for row in matching)


def _summary(rows: list[dict[str, Any]]) -> list[SummaryRow]:
    base_line = next((row for row in rows if row["line_type"] == LineType.BASE_PAYMENT), None)
    base_explanation = "Your share of the contract value that is not at risk against outcomes."
    if base_line is not None and base_line["share"] is not None and base_line["pool_pence"] is not None:
        base_explanation = (
            f"Your base share of {_percent(base_line['share'], 4)} of the base pool of "
            f"{format_pounds(int(base_line['pool_pence']))}."
        )
    summary = [
        SummaryRow("Base payment", base_explanation, format_pounds(_amount(rows, LineType.BASE_PAYMENT) or 0)),
        SummaryRow(
            "Withheld from you",
            "Your part of the outcome pool: money at risk, earned only through outcomes (not added to the total).",
            format_pounds(_amount(rows, LineType.WITHHELD) or 0),
        ),
        SummaryRow(
            "Earned through outcomes",
            "The sum of the earned amounts in the indicator table below.",
            format_pounds(_amount(rows, LineType.OUTCOME, required=False) or 0),
        ),
        SummaryRow(
            "Unearned",
            "Withheld money not earned this period (not added to the total).",
            format_pounds(_amount(rows, LineType.UNEARNED) or 0),
        ),
    ]
    redistributed = _amount(rows, LineType.REDISTRIBUTED_UNEARNED, required=False)
    if redistributed is not None:
        note = next(row["note"] for row in rows if row["line_type"] == LineType.REDISTRIBUTED_UNEARNED)
        explanation = _sentence(str(note) if note else "your share of the unearned money of all providers")
        summary.append(SummaryRow("Redistributed unearned money", explanation, format_pounds(redistributed)))
    total_parts = "base payment + earned" + (" + redistributed unearned money" if redistributed is not None else "")
    net = format_pounds(_amount(rows, LineType.NET_PAYABLE) or 0)
    summary.append(SummaryRow("Net payable to you", f"The amount to be paid: {total_parts}.", net, emphasis=True))
    return summary


def _indicator_row(row: dict[str, Any], context: StatementContext) -> IndicatorRow:
    indicator_id = str(row["indicator_id"])
    kind = str(row["indicator_kind"])
    domain_id = str(row["domain_id"])
    unit = context.indicator_units.get(indicator_id)
    about = [
        _DIRECTIONS.get(str(row["direction"]), str(row["direction"])),
        _METHODS.get(str(row["scoring_method"]), str(row["scoring_method"])),
    ]
    if row["baseline"] is not None:
        about.append(f"baseline {_level(row['baseline'], kind)}")
    if unit and kind != "proportion":
        about.append(f"unit: {unit}")
    if kind == "mean":
        about.append("numerator is the sum of the values, denominator the number of values")
    return IndicatorRow(
        domain=context.domain_names.get(domain_id, domain_id),
        name=context.indicator_names.get(indicator_id, indicator_id),
        about=tuple(about),
        attribution="Individual (yours)" if row["attribution"] == "individual" else "Collective",
        window=_window(row["window_first_month"], row["window_last_month"]),
        window_kind=_WINDOWS.get(str(row["window"]), str(row["window"])),
        numerator=_count(row["numerator"]),
        denominator=_count(row["denominator"]),
        achieved=_level(row["achieved"], kind),
        threshold=_level(row["threshold"], kind),
        target=_level(row["target"], kind),
        score=_percent(row["score"], 4),
        scorable=row["scorable"] is True,
        weight=_percent(row["weight"], 4),
        share=_percent(row["share"], 4),
        pool=format_pounds(int(row["pool_pence"])) if row["pool_pence"] is not None else NO_VALUE,
        available=format_pounds(int(row["available_pence"])) if row["available_pence"] is not None else NO_VALUE,
        earned=format_pounds(int(row["amount_pence"])),
    )


def _notes(outcomes: list[dict[str, Any]], context: StatementContext) -> list[Note]:
    notes = []
    for row in outcomes:
        indicator_id = str(row["indicator_id"])
        unscorable = row["scorable"] is False
        if row["note"] is None and not unscorable:
            continue
        text = str(row["note"]) if row["note"] is not None else "could not be scored"
        notes.append(Note(context.indicator_names.get(indicator_id, indicator_id), _sentence(text), unscorable))
    return notes


def _sentence(text: str) -> str:
    """Ledger notes are lower-case phrases; shown as sentences."""
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def _finite(value: object) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _fixed(number: float, decimals: int) -> str:
    text = f"{number:,.{decimals}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text


def _count(value: object) -> str:
    number = _finite(value)
    if number is None:
        return NO_VALUE
    return f"{int(number):,}" if number.is_integer() else _fixed(number, 2)


def _percent(value: object, max_decimals: int) -> str:
    """A proportion as a percentage with at least one and at most `max_decimals` decimals."""
    number = _finite(value)
    if number is None:
        return NO_VALUE
    text = _fixed(number * 100, max_decimals)
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0") or "0"
    return f"{whole}.{fraction}%"


def _level(value: object, kind: str) -> str:
    """An achieved value, threshold or target: proportions as percentages, others as numbers.

    Changes from baseline get four decimals: they are small (0.0858 above a baseline of 0.48).
    """
    number = _finite(value)
    if number is None:
        return NO_VALUE
    if kind == "proportion":
        return f"{_fixed(number * 100, 1)}%"
    if kind == "rate_per_1000":
        return f"{_fixed(number, 2)} per 1,000"
    if kind == "change_from_baseline":
        return _fixed(number, 4)  # small differences; the ledger does not say what was measured
    return _fixed(number, 2)


def _month(month: object) -> str:
    text = str(month)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        return text
    return f"{_MONTHS[int(text[5:7]) - 1][:3]} {text[:4]}"


def _window(first: object, last: object) -> str:
    if first is None or last is None:
        return NO_VALUE
    return _month(first) if first == last else f"{_month(first)} to {_month(last)}"


def _period_months(name: str) -> str:
    months = SettlementPeriod.parse(name).months()
    first, last = months[0], months[-1]
    first_name, last_name = _MONTHS[int(first[5:7]) - 1], _MONTHS[int(last[5:7]) - 1]
    if first[:4] == last[:4]:
        return f"{first_name} to {last_name} {last[:4]}"
    return f"{first_name} {first[:4]} to {last_name} {last[:4]}"
