"""`explain` of a risk/gain share line: the steps of its structured derivation (the ledger's
`derivation` column), with the numbers put in, in pence and exact rationals, so that each can be
checked by hand: budget, spend, the difference and its rate, the minimum rate gate, each band,
quality, the caps, sequestration, loss forgiveness and both parties' parts. Nothing is recomputed:
every figure is the engine's own."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from obc_settle.rationals import shown


def _x(text: object) -> str:
    return str(shown(Fraction(str(text))))


def _share(band: dict[str, Any], quality: dict[str, Any] | None) -> str:
    """A band's share; under a complement rule (a shared loss rate) how it follows from the score."""
    share = _x(band["share"])
    if not quality or quality["method"] != "complement":
        return share
    found = 1 - Fraction(str(band["provider_share"])) * Fraction(str(quality["score"]))
    working = f"1 − {band['provider_share']} × {_x(quality['score'])} = {_x(found)}"
    return f"{share} ({working}{'' if found == Fraction(str(band['share'])) else ', held to its limits'})"


def risk_share_steps(derivation: dict[str, Any]) -> list[str]:
    """The steps, one line each (amounts in pence)."""
    if "budget_pence" not in derivation:
        return []
    what = derivation["what"]
    budget, spend, difference = (
        derivation["budget_pence"],
        derivation["spend_pence"],
        derivation["difference_pence"],
    )
    steps = [
        f"budget {budget} pence ({derivation['budget_basis']})",
        f"actual spend {spend} pence",
        f"{what}: |{budget} − {spend}| = {difference} pence"
        + (f"; rate = {difference} / {budget} = {_x(derivation['rate'])}" if derivation.get("rate") else ""),
    ]
    if derivation.get("reason"):
        steps.append(f"not shared: {derivation['reason']}")
    gate = derivation.get("gate")
    if gate:
        source = gate["source"]
        if gate.get("population") is not None:
            source += f" at population {_x(gate['population'])} (mean monthly {gate['population_indicator']})"
        verdict = "≥" if gate["met"] else "<"
        steps.append(
            f"gate: rate {_x(derivation['rate'])} {verdict} minimum rate {_x(gate['minimum_rate'])} ({source}): "
            + ("met" if gate["met"] else "not met, nothing is shared")
        )
    quality = derivation.get("quality")
    for number, band in enumerate(derivation.get("bands") or [], start=1):
        upper = "no upper end" if band["to_pence"] is None else f"{_x(band['to_pence'])} pence"
        steps.append(
            f"band {number} ({_x(band['from_pence'])} to {upper}): share {_share(band, quality)} × "
            f"{_x(band['inside_pence'])} = {_x(band['part_pence'])}"
        )
    if quality:
        head = f"quality ({quality['method']}, score {_x(quality['score'])} from {quality['input']})"
        if quality["method"] == "scale":
            steps.append(
                f"{head}: {_x(derivation['bands_total_pence'])} × {_x(quality['score'])} = {_x(quality['after_pence'])}"
            )
        elif quality["method"] == "gate":
            steps.append(
                f"{head}: minimum {quality['minimum_score']}, " + ("met" if quality["met"] else "not met: 0")
            )
        else:
            steps.append(f"{head}: each band's share = 1 − share × score, held to its limits")
    caps = derivation.get("caps") or []
    for cap in caps:
        base = f"{cap['proportion']} × {cap['base_pence']} = " if cap.get("proportion") is not None else ""
        steps.append(
            f"cap ({cap['limit']}): {base}{_x(cap['pence'])}"
            + (" (applied, the lowest)" if cap["applied"] else " (not reached)")
        )
    if caps:
        steps.append(f"after the caps: {_x(derivation['capped_pence'])}")
    sequestration = derivation.get("sequestration")
    if sequestration:
        steps.append(
            f"sequestration: {_x(derivation['capped_pence'])} × (1 − {sequestration['rate']}) = {_x(sequestration['after_pence'])}"
        )
    forgiven = derivation.get("loss_forgiven")
    if forgiven:
        steps.append(
            f"loss forgiven: {forgiven['proportion']} of the shared loss, {_x(forgiven['forgiven_pence'])}; "
            f"left {_x(forgiven['after_pence'])}"
        )
    part = derivation["providers_part_pence"]
    if derivation.get("providers_part_exact") is not None:
        steps.append(
            f"providers' part: round({_x(derivation['providers_part_exact'])}) = {abs(part)} pence"
            + (" (recovered)" if part < 0 else "")
        )
    given = derivation["paid_to_providers_pence"]
    kept = derivation["commissioner_part_pence"]
    steps.append(
        f"commissioner's part: {difference} − {abs(given)} = {abs(kept)} pence "
        + (
            "kept of the saving"
            if what == "saving"
            else "borne of the overspend"
            if what == "overspend"
            else ""
        )
    )
    return steps
