"""Invariants of what each payment mechanism may pay: no payment beyond what the contract allows,
lines only for the mechanisms the contract declares, the commissioner's lines mirroring the
providers', subcontracts that net to zero and redistribution only of unearned money.
Each function is named after the invariant it checks (`obc_settle.ledger.invariants`).
"""

from __future__ import annotations

from fractions import Fraction

from obc_settle.ledger.derivation import derivation_of
from obc_settle.ledger.invariant_view import Line, T, View, Violation
from obc_settle.ledger.schema import COMMISSIONER
from obc_settle.money import round_half_up

MIRRORED = (T.REDISTRIBUTED_UNEARNED, T.POINTS, T.ASPIRATION, T.RISK_SHARE, T.RATE_CARD)


NEVER_NEGATIVE = (
    T.BASE_PAYMENT,
    T.OUTCOME,
    T.REDISTRIBUTED_UNEARNED,
    T.POINTS,
    T.ASPIRATION,
    T.RATE_CARD,
    T.WITHHELD,
)


def payment_bounds(view: View) -> list[Violation]:
    found = []
    risk = view.contract.risk_share
    for x in view.of(None, *NEVER_NEGATIVE):
        if x.party != COMMISSIONER and x.amount < 0:
            found.append(
                Violation(
                    "payment-bounds",
                    x.party,
                    f"a negative {x.line_type} line of {x.amount} pence{_on(x)}, which the contract does not allow",
                )
            )
    for x in [] if view.budget_neutral else view.of(None, T.OUTCOME):
        most = round_half_up(Fraction(x.available or 0) * view.slope)
        if x.amount > most:
            found.append(
                Violation(
                    "payment-bounds",
                    x.party,
                    f"earned {x.amount} pence{_on(x)}, more than available {x.available} x exchange slope {view.slope} = {most} pence",
                )
            )
        if x.score is not None and x.amount != round_half_up(
            Fraction(x.available or 0) * x.score * view.slope
        ):
            earned = round_half_up(Fraction(x.available or 0) * x.score * view.slope)
            found.append(
                Violation(
                    "payment-bounds",
                    x.party,
                    f"earned {x.amount} pence{_on(x)}, not available {x.available} x score {x.score} x exchange slope {view.slope} = {earned} pence",
                )
            )
    if view.budget_neutral:
        found += budget_neutral(view)
    for x in view.of(None, T.UNEARNED):
        if x.amount < 0 and view.slope <= 1:
            found.append(
                Violation(
                    "payment-bounds",
                    x.party,
                    f"unearned {x.amount} pence is negative with an exchange slope of {view.slope}",
                )
            )
    for x in view.of(None, T.RATE_CARD):
        if x.party != COMMISSIONER and x.available is not None and x.amount > x.available:
            found.append(
                Violation(
                    "payment-bounds",
                    x.party,
                    f"rate card {x.amount} pence{_on(x)}, more than price x claims {x.available} pence",
                )
            )
    signs = {
        (x.amount > 0) - (x.amount < 0) for x in view.of(None, T.RISK_SHARE) if x.party != COMMISSIONER
    } - {0}
    if len(signs) > 1:
        found.append(
            Violation("payment-bounds", None, "risk share pays some providers and recovers from others")
        )
    for x in view.of(None, T.RISK_SHARE):
        if x.party != COMMISSIONER and (
            (x.amount > 0 and (risk is None or risk.gains is None))
            or (x.amount < 0 and (risk is None or risk.losses is None))
        ):
            found.append(
                Violation(
                    "payment-bounds",
                    x.party,
                    f"risk share {x.amount} pence, but the contract shares no {'savings' if x.amount > 0 else 'overspends'}",
                )
            )
    primes = {s.prime for s in view.contract.subcontracts}
    subcontractors = {s.subcontractor for s in view.contract.subcontracts}
    for x in view.of(None, T.SUBCONTRACT):
        if x.amount < 0 and x.party not in primes:
            found.append(
                Violation(
                    "payment-bounds",
                    x.party,
                    f"subcontract {x.amount} pence paid by a provider that is no prime",
                )
            )
        if x.amount > 0 and x.party not in subcontractors:
            found.append(
                Violation(
                    "payment-bounds",
                    x.party,
                    f"subcontract {x.amount} pence paid to a provider that is no subcontractor",
                )
            )
    return found


