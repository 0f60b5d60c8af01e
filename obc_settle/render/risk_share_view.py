"""The risk/gain share as fields a reader can check with a calculator: budget, spend, the saving or
overspend and its rate, the minimum rate gate (met or not, and the population it was read at),
each band (its range, share and part), quality, every cap (and which applied), sequestration,
loss forgiveness, the providers' part, the commissioner's part and, on a statement, the
provider's share.

Read from the `derivation` of a `risk_share` line (`obc_settle.ledger.derivation`), which holds
the exact figures the engine computed; nothing here derives or rounds money. Amounts are shown in
pounds: whole pence as `£1,234.56`, an exact part of a penny with the decimals it has (at most
six, then `...`). Used by the statement (HTML, PDF, Excel) and the commissioner's report.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from obc_settle.ledger.derivation import derivation_of
from obc_settle.money import format_pounds
from obc_settle.render import labels


@dataclass(frozen=True)
class RiskShareField:
    label: str
    value: str
    working: str
    """How the value is found from the fields above it (or where it comes from)."""


@dataclass(frozen=True)
class RiskShareFields:
    what: str
    """`saving`, `overspend` or `no difference`."""
    fields: tuple[RiskShareField, ...]
    providers_part_pence: int
    commissioner_part_pence: int


def pounds(text: object) -> str:
    """An exact amount of pence (ledger text such as `1234`, `12345/2`) in pounds."""
    pence = Fraction(str(text))
    if pence.denominator == 1:
        return format_pounds(int(pence))
    sign = "-" if pence < 0 else ""
    shown = f"{float(abs(pence) / 100):,.6f}".rstrip("0")
    ends = (abs(pence) / 100 * 10**6).denominator == 1
    return f"{sign}£{shown}{'' if ends else '...'}"


def percent(text: object) -> str:
    """An exact proportion (`0.025`, `1/3`) as a percentage."""
    return labels.percent(Fraction(str(text)), 6)


def risk_share_fields(
    derivation: dict[str, Any], share: object = None, amount_pence: int | None = None
) -> RiskShareFields | None:
    """The fields of a risk-share line's derivation; with `share` and `amount_pence` (a provider's
    line) the provider's own share last. None for a line without a derivation."""
    if not derivation or "budget_pence" not in derivation:
        return None
    what = str(derivation["what"])
    fields = [
        RiskShareField(
            "Budget", format_pounds(derivation["budget_pence"]), labels.sentence(derivation["budget_basis"])
        ),
        RiskShareField(
            "Actual spend", format_pounds(derivation["spend_pence"]), "Spend of the year's months."
        ),
    ]
    budget, spend, difference = (
        derivation["budget_pence"],
        derivation["spend_pence"],
        derivation["difference_pence"],
    )
    rate = derivation.get("rate")
    order = (
        f"{format_pounds(budget)} − {format_pounds(spend)}"
        if budget >= spend
        else f"{format_pounds(spend)} − {format_pounds(budget)}"
    )
    fields.append(
        RiskShareField(
            what.capitalize() if what != "no difference" else "Difference",
            format_pounds(difference),
            f"{order}" + (f", {percent(rate)} of the budget." if rate is not None else "."),
        )
    )
    if derivation.get("reason"):
        fields.append(RiskShareField("Shared", "No", labels.sentence(derivation["reason"])))
    fields += _gate(derivation)
    fields += _bands(derivation)
    fields += _quality(derivation)
    fields += _caps(derivation)
    fields += _adjustments(derivation)
    part, given = derivation["providers_part_pence"], derivation["paid_to_providers_pence"]
    exact = derivation.get("providers_part_exact")
    side = "paid to" if part >= 0 else "recovered from"
    fields.append(
        RiskShareField(
            "Providers' part",
            format_pounds(part),
            f"{pounds(exact)} rounded once to the penny, {side} the providers."
            if exact is not None
            else f"{side.capitalize()} the providers.",
        )
    )
    kept = derivation["commissioner_part_pence"]
    fields.append(
        RiskShareField(
            "Commissioner's part",
            format_pounds(kept),
            (
                f"Kept of the saving: {format_pounds(difference)} − {format_pounds(abs(given))}."
                if what == "saving"
                else f"Borne of the overspend: −({format_pounds(difference)} − {format_pounds(abs(given))})."
                if what == "overspend"
                else "Nothing to keep or bear."
            ),
        )
    )
    if share is not None and amount_pence is not None:
        fields.append(
            RiskShareField(
                "Your share",
                format_pounds(amount_pence),
                f"{labels.percent(share)} of the providers' part {format_pounds(part)}, split among the providers by largest remainder.",
            )
        )
    return RiskShareFields(what, tuple(fields), part, kept)


