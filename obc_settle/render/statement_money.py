"""A statement's money: the money table's lines and the waterfall from them, read off the ledger.

`money_lines` turns the provider's ledger rows into the lines of "Money for the period" (outcome
lines gathered into one "earned" line, each other line labelled and explained in words), and
`money_waterfall` draws the bridge from those same lines, so the chart can only show figures the
table shows. Split out of `statement_view` (the house limit of 400 lines a module); nothing here
derives or rounds money: every amount is a ledger `amount_pence` or a sum of ledger lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from obc_settle.ledger.schema import LineKind, LineType
from obc_settle.money import format_pounds
from obc_settle.render import labels
from obc_settle.render.charts import Waterfall, waterfall


@dataclass(frozen=True)
class MoneyLine:
    key: str
    label: str
    explanation: str
    pence: int
    memo: bool = False
    """Shown for explanation, not added into the total (withheld, unearned)."""
    emphasis: bool = False

    @property
    def amount(self) -> str:
        return format_pounds(self.pence)


def money_lines(rows: list[dict[str, Any]]) -> tuple[MoneyLine, ...]:
    """The provider's lines in ledger order, outcome lines gathered into one "earned" line.

    Lines of types this module has no words for (points, rate-card payments, restatements, ...)
    are shown too, each with its ledger note, so the table always holds every line that pays.
    """
    money: list[MoneyLine] = []
    outcomes = [row for row in rows if row["line_type"] == LineType.OUTCOME]
    for row in rows:
        line_type = str(row["line_type"])
        if line_type == LineType.OUTCOME:
            if row is outcomes[0]:
                total = sum(int(item["amount_pence"]) for item in outcomes)
                money.append(
                    MoneyLine(
                        "earned",
                        "Earned through outcomes",
                        "The sum of the earned amounts in the indicator table below.",
                        total,
                    )
                )
            continue
        label = labels.STATEMENT_LABELS.get(line_type) or line_type.replace("_", " ").capitalize()
        if row.get("adjusts_period"):
            label = f"{label} ({row['adjusts_period']})"
        elif line_type == LineType.BASE_PAYMENT and row.get("window_first_month"):
            label = f"{label}, {labels.month_name(row['window_first_month'])}"  # a monthly instalment
        money.append(
            MoneyLine(
                line_type,
                label,
                explain_line(row, rows),
                int(row["amount_pence"]),
                memo=row["kind"] == LineKind.MEMO and line_type not in EMPHASISED,
                emphasis=line_type in EMPHASISED,
            )
        )
    if not outcomes:
        position = next((i + 1 for i, line in enumerate(money) if line.key == "withheld"), 1)
        money.insert(
            position,
            MoneyLine(
                "earned",
                "Earned through outcomes",
                "No indicator money is attributed to you for this period.",
                0,
            ),
        )
    if not any(line.key == LineType.NET_PAYABLE for line in money):
        raise ValueError("the ledger has no net_payable line for this provider")
    return tuple(money)


EMPHASISED = ("net_payable", "due_now")


def explain_line(row: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    line_type = str(row["line_type"])
    not_added = (
        " (not added to the total)" if row["kind"] == LineKind.MEMO and line_type not in EMPHASISED else ""
    )
    if line_type == LineType.BASE_PAYMENT:
        if row["share"] is not None and row["pool_pence"] is not None:
            share = f"your base share of {labels.percent(row['share'])} of the base pool of {format_pounds(int(row['pool_pence']))}"
            instalments = [r for r in rows if r["line_type"] == LineType.BASE_PAYMENT]
            if len(instalments) > 1 and row.get("window_first_month"):
                whole = sum(int(r["amount_pence"]) for r in instalments)
                number = instalments.index(row) + 1
                return (
                    f"Instalment for {labels.month_name(row['window_first_month'])}: {number} of {len(instalments)} "
                    f"monthly parts of your base payment of {format_pounds(whole)} for the period, "
                    f"which is {share}; the parts differ by at most a penny."
                )
            return f"{share[0].upper()}{share[1:]}."
        return "Your share of the contract value that is not at risk against outcomes."
    if line_type == LineType.WITHHELD:
        outcome_rows = [r for r in rows if r["line_type"] == LineType.OUTCOME]
        if (
            int(row["amount_pence"]) == 0
            and outcome_rows
            and not any(r.get("pool_pence") for r in outcome_rows)
        ):
            return (
                "Nothing is withheld this period (a withheld proportion of 0, as in a fee-based year): the "
                "outcomes below are measured and reported, with no money at risk on them (not added to the total)."
            )
        return "Your part of the outcome pool: money at risk, earned only through outcomes (not added to the total)."
    if (
        line_type == LineType.RISK_SHARE
        and row.get("share") is not None
        and row.get("pool_pence") is not None
    ):
        part = int(row["pool_pence"])
        side = "saving" if part >= 0 else "overspend"
        mine = (
            f"Your share of {labels.percent(row['share'])} of the providers' part of the {side}, "
            f"{format_pounds(part)}: {format_pounds(int(row['amount_pence']))}."
        )
        if row.get("derivation"):
            return f"{mine} How the providers' part was found is set out field by field under Risk and gain share."
        note = row.get("note")
        return f"{mine} How the providers' part was found: {labels.sentence(str(note))}" if note else mine
    if line_type == LineType.UNEARNED:
        return "Withheld money not earned this period (not added to the total)."
    if line_type == LineType.NET_PAYABLE:
        parts = [
            labels.NET_PARTS.get(str(r["line_type"]), str(r["line_type"]).replace("_", " "))
            for r in rows
            if _adds_to_net(r)
        ]
        named = " + ".join(dict.fromkeys(parts))
        return f"The amount to be paid: {named}." if named else "The amount to be paid."
    note = row.get("note")
    text = labels.sentence(str(note)) if note else labels.LINE_DESCRIPTIONS.get(line_type, "")
    return f"{text.rstrip('.')}{not_added}." if text and not_added else text or not_added.strip()


def _adds_to_net(row: dict[str, Any]) -> bool:
    """The lines the net payable is the sum of: the period's payment lines (restatements are for earlier periods)."""
    return row["kind"] == LineKind.PAYMENT and row["line_type"] != "restatement"


def money_waterfall(money: tuple[MoneyLine, ...]) -> Waterfall:
    """Base payment + withheld (what full achievement would pay) -> withheld -> earned -> other payments -> net payable.

    A provider with nothing at risk (nothing withheld: a subcontractor paid through its prime, a
    fee-based year) has no "Withheld" or "Earned" to show: its steps of zero are left out, so the
    chart shows only the money that moves (the bars still add up: a step of zero moves nothing)."""
    amounts: dict[str, int] = {}
    for line in money:  # monthly base instalments are several lines of one kind: their sum
        amounts[line.key] = amounts.get(line.key, 0) + line.pence
    base, withheld = amounts.get("base_payment", 0), amounts.get("withheld", 0)
    steps = [("Withheld", -withheld), ("Earned", amounts.get("earned", 0))]
    for line in money:
        if line.key not in NOT_STEPS and not line.memo and not line.emphasis:
            steps.append((labels.WATERFALL_LABELS.get(line.key, line.label), line.pence))
    if withheld == 0:
        steps = [(label, pence) for label, pence in steps if pence != 0]
    return waterfall(
        ("Base payment + withheld", base + withheld), steps, ("Net payable", amounts["net_payable"])
    )


NOT_STEPS = (
    "base_payment",
    "withheld",
    "earned",
    "unearned",
    "restatement",
    "paid_on_account",
    "paid_to_date",
)
