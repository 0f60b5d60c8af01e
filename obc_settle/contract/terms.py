"""The parties and years of a contract: its term, providers, contract years (value or capitation,
withheld proportion), how collective money is shared among providers and when it is paid.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

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


class Term(Model):
    start: Day = Field(description="First day of the contract (a 1 April).")
    end: Day = Field(description="Last day of the contract (a 31 March).")


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
