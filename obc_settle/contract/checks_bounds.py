"""Whole-file rules on how big a contract may be: how many providers, indicators, contract years
and variations it lists, and what its amounts of money add up to.

Each value is bounded on its own where it is read (`contract.fields`: an amount at most £10^12,
C031; a multiplier at most its maximum, C032) and each list or mapping where the file is parsed
(`contract.yaml_source`: at most 1,000 entries, 32 levels deep; C030, C007). These rules add the
bounds that need the whole file. The limits are far above any real contract (docs/contract-reference.md
states them) and keep every later stage, from the checks to the engine's 64-bit columns of pence,
within what it holds exactly and in a moment.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from obc_settle.contract.fields import MAX_POUNDS
from obc_settle.contract.rule_reader import Findings, indicator_nodes, one_rule, usable_values

MAX_PROVIDERS = 1000
MAX_INDICATORS = 200
"""Outcome indicators in all domains together (QOF, the largest framework, has about 75)."""
MAX_CONTRACT_YEARS = 30
MAX_VARIATIONS = 30
"""At most one a contract year (C029)."""


def check_counts(contract: Any, findings: Findings) -> None:
    for key, limit, what in (
        ("providers", MAX_PROVIDERS, "providers"),
        ("contract_years", MAX_CONTRACT_YEARS, "contract years"),
    ):
        with one_rule():
            listed = len(getattr(contract, key))
            if listed > limit:
                findings.add(
                    (key,), "C030", f"{listed:,} {what} are listed; a contract may have at most {limit:,}"
                )
    with one_rule():
        indicators = sum(1 for _ in indicator_nodes(contract))
        if indicators > MAX_INDICATORS:
            findings.add(
                ("outcome_framework", "domains"),
                "C030",
                f"{indicators:,} indicators are listed in all; a contract may have at most {MAX_INDICATORS:,}",
            )


def check_variation_count(contract: Any, findings: Findings) -> None:
    listed = len(contract.variations)
    if listed > MAX_VARIATIONS:
        findings.add(
            ("variations",),
            "C030",
            f"{listed:,} variations are listed; a contract may have at most {MAX_VARIATIONS:,}",
        )


def check_amount_sums(contract: Any, findings: Findings) -> None:
    """The contract's value over all its years is an amount too, held to the same limit."""
    values = [value for value in usable_values(contract.contract_years, "contract_value") if value]
    total = sum(values, Decimal(0))
    if total > MAX_POUNDS:
        findings.add(
            ("contract_years",),
            "C031",
            f"the contract values of all years add up to {total:,}, above {MAX_POUNDS:,.2f} "
            "(10^12), the most the amounts of a contract may add up to",
        )


CHECKS = (check_counts, check_variation_count, check_amount_sums)
"""In the order they run, after those of `checks_mechanisms`."""
