"""Money is integer pence. One rounding rule, one way to split. How amounts are written.

"Pence" means the currency's minor unit throughout: a contract in dollars (`currency: USD`) is
settled in whole cents, in the same columns (`amount_pence`), by the same rules; only the writing
of amounts (`format_pounds`, `CURRENCIES`) knows the symbol and the unit words.

The rounding rule (the only one): an amount that is not a whole number of pence is rounded to
the nearest penny, halves away from zero (ROUND_HALF_UP in Decimal terms). It is applied once,
where an amount is first derived from a fraction (a withheld pool from a proportion, an earned
amount from a score).

Splitting a whole into parts always uses the largest-remainder method: each part gets the floor of
its exact share, and the pennies left over go one each to the parts with the largest remainders,
ties to the part listed first (contract order: providers and indicators as listed, the commissioner last). The parts therefore add up to the whole, to the penny.

Proportions (weights, shares, scores) are exact fractions (`obc_settle.engine.exact`): a split in
proportion to them scales them to whole numbers over their common denominator, so allocation is
pure integer arithmetic and nothing is rounded before the one rounding to the penny.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

MAX_AMOUNT_PENCE = 100_000_000_000_000
"""The largest amount a contract or a payments extract may state: £10^12 (£1,000,000,000,000.00).

Every sum and product the engine forms from amounts up to this (times bounded slopes, shares and
counts of lines) stays far inside a 64-bit column of pence (about £9.2 x 10^16), and the ledger's
totals are added in 128 bits (`pence_sum`), so no total can wrap. docs/contract-reference.md states
the limit; the contract checks and the payments checks refuse anything above it.
"""


def round_half_up(value: Decimal | Fraction) -> int:
    """Round to a whole number (of pence), halves away from zero."""
    if isinstance(value, Fraction):
        sign = -1 if value < 0 else 1
        magnitude = abs(value)
        whole, remainder = divmod(magnitude.numerator, magnitude.denominator)
        if 2 * remainder >= magnitude.denominator:
            whole += 1
        return sign * whole
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def pounds_to_pence(pounds: Decimal) -> int:
    """Exact conversion; the contract checks that amounts have at most two decimal places."""
    pence = pounds * 100
    if pence != pence.to_integral_value():
        raise ValueError(f"{pounds} has more than two decimal places")
    return int(pence)


def apply_proportion(amount_pence: int, proportion: Decimal) -> int:
    """`amount x proportion`, rounded once by the rounding rule."""
    return round_half_up(Decimal(amount_pence) * proportion)


def largest_remainder(total: int, weights: list[int]) -> list[int]:
    """Split `total` pence in proportion to non-negative integer `weights`.

    Ties in remainder go to the earlier weight (callers pass weights sorted by key). With all
    weights zero nothing can be split and the result is all zeros (the caller keeps the total).
    """
    weight_sum = sum(weights)
    if weight_sum == 0:
        return [0] * len(weights)
    quotients = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    left_over = total - sum(quotients)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:left_over]:
        quotients[i] += 1
    return quotients


@dataclass(frozen=True)
class Currency:
    """How amounts of a currency are written: the ledger holds whole minor units (its `*_pence`
    columns are pence for GBP, cents for USD and EUR), shown as `symbol` and major units."""

    code: str
    symbol: str
    name: str
    """`Pounds sterling`: what the documents say the amounts are in."""
    major: str
    """`pounds`: the unit amounts are shown in."""
    minor: str
    """`pence`: the hundredth the ledger counts in."""


CURRENCIES = {
    "GBP": Currency("GBP", "£", "Pounds sterling", "pounds", "pence"),
    "USD": Currency("USD", "$", "US dollars", "dollars", "cents"),
    "EUR": Currency("EUR", "€", "Euros", "euros", "cents"),
}
"""Every currency a contract may be in (`currency:`): one record each, used by every renderer."""
GBP = CURRENCIES["GBP"]

_SHOWN_IN: ContextVar[Currency] = ContextVar("shown_in", default=GBP)


def currency_of(code: str) -> Currency:
    return CURRENCIES[code]


def shown_currency() -> Currency:
    """The currency amounts are written in now: pounds, unless inside `shown_in`."""
    return _SHOWN_IN.get()


@contextmanager
def shown_in(code: str) -> Iterator[Currency]:
    """Write amounts in the currency `code` within the block: a document, a terminal table or an
    `explain` is shown in the currency of its contract. Every renderer formats money through
    `format_pounds`, so one block makes a whole document say dollars, with no "£" left over; the
    setting is the calling context's own (a `ContextVar`), so it cannot leak into another run."""
    token = _SHOWN_IN.set(CURRENCIES[code])
    try:
        yield CURRENCIES[code]
    finally:
        _SHOWN_IN.reset(token)


_ENGINE_WORDS = (
    (re.compile(r"\bpence\b"), "minor"),
    (re.compile(r"\bpenny\b"), "minor_one"),
    (re.compile(r"\bpounds\b"), "major"),
)


def in_unit_words(text: str, currency: Currency) -> str:
    """`text` with the engine's unit words (it says pence, penny and pounds for the minor and major
    unit of any currency) in those of `currency`: `100 pence` -> `100 cents` for USD. Unchanged for GBP."""
    if currency.code == "GBP":
        return text
    words = {"minor": currency.minor, "minor_one": currency.minor.removesuffix("s"), "major": currency.major}
    for pattern, word in _ENGINE_WORDS:
        text = pattern.sub(words[word], text)
    return text


def format_money(minor: int, currency: Currency) -> str:
    """`123456` -> `£1,234.56` (`$1,234.56` in USD); negative amounts as `-£1,234.56`."""
    sign = "-" if minor < 0 else ""
    whole, part = divmod(abs(minor), 100)
    return f"{sign}{currency.symbol}{whole:,}.{part:02d}"


def format_pounds(pence: int) -> str:
    """`123456` -> `£1,234.56`; negative amounts as `-£1,234.56`. In the currency shown
    (`shown_in`): `$1,234.56` within a USD contract's documents."""
    return format_money(pence, _SHOWN_IN.get())
