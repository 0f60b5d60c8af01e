"""Risk and gain share: actual spend against a budget, shared by bands, with gates and caps.

At a contract-year settlement, with budget B and actual spend S (pence), the difference
X = |B - S| is a saving when S < B (the `gains` side) and an overspend when S > B (`losses`).
The side's rules (`obc_settle.engine.risk_share_rules`: the minimum rate gate, fixed or by
population; bands; quality; the lowest of the caps; sequestration; loss forgiveness) give the
providers' exact part, rounded once: T = round(part).

T is split among the providers by the share rule (largest remainder); a saving is paid to them,
an overspend recovered from them (negative payments). The commissioner's `risk_share` retention
line is the opposite of what the providers get, so money is conserved, and its
`commissioner_share` memo line is what it keeps of the saving (X - what the providers get) or
bears of the overspend (negative). Every risk-share line carries the same structured
derivation (budget, spend, gate, bands, quality, caps, adjustments, both parties' parts), so that
statements, the report and `explain` show the figures without parsing notes.

The quality score of a side is the weighted mean of the exact scores of the indicators it names
(`quality.indicators` / `quality.domains`; default the whole outcome framework) by their exact
effective weights, and 1 when none of them is scored.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl

from obc_settle.contract.models import Contract, RiskSide, ShareRule
from obc_settle.engine.exact import SCORE_PLACES, WEIGHT_PLACES, as_decimal, fraction_text, split_exact
from obc_settle.engine.lines import Lines, line
from obc_settle.engine.outcomes import quality_score, score_framework
from obc_settle.engine.pools import indicator_pools
from obc_settle.engine.risk_share_rules import SideInputs, providers_part, shown_score
from obc_settle.engine.shares import collective_shares, period_quantities
from obc_settle.engine.terms import PeriodMoney, Span, capitated_value, population_by_month
from obc_settle.ledger.derivation import derivation_text
from obc_settle.ledger.schema import COMMISSIONER, LineKind, LineType
from obc_settle.money import pounds_to_pence, round_half_up

__all__ = ["applies", "budget_pence", "risk_share_lines", "shown_score", "spend_pence"]

FRAMEWORK = "the outcome framework"


def applies(contract: Contract, year: str) -> bool:
    risk = contract.risk_share
    return risk is not None and (risk.years is None or year in risk.years)


def spend_pence(monthly: pl.DataFrame, spend: str, months: tuple[str, ...] | list[str]) -> int:
    rows = monthly.filter((pl.col("indicator_id") == spend) & pl.col("period").is_in(list(months)))
    pounds = Decimal(rows.get_column("numerator").sum()) if rows.height else Decimal(0)
    return round_half_up(pounds * 100)


def budget_pence(
    contract: Contract, monthly: pl.DataFrame, span: Span, money: PeriodMoney
) -> tuple[int, str]:
    risk = contract.risk_share
    assert risk is not None
    budget = risk.budget
    if budget.basis == "amount" and budget.amount is not None:
        return pounds_to_pence(budget.amount), "the budget set in the contract"
    if budget.basis == "capitation" and budget.rate_per_head is not None and budget.population is not None:
        population = population_by_month(monthly, budget.population, span.months)
        value, person_months = capitated_value(budget.rate_per_head, population, span.months)
        return (
            value,
            f"{budget.rate_per_head} pounds per head per year x {float(person_months):,.2f} person-months / 12",
        )
    return money.contract_value_pence, "the contract value of the year"


def mean_population(monthly: pl.DataFrame, population: str, months: tuple[str, ...]) -> Fraction:
    """The population of the year: the mean of its monthly counts (person-months / months), exact."""
    counts = population_by_month(monthly, population, months)
    return sum((Fraction(counts.get(month, Decimal(0))) for month in months), Fraction(0)) / len(months)


def side_inputs(
    contract: Contract,
    side: RiskSide,
    monthly: pl.DataFrame,
    span: Span,
    money: PeriodMoney,
    figures: tuple[int, int],
    framework_quality: Fraction | None,
) -> SideInputs:
    """The figures of the year a side's rules read: its quality score, population and revenue."""
    risk = contract.risk_share
    assert risk is not None
    quality, quality_input = framework_quality, FRAMEWORK
    if side.quality is not None and (side.quality.indicators or side.quality.domains):
        quality, quality_input = _subset_quality(contract, side, monthly, span, money)
    population, population_id = None, None
    if side.minimum_rate_table is not None:
        population_id = side.minimum_rate_table.population or risk.budget.population
        if population_id is not None:
            population = mean_population(monthly, population_id, span.months)
    revenue, source = None, None
    limit = side.cap_revenue
    if limit is not None and limit.amount is not None:
        revenue, source = pounds_to_pence(limit.amount), "the contract"
    elif limit is not None and limit.indicator is not None:
        revenue, source = spend_pence(monthly, limit.indicator, span.months), limit.indicator
    return SideInputs(
        budget=figures[0],
        difference=figures[1],
        quality=quality,
        quality_input=quality_input,
        population=population,
        population_indicator=population_id,
        revenue=revenue,
        revenue_source=source,
    )


