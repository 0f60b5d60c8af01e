"""How the rows of the risk/gain share (`risk_share_view`) write figures: amounts exact to a part
of a penny in the currency shown, rates and scores with the decimals the calculation needs, and
counts that may be fractions. Only formats; nothing here derives or rounds money."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from obc_settle.money import format_pounds, round_half_up, shown_currency
from obc_settle.rationals import decimal_places, terminates

SHORT_FRACTION_DIGITS = 6
"""A fraction is shown beside its percentage only when both its terms have at most this many
digits: short enough to check by hand (`72.6804% (141 / 194)`), never one of huge terms."""
MOST_RATE_DECIMALS = 12


@dataclass(frozen=True)
class RiskShareField:
    label: str
    value: str
    """An amount on the way to the share, or empty for a step that leaves the amount as it is."""
    working: str
    """How the value is found from the rows above it (or where it comes from), in words."""


def exact_amount(text: object) -> str:
    """An exact amount of pence (ledger text such as `1234`, `12345/2`) in the currency shown;
    a part of a penny with up to six decimals of the major unit, then `...` if it goes on."""
    pence = Fraction(str(text))
    if pence.denominator == 1:
        return format_pounds(int(pence))
    millionths = abs(pence) * 10**4  # pence x 10^4 = millionths of a pound
    whole, part = divmod(round_half_up(millionths), 10**6)
    digits = f"{part:06d}".rstrip("0").ljust(2, "0")
    sign = "-" if pence < 0 else ""
    return f"{sign}{shown_currency().symbol}{whole:,}.{digits}{'' if millionths.denominator == 1 else '...'}"


def rate_text(value: object, amount: object = None, against: object = None) -> str:
    """An exact proportion (`0.025`, `1/3`) as a percentage with the decimals the calculation needs.

    A decimal that ends within eight places of a percent is shown whole (`49.38285%`). Otherwise
    at least four decimals, and more while they matter: until the rounded rate, times `amount`,
    comes to the same penny as the exact one (a reader multiplying gets the figure shown), and
    until it sits on the same side of `against` as the exact one (a gate reads right). The exact
    fraction follows only when it is short enough to check by hand."""
    exact = Fraction(str(value))
    percent = exact * 100
    if terminates(exact) and decimal_places(percent) <= 8:
        return _percent(percent, max(1, decimal_places(percent)))
    decimals = 4
    while decimals < MOST_RATE_DECIMALS and not _enough(exact, decimals, amount, against):
        decimals += 1
    text = _percent(percent, decimals)
    if max(len(str(abs(exact.numerator))), len(str(exact.denominator))) <= SHORT_FRACTION_DIGITS:
        text += f" ({exact.numerator} / {exact.denominator})"
    return text


def _percent(percent: Fraction, decimals: int) -> str:
    scaled = round_half_up(percent * 10**decimals)
    whole, part = divmod(abs(scaled), 10**decimals)
    digits = f"{part:0{decimals}d}".rstrip("0") or "0"
    return f"{'-' if scaled < 0 else ''}{whole:,}.{digits}%"


def _enough(exact: Fraction, decimals: int, amount: object, against: object) -> bool:
    shown = Fraction(round_half_up(exact * 100 * 10**decimals), 10**decimals) / 100
    if against is not None:
        limit = Fraction(str(against))
        if (shown >= limit) != (exact >= limit) or (shown == limit) != (exact == limit):
            return False
    if amount is not None:
        base = Fraction(str(amount))
        return round_half_up(base * shown) == round_half_up(base * exact)
    return True


def count_text(value: object) -> str:
    """A count that may be a fraction (a mean population, `31250/3`) to two decimals, with the
    fraction when it does not end."""
    exact = Fraction(str(value))
    hundredths = round_half_up(exact * 100)
    text = (
        f"{hundredths // 100:,}.{hundredths % 100:02d}" if exact.denominator != 1 else f"{exact.numerator:,}"
    )
    return text if terminates(exact) else f"{text} (exactly {exact.numerator:,} / {exact.denominator:,})"
