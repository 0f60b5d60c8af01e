"""The contract language: pydantic models of a contract file.

Models are frozen and strict about shape (unknown keys are errors). Numbers arrive from the YAML
reader as `int` or `Decimal` and stay exact; strings where numbers belong ("10%") are rejected.
Rules that need the whole file (weights sum to 1, years cover the term, references resolve) live in
`obc_settle.contract.checks`, which can point at the offending line.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    WithJsonSchema,
)

from obc_settle.periods import ContractYear

SCHEMA_VERSION = 1
COMMISSIONER = "commissioner"
"""Reserved party id: the commissioner's lines in the ledger. No provider may use it."""

IDENTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
Identifier = Annotated[
    str,
    Strict(),
    StringConstraints(pattern=IDENTIFIER_PATTERN),
    Field(
        description="Letters, digits, '_', '.', '-'; starts with a letter or digit; at most 64 characters."
    ),
]
Text = Annotated[str, Strict(), StringConstraints(min_length=1, max_length=500)]


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f"the text {value!r}"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"


def _exact_number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        hint = ""
        if isinstance(value, str) and value.strip().endswith("%"):
            try:
                hint = f" (write {Decimal(value.strip()[:-1]) / 100}, not {value!r})"
            except ArithmeticError:
                hint = " (write a proportion such as 0.1, not a percentage)"
        raise ValueError(f"expected a number, got {_describe(value)}{hint}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError("expected a finite number")
    return Decimal(value)


def _proportion(value: Decimal) -> Decimal:
    if not Decimal(0) <= value <= Decimal(1):
        raise ValueError(f"{value} is not a proportion between 0 and 1")
    return value


def _money(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError(f"{value} is negative")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"{value} has more than two decimal places (amounts are in pounds and pence)")
    return value


def _contract_year(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a contract year like '2025-26', got {_describe(value)}")
    return ContractYear.parse(value).name


Number = Annotated[Decimal, BeforeValidator(_exact_number), WithJsonSchema({"type": "number"})]
Proportion = Annotated[
    Decimal,
    BeforeValidator(_exact_number),
    AfterValidator(_proportion),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1}),
]
Pounds = Annotated[
    Decimal,
    BeforeValidator(_exact_number),
    AfterValidator(_money),
    WithJsonSchema({"type": "number", "minimum": 0, "multipleOf": 0.01}),
]
Count = Annotated[int, Strict(), Field(ge=0)]
Day = Annotated[datetime.date, Strict()]
ContractYearName = Annotated[
    str, BeforeValidator(_contract_year), WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{2}$"})
]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Term(Model):
    start: Day = Field(description="First day of the contract (a 1 April).")
    end: Day = Field(description="Last day of the contract (a 31 March).")


class Provider(Model):
    id: Identifier
    name: Text
    role: Literal["lead", "member", "prime", "subcontractor"]
    base_share: Proportion = Field(description="Share of the base contract value (all providers sum to 1).")


class Capitation(Model):
    rate_per_head: Pounds = Field(description="Pounds per registered person per year.")
    population: Identifier = Field(
        description="The extract indicator_id whose numerator is the registered population of each month."
    )


class ContractYearTerms(Model):
    year: ContractYearName = Field(description="Contract year, 1 April to 31 March, named like 2025-26.")
    contract_value: Pounds | None = Field(
        default=None,
        description="Contract value for the year in pounds, before outcome adjustment (or give capitation).",
    )
    capitation: Capitation | None = Field(
        default=None,
        description="Contract value as a rate per head per year times the registered population.",
    )
    withheld_proportion: Proportion = Field(
        description="Share of the contract value withheld and earned only through outcomes (0 in a fee-based year)."
    )
    aspiration_basis: Pounds | None = Field(
        default=None,
        description="Points contracts: the previous year's unadjusted achievement payment, on which aspiration payments are based.",
    )