def _subset_quality(
    contract: Contract, side: RiskSide, monthly: pl.DataFrame, span: Span, money: PeriodMoney
) -> tuple[Fraction | None, str]:
    """The weighted mean score of the indicators a side names (by effective weight), exact."""
    assert side.quality is not None
    indicators = set(side.quality.indicators or [])
    domains = set(side.quality.domains or [])
    chosen = {i.id for d, i in contract.indicators() if i.id in indicators or d.id in domains}
    pooled = indicator_pools(score_framework(contract, monthly, span), money.outcome_pool_pence)
    subset = pooled.filter(pl.col("indicator_id").is_in(sorted(chosen)))
    named = [f"indicators {', '.join(sorted(indicators))}"] if indicators else []
    named += [f"domains {', '.join(sorted(domains))}"] if domains else []
    return quality_score(subset), " and ".join(named)


def risk_share_lines(
    contract: Contract, monthly: pl.DataFrame, span: Span, money: PeriodMoney, quality: Fraction | None
) -> Lines:
    risk = contract.risk_share
    lines = Lines()
    if risk is None or not applies(contract, span.period.contract_year.name):
        return lines
    budget, budget_note = budget_pence(contract, monthly, span, money)
    spend = spend_pence(monthly, risk.spend, span.months)
    saving = budget - spend
    side = risk.gains if saving > 0 else risk.losses if saving < 0 else None
    what = "saving" if saving > 0 else "overspend" if saving < 0 else "no difference"
    head = f"budget {budget} pence ({budget_note}), actual spend {spend} pence: "
    derivation: dict[str, Any] = {
        "budget_pence": budget,
        "budget_basis": budget_note,
        "spend_pence": spend,
        "difference_pence": abs(saving),
        "what": what,
        "side": None,
        "rate": fraction_text(Fraction(abs(saving), budget)) if budget > 0 else None,
        "reason": None,
    }
    if side is None or budget <= 0:
        reason = (
            ("no difference" if saving == 0 else f"{what} not shared (the contract shares no {what}s)")
            if budget > 0
            else "no budget"
        )
        total, steps = 0, [reason]
        derivation["reason"] = reason
    else:
        inputs = side_inputs(contract, side, monthly, span, money, (budget, abs(saving)), quality)
        part, rules, steps = providers_part(side, inputs)
        total = round_half_up(part)
        steps = [
            f"{what} {abs(saving)} pence ({float(Fraction(abs(saving), budget)):.4%} of the budget)",
            *steps,
        ]
        derivation |= rules | {"side": "gains" if saving > 0 else "losses"}
        quality = inputs.quality if side.quality is not None else quality
    signed = total if saving >= 0 else -total
    rule = risk.share_rule or contract.share_rule
    shares = _shares(contract, rule, monthly, span)
    party_ids = list(shares)
    amounts = split_exact(abs(signed), [shares[p] for p in party_ids])
    by_id = {p.id: p for p in contract.providers}
    paid = {
        party_id: (amount if signed >= 0 else -amount)
        for party_id, amount in zip(party_ids, amounts, strict=True)
        if party_id != COMMISSIONER
    }
    given = sum(paid.values())
    kept = abs(saving) - abs(given)
    commissioner_part = kept if saving >= 0 else -kept
    derivation |= {
        "providers_part_pence": signed,
        "paid_to_providers_pence": given,
        "commissioner_part_pence": commissioner_part,
        "shares": {party_id: fraction_text(shares[party_id]) for party_id in party_ids},
    }
    steps_note = "; ".join(steps) + f"; providers' part {signed} pence"
    text = derivation_text(derivation)
    quality_columns = {"score": as_decimal(quality, SCORE_PLACES), "score_exact": fraction_text(quality)}
    for party_id, value in paid.items():
        lines.add(
            party_id,
            line(
                party_id,
                by_id[party_id].role,
                LineType.RISK_SHARE,
                LineKind.PAYMENT,
                value,
                share=as_decimal(shares[party_id], WEIGHT_PLACES),
                share_exact=fraction_text(shares[party_id]),
                pool_pence=signed,
                note=head + steps_note,
                derivation=text,
                **quality_columns,
            ),
        )
    lines.commissioner.append(
        line(
            COMMISSIONER,
            COMMISSIONER,
            LineType.RISK_SHARE,
            LineKind.RETENTION,
            -given,
            pool_pence=signed,
            note="the providers' part of the saving is paid by the commissioner"
            if signed >= 0
            else "the providers' part of the overspend is recovered by the commissioner",
            derivation=text,
            **quality_columns,
        )
    )
    lines.commissioner.append(
        line(
            COMMISSIONER,
            COMMISSIONER,
            LineType.COMMISSIONER_SHARE,
            LineKind.MEMO,
            commissioner_part,
            pool_pence=signed,
            note=_commissioner_note(saving, abs(given), kept),
            derivation=text,
            **quality_columns,
        )
    )
    return lines


def _commissioner_note(saving: int, given: int, kept: int) -> str:
    if saving > 0:
        return f"the commissioner keeps {kept} pence of the saving of {saving} pence (the providers get {given} pence)"
    if saving < 0:
        return (
            f"the commissioner bears {kept} pence of the overspend of {-saving} pence "
            f"(the providers bear {given} pence)"
        )
    return "spend equals the budget: nothing to keep or bear"


def _shares(contract: Contract, rule: ShareRule, monthly: pl.DataFrame, span: Span) -> dict[str, Fraction]:
    quantities = period_quantities(monthly, rule.quantity, list(span.months))
    shares, _ = collective_shares(contract, quantities, rule)
    return shares
