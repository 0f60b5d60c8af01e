"""The parties and years of a contract: its term, providers, contract years (value or capitation,
withheld proportion), how collective money is shared among providers and when it is paid.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from obc_settle.contract.fields import (
    ContractYearName,
    Day,
    Identifier,
    Model,
    Pounds,
    Proportion,
    Text,
    UnitPounds,
)
from obc_settle.periods import MonthName, YearStart


class Term(Model):
    start: Day = Field(description="First day of the contract (the 1st of the month its years start in).")
    end: Day = Field(description="Last day of the contract (the last day of a contract year).")
    year_starts: MonthName = Field(
        default="April",
        description="The month every contract year starts in: April (years 2025-26, quarters 2025-26-Q3), "
        "January (calendar years 2025, quarters 2025-Q3) or any other month (years named 2025-26).",
    )

    @property
    def year_start(self) -> YearStart:
        """The contract's years: how its periods are named and parsed."""
        return YearStart.named(self.year_starts)


class Provider(Model):
    id: Identifier
    name: Text
    role: Literal["lead", "member", "prime", "subcontractor"]
    base_share: Proportion = Field(description="Share of the base contract value (all providers sum to 1).")


class Capitation(Model):
    rate_per_head: UnitPounds = Field(
        description="Pounds per registered person per year (at most £1,000,000)."
    )
    population: Identifier = Field(
        description="The extract indicator_id whose numerator is the registered population of each month."
    )


def _basis_form(value: Any) -> str:
    """Which form of `aspiration_basis` a value is meant as: a word (previous_year_run) or pounds, so that
    a mistake in either is reported once, as that form's mistake (tags named like validator steps,
    which the loader leaves out of the finding's path)."""
    return (
        "literal" if isinstance(value, str) and not any(ch.isdigit() for ch in value) else "function-pounds"
    )


AspirationBasis = Annotated[
    Annotated[Pounds, Tag("function-pounds")] | Annotated[Literal["previous_year_run"], Tag("literal")],
    Discriminator(_basis_form),
]
"""Pounds, or `previous_year_run` (each provider's achievement payment in the previous year's run)."""


class ContractYearTerms(Model):
    year: ContractYearName = Field(
        description="Contract year, named like 2025-26 (or 2025 when the years are calendar years: term.year_starts)."
    )
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
    aspiration_basis: AspirationBasis | None = Field(
        default=None,
        description="Points contracts: the previous year's unadjusted achievement payment, on which aspiration payments "
        "are based; previous_year_run: each provider's own, read from the previous contract year's run (run --previous-year).",
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
