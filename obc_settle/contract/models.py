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
    Field(description="Letters, digits, '_', '.', '-'; starts with a letter or digit; at most 64 characters."),
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


class ContractYearTerms(Model):
    year: ContractYearName = Field(description="Contract year, 1 April to 31 March, named like 2025-26.")
    contract_value: Pounds = Field(description="Contract value for the year in pounds, before outcome adjustment.")
    withheld_proportion: Proportion = Field(
        description="Share of the contract value withheld and earned only through outcomes (0 in a fee-based year)."
    )


class Band(Model):
    level: Number = Field(description="Achievement at or better than this level earns the band's score.")
    score: Proportion


class Scoring(Model):
    method: Literal["linear", "banded", "all_or_nothing", "improvement", "best_of"] = "linear"
    bands: list[Band] | None = Field(default=None, description="Required for banded scoring.")


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
    baseline: Number | None = None
    threshold: Number = Field(description="Level below which (for higher-is-better) nothing is earned.")
    target: Number = Field(description="Level at which the indicator's whole pool is earned.")
    by_year: dict[ContractYearName, YearLevels] = Field(
        default_factory=dict, description="Threshold and target for particular contract years (a trajectory)."
    )
    scoring: Scoring = Field(default_factory=Scoring)
    weight: Proportion = Field(description="Share of its domain's money (a domain's indicators sum to 1).")
    minimum_denominator: Count = 1
    small_numbers: Literal["score_zero", "score_met", "reassign_weight"] = "reassign_weight"
    attribution: Literal["collective", "individual"] = "collective"
    provider: Identifier | None = Field(default=None, description="The provider that earns an individual indicator.")
    window: Literal["period", "year_to_date", "rolling_12_months"] = "period"

    def levels_for(self, contract_year: str) -> YearLevels:
        return self.by_year.get(contract_year) or YearLevels(threshold=self.threshold, target=self.target)


class Domain(Model):
    id: Identifier
    name: Text
    weight: Proportion = Field(description="Share of the outcome pool (all domains sum to 1).")
    indicators: list[Indicator] = Field(min_length=1)


class OutcomeFramework(Model):
    domains: list[Domain] = Field(min_length=1)


class ShareRule(Model):
    method: Literal["base_share", "fixed", "by_quantity"] = "base_share"
    fixed: dict[Identifier, Proportion] | None = Field(default=None, description="For method fixed: provider -> share.")
    quantity: Identifier | None = Field(
        default=None, description="For method by_quantity: the extract indicator_id whose numerator is the quantity."
    )
    caps: dict[Identifier, Proportion] = Field(
        default_factory=dict, description="Most of each collective amount that a provider may receive."
    )


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
    outcome_framework: OutcomeFramework
    share_rule: ShareRule = Field(default_factory=ShareRule)
    unearned: Literal["retained", "redistributed"] = Field(
        default="retained", description="Unearned outcome money: kept by the commissioner, or shared among achievers."
    )

    def indicators(self) -> list[tuple[Domain, Indicator]]:
        return [(domain, indicator) for domain in self.outcome_framework.domains for indicator in domain.indicators]

    def year_terms(self, contract_year: str) -> ContractYearTerms | None:
        return next((terms for terms in self.contract_years if terms.year == contract_year), None)

    def provider_ids(self) -> list[str]:
        return sorted(provider.id for provider in self.providers)