class Band(Model):
    level: Number = Field(description="Achievement at or better than this level earns the band's score.")
    score: Proportion


class Scoring(Model):
    method: Literal["linear", "banded", "all_or_nothing", "improvement", "best_of", "hvbp"] = "linear"
    bands: list[Band] | None = Field(default=None, description="Required for banded scoring.")
    point_decimals: Count | None = Field(
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
    national: Number = Field(description="National average prevalence, as a proportion (0.021 for 2.1%).")


class ValueRange(Model):
    """The range every value of a mean indicator lies in (a survey scored 0 to 10)."""

    min: Number
    max: Number


MonthNumber = Annotated[int, Strict(), Field(ge=1, le=12)]
PeriodName = Annotated[str, Strict(), StringConstraints(pattern=r"^\d{4}-\d{2}(-Q[1-4])?$")]


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
    points: Number | None = Field(
        default=None, description="Points contracts: the indicator's maximum points."
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
    exchange_slope: Number = Field(
        default=Decimal(1),
        description="Earned = available x score x this slope (a linear exchange function); above 1, providers can earn more than was withheld.",
    )


class ShareRule(Model):
    method: Literal["base_share", "fixed", "by_quantity"] = "base_share"
    fixed: dict[Identifier, Proportion] | None = Field(
        default=None, description="For method fixed: provider -> share."
    )
    quantity: Identifier | None = Field(
        default=None,
        description="For method by_quantity: the extract indicator_id whose numerator is the quantity.",
    )
    caps: dict[Identifier, Proportion] = Field(
        default_factory=dict, description="Most of each collective amount that a provider may receive."
    )


class PaymentTerms(Model):
    base_instalments: Literal["quarterly", "monthly"] = Field(
        default="quarterly",
        description="How a quarter's base payment is paid: in one instalment or in three monthly ones.",
    )
    outcome_on_account: Literal["each_quarter", "year_to_date", "in_full", "year_end"] = Field(
        default="each_quarter",
        description="How outcome money is paid on account in-year; the year-end settlement reconciles.",
    )


class PointsRounding(Model):
    points: Count | None = Field(
        default=2, description="Decimal places of each indicator's points (null: unrounded)."
    )
    cpi: Count | None = Field(default=None, description="Decimal places of the contractor population index.")
    apdf: Count | None = Field(default=None, description="Decimal places of the prevalence factor.")
    point_value: Count | None = Field(
        default=None, description="Decimal places of the adjusted point value (point value x CPI x APDF)."
    )


class Aspiration(Model):
    proportion: Proportion = Field(
        description="Share of the year's aspiration_basis paid on account, in monthly twelfths."
    )
    uprating: Number = Field(
        default=Decimal(1), description="An uprating index the aspiration is multiplied by (1.0 in 2006/07)."
    )


class Points(Model):
    point_value: Pounds = Field(description="Pounds per point, before adjustment.")
    list_size: Identifier = Field(
        description="The extract indicator_id whose numerator is the provider's list size."
    )
    national_list_size: Number = Field(description="National average list size: CPI = list size / this.")
    rounding: PointsRounding = Field(default_factory=PointsRounding)
    aspiration: Aspiration | None = None


class RiskBudget(Model):
    basis: Literal["contract_value", "amount", "capitation"] = "contract_value"
    amount: Pounds | None = Field(
        default=None, description="basis amount: the budget for the year in pounds."
    )
    rate_per_head: Pounds | None = Field(
        default=None, description="basis capitation: pounds per head per year."
    )
    population: Identifier | None = Field(
        default=None, description="basis capitation: the population's extract indicator_id."
    )


class RiskBand(Model):
    up_to: Proportion | None = Field(
        default=None, description="Upper end of the band as a proportion of the budget (none: no upper end)."
    )
    provider_share: Proportion = Field(
        description="Providers' share of the savings (or overspend) inside the band."
    )


class RiskQuality(Model):
    method: Literal["scale", "gate", "complement"] = Field(
        description=(
            "scale: the providers' share times the quality score; gate: nothing unless the score reaches minimum_score; "
            "complement (losses): each band's share becomes 1 - share x score, held between minimum_share and maximum_share."
        )
    )
    minimum_score: Proportion | None = None
    minimum_share: Proportion | None = Field(
        default=None, description="complement: the lowest share of losses."
    )
    maximum_share: Proportion | None = Field(
        default=None, description="complement: the highest share of losses."
    )


class RiskSide(Model):
    minimum_rate: Proportion = Field(
        default=Decimal(0),
        description="Nothing is shared below this proportion of the budget; at or above it, from the first pound.",
    )
    bands: list[RiskBand] = Field(min_length=1)
    cap: Proportion | None = Field(
        default=None, description="Most the providers' part may be, as a proportion of the budget."
    )
    quality: RiskQuality | None = None


class RiskShare(Model):
    spend: Identifier = Field(
        description="The extract indicator_id whose numerator is the actual spend of each month, in pounds."
    )
    budget: RiskBudget = Field(default_factory=RiskBudget)
    gains: RiskSide | None = Field(default=None, description="How savings (spend below budget) are shared.")
    losses: RiskSide | None = Field(
        default=None, description="How overspends (spend above budget) are shared."
    )
    share_rule: ShareRule | None = Field(
        default=None, description="Each provider's part (default: the contract's share rule)."
    )
    years: list[ContractYearName] | None = Field(
        default=None, description="The contract years it applies to (default: all)."
    )


class RateOutcome(Model):
    id: Identifier
    name: Text
    price: Pounds = Field(description="Pounds paid for the outcome, per participant.")


class RateCard(Model):
    outcomes: list[RateOutcome] = Field(min_length=1)
    cap_per_participant: Pounds | None = None
    cap_total: Pounds | None = Field(default=None, description="Most paid over the whole term.")


class Subcontract(Model):
    prime: Identifier
    subcontractor: Identifier
    share: Proportion = Field(
        description="Share of the prime's outcome money on the indicators passed to the subcontractor."
    )
    indicators: list[Identifier] | None = Field(
        default=None, description="The indicators (default: all the prime earns on)."
    )


class Variation(Model):
    version: Text = Field(description="The contract version from the effective date.")
    effective: Day = Field(description="First day the varied terms apply (a 1 April inside the term).")
    description: Text | None = None
    providers: list[Provider] | None = None
    outcome_framework: OutcomeFramework | None = None
    share_rule: ShareRule | None = None
    unearned: Literal["retained", "redistributed"] | None = None
    payment_terms: PaymentTerms | None = None
    risk_share: RiskShare | None = None
    points: Points | None = None
    rate_card: RateCard | None = None
    subcontracts: list[Subcontract] | None = None


VARIED_SECTIONS = (
    "providers",
    "outcome_framework",
    "share_rule",
    "unearned",
    "payment_terms",
    "risk_share",
    "points",
    "rate_card",
    "subcontracts",
)
"""The top-level sections a variation may replace."""


class Contract(Model):
    schema_version: Literal[1]
    id: Identifier
    name: Text
    version: Text = "1"
    commissioners: list[Text] = Field(min_length=1)
    population_segment: Text
    model: Literal["alliance", "prime_contractor", "lead_provider", "joint_venture"]
    currency: Literal["GBP"] = "GBP"
    term: Term
    providers: list[Provider] = Field(min_length=1)
    contract_years: list[ContractYearTerms] = Field(min_length=1)
    outcome_framework: OutcomeFramework = Field(default_factory=OutcomeFramework)
    share_rule: ShareRule = Field(default_factory=ShareRule)
    unearned: Literal["retained", "redistributed"] = Field(
        default="retained",
        description="Unearned outcome money: kept by the commissioner, or shared among achievers.",
    )
    payment_terms: PaymentTerms = Field(default_factory=PaymentTerms)
    missing_cells: Literal["refuse", "measure_what_arrived"] = Field(
        default="refuse",
        description="A final (contract-year) settlement with provider x indicator x month cells missing from the "
        "extracts: refuse it (D023), or measure each indicator on the cells that arrived. Provisional settlements "
        "always settle and list the missing cells.",
    )
    risk_share: RiskShare | None = None
    points: Points | None = None
    rate_card: RateCard | None = None
    subcontracts: list[Subcontract] = Field(default_factory=list)
    variations: list[Variation] = Field(default_factory=list)

    def indicators(self) -> list[tuple[Domain, Indicator]]:
        return [
            (domain, indicator)
            for domain in self.outcome_framework.domains
            for indicator in domain.indicators
        ]

    def year_terms(self, contract_year: str) -> ContractYearTerms | None:
        return next((terms for terms in self.contract_years if terms.year == contract_year), None)

    def provider_ids(self) -> list[str]:
        return sorted(provider.id for provider in self.providers)

    def in_force(self, contract_year: str) -> Contract:
        """The terms in force in a contract year: the contract as varied by every variation
        effective on or before the year's 1 April. `version` names the version applied."""
        varied: dict[str, Any] = {}
        version = self.version
        for variation in sorted(self.variations, key=lambda v: v.effective):
            if variation.effective > ContractYear.parse(contract_year).start:
                break
            version = variation.version
            for section in VARIED_SECTIONS:
                value = getattr(variation, section)
                if value is not None:
                    varied[section] = value
        if not self.variations:
            return self
        return self.model_copy(update={**varied, "version": version, "variations": []})

    def versions(self) -> list[Contract]:
        """The terms of every version, the original first."""
        base = self.model_copy(update={"variations": []})
        years = [
            ContractYear.containing(v.effective).name
            for v in sorted(self.variations, key=lambda v: v.effective)
        ]
        return [base, *(self.in_force(year) for year in years)]

    def extract_ids(self) -> set[str]:
        """Every indicator_id an extract may carry under any version: indicators and quantities."""
        ids: set[str] = set()
        for terms in self.versions():
            ids |= {indicator.id for _, indicator in terms.indicators()}
            ids |= terms.quantity_ids()
        return ids

    def quantity_ids(self) -> set[str]:
        """Extract ids that are quantities, not outcome indicators (populations, spend, registers)."""
        ids = {self.share_rule.quantity} if self.share_rule.quantity else set()
        ids |= {terms.capitation.population for terms in self.contract_years if terms.capitation is not None}
        if self.risk_share is not None:
            ids.add(self.risk_share.spend)
            if self.risk_share.budget.population:
                ids.add(self.risk_share.budget.population)
            if self.risk_share.share_rule is not None and self.risk_share.share_rule.quantity:
                ids.add(self.risk_share.share_rule.quantity)
        if self.points is not None:
            ids.add(self.points.list_size)
            ids |= {
                indicator.prevalence.disease_register
                for _, indicator in self.indicators()
                if indicator.prevalence
            }
        return ids

    def all_provider_ids(self) -> set[str]:
        """Every provider of any version."""
        return {provider.id for terms in self.versions() for provider in terms.providers}

    def value_ranges(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Declared value ranges of mean indicators, of any version, by indicator id."""
        return {
            indicator.id: (indicator.value_range.min, indicator.value_range.max)
            for terms in self.versions()
            for _, indicator in terms.indicators()
            if indicator.value_range is not None
        }

    def proportion_indicator_ids(self) -> set[str]:
        """Indicators of any version whose numerator may not exceed its denominator."""
        return {
            indicator.id
            for terms in self.versions()
            for _, indicator in terms.indicators()
            if indicator.kind == "proportion"
            or (indicator.kind == "change_from_baseline" and indicator.measure == "proportion")
        }