def budget_neutral(view: View) -> list[Violation]:
    """With a budget-neutral slope (found again from the lines: sum of available / sum of available
    x score), each provider's outcome line is its exact earning rounded down or up (a largest-remainder
    split), and together they pay back exactly the providers' withheld money (nothing when nothing
    was earned at a slope of 1)."""
    found = []
    earning = [x for x in view.of(None, T.OUTCOME) if x.party != COMMISSIONER]
    for x in earning:
        exact = Fraction(x.available or 0) * (x.score or 0) * view.slope
        if abs(x.amount - exact) >= 1:
            found.append(
                Violation(
                    "payment-bounds",
                    x.party,
                    f"earned {x.amount} pence{_on(x)}, not within a penny of available {x.available} x score {x.score} x budget-neutral slope {view.slope}",
                )
            )
    paid, withheld = sum(x.amount for x in earning), sum(x.available or 0 for x in earning)
    if paid != (withheld if view.slope else 0):
        found.append(
            Violation(
                "payment-bounds",
                None,
                f"a budget-neutral slope of {view.slope} pays {paid} pence, not the {withheld} pence withheld",
            )
        )
    return found


def _on(x: Line) -> str:
    return f" on {x.indicator}" if x.indicator else ""


def declared_mechanisms(view: View) -> list[Violation]:
    found = []
    c, year = view.contract, view.period.is_year
    risk_years = None if c.risk_share is None else c.risk_share.years
    declared = {
        T.POINTS: (c.points is not None and year, "a points contract's contract-year settlement"),
        T.ASPIRATION: (
            c.points is not None and c.points.aspiration is not None and not year,
            "a points contract with aspiration, in-year",
        ),
        T.RISK_SHARE: (
            c.risk_share is not None
            and year
            and (risk_years is None or view.period.contract_year.name in risk_years),
            "a contract-year settlement of a year the risk share applies to",
        ),
        T.COMMISSIONER_SHARE: (
            c.risk_share is not None
            and year
            and (risk_years is None or view.period.contract_year.name in risk_years),
            "a contract-year settlement of a year the risk share applies to",
        ),
        T.RATE_CARD: (c.rate_card is not None, "a contract with a rate card"),
        T.SUBCONTRACT: (bool(c.subcontracts), "a contract with subcontracts"),
        T.REDISTRIBUTED_UNEARNED: (
            c.unearned == "redistributed",
            "a contract that redistributes unearned money",
        ),
        T.HELD: (
            c.payment_terms.outcome_on_account == "year_end" and not year,
            "a quarter whose outcome money is held to year end",
        ),
    }
    for line_type, (allowed, where) in declared.items():
        for x in view.of(None, line_type):
            if not allowed:
                found.append(
                    Violation(
                        "declared-mechanisms",
                        x.party,
                        f"a {line_type} line of {x.amount} pence, found only in {where}",
                    )
                )
    indicators = {i.id: i for _, i in c.indicators()}
    for x in view.of(None, T.OUTCOME, T.RETAINED):
        indicator = indicators.get(str(x.indicator))
        if indicator is None:
            found.append(
                Violation(
                    "declared-mechanisms",
                    x.party,
                    f"a {x.line_type} line for {x.indicator}, not an indicator of the contract",
                )
            )
        elif (
            x.line_type == T.OUTCOME
            and indicator.attribution == "individual"
            and x.party != indicator.provider
        ):
            found.append(
                Violation(
                    "declared-mechanisms",
                    x.party,
                    f"earned {x.amount} pence on {x.indicator}, an individual indicator of {indicator.provider}",
                )
            )
    return found


def mirrored(view: View) -> list[Violation]:
    found = []
    for line_type in MIRRORED:
        given, kept = view.providers_total(line_type), view.total(COMMISSIONER, line_type)
        if given + kept != 0:
            found.append(
                Violation(
                    "mirrored",
                    None,
                    f"providers' {line_type} lines add up to {given} pence, the commissioner's to {kept} pence: not opposite",
                )
            )
    periods = {x.adjusts for x in view.of(None, T.RESTATEMENT)}
    for period in sorted(p or "" for p in periods):
        lines = [x for x in view.of(None, T.RESTATEMENT) if (x.adjusts or "") == period]
        given, kept = (
            sum(x.amount for x in lines if x.party != COMMISSIONER),
            sum(x.amount for x in lines if x.party == COMMISSIONER),
        )
        if given + kept != 0:
            found.append(
                Violation(
                    "mirrored",
                    None,
                    f"restatements of {period}: providers {given} pence, commissioner {kept} pence: not opposite",
                )
            )
    for x in view.of(COMMISSIONER, T.RISK_SHARE):
        if abs(x.amount) > abs(x.pool or 0):
            found.append(
                Violation(
                    "mirrored",
                    None,
                    f"risk share of {-x.amount} pence to providers, more than their part {x.pool} pence",
                )
            )
    return found


