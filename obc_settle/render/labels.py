"""Labels: how figures and ledger values read in documents (percentages, levels, months, and the
plain-English names of statuses, roles, windows, directions, scoring methods and line types).

These functions only format; none of them derives or rounds money (amounts are formatted with
`obc_settle.money.format_pounds`). Floating-point levels (achieved, threshold, target) are shown
with a fixed number of decimals for their indicator kind. Shared by the HTML, PDF and Excel
renderers so that every format says the same thing in the same words.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction

from obc_settle import scoring_methods
from obc_settle.money import currency_of, format_pounds, in_unit_words, shown_currency
from obc_settle.periods import APRIL, MONTH_NAMES, YearStart

NO_VALUE = "\u2014"

STATUS = {
    "provisional": (
        "Provisional",
        "In-year settlement of one quarter; the final settlement of the contract year uses the whole year's data.",
    ),
    "final": ("Final", "Settlement of the whole contract year on the full year's data."),
    "estimate": (
        "Estimate",
        "ESTIMATE, not a settlement: what the year-end rules would pay if the year to date held (or followed the stated "
        "trajectory); nothing is payable on it.",
    ),
}
ROLES = {
    "lead": "Lead provider",
    "member": "Member",
    "prime": "Prime contractor",
    "subcontractor": "Subcontractor",
}
WINDOWS = {
    "period": "settlement period",
    "year_to_date": "year to date",
    "rolling_12_months": "rolling 12 months",
}
DIRECTIONS = {"higher_is_better": "Higher is better", "lower_is_better": "Lower is better"}


def method(name: str) -> str:
    """How a statement names a scoring method: its registered label (`UnknownScoringMethod` for
    a name that is not registered, never the bare name)."""
    return scoring_methods.get(name).label


def finite(value: object) -> float | None:
    """A ledger number as a float, or None for nulls, NaN and infinities."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float, Decimal, Fraction)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def fixed(number: float, decimals: int) -> str:
    """Thousands separators and a fixed number of decimals; never `-0.00`."""
    text = f"{number:,.{decimals}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text


def count(value: object) -> str:
    number = finite(value)
    if number is None:
        return NO_VALUE
    return f"{int(number):,}" if number.is_integer() else fixed(number, 2)


def percent(value: object, max_decimals: int = 4) -> str:
    """A proportion as a percentage with at least one and at most `max_decimals` decimals."""
    number = finite(value)
    if number is None:
        return NO_VALUE
    text = fixed(number * 100, max_decimals)
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0") or "0"
    return f"{whole}.{fraction}%"


def score(value: object, exact: object = None) -> str:
    """A score as a percentage a reader can compute the money from.

    `exact` is the ledger's `score_exact`: a decimal that ends (`0.4938285`) is shown with every
    digit (`49.38285%`); a fraction whose decimal does not end (`141/194`) to four decimals and
    then the fraction itself (`72.6804% (141 / 194)`). Without it (a ledger written before
    `score_exact`) the score is shown as `percent` shows it."""
    if not isinstance(exact, str) or not exact:
        return percent(value)
    if "/" in exact:
        numerator, _, denominator = exact.partition("/")
        # Spaced, so that a narrow column breaks the fraction at its bar, never inside a number.
        return f"{percent(Fraction(exact))} ({numerator} / {denominator})"
    text = format((Decimal(exact) * 100).normalize(), "f")
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction or '0'}%"


def level(value: object, kind: str) -> str:
    """An achieved value, threshold or target: proportions as percentages, others as numbers.

    Changes from baseline get four decimals: they are small (0.0858 above a baseline of 0.48).
    """
    number = finite(value)
    if number is None:
        return NO_VALUE
    if kind == "proportion":
        return f"{fixed(number * 100, 1)}%"
    if kind == "rate_per_1000":
        return f"{fixed(number, 2)} per 1,000"
    if kind == "change_from_baseline":
        return fixed(number, 4)  # small differences; the ledger does not say what was measured
    return precise(number)


def precise(number: float, least: int = 2, most: int = 6) -> str:
    """A mean or another level with the decimals it has, from `least` to `most`: `7.25`, `6.50`,
    `0.445122` (not `0.45`, which a reader checking the score with a calculator could not use)."""
    text = fixed(number, most)
    whole, _, decimals = text.partition(".")
    decimals = decimals.rstrip("0").ljust(least, "0")
    return f"{whole}.{decimals}" if decimals else whole


def sentence(text: str) -> str:
    """Ledger notes are lower-case phrases; shown as sentences, with amounts in pounds and pence
    (`662587 pence` -> `£6,625.87`): documents never show raw pence in text."""
    text = in_unit_words(in_pounds(text.strip()), shown_currency())
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


_PENCE = re.compile(r"(?<![\w.])(-?\d+) pence\b")


_POUNDS = re.compile(r"(?<![\w.£$€])(-?)([\d,]+\.\d\d) pounds\b")