def _gate(derivation: dict[str, Any]) -> list[RiskShareField]:
    gate = derivation.get("gate")
    if not gate:
        return []
    minimum = percent(gate["minimum_rate"])
    where = "set in the contract"
    if gate.get("population") is not None:
        population = labels.precise(float(Fraction(gate["population"])), 0, 2)
        where = (
            f"from {gate['source']} at a population of {population} "
            f"(the mean monthly count of {gate['population_indicator']}: person-months / months)"
        )
    rate = derivation.get("rate")
    verdict = "at or above" if gate["met"] else "below"
    return [
        RiskShareField(
            "Minimum rate",
            "Met" if gate["met"] else "Not met: nothing is shared",
            f"Minimum rate {minimum}, {where}; the {derivation['what']} is {percent(rate)} of the budget, {verdict} it.",
        )
    ]


def _bands(derivation: dict[str, Any]) -> list[RiskShareField]:
    rows = []
    bands = derivation.get("bands") or []
    for number, band in enumerate(bands, start=1):
        upper = "no upper end" if band["to_pence"] is None else pounds(band["to_pence"])
        share = percent(band["share"])
        applied = (
            ""
            if band["share"] == band["provider_share"]
            else f" (the contract's {percent(band['provider_share'])} adjusted for quality)"
        )
        rows.append(
            RiskShareField(
                f"Band {number}: {pounds(band['from_pence'])} to {upper}",
                pounds(band["part_pence"]),
                f"{share}{applied} of {pounds(band['inside_pence'])} inside the band.",
            )
        )
    if len(bands) > 1:
        rows.append(
            RiskShareField(
                "Bands together", pounds(derivation["bands_total_pence"]), "The sum of the bands' parts."
            )
        )
    return rows


def _quality(derivation: dict[str, Any]) -> list[RiskShareField]:
    quality = derivation.get("quality")
    if not quality:
        return []
    score = labels.score(None, str(quality["score"])) + (
        "" if quality["scored"] else " (no indicator scored: taken as 100%)"
    )
    source = f"Quality score {score} from {quality['input']}"
    if quality["method"] == "scale":
        return [
            RiskShareField(
                "Quality",
                pounds(quality["after_pence"]),
                f"{source}: {pounds(derivation['bands_total_pence'])} × {score}.",
            )
        ]
    if quality["method"] == "gate":
        met = quality["met"]
        return [
            RiskShareField(
                "Quality gate",
                "Met" if met else "Not met: nothing is shared",
                f"{source}; the minimum is {percent(quality['minimum_score'])}.",
            )
        ]
    limits = ", ".join(
        f"{name} {percent(quality[key])}"
        for key, name in (("minimum_share", "at least"), ("maximum_share", "at most"))
        if quality.get(key) is not None
    )
    return [
        RiskShareField(
            "Quality",
            score,
            f"{source}: each band's share is 1 − the contract's share × the score"
            + (f", held {limits}." if limits else "."),
        )
    ]


def _caps(derivation: dict[str, Any]) -> list[RiskShareField]:
    rows = []
    limits = derivation.get("caps") or []
    for limit in limits:
        if limit["limit"] == "budget":
            basis = f"{percent(limit['proportion'])} of the budget {format_pounds(limit['base_pence'])}"
        elif limit["limit"] == "revenue":
            source = (
                "set in the contract"
                if limit.get("source") == "the contract"
                else f"from {limit.get('source')}"
            )
            basis = f"{percent(limit['proportion'])} of the revenue {format_pounds(limit['base_pence'])} ({source})"
        else:
            basis = "an amount set in the contract"
        state = "applied: the lowest limit, below the part found" if limit["applied"] else "not applied"
        rows.append(RiskShareField(f"Cap ({limit['limit']})", pounds(limit["pence"]), f"{basis}; {state}."))
    if len(limits) > 1:
        rows.append(
            RiskShareField(
                "After the caps",
                pounds(derivation["capped_pence"]),
                "The lower of the part found and every limit.",
            )
        )
    return rows


def _adjustments(derivation: dict[str, Any]) -> list[RiskShareField]:
    rows = []
    sequestration = derivation.get("sequestration")
    if sequestration:
        rows.append(
            RiskShareField(
                "Sequestration",
                f"−{pounds(sequestration['reduction_pence'])}",
                f"{percent(sequestration['rate'])} of {pounds(derivation['capped_pence'])}; leaves {pounds(sequestration['after_pence'])}.",
            )
        )
    forgiven = derivation.get("loss_forgiven")
    if forgiven:
        whole = Fraction(forgiven["proportion"]) == 1
        rows.append(
            RiskShareField(
                "Loss forgiven",
                f"−{pounds(forgiven['forgiven_pence'])}",
                (
                    "The whole shared loss is forgiven (as in a disaster year): nothing is recovered."
                    if whole
                    else f"{percent(forgiven['proportion'])} of the shared loss is forgiven; leaves {pounds(forgiven['after_pence'])}."
                ),
            )
        )
    return rows


def provider_risk_share(rows: list[dict[str, Any]]) -> RiskShareFields | None:
    """The fields of a provider's risk-share line (its rows of the ledger), its own share last."""
    line = next((row for row in rows if row["line_type"] == "risk_share" and row.get("derivation")), None)
    if line is None:
        return None
    return risk_share_fields(derivation_of(line["derivation"]), line.get("share"), int(line["amount_pence"]))
