"""The scenario file's model (see `obc_settle.contract.scenario` for the file and its findings).

Strict and frozen like the contract's models; no I/O here, so the engine may read it.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, model_validator

from obc_settle.contract.models import Identifier, Model, Text


class AchievementChange(Model):
    indicator: Identifier
    level: Decimal = Field(
        description="The achieved value to set, in the indicator's own units (0.66 for 66%)."
    )
    provider: Identifier | None = Field(default=None, description="Only this provider's rows (default: all).")


class ActivityChange(Model):
    factor: Decimal = Field(
        ge=0, description="Multiply the rows' numerators and denominators (and value sums and counts)."
    )
    provider: Identifier | None = None
    indicators: list[Identifier] | None = Field(
        default=None, description="Only these indicators' rows (default: all)."
    )


class SpendChange(Model):
    factor: Decimal = Field(ge=0, description="Multiply the risk/gain share's actual spend rows.")
    provider: Identifier | None = None


class Change(Model):
    achievement: AchievementChange | None = None
    activity: ActivityChange | None = None
    spend: SpendChange | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Change:
        if sum(x is not None for x in (self.achievement, self.activity, self.spend)) != 1:
            raise ValueError("each change is exactly one of achievement, activity or spend")
        return self


class Scenario(Model):
    scenario: Identifier
    description: Text | None = None
    changes: list[Change] = Field(min_length=1)
