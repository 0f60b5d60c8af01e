"""The payment mechanisms of real schemes a contract may add to its outcome pool: points (QOF),
risk/gain share against a budget (MSSP), an outcomes rate card, and subcontracts of a prime.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from obc_settle.contract.fields import (
    ContractYearName,
    DecimalPlaces,
    Identifier,
    Model,
    Number,
    Pounds,
    Proportion,
    Text,
    UnitPounds,
    at_least,
    at_most,
)
from obc_settle.contract.terms import ShareRule

MAX_UPRATING = Decimal(10)
"""The largest uprating index: an aspiration multiplied by more than 10 is a mistake, not a scheme."""


class PointsRounding(Model):
    points: DecimalPlaces | None = Field(
        default=2, description="Decimal places of each indicator's points (null: unrounded)."
    )
    cpi: DecimalPlaces | None = Field(
        default=None, description="Decimal places of the contractor population index."
    )
    apdf: DecimalPlaces | None = Field(default=None, description="Decimal places of the prevalence factor.")
    point_value: DecimalPlaces | None = Field(
        default=None, description="Decimal places of the adjusted point value (point value x CPI x APDF)."
    )


class Aspiration(Model):
    proportion: Proportion = Field(
        description="Share of the year's aspiration_basis paid on account, in monthly twelfths."
    )
    uprating: Annotated[Number, at_most(MAX_UPRATING, "an uprating index")] = Field(
        default=Decimal(1), description="An uprating index the aspiration is multiplied by (1.0 in 2006/07)."
    )


class Points(Model):
    point_value: UnitPounds = Field(description="Pounds per point, before adjustment (at most £1,000,000).")
    list_size: Identifier = Field(
        description="The extract indicator_id whose numerator is the provider's list size."
    )
    national_list_size: Annotated[Number, at_least(Decimal(1), "a national list size")] = Field(
        description="National average list size: CPI = list size / this."
    )
    rounding: PointsRounding = Field(default_factory=PointsRounding)
    aspiration: Aspiration | None = None


class RiskBudget(Model):
    basis: Literal["contract_value", "amount", "capitation"] = "contract_value"
    amount: Pounds | None = Field(
        default=None, description="basis amount: the budget for the year in pounds."
    )
    rate_per_head: UnitPounds | None = Field(
        default=None, description="basis capitation: pounds per head per year (at most £1,000,000)."
    )
    population: Identifier | None = Field(
        default=None, description="basis capitation: the population's extract indicator_id."
    )


class RiskBand(Model):
    up_to: Proportion | None = Field(
        default=None, description="Upper end of the band as a proportion of the budget (none: no upper end)."
    )
    up_to_amount: Pounds | None = Field(
        default=None,
        description="Upper end of the band in pounds of difference (instead of up_to; a side's bands use one or the other).",
    )
    provider_share: Proportion = Field(
        description="Providers' share of the savings (or overspend) inside the band."
    )


class PopulationRate(Model):
    population: Annotated[Number, at_least(Decimal(0), "a population")] = Field(
        description="A number of people (assigned beneficiaries)."
    )
    rate: Proportion = Field(description="The minimum rate at exactly that population.")


class MinimumRateTable(Model):
    """A minimum savings (or loss) rate that falls as the population grows (MSSP, 42 CFR 425.604(b)):
    straight lines between the points, flat beyond the first and the last."""

    table: Literal["mssp_one_sided"] | None = Field(
        default=None,
        description="A published table: mssp_one_sided, the 425.604(b) minimum savings rate by assigned beneficiaries.",
    )
    points: list[PopulationRate] | None = Field(
        default=None, description="Or the table's own points, by rising population."
    )
    population: Identifier | None = Field(
        default=None,
        description="The extract indicator_id counting the population each month (default: the budget's population); "
        "the population is the mean of the monthly counts over the year (person-months / months).",
    )


class RevenueLimit(Model):
    proportion: Proportion = Field(description="The limit as a proportion of the revenue figure.")
    amount: Pounds | None = Field(default=None, description="The revenue figure in pounds.")
    indicator: Identifier | None = Field(
        default=None,
        description="Or the extract indicator_id whose numerator is the revenue of each month, in pounds (summed over the year).",
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
    indicators: list[Identifier] | None = Field(
        default=None,
        description="The quality score of this side from these indicators only (default: the whole outcome framework).",
    )
    domains: list[Identifier] | None = Field(
        default=None, description="Or from the indicators of these domains (with indicators: both)."
    )


class RiskSide(Model):
    minimum_rate: Proportion = Field(
        default=Decimal(0),
        description="Nothing is shared below this proportion of the budget; at or above it, from the first pound.",
    )
    minimum_rate_table: MinimumRateTable | None = Field(
        default=None,
        description="Or a minimum rate read from a table by the population (instead of minimum_rate).",
    )
    bands: list[RiskBand] = Field(min_length=1)
    cap: Proportion | None = Field(
        default=None, description="Most the providers' part may be, as a proportion of the budget."
    )
    cap_amount: Pounds | None = Field(default=None, description="Most the providers' part may be, in pounds.")
    cap_revenue: RevenueLimit | None = Field(
        default=None, description="Most the providers' part may be, as a proportion of a revenue figure."
    )
    quality: RiskQuality | None = None
    sequestration: Proportion | None = Field(
        default=None,
        description="A reduction of the providers' part after the caps (sequestration: 0.02 is 2%).",
    )
    loss_forgiven: Proportion | None = Field(
        default=None,
        description="losses: the proportion of the shared loss forgiven after the caps (1: all, as in a disaster year).",
    )


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

    def quantity_ids(self) -> set[str]:
        """The extract ids the risk share reads: spend, the budget's population, a minimum-rate
        table's population, a revenue limit's revenue and the share rule's quantity."""
        ids = {self.spend}
        if self.budget.population:
            ids.add(self.budget.population)
        if self.share_rule is not None and self.share_rule.quantity:
            ids.add(self.share_rule.quantity)
        for side in (self.gains, self.losses):
            if side is None:
                continue
            if side.minimum_rate_table is not None and side.minimum_rate_table.population:
                ids.add(side.minimum_rate_table.population)
            if side.cap_revenue is not None and side.cap_revenue.indicator:
                ids.add(side.cap_revenue.indicator)
        return ids


class RateOutcome(Model):
    id: Identifier
    name: Text
    price: UnitPounds = Field(
        description="Pounds paid for the outcome, per participant (at most £1,000,000)."
    )


class RateCard(Model):
    outcomes: list[RateOutcome] = Field(min_length=1)
    cap_per_participant: UnitPounds | None = None
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
