"""Risk and gain share: actual spend against a budget, shared by bands, with gates and caps.

At a contract-year settlement, with budget B and actual spend S (pence):

    difference   X = |B - S|, a saving when S < B (gains), an overspend when S > B (losses)
    rate         r = X / B
    gate         nothing is shared when r < the side's minimum_rate (a minimum savings or loss
                 rate); at or above it, sharing starts from the first pound
    bands        providers' part = sum over bands k of provider_share_k x (the part of X between
                 the band's lower and upper ends, each a proportion of B)
    quality      scale: part x the outcome framework's quality score q; gate: 0 unless q >= minimum_score;
                 complement (losses, as MSSP's shared loss rate): each band's share s becomes
                 1 - s x q, held between minimum_share and maximum_share
    cap          part held to cap x B
    total        T = round(part), by the rounding rule

T is split among the providers by the share rule (largest remainder); a saving is paid to them,
an overspend recovered from them (negative payments). The commissioner's `risk_share` retention
line is the opposite of what the providers get, so money is conserved. The quality score q is
the weighted mean of the indicators' exact scores by their exact effective weights (1 when the
contract has no scored indicator), so the providers' part is exact until it is rounded once.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import polars as pl

from obc_settle.contract.models import Contract, RiskSide, ShareRule
from obc_settle.engine.exact import (
    SCORE_PLACES,
    WEIGHT_PLACES,
    as_decimal,
    fraction_text,
    split_exact,
    terminates,
)
from obc_settle.engine.lines import Lines, line
from obc_settle.engine.shares import collective_shares, period_quantities
from obc_settle.engine.terms import PeriodMoney, Span, capitated_value, population_by_month
from obc_settle.ledger.schema import COMMISSIONER, LineKind, LineType
from obc_settle.money import pounds_to_pence, round_half_up


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


def providers_part(
    side: RiskSide, budget: int, difference: int, quality_score: Fraction | None
) -> tuple[Fraction, list[str]]:
    """The providers' exact part of a saving or overspend, and the steps, as notes."""
    steps = []
    rate = Fraction(difference, budget)
    if rate < Fraction(side.minimum_rate):
        steps.append(
            f"rate {float(rate):.4%} is below the minimum rate {float(side.minimum_rate):.4%}: nothing is shared"
        )
        return Fraction(0), steps
    part = Fraction(0)
    lower = Fraction(0)
    quality = Fraction(1) if quality_score is None else quality_score
    complement = side.quality is not None and side.quality.method == "complement"
    for band in side.bands:
        upper = None if band.up_to is None else Fraction(band.up_to) * budget
        inside = max(
            Fraction(0), (Fraction(difference) if upper is None else min(Fraction(difference), upper)) - lower
        )
        share = Fraction(band.provider_share)
        if complement and side.quality is not None:
            share = _held(1 - share * quality, side.quality.minimum_share, side.quality.maximum_share)
        part += share * inside
        if inside:
            shown = f"{float(share):.6g}" + (
                f" (1 - {band.provider_share} x quality {shown_score(quality)}, held to its limits)"
                if complement
                else ""
            )
            steps.append(
                f"{shown} of {float(inside) / 100:,.2f} pounds in the band up to {band.up_to if band.up_to is not None else 'the end'}"
            )
        if upper is None or difference <= upper:
            break
        lower = upper
    if side.quality is not None and not complement:
        if side.quality.method == "scale":
            part *= quality
            steps.append(f"scaled by the quality score {shown_score(quality)}")
        elif side.quality.minimum_score is not None and quality < Fraction(side.quality.minimum_score):
            part = Fraction(0)
            steps.append(
                f"quality score {shown_score(quality)} is below the minimum {side.quality.minimum_score}: nothing is shared"
            )
    if side.cap is not None and part > Fraction(side.cap) * budget:
        part = Fraction(side.cap) * budget
        steps.append(f"capped at {side.cap} of the budget")
    return part, steps


def _held(value: Fraction, lowest: Decimal | None, highest: Decimal | None) -> Fraction:
    if lowest is not None:
        value = max(value, Fraction(lowest))
    if highest is not None:
        value = min(value, Fraction(highest))
    return value


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
    what = "saving" if saving > 0 else "overspend"
    head = f"budget {budget} pence ({budget_note}), actual spend {spend} pence: "
    if side is None or budget <= 0:
        total, steps = (
            0,
            [
                ("no difference" if saving == 0 else f"{what} not shared (the contract shares no {what}s)")
                if budget > 0
                else "no budget"
            ],
        )
    else:
        part, steps = providers_part(side, budget, abs(saving), quality)
        total = round_half_up(part)
        steps = [
            f"{what} {abs(saving)} pence ({float(Fraction(abs(saving), budget)):.4%} of the budget)",
            *steps,
        ]
    signed = total if saving >= 0 else -total
    rule = risk.share_rule or contract.share_rule
    shares = _shares(contract, rule, monthly, span)
    party_ids = list(shares)
    amounts = split_exact(abs(signed), [shares[p] for p in party_ids])
    note = head + "; ".join(steps) + f"; providers' part {signed} pence"
    given = 0
    by_id = {p.id: p for p in contract.providers}
    for party_id, amount in zip(party_ids, amounts, strict=True):
        if party_id == COMMISSIONER:
            continue
        provider = by_id[party_id]
        value = amount if signed >= 0 else -amount
        given += value
        lines.add(
            party_id,
            line(
                party_id,
                provider.role,
                LineType.RISK_SHARE,
                LineKind.PAYMENT,
                value,
                share=as_decimal(shares[party_id], WEIGHT_PLACES),
                share_exact=fraction_text(shares[party_id]),
                pool_pence=signed,
                score=as_decimal(quality, SCORE_PLACES),
                score_exact=fraction_text(quality),
                note=note,
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
            score=as_decimal(quality, SCORE_PLACES),
            score_exact=fraction_text(quality),
            note="the providers' part of the saving is paid by the commissioner"
            if signed >= 0
            else "the providers' part of the overspend is recovered by the commissioner",
        )
    )
    return lines


def shown_score(score: Fraction) -> str:
    """A score in a note: exact when its decimal terminates, else the fraction and 10 places."""
    text = fraction_text(score)
    return str(text) if terminates(score) else f"{text} (= {as_decimal(score, 10)}...)"


def _shares(contract: Contract, rule: ShareRule, monthly: pl.DataFrame, span: Span) -> dict[str, Fraction]:
    quantities = period_quantities(monthly, rule.quantity, list(span.months))
    shares, _ = collective_shares(contract, quantities, rule)
    return shares