def subcontracts(view: View) -> list[Violation]:
    found = []
    total = view.providers_total(T.SUBCONTRACT)
    if total != 0:
        found.append(Violation("subcontracts", None, f"subcontract lines add up to {total} pence, not zero"))
    for party in view.providers:
        passed = -sum(x.amount for x in view.of(party, T.SUBCONTRACT) if x.amount < 0)
        earned = view.total(party, T.OUTCOME)
        if passed > max(earned, 0):
            found.append(
                Violation(
                    "subcontracts", party, f"passes on {passed} pence, more than the {earned} pence it earned"
                )
            )
    return found + subcontract_parts(view)


def subcontract_parts(view: View) -> list[Violation]:
    """A subcontract line's derivation holds it indicator by indicator: the parts add up to the
    line; each indicator's earned money is the prime's outcome line on it, and each part is within
    a penny of share x earned; the prime's line mirrors the subcontractor's (same derivation,
    opposite amount); on no indicator does a prime pass on more than it earned."""
    found: list[Violation] = []
    earned = {(x.party, x.indicator): x.amount for x in view.of(None, T.OUTCOME)}
    passed: dict[tuple[str, str], int] = {}
    mirror: dict[str, int] = {}
    for x in view.of(None, T.SUBCONTRACT):
        if x.derivation is None:
            continue  # a ledger written before the derivation column
        steps = derivation_of(x.derivation)
        prime, sub, share = steps.get("prime"), steps.get("subcontractor"), Fraction(steps.get("share", "0"))
        if (
            x.party not in (prime, sub)
            or (x.amount > 0 and x.party != sub)
            or (x.amount < 0 and x.party != prime)
        ):
            found.append(
                Violation(
                    "subcontracts",
                    x.party,
                    f"a subcontract line of {x.amount} pence between {prime} and {sub}",
                )
            )
        parts = steps.get("indicators", [])
        total = sum(int(item["part_pence"]) for item in parts)
        if total != abs(x.amount) or total != steps.get("total_pence"):
            found.append(
                Violation(
                    "subcontracts",
                    x.party,
                    f"parts by indicator add up to {total} pence, the subcontract line is {x.amount} pence",
                )
            )
        mirror[x.derivation] = mirror.get(x.derivation, 0) + x.amount
        for item in parts:
            indicator, part, base = (
                str(item["indicator_id"]),
                int(item["part_pence"]),
                int(item["earned_pence"]),
            )
            if base != max(earned.get((str(prime), indicator), 0), 0):
                found.append(
                    Violation(
                        "subcontracts",
                        x.party,
                        f"{prime}'s earned money on {indicator} is {earned.get((str(prime), indicator))} pence, the subcontract line says {base}",
                    )
                )
            if abs(part - share * base) >= 1:
                found.append(
                    Violation(
                        "subcontracts",
                        x.party,
                        f"{part} pence on {indicator}, not within a penny of share {share} x {base} pence",
                    )
                )
            if x.party == sub:
                passed[(str(prime), indicator)] = passed.get((str(prime), indicator), 0) + part
    for text, net in sorted(mirror.items()):
        if net != 0:
            steps = derivation_of(text)
            found.append(
                Violation(
                    "subcontracts",
                    None,
                    f"{steps.get('prime')}'s and {steps.get('subcontractor')}'s subcontract lines add up to {net} pence, not zero",
                )
            )
    for (prime, indicator), amount in sorted(passed.items()):
        if amount > max(earned.get((prime, indicator), 0), 0):
            found.append(
                Violation(
                    "subcontracts",
                    prime,
                    f"passes on {amount} pence on {indicator}, more than the {earned.get((prime, indicator), 0)} pence it earned on it",
                )
            )
    return found


def redistribution(view: View) -> list[Violation]:
    found = []
    given, unearned = view.providers_total(T.REDISTRIBUTED_UNEARNED), view.providers_total(T.UNEARNED)
    if given > max(unearned, 0):
        found.append(
            Violation(
                "redistribution",
                None,
                f"{given} pence redistributed, more than the providers' unearned {unearned} pence",
            )
        )
    for party in view.providers:
        extra = view.total(party, T.REDISTRIBUTED_UNEARNED)
        if extra > 0 and view.total(party, T.OUTCOME) <= 0:
            found.append(
                Violation(
                    "redistribution",
                    party,
                    f"{extra} pence of unearned money, but it earned no outcome money",
                )
            )
    return found
