"""Points per indicator, money per point (NHS Quality and Outcomes Framework).

For each provider (a practice) and indicator, measured on the provider's own rows:

    points     H = score x G                      (score: linear between the lower threshold E and
                                                   the upper threshold F, exact; G the maximum
                                                   points), rounded to `rounding.points` decimals
                                                   (not at all when null)
    CPI          = list size / national average list size            (rounded to `rounding.cpi`)
    APDF         = (register / list size) / national prevalence      (rounded to `rounding.apdf`;
                                                   1 for an indicator without `prevalence`)
    point value  = pounds per point x CPI x APDF                     (rounded to `rounding.point_value`)
    payment      = H x point value, in pence, rounded once by the rounding rule

List sizes and registers are the numerators of the provider's rows in the last month of the
settlement period. Points are paid at year end; in-year, a points contract with aspiration pays
on account `aspiration.proportion` of the year's `aspiration_basis` in monthly twelfths, and the
year-end settlement nets them off (see `engine.reconcile`). The basis is typed into the contract,
or (`previous_year_run`) each provider's unadjusted achievement payment of the previous contract
year, read from that year's run folder by the app and given here as `PreviousYear`. Intermediate roundings are half up;
each is written in the contract, because published examples round in different places.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import polars as pl

from obc_settle.contract.models import Contract, Points
from obc_settle.engine.achievement import measure_achievement
from obc_settle.engine.exact import fraction_of, fraction_text, round_to, split_exact
from obc_settle.engine.lines import DERIVATION, Lines, line
from obc_settle.engine.scoring import score_indicators
from obc_settle.engine.terms import Span, indicator_terms, indicator_windows, scoring_bands, year_terms
from obc_settle.ledger.derivation import derivation_text
from obc_settle.ledger.schema import COMMISSIONER, LineKind, LineType
from obc_settle.money import apply_proportion, largest_remainder, pounds_to_pence, round_half_up


def _decimal_text(value: Fraction, places: int = 6) -> str:
    text = f"{Decimal(value.numerator) / Decimal(value.denominator):.{places}f}".rstrip("0").rstrip(".")
    return text or "0"


def _snapshot(monthly: pl.DataFrame, quantity: str, provider_id: str, month: str) -> Fraction:
    rows = monthly.filter(
        (pl.col("indicator_id") == quantity)
        & (pl.col("provider_id") == provider_id)
        & (pl.col("period") == month)
    )
    return Fraction(Decimal(rows.get_column("numerator").sum())) if rows.height else Fraction(0)


def point_value(
    points: Points, list_size: Fraction, register: Fraction | None, national_prevalence: Decimal | None
) -> tuple[Fraction, Fraction, Fraction | None]:
    """(adjusted point value in pounds, CPI, APDF) with the contract's roundings."""
    rounding = points.rounding
    cpi = round_to(list_size / Fraction(points.national_list_size), rounding.cpi)
    apdf = None
    value = Fraction(points.point_value) * cpi
    if register is not None and national_prevalence is not None:
        prevalence = register / list_size if list_size else Fraction(0)
        apdf = round_to(prevalence / Fraction(national_prevalence), rounding.apdf)
        value *= apdf
    return round_to(value, rounding.point_value), cpi, apdf


def points_lines(contract: Contract, monthly: pl.DataFrame, span: Span) -> Lines:
    points = contract.points
    assert points is not None
    snapshot = span.months[-1]
    indicators = {indicator.id: indicator for _, indicator in contract.indicators()}
    lines = Lines()
    total = 0
    for provider in contract.providers:
        scored = _scored_for(contract, monthly, span, provider.id)
        list_size = _snapshot(monthly, points.list_size, provider.id, snapshot)
        for row in scored.iter_rows(named=True):
            indicator = indicators[row["indicator_id"]]
            maximum = Fraction(indicator.points or 0)
            score = fraction_of(row["score_exact"]) or Fraction(0)
            earned_points = round_to(score * maximum, points.rounding.points)
            prevalence = indicator.prevalence
            register = (
                _snapshot(monthly, prevalence.disease_register, provider.id, snapshot) if prevalence else None
            )
            value, cpi, apdf = point_value(
                points, list_size, register, prevalence.national if prevalence else None
            )
            amount = round_half_up(earned_points * value * 100)
            most = round_half_up(maximum * value * 100)
            factors = f"CPI {_decimal_text(cpi)}" + ("" if apdf is None else f" x APDF {_decimal_text(apdf)}")
            note = (
                f"{_decimal_text(earned_points)} of {_decimal_text(maximum)} points x adjusted point value "
                f"{_decimal_text(value)} pounds (= {points.point_value} pounds per point x {factors}; list size "
                f"{_decimal_text(list_size, 2)} in {snapshot}"
                + ("" if register is None else f", register {_decimal_text(register, 2)}")
                + ")"
            )
            derivation = {k: row[k] for k in _POINT_DERIVATION}
            derivation["note"] = "; ".join(filter(None, [row["note"], note]))
            lines.add(
                provider.id,
                line(
                    provider.id,
                    provider.role,
                    LineType.POINTS,
                    LineKind.PAYMENT,
                    amount,
                    available_pence=most,
                    share=Decimal(1),
                    share_exact="1",
                    **derivation,
                ),
            )
            total += amount
    lines.commissioner.append(
        line(
            COMMISSIONER,
            COMMISSIONER,
            LineType.POINTS,
            LineKind.RETENTION,
            -total,
            note="points payments, paid by the commissioner beyond the contract value",
        )
    )
    return lines


# A points line carries the outcome derivation but for the pool's columns (it earns points, not a
# weighted share of a pool).
_POOL_COLUMNS = {"weight", "weight_exact", "pool_pence", "share", "share_exact", "available_pence"}
_POINT_DERIVATION = [column for column in DERIVATION if column not in _POOL_COLUMNS]


