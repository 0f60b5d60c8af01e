"""The outcome framework of a contract: domains of indicators, how each is measured and scored.

An indicator says what is measured (`kind`, `direction`, `measure`), the levels that earn money
(`threshold`, `target`, by year if they change), how achievement becomes a score (`scoring`, a
method of `obc_settle.scoring_methods`; confidence intervals), what the extracts must hold for it
(`data`: who reports it, in which months, what it can plausibly be) and, in a points contract, its
points. Rules across indicators (weights sum to 1, levels agree with the direction) are in
`obc_settle.contract.checks_indicators`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from obc_settle.contract.fields import (
    ContractYearName,
    Count,
    DecimalPlaces,
    Identifier,
    Model,
    MonthNumber,
    Number,
    PeriodName,
    Pounds,
    Proportion,
    Text,
    at_least,
    at_most,
)
from obc_settle.contract.scoring_method import ScoringMethodName

MAX_EXCHANGE_SLOPE = Decimal(10)
"""Earned = available x score x slope: HVBP's slope is about 3; above 10 the money is a mistake."""
BUDGET_NEUTRAL = "budget_neutral"
"""`exchange_slope: budget_neutral`: the slope that pays back exactly the withheld pool (HVBP)."""
MAX_POINTS = Decimal(10_000)
"""An indicator's maximum points: QOF's largest is under 100, and all its points about 635."""
MIN_NATIONAL_PREVALENCE = Decimal("0.0001")
"""A national prevalence divides a practice's: below 0.01% the prevalence factor could be any size."""


def _slope_form(value: Any) -> str:
    """Which form of `exchange_slope` a value is meant as: a word (budget_neutral) or a number, so that
    a mistake in either is reported once, as that form's mistake (tags named like validator steps,
    which the loader leaves out of the finding's path)."""
    worded = isinstance(value, str) and not any(ch.isdigit() for ch in value)
    return "literal" if worded else "function-number"


ExchangeSlope = Annotated[
    Annotated[Number, at_most(MAX_EXCHANGE_SLOPE, "an exchange slope"), Tag("function-number")]
    | Annotated[Literal["budget_neutral"], Tag("literal")],
    Discriminator(_slope_form),
]
"""A number (the slope), or `budget_neutral` (computed from the pool in each settlement)."""


class Band(Model):
    level: Number = Field(description="Achievement at or better than this level earns the band's score.")
    score: Proportion


class Scoring(Model):
    method: ScoringMethodName = "linear"
    bands: list[Band] | None = Field(default=None, description="Required for banded scoring.")
    point_decimals: DecimalPlaces | None = Field(
        default=None,
        description="hvbp scoring: decimal places of achievement and improvement points (default 0, whole points).",
    )


class Confidence(Model):
    interval: Literal["wilson", "normal"] = Field(
        description="wilson: Wilson score interval of a proportion; normal: normal interval of a mean."
    )
    level: Proportion = Field(
        default=Decimal("0.95"), description="Confidence level of the interval, e.g. 0.95."
    )
    standard_deviation: Number | None = Field(
        default=None,
        description="normal interval: the standard deviation of one value (of the survey scale).",
    )


class Prevalence(Model):
    disease_register: Identifier = Field(
        description="The extract indicator_id whose numerator is the disease register."
    )
    national: Annotated[
        Number,
        at_least(MIN_NATIONAL_PREVALENCE, "a national prevalence"),
        at_most(Decimal(1), "a national prevalence (a proportion)"),
    ] = Field(description="National average prevalence, as a proportion (0.021 for 2.1%).")


class ValueRange(Model):
    """The range every value of a mean indicator lies in (a survey scored 0 to 10)."""

    min: Number
    max: Number


class PlausibleRange(Model):
    """The range an indicator's achieved value can plausibly lie in; outside it, a units mistake."""

    min: Number
    max: Number


class IndicatorData(Model):
    """What the extracts must hold for an indicator, and what its achieved value may plausibly be."""

    reported_by: list[Identifier] | None = Field(
        default=None,
        description="Providers that send rows for the indicator (default: every provider for a collective "
        "indicator, its provider for an individual one). Coverage expects a row from each in every collected month.",
    )
    collected_in: list[MonthNumber] | None = Field(
        default=None,
        description="Calendar months (1-12) whose rows carry the indicator, for data collected less often than "
        "monthly (an annual survey in October and November: [10, 11]). Default: every month.",
    )
    plausible_range: PlausibleRange | None = Field(
        default=None,
        description="The range the achieved value can plausibly lie in (a rate per 1,000 between 10 and 400); "
        "outside it the settlement is refused (D024).",
    )
    plausible_ratio_to_baseline: Number = Field(
        default=Decimal(3),
        description="An achieved value more than this many times above or below the baseline is implausible (D025): "
        "a warning on a provisional settlement, refused in a final one unless accepted.",
    )
    accept_implausible: dict[PeriodName, Text] = Field(
        default_factory=dict,
        description="Settlement periods (2025-26, 2025-26-Q3) in which an implausible achieved value is accepted, "
        "each with the reason.",
    )


