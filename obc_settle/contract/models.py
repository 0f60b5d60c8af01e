"""The contract language: the pydantic model of a contract file, and the public face of its parts.

A `Contract` is built from the sections of `contract.terms` (term, providers, years, share rule,
payment terms), `contract.indicators` (the outcome framework) and `contract.mechanisms` (points,
risk share, rate card, subcontracts), of the value types of `contract.fields`, and changed from a
date by `Variation`s. Every model is importable from here.

Models are frozen and strict about shape (unknown keys are errors). Numbers arrive from the YAML
reader as `int` or `Decimal` and stay exact; strings where numbers belong ("10%") are rejected.
Rules that need the whole file (weights sum to 1, years cover the term, references resolve) live in
`obc_settle.contract.checks`, which can point at the offending line.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from obc_settle.contract.fields import (
    COMMISSIONER,
    IDENTIFIER_PATTERN,
    SCHEMA_VERSION,
    ContractYearName,
    Count,
    Day,
    Identifier,
    Model,
    MonthNumber,
    Number,
    PeriodName,
    Pounds,
    Proportion,
    Text,
)
from obc_settle.contract.indicators import (
    Band,
    Confidence,
    Domain,
    Indicator,
    IndicatorData,
    IndicatorKind,
    OutcomeFramework,
    PlausibleRange,
    Prevalence,
    Scoring,
    ValueRange,
    YearLevels,
)
from obc_settle.contract.mechanisms import (
    Aspiration,
    Points,
    PointsRounding,
    RateCard,
    RateOutcome,
    RiskBand,
    RiskBudget,
    RiskQuality,
    RiskShare,
    RiskSide,
    Subcontract,
)
from obc_settle.contract.terms import Capitation, ContractYearTerms, PaymentTerms, Provider, ShareRule, Term

__all__ = [
    "COMMISSIONER",
    "IDENTIFIER_PATTERN",
    "SCHEMA_VERSION",
    "VARIED_SECTIONS",
    "Aspiration",
    "Band",
    "Capitation",
    "Confidence",
    "Contract",
    "ContractYearName",
    "ContractYearTerms",
    "Count",
    "Day",
    "Domain",
    "Identifier",
    "Indicator",
    "IndicatorData",
    "IndicatorKind",
    "Model",
    "MonthNumber",
    "Number",
    "OutcomeFramework",
    "PaymentTerms",
    "PeriodName",
    "PlausibleRange",
    "Points",
    "PointsRounding",
    "Pounds",
    "Prevalence",
    "Proportion",
    "Provider",
    "RateCard",
    "RateOutcome",
    "RiskBand",
    "RiskBudget",
    "RiskQuality",
    "RiskShare",
    "RiskSide",
    "Scoring",
    "ShareRule",
    "Subcontract",
    "Term",
    "Text",
    "ValueRange",
    "Variation",
    "YearLevels",
]


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
    currency: Literal["GBP", "USD", "EUR"] = Field(
        default="GBP",
        description="The currency of every amount: GBP (pounds and pence), USD (dollars and cents) or EUR (euros "
        "and cents). The ledger holds whole minor units (pence or cents).",
    )
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
            if variation.effective > self.term.year_start.parse_year(contract_year).start:
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
            self.term.year_start.containing(v.effective).name
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
            ids |= self.risk_share.quantity_ids()
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