def _scored_for(contract: Contract, monthly: pl.DataFrame, span: Span, provider_id: str) -> pl.DataFrame:
    """Every indicator measured on one provider's rows and scored."""
    terms = indicator_terms(contract, span).with_columns(
        attributed_provider=pl.lit(provider_id), attribution=pl.lit("individual")
    )
    measured = measure_achievement(monthly, terms, indicator_windows(contract, span))
    return score_indicators(measured, scoring_bands(contract)).sort("indicator_order")


@dataclass(frozen=True)
class PreviousYear:
    """The previous contract year's settlement run, as far as aspiration needs it: each provider's
    unadjusted achievement payment (the sum of its `points` lines, before the aspiration paid on
    account is netted off), and the run it was read from, named in every note."""

    contract_year: str
    run_id: str
    achievement_pence: dict[str, int]


PREVIOUS_YEAR_RUN = "previous_year_run"
"""`aspiration_basis: previous_year_run`: each provider's basis is read from the previous year's run."""


def aspiration_lines(contract: Contract, span: Span, previous: PreviousYear | None = None) -> Lines:
    """Aspiration payments on account: the year's aspiration in monthly twelfths, for the span's months.

    The year's aspiration is `round(basis x proportion x uprating)`: on the contract's
    `aspiration_basis`, split among the providers by base share; or, with `previous_year_run`, on
    each provider's own achievement payment of the previous year (`previous`)."""
    points = contract.points
    terms = year_terms(contract, span.period)
    lines = Lines()
    if points is None or points.aspiration is None or terms.aspiration_basis is None:
        return lines
    if terms.aspiration_basis == PREVIOUS_YEAR_RUN:
        if previous is None:
            raise ValueError(
                f"{span.period.contract_year} takes its aspiration basis from the previous year's run"
            )
        return _aspiration_from_previous_year(contract, span, previous)
    basis = pounds_to_pence(Decimal(terms.aspiration_basis))
    annual = apply_proportion(basis, points.aspiration.proportion * points.aspiration.uprating)
    amount = _twelfths_of(annual, span)
    parts = split_exact(amount, [Fraction(p.base_share) for p in contract.providers])
    uprated = "" if points.aspiration.uprating == 1 else f" x uprating {points.aspiration.uprating}"
    note = (
        f"aspiration payment on account for {span.months[0]} to {span.months[-1]}: {points.aspiration.proportion} of "
        f"{basis} pence{uprated} = {annual} pence a year, paid in monthly twelfths; netted off at year end"
    )
    for provider, part in zip(contract.providers, parts, strict=True):
        lines.add(
            provider.id,
            line(
                provider.id,
                provider.role,
                LineType.ASPIRATION,
                LineKind.PAYMENT,
                part,
                share=provider.base_share,
                share_exact=fraction_text(Fraction(provider.base_share)),
                note=note,
            ),
        )
    lines.commissioner.append(_aspiration_retention(amount))
    return lines


def _twelfths_of(annual: int, span: Span) -> int:
    """The span's months' part of a year's amount paid in monthly twelfths (largest remainder)."""
    months = span.period.contract_year.months()
    twelfths = largest_remainder(annual, [1] * 12)
    return sum(twelfths[months.index(month)] for month in span.months)


def _aspiration_from_previous_year(contract: Contract, span: Span, previous: PreviousYear) -> Lines:
    aspiration = contract.points.aspiration if contract.points is not None else None
    assert aspiration is not None
    lines = Lines()
    total = 0
    for provider in contract.providers:
        basis = previous.achievement_pence.get(provider.id, 0)
        annual = apply_proportion(basis, aspiration.proportion * aspiration.uprating)
        amount = _twelfths_of(annual, span)
        uprated = "" if aspiration.uprating == 1 else f" x uprating {aspiration.uprating}"
        note = (
            f"aspiration payment on account for {span.months[0]} to {span.months[-1]}: "
            f"{_percent(aspiration.proportion)} of your {previous.contract_year} achievement payment of {basis} pence "
            f"(run {previous.run_id}){uprated} = {annual} pence a year, paid in monthly twelfths; netted off at year end"
        )
        steps = {
            "aspiration_basis": PREVIOUS_YEAR_RUN,
            "previous_year": previous.contract_year,
            "previous_run_id": previous.run_id,
            "achievement_pence": basis,
            "proportion": str(aspiration.proportion),
            "uprating": str(aspiration.uprating),
            "annual_pence": annual,
            "months": list(span.months),
        }
        lines.add(
            provider.id,
            line(
                provider.id,
                provider.role,
                LineType.ASPIRATION,
                LineKind.PAYMENT,
                amount,
                note=note,
                derivation=derivation_text(steps),
            ),
        )
        total += amount
    lines.commissioner.append(_aspiration_retention(total))
    return lines


def _percent(proportion: Decimal) -> str:
    return f"{format((proportion * 100).normalize(), 'f')}%"


def _aspiration_retention(amount: int) -> dict[str, object]:
    return line(
        COMMISSIONER,
        COMMISSIONER,
        LineType.ASPIRATION,
        LineKind.RETENTION,
        -amount,
        note="aspiration payments on account, paid by the commissioner beyond the contract value",
    )


def achievement_by_provider(ledger: pl.DataFrame) -> dict[str, int]:
    """Each provider's unadjusted achievement payment in a contract-year ledger: its `points` lines."""
    points = ledger.filter(
        (pl.col("line_type") == str(LineType.POINTS)) & (pl.col("party_id") != COMMISSIONER)
    )
    totals = points.group_by("party_id").agg(pl.col("amount_pence").sum()).sort("party_id")
    return {str(party): int(amount) for party, amount in totals.iter_rows()}