class YearLevels(Model):
    threshold: Number
    target: Number


IndicatorKind = Literal["proportion", "mean", "rate_per_1000", "observed_expected", "change_from_baseline"]


class Indicator(Model):
    id: Identifier
    name: Text
    kind: IndicatorKind
    measure: Literal["proportion", "mean"] | None = Field(
        default=None, description="For change_from_baseline: what is measured against the baseline."
    )
    direction: Literal["higher_is_better", "lower_is_better"]
    unit: Text | None = None
    rate_denominator: Literal["person_years", "people_each_month"] | None = Field(
        default=None,
        description="rate_per_1000 only, and required there: what each month's denominator counts. person_years: "
        "person-years of that month (population / 12); people_each_month: the people registered that month (the "
        "register size), turned into person-years by dividing by 12.",
    )
    data: IndicatorData = Field(
        default_factory=IndicatorData, description="What extracts must hold for the indicator."
    )
    value_range: ValueRange | None = Field(
        default=None,
        description="For mean indicators: the range values lie in; extract rows whose mean falls outside it are "
        "refused as a units mistake (D018).",
    )
    baseline: Number | None = None
    threshold: Number = Field(description="Level below which (for higher-is-better) nothing is earned.")
    target: Number = Field(description="Level at which the indicator's whole pool is earned.")
    by_year: dict[ContractYearName, YearLevels] = Field(
        default_factory=dict, description="Threshold and target for particular contract years (a trajectory)."
    )
    scoring: Scoring = Field(default_factory=Scoring)
    weight: Proportion | None = Field(
        default=None,
        description="Share of its domain's money (a domain's indicators sum to 1). Not used by points.",
    )
    value: Pounds | None = Field(
        default=None,
        description="CQUIN-style: the indicator's money for the year in pounds, instead of a weight (every "
        "indicator then states one, and the values add up to each year's outcome pool).",
    )
    minimum_denominator: Count = 1
    small_numbers: Literal["score_zero", "score_met", "reassign_weight"] = "reassign_weight"
    attribution: Literal["collective", "individual"] = "collective"
    provider: Identifier | None = Field(
        default=None, description="The provider that earns an individual indicator."
    )
    window: Literal["period", "year_to_date", "rolling_12_months"] = "period"
    confidence: Confidence | None = Field(
        default=None,
        description="Count a level as met when it lies within the confidence interval of the achieved value.",
    )
    points: Annotated[Number, at_most(MAX_POINTS, "an indicator's points")] | None = Field(
        default=None, description="Points contracts: the indicator's maximum points (at most 10,000)."
    )
    prevalence: Prevalence | None = Field(
        default=None, description="Points contracts: adjust the point value for disease prevalence (APDF)."
    )

    def levels_for(self, contract_year: str) -> YearLevels:
        return self.by_year.get(contract_year) or YearLevels(threshold=self.threshold, target=self.target)


class Domain(Model):
    id: Identifier
    name: Text
    weight: Proportion | None = Field(
        default=None, description="Share of the outcome pool (all domains sum to 1). Not used by points."
    )
    indicators: list[Indicator] = Field(min_length=1)


class OutcomeFramework(Model):
    domains: list[Domain] = Field(
        default_factory=list, description="The outcome domains (none: no outcome pool)."
    )
    exchange_slope: ExchangeSlope = Field(
        default=Decimal(1),
        description="Earned = available x score x this slope (a linear exchange function); above 1, providers can "
        "earn more than was withheld. budget_neutral: the slope is computed so that the providers are paid back "
        "exactly what was withheld from them (HVBP: sum of withheld / sum of TPS/100 x withheld).",
    )

    @property
    def budget_neutral(self) -> bool:
        """The slope is computed from the pool in each settlement (`exchange_slope: budget_neutral`)."""
        return self.exchange_slope == BUDGET_NEUTRAL

    @property
    def fixed_slope(self) -> Decimal | None:
        """The slope the contract gives as a number (None when it is computed: budget_neutral)."""
        return None if isinstance(self.exchange_slope, str) else self.exchange_slope
