"""The risk/gain share as rows a reader can follow with a calculator, from budget and spend to her
share: budget, spend, the saving or overspend and its rate, the minimum rate gate, the quality
rule, each band, every limit, sequestration, loss forgiveness, the providers' part, the
commissioner's part and, on a statement, the provider's share.

Each row is a step, how it is found (the arithmetic, in words and figures) and a value. The value
column holds only amounts on the way to the share: a row that changes the amount shows the new
amount, a row that does not (a gate met, a limit not reached) leaves it empty and says so in
words, so that a limit never reads as money paid. A year in which nothing is shared says why.

Read from the `derivation` of a `risk_share` line (`obc_settle.ledger.derivation`), which holds
the exact figures the engine computed; nothing here derives or rounds money. Amounts are written
in the currency shown (`obc_settle.money.shown_in`): whole pence as `£1,234.56`, an exact part of a
penny with the decimals it has (at most six, then `...`). Rates and scores are percentages with the
decimals the calculation needs (`rate_text`). Used by the statement (HTML, PDF, Excel) and the
commissioner's report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from obc_settle.ledger.derivation import derivation_of
from obc_settle.money import format_pounds, round_half_up
from obc_settle.render import labels
from obc_settle.render.risk_share_figures import RiskShareField, count_text, exact_amount, rate_text
from obc_settle.render.risk_share_steps import after_caps, bands, caps, quality

__all__ = ["RiskShareField", "RiskShareFields", "exact_amount", "provider_risk_share", "risk_share_fields"]


@dataclass(frozen=True)
class RiskShareFields:
    what: str
    """`saving`, `overspend` or `no difference`."""
    fields: tuple[RiskShareField, ...]
    providers_part_pence: int
    commissioner_part_pence: int


_MAJOR_AMOUNT = re.compile(r"(?<![\w.])(\d+\.\d\d) pounds\b")


def _basis(text: str) -> str:
    """The budget's basis from the engine (`12000.00 pounds per head ...`), its amounts as money."""
    text = _MAJOR_AMOUNT.sub(lambda m: format_pounds(round_half_up(Fraction(m.group(1)) * 100)), text)
    return labels.sentence(text.replace(" x ", " × "))


def risk_share_fields(
    derivation: dict[str, Any], share: object = None, amount_pence: int | None = None
) -> RiskShareFields | None:
    """The rows of a risk-share line's derivation; with `share` and `amount_pence` (a provider's
    line) the provider's own share last. None for a line without a derivation."""
    if not derivation or "budget_pence" not in derivation:
        return None
    what = str(derivation["what"])
    budget, spend, difference = (
        derivation["budget_pence"],
        derivation["spend_pence"],
        derivation["difference_pence"],
    )
    rate = derivation.get("rate")
    gate = derivation.get("gate") or {}
    order = f"{format_pounds(max(budget, spend))} − {format_pounds(min(budget, spend))}"
    of_budget = (
        f", {rate_text(rate, against=gate.get('minimum_rate'))} of the budget" if rate is not None else ""
    )
    fields = [
        RiskShareField("Budget", format_pounds(budget), _basis(str(derivation["budget_basis"]))),
        RiskShareField("Actual spend", format_pounds(spend), "Spend of the year's months."),
        RiskShareField(
            what.capitalize() if what != "no difference" else "Difference",
            format_pounds(difference),
            f"{'Spend − budget' if spend > budget else 'Budget − spend'}: {order}{of_budget}.",
        ),
    ]
    if derivation.get("reason"):
        fields.append(RiskShareField("Not shared", "", labels.sentence(str(why_nothing(derivation)))))
    fields += _gate(derivation)
    complement = (derivation.get("quality") or {}).get("method") == "complement"
    fields += quality(derivation) if complement else []
    fields += bands(derivation)
    fields += [] if complement else quality(derivation)
    fields += caps(derivation)
    fields += after_caps(derivation)
    fields += _parts(derivation)
    part = derivation["providers_part_pence"]
    if share is not None and amount_pence is not None:
        fields.append(
            RiskShareField(
                "Your share",
                format_pounds(amount_pence),
                f"{rate_text(share)} of the providers' part {format_pounds(part)}, split among the "
                f"providers by largest remainder (to the {labels.smallest_coin()}).",
            )
        )
    return RiskShareFields(what, tuple(fields), part, derivation["commissioner_part_pence"])


