"""The middle rows of the risk/gain share (`risk_share_view`): the quality rule, each band, every
limit and the adjustments after them, each with how it is found and the amount it leaves.

A row that changes the amount shows the new amount; a row that leaves it as it is (a quality gate
met, a limit not reached) has an empty value and says so in words, so that the value column holds
only figures that lead to the share. Only formats the engine's exact figures; computes no money.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from obc_settle.render.risk_share_figures import RiskShareField, exact_amount, rate_text


def _rate_name(derivation: dict[str, Any]) -> str:
    """What a band's share is called: a shared loss rate on the losses side."""
    return "shared loss rate" if derivation.get("side") == "losses" else "sharing rate"


def part_found(derivation: dict[str, Any]) -> str:
    """The exact part before the limits: after quality when there is a quality rule."""
    quality = derivation.get("quality")
    return str(quality["after_pence"] if quality else derivation["bands_total_pence"])


def quality(derivation: dict[str, Any]) -> list[RiskShareField]:
    rule = derivation.get("quality")
    if not rule:
        return []
    score = Fraction(str(rule["score"]))
    unscored = "" if rule["scored"] else " (no indicator scored: taken as 100%)"
    source = f"from {rule['input']}{unscored}"
    if rule["method"] == "scale":
        bands_total = derivation["bands_total_pence"]
        shown = rate_text(score, amount=bands_total)
        return [
            RiskShareField(
                "Quality",
                exact_amount(rule["after_pence"]),
                f"{exact_amount(bands_total)} × the quality score {shown} {source}.",
            )
        ]
    if rule["method"] == "gate":
        minimum = rule["minimum_score"]
        shown = f"the quality score {rate_text(score, against=minimum)} {source}"
        if rule["met"]:
            return [
                RiskShareField(
                    "Quality gate",
                    "",
                    f"Met: {shown} is at or above the minimum {rate_text(minimum)}; the amount stays "
                    f"{exact_amount(derivation['bands_total_pence'])}.",
                )
            ]
        return [
            RiskShareField(
                "Quality gate",
                exact_amount(0),
                f"Not met: {shown} is below the minimum {rate_text(minimum)}, so nothing is shared.",
            )
        ]
    return [
        RiskShareField(
            "Quality",
            "",
            f"The quality score {rate_text(score)} {source}: each band's {_rate_name(derivation)} is "
            f"1 − the contract's share × the score{_held(rule)}.",
        )
    ]


def _held(rule: dict[str, Any]) -> str:
    limits = [
        f"{name} {rate_text(rule[key])}"
        for key, name in (("minimum_share", "at least"), ("maximum_share", "at most"))
        if rule.get(key) is not None
    ]
    return f", held {' and '.join(limits)}" if limits else ""


def bands(derivation: dict[str, Any]) -> list[RiskShareField]:
    rows = []
    listed = derivation.get("bands") or []
    what = derivation["what"]
    for number, band in enumerate(listed, start=1):
        start = exact_amount(band["from_pence"])
        if band["to_pence"] is None:
            span = f"from {start}, with no upper end"
        elif band.get("up_to") is not None:
            span = (
                f"from {start} to {exact_amount(band['to_pence'])} ({rate_text(band['up_to'])} of the budget)"
            )
        else:
            span = f"from {start} to {exact_amount(band['to_pence'])} (set in the contract)"
        rows.append(
            RiskShareField(
                f"Band {number}",
                exact_amount(band["part_pence"]),
                f"{_band_share(derivation, band)} × {exact_amount(band['inside_pence'])}, "
                f"the part of the {what} inside the band, {span}.",
            )
        )
    if len(listed) > 1:
        parts = " + ".join(exact_amount(band["part_pence"]) for band in listed)
        rows.append(
            RiskShareField("Bands together", exact_amount(derivation["bands_total_pence"]), f"{parts}.")
        )
    return rows