def in_pounds(text: str) -> str:
    """Every `<integer> pence` and `<n.nn> pounds` in a ledger note written as money, `£n.nn`:
    in the currency shown (`obc_settle.money.shown_in`), so `$n.nn` for a contract in dollars
    (the engine's notes say "pence" and "pounds" for the minor and major unit of any currency)."""
    text = _PENCE.sub(lambda match: format_pounds(int(match.group(1))), text)
    symbol = shown_currency().symbol
    return _POUNDS.sub(lambda match: f"{match.group(1)}{symbol}{match.group(2)}", text)


def unit_words() -> str:
    """`pounds and pence` (`dollars and cents`): what the amounts shown are in."""
    currency = shown_currency()
    return f"{currency.major} and {currency.minor}"


def smallest_coin() -> str:
    """`penny` (`cent`): what amounts are rounded to."""
    return in_unit_words("penny", shown_currency())


def currency_name(code: str) -> str:
    """`Pounds sterling (GBP)`, `US dollars (USD)`."""
    return f"{currency_of(code).name} ({code})"


def month(value: object) -> str:
    """`2025-10` -> `Oct 2025`; anything else unchanged."""
    text = str(value)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        return text
    return f"{MONTH_NAMES[int(text[5:7]) - 1][:3]} {text[:4]}"


def month_name(value: object) -> str:
    """`2025-10` -> `October 2025`; anything else unchanged."""
    text = str(value)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        return text
    return f"{MONTH_NAMES[int(text[5:7]) - 1]} {text[:4]}"


def window(first: object, last: object) -> str:
    if first is None or last is None:
        return NO_VALUE
    return month(first) if first == last else f"{month(first)} to {month(last)}"


def period_months(name: str, year_start: YearStart = APRIL) -> str:
    """`2025-26-Q3` -> `October to December 2025`; `2025-26` -> `April 2025 to March 2026`;
    `2025-Q1` of a calendar-year contract -> `January to March 2025`."""
    months = year_start.parse_period(name).months()
    first, last = months[0], months[-1]
    first_name, last_name = MONTH_NAMES[int(first[5:7]) - 1], MONTH_NAMES[int(last[5:7]) - 1]
    if first[:4] == last[:4]:
        return f"{first_name} to {last_name} {last[:4]}"
    return f"{first_name} {first[:4]} to {last_name} {last[:4]}"


LINE_LABELS = {
    "contract_value": "Contract value",
    "outcome_pool": "Outcome pool",
    "base_payment": "Base payment",
    "withheld": "Withheld",
    "outcome": "Earned on indicator",
    "unearned": "Unearned",
    "redistributed_unearned": "Redistributed unearned money",
    "net_payable": "Net payable",
    "retained": "Retained on indicator",
    "retained_unscored": "Retained: pool of unscored indicators",
    "net_retained": "Net retained",
    "held": "Held until the year end",
    "points": "Points payment",
    "aspiration": "Aspiration payment",
    "risk_share": "Risk and gain share",
    "commissioner_share": "Commissioner's part of the saving or overspend",
    "rate_card": "Rate-card outcome payment",
    "subcontract": "Subcontract",
    "restatement": "Restatement of an earlier period",
    "paid_on_account": "Paid on account",
    "paid_to_date": "Paid to date this contract year",
    "due_now": "Due now",
}
"""How the workbooks and the report name each ledger line type (every type: tests/test_line_labels.py)."""
STATEMENT_LABELS = {
    "base_payment": "Base payment",
    "withheld": "Withheld from you",
    "outcome": "Earned through outcomes",
    "unearned": "Unearned",
    "redistributed_unearned": "Redistributed unearned money",
    "net_payable": "Net payable to you",
    "held": "Held until the year end",
    "points": "Points payments",
    "aspiration": "Aspiration payments",
    "risk_share": "Risk and gain share",
    "commissioner_share": "Commissioner's part of the saving or overspend",
    "rate_card": "Rate-card outcome payments",
    "subcontract": "Subcontract",
    "restatement": "Restatement of an earlier period",
    "paid_on_account": "Paid on account",
    "paid_to_date": "Paid to date this contract year",
    "due_now": "Due now",
}
"""How a provider's statement names its lines (a ledger line type not listed is named from its id)."""
NET_PARTS = {
    "base_payment": "base payment",
    "outcome": "earned",
    "redistributed_unearned": "redistributed unearned money",
    "risk_share": "risk and gain share",
    "rate_card": "rate-card payments",
}
"""How the net payable's explanation names the lines it adds up."""
WATERFALL_LABELS = {
    "redistributed_unearned": "Redistributed",
    "risk_share": "Risk/gain share",
    "rate_card": "Rate card",
}
LINE_DESCRIPTIONS = {
    "held": "The outcome pool of the quarter, held by the commissioner until the year-end settlement.",
    "paid_on_account": "Paid for earlier settlements of this contract year, netted off here.",
    "paid_to_date": "Everything paid for the contract year before this settlement.",
    "due_now": "What to pay now: net payable, plus restatements, minus what was paid on account.",
}