def _gate(derivation: dict[str, Any]) -> list[RiskShareField]:
    gate = derivation.get("gate")
    if not gate:
        return []
    rate = derivation["rate"]
    minimum = rate_text(gate["minimum_rate"], against=rate)
    where = "set in the contract"
    if gate.get("population") is not None:
        where = (
            f"read from {gate['source']} at a population of {count_text(gate['population'])}, the mean "
            f"monthly count of {gate['population_indicator']} (person-months / months)"
        )
    what = f"the {derivation['what']}, {rate_text(rate, against=gate['minimum_rate'])} of the budget,"
    if gate["met"]:
        return [
            RiskShareField(
                "Minimum rate", "", f"Met: {what} is at or above the minimum rate {minimum}, {where}."
            )
        ]
    return [
        RiskShareField(
            "Minimum rate",
            format_pounds(0),
            f"Not met: {what} is below the minimum rate {minimum}, {where}, so nothing is shared.",
        )
    ]


_REASONS = {"no difference": "spend equals the budget", "no budget": "the budget is nil"}
_SIDE_NOT_SHARED = re.compile(r"\((the contract shares no \w+)\)")


def why_nothing(derivation: dict[str, Any]) -> str | None:
    """Why nothing is shared, in words (None when something is, or the part merely rounds to 0)."""
    reason = derivation.get("reason")
    if reason:
        side = _SIDE_NOT_SHARED.search(str(reason))
        return _REASONS.get(str(reason), side.group(1) if side else str(reason))
    what = derivation["what"]
    gate = derivation.get("gate") or {}
    if gate and not gate.get("met"):
        return f"the {what} is below the minimum rate"
    quality = derivation.get("quality") or {}
    if quality.get("method") == "gate" and not quality.get("met"):
        return "the quality score is below the minimum the contract sets"
    forgiven = derivation.get("loss_forgiven") or {}
    if forgiven and Fraction(str(forgiven["proportion"])) == 1:
        return "the whole shared loss is forgiven"
    return None


def _parts(derivation: dict[str, Any]) -> list[RiskShareField]:
    what = derivation["what"]
    part, given = derivation["providers_part_pence"], derivation["paid_to_providers_pence"]
    difference = derivation["difference_pence"]
    exact = derivation.get("providers_part_exact")
    side = "paid to" if part >= 0 else "recovered from"
    why = why_nothing(derivation) if part == 0 else None
    if why is not None:
        working = f"Nothing is shared: {why}."
    elif exact is not None and Fraction(str(exact)).denominator != 1:
        working = f"{exact_amount(exact)} rounded once to the {labels.smallest_coin()}, {side} the providers."
    else:
        working = f"{format_pounds(abs(part))}, {side} the providers."
    if part < 0:
        working += " Shown negative: the providers pay it."
    kept = derivation["commissioner_part_pence"]
    owed = f"{format_pounds(difference)} − {format_pounds(abs(given))}"
    return [
        RiskShareField("Providers' part", format_pounds(part), working),
        RiskShareField(
            "Commissioner's part",
            format_pounds(kept),
            f"Kept of the saving: {owed}."
            if what == "saving"
            else f"Borne of the overspend: −({owed})."
            if what == "overspend"
            else "Nothing to keep or bear.",
        ),
    ]


def not_settled(risk_years: list[str] | None, contract_year: str, year_end: bool) -> RiskShareFields:
    """Why a contract with a risk/gain share has none on this settlement, in words: it is settled
    only on a whole contract year, and only in the years the contract names (`risk_share.years`).
    For the statement and the report of a settlement without a `risk_share` line."""
    if risk_years is not None and contract_year not in risk_years:
        why = (
            f"The contract shares savings and overspends only in {', '.join(risk_years)}, "
            f"not in {contract_year}: nothing is shared this year."
        )
    elif not year_end:
        why = f"Settled once, at the end of the contract year {contract_year}, on the whole year's spend."
    else:
        why = "Nothing is shared this year."
    row = RiskShareField("Not shared", "", why)
    return RiskShareFields("saving or overspend", (row,), 0, 0)


def provider_risk_share(rows: list[dict[str, Any]]) -> RiskShareFields | None:
    """The rows of a provider's risk-share line (its rows of the ledger), its own share last."""
    line = next((row for row in rows if row["line_type"] == "risk_share" and row.get("derivation")), None)
    if line is None:
        return None
    share = line.get("share_exact") or line.get("share")
    return risk_share_fields(derivation_of(line["derivation"]), share, int(line["amount_pence"]))