def _band_share(derivation: dict[str, Any], band: dict[str, Any]) -> str:
    """The band's share; under a complement quality rule, how it follows from the score."""
    inside = band["inside_pence"]
    share = Fraction(str(band["share"]))
    rule = derivation.get("quality") or {}
    if rule.get("method") != "complement":
        return rate_text(share, amount=inside)
    contract_share, score = Fraction(str(band["provider_share"])), Fraction(str(rule["score"]))
    found = 1 - contract_share * score
    working = f"1 − {rate_text(contract_share)} × {rate_text(score)}"
    held = ""
    if found != share:
        held = f", held at the {'floor' if share > found else 'ceiling'} {rate_text(share)}"
        working += f" = {rate_text(found)}"
    return f"The {_rate_name(derivation)} {rate_text(share, amount=inside)} ({working}{held})"


_LIMIT_NAMES = {"budget": "of the budget", "revenue": "of the revenue"}


def _limit(limit: dict[str, Any]) -> tuple[str, str]:
    """What a limit is (`2.0% of the budget`) and its figures, in words."""
    if limit["limit"] == "amount":
        return "an amount", f"{exact_amount(limit['pence'])}, an amount set in the contract"
    proportion = rate_text(limit["proportion"])
    source = ""
    if limit["limit"] == "revenue":
        source = (
            ", set in the contract"
            if limit.get("source") == "the contract"
            else f", read from {limit.get('source')}"
        )
    basis = f"{proportion} {_LIMIT_NAMES[limit['limit']]} {exact_amount(limit['base_pence'])}{source}"
    return f"{proportion} {_LIMIT_NAMES[limit['limit']]}", f"{exact_amount(limit['pence'])} ({basis})"


def caps(derivation: dict[str, Any]) -> list[RiskShareField]:
    """Each limit as a limit: the amount it holds the part to when it binds, else `not reached`."""
    limits = derivation.get("caps") or []
    if not limits:
        return []
    found = exact_amount(part_found(derivation))
    capped = exact_amount(derivation["capped_pence"])
    if len(limits) == 1:
        kind, what = _limit(limits[0])
        name = f"Limit: {kind}"
        if limits[0]["applied"]:
            return [
                RiskShareField(
                    name,
                    capped,
                    f"Limit {what}, reached: the part found, {found}, is above it, so it is held at the limit.",
                )
            ]
        return [
            RiskShareField(name, "", f"Limit {what}, not reached: the part found, {found}, is within it.")
        ]
    rows = [RiskShareField(f"Limit: {kind}", "", f"Limit {what}.") for kind, what in map(_limit, limits)]
    lowest = min(limits, key=lambda limit: Fraction(str(limit["pence"])))
    lower = "the lower of the two limits" if len(limits) == 2 else f"the lowest of the {len(limits)} limits"
    applied = next((limit for limit in limits if limit["applied"]), None)
    if applied is not None:
        rows.append(
            RiskShareField(
                "Limit applied",
                capped,
                f"{lower.capitalize()}, {exact_amount(applied['pence'])} ({_limit(applied)[0]}), is reached: "
                f"the part found, {found}, is above it, so it is held at the limit.",
            )
        )
    else:
        rows.append(
            RiskShareField(
                "Limits",
                "",
                f"{lower.capitalize()}, {exact_amount(lowest['pence'])}, is not reached: the part found, "
                f"{found}, is within it.",
            )
        )
    return rows


def after_caps(derivation: dict[str, Any]) -> list[RiskShareField]:
    """Sequestration, then loss forgiveness: each shows the amount it leaves."""
    rows = []
    before = str(derivation.get("capped_pence"))
    sequestration = derivation.get("sequestration")
    if sequestration:
        rows.append(
            RiskShareField(
                "Sequestration",
                exact_amount(sequestration["after_pence"]),
                f"{exact_amount(before)} − {rate_text(sequestration['rate'])} of it "
                f"({exact_amount(sequestration['reduction_pence'])}) withheld.",
            )
        )
        before = str(sequestration["after_pence"])
    forgiven = derivation.get("loss_forgiven")
    if forgiven:
        whole = Fraction(str(forgiven["proportion"])) == 1
        rows.append(
            RiskShareField(
                "Loss forgiven",
                exact_amount(forgiven["after_pence"]),
                f"The whole shared loss, {exact_amount(before)}, is forgiven (as in a disaster year): "
                "nothing is recovered."
                if whole
                else f"{exact_amount(before)} − {rate_text(forgiven['proportion'])} of it "
                f"({exact_amount(forgiven['forgiven_pence'])}) forgiven.",
            )
        )
    return rows
