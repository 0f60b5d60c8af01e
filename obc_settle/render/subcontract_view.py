"""Subcontract money on a statement, indicator by indicator, for the prime and the subcontractor.

A `subcontract` ledger line carries, in its `derivation`, the prime's earned money on each
indicator passed on, the share, the exact part and the part in pence (obc_settle.engine.subcontracts).
This module turns those lines into one table a finance director can check with a calculator:
per indicator, the prime's achieved value and score (from its outcome line: why it earned what it
did), its earned money, the share, and share x earned written as the product it is
(`0.35 × 444,333.48 = 155,516.718`: every decimal, no currency sign, so it cannot be read as a
misprinted amount), then the part paid, that product to the penny (by largest remainder among the
prime and its subcontractors on that indicator); the parts add up to each ledger line, and the
lines to the "Subcontract" money on the statement. Nothing here derives or rounds money: every
pence figure is the ledger's.

A subcontractor's own outcome lines on the prime's indicators carry a share of 0 (it earns nothing
on them itself); `shown_rows` leaves them off its statement, where they read as "0.0% of the
pool ... £0.00", and the subcontract table shows instead where its money came from
(`no_indicators_text` says so where the indicator table would be).

The HTML is `templates/_subcontracts.html.j2`; `subcontract_layouts` lays the same table out in the
PDF and the workbook (`pdf_flowables` and `write_subcontract_sheet`, also importable from here).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from obc_settle.ledger.derivation import derivation_of
from obc_settle.ledger.schema import LineType
from obc_settle.money import format_pounds, in_unit_words, round_half_up, shown_currency
from obc_settle.rationals import terminates
from obc_settle.render import labels

TITLE = "Subcontract money by indicator"
HOW = (
    "Share \u00d7 earned is the share as a decimal times the prime's earned money on the indicator, written as the "
    "product it is, with every decimal of the exact result, in pounds: a calculator gives the same figure. It is not "
    "an amount paid; the part is, to the penny. Each indicator's earned money is split to the penny between the "
    "prime and its subcontractors on it by largest remainder: each gets the whole pence of its exact product, and "
    "the pence left go to the largest fractions of a penny (ties to the subcontract listed first). So a part is "
    "within a penny of its exact product, and the parts and what the prime keeps add up to its earned money exactly. "
    "A part marked \u2020 differs by a penny from ordinary rounding of its exact product because of that split. "
    "The prime's achieved value and score are those of its outcome line on the indicator, on which it earned that "
    "money."
)


@dataclass(frozen=True)
class SubcontractRow:
    indicator_id: str
    indicator: str
    kind: str | None
    """The indicator's kind (`proportion`, `mean`, ...) from the prime's outcome line: how its levels are written."""
    prime_achieved: str
    prime_achieved_value: float | None
    prime_score: str
    prime_score_value: float | None
    prime_scorable: bool
    earned: str
    earned_pence: int
    share: str
    product: str
    """Share x earned as the product it is: `0.35 × 444,333.48` (the share as a decimal, the earned money in pounds)."""
    exact: str
    """The exact product in pounds with every decimal and no currency sign: `155,516.718`."""
    part: str
    part_pence: int
    by_split: bool
    """The part is a penny from ordinary rounding of the exact part (the largest-remainder split)."""

    @property
    def product_text(self) -> str:
        """`0.35 × 444,333.48 = 155,516.718`: the whole product on one line (the workbook's cell)."""
        return f"{self.product} = {self.exact}"


@dataclass(frozen=True)
class SubcontractGroup:
    """One subcontract ledger line: the counterparty, the share, its parts and their total (the line)."""

    passed_on: bool
    """True on the prime's statement (money passed on), False on the subcontractor's (money received)."""
    counterparty_id: str
    counterparty: str
    prime: str
    heading: str
    share: str
    rows: tuple[SubcontractRow, ...]
    total_label: str
    total: str
    total_pence: int


@dataclass(frozen=True)
class SubcontractTable:
    title: str
    intro: str
    groups: tuple[SubcontractGroup, ...]
    total_label: str
    total: str
    total_pence: int
    how: str = HOW

    @property
    def whose(self) -> str:
        """Whose achieved value, score and earned money the table shows: `Your` on the prime's statement."""
        return "Your" if all(group.passed_on for group in self.groups) else "Prime's"


def shown_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The provider's rows for the statement's tables: without its outcome lines of share 0 when
    it is a subcontractor paid through subcontract lines (the prime's indicators, not its own)."""
    received = any(
        row["line_type"] == LineType.SUBCONTRACT
        and derivation_of(row.get("derivation")).get("subcontractor") == row["party_id"]
        for row in rows
    )
    if not received:
        return rows
    return [
        row
        for row in rows
        if not (
            row["line_type"] == LineType.OUTCOME and not row["share"] and not int(row["amount_pence"] or 0)
        )
    ]


def subcontract_table(
    rows: list[dict[str, Any]],
    indicator_names: dict[str, str],
    outcome_lines: Sequence[dict[str, Any]] = (),
) -> SubcontractTable | None:
    """The table of the provider's subcontract lines that carry their derivation (None: no such line).

    `outcome_lines`: the ledger's outcome lines (every party's), for the prime's achieved value and
    score on each indicator passed on; without them those columns say "n/a"."""
    prime_lines = {(str(row["party_id"]), str(row["indicator_id"])): row for row in outcome_lines}
    groups = tuple(
        _group(row, indicator_names, prime_lines)
        for row in rows
        if row["line_type"] == LineType.SUBCONTRACT and row.get("derivation")
    )
    if not groups:
        return None
    total = sum(group.total_pence for group in groups)
    received = all(not group.passed_on for group in groups)
    passed = all(group.passed_on for group in groups)
    intro = (
        "Where your subcontract money came from: each indicator the prime passed on, how the prime did on it "
        "(achieved and score), the prime's earned money on it, your share and your part."
        if received
        else "What you passed on to your subcontractors: each indicator, your achieved value and score on it, your earned money on it, the subcontractor's "
        "share and its part."
        if passed
        else "Subcontract money received and passed on, indicator by indicator."
    )
    return SubcontractTable(
        title=TITLE,
        intro=intro,
        groups=groups,
        total_label="Total received under subcontracts"
        if received
        else "Total passed on to subcontractors"
        if passed
        else "Total subcontract money (received less passed on)",
        total=format_pounds(total),
        total_pence=total,
        how=in_unit_words(HOW, shown_currency()),
    )


def _group(
    row: dict[str, Any], indicator_names: dict[str, str], prime_lines: dict[tuple[str, str], dict[str, Any]]
) -> SubcontractGroup:
    steps = derivation_of(row["derivation"])
    passed_on = int(row["amount_pence"]) < 0
    other = "subcontractor" if passed_on else "prime"
    other_id, other_name = str(steps[other]), str(steps.get(f"{other}_name") or steps[other])
    share = percent_exact(str(steps["share"]))
    sign = -1 if passed_on else 1
    parts = [
        _row(
            item,
            str(steps["share"]),
            sign,
            indicator_names,
            prime_lines.get((str(steps["prime"]), str(item["indicator_id"]))),
        )
        for item in steps.get("indicators", [])
    ]
    heading = (
        f"Passed on to {other_name} ({other_id}): {share} of your earned money on each indicator"
        if passed_on
        else f"From {other_name} ({other_id}): {share} of its earned money on each indicator passed on"
    )
    return SubcontractGroup(
        passed_on=passed_on,
        counterparty_id=other_id,
        counterparty=other_name,
        prime=str(steps["prime"]),
        heading=heading,
        share=share,
        rows=tuple(parts),
        total_label=f"Total {'passed on to' if passed_on else 'from'} {other_id} (the subcontract line)",
        total=format_pounds(int(row["amount_pence"])),
        total_pence=int(row["amount_pence"]),
    )


def _row(
    item: dict[str, Any],
    share: str,
    sign: int,
    indicator_names: dict[str, str],
    prime_line: dict[str, Any] | None,
) -> SubcontractRow:
    """One indicator passed on: the prime's outcome line (achieved, score), share x earned, the part."""
    indicator_id = str(item["indicator_id"])
    earned, exact = int(item["earned_pence"]), Fraction(str(item["exact_pence"]))
    line = prime_line or {}
    kind = None if line.get("indicator_kind") is None else str(line["indicator_kind"])
    score = line.get("score")
    return SubcontractRow(
        indicator_id=indicator_id,
        indicator=indicator_names.get(indicator_id, indicator_id),
        kind=kind,
        prime_achieved=labels.level(line.get("achieved"), kind or ""),
        prime_achieved_value=None if line.get("achieved") is None else float(line["achieved"]),
        prime_score=labels.score(score, line.get("score_exact")) if score is not None else labels.NO_VALUE,
        prime_score_value=None if score is None else float(score),
        prime_scorable=line.get("scorable") is not False,
        earned=format_pounds(earned),
        earned_pence=earned,
        share=percent_exact(share),
        product=f"{share} \u00d7 {exact_figure(Fraction(earned))}",
        exact=exact_figure(exact),
        part=format_pounds(sign * int(item["part_pence"])),
        part_pence=sign * int(item["part_pence"]),
        by_split=int(item["part_pence"]) != round_half_up(exact),
    )


NO_INDICATORS = "No outcome indicator money is attributed to you for this period."


def no_indicators_text(table: SubcontractTable | None) -> str:
    """What the statement says where its indicator table would be, when it has no indicator rows:
    a subcontractor is told that its outcome money is a share of the prime's earnings, and where
    the table of them is; any other provider that no indicator money is attributed to it."""
    received = [group for group in table.groups if not group.passed_on] if table else []
    if not received:
        return NO_INDICATORS
    shares = "; ".join(
        f"{group.share} of what {group.counterparty} ({group.counterparty_id}) earned on each of the "
        f"{len(group.rows)} indicator{'s' if len(group.rows) != 1 else ''} it passed on to you"
        for group in received
    )
    return (
        f"You have no outcome indicator money of your own this period: your outcome money is a share of the "
        f"prime's earnings, {shares}. How the prime did on each indicator (its achieved value and score), what it "
        f"earned and your part are in \u201c{TITLE}\u201d below."
    )


def with_explanations(
    money: tuple[Any, ...], table: SubcontractTable | None, indicators_shown: bool = True
) -> tuple[Any, ...]:
    """The statement's money lines with each subcontract line named by its counterparty and
    explained by its parts (in ledger order, as `table`'s groups are); without indicator rows
    (`indicators_shown` False), a subcontractor's "earned" line of 0 says where its money is."""
    if table is None:
        return money
    groups = iter(table.groups)
    shown = []
    for line in money:
        if (
            line.key == "earned"
            and not indicators_shown
            and not line.pence
            and any(not g.passed_on for g in table.groups)
        ):
            explanation = (
                "Nothing of your own: your outcome money is a share of the prime's earnings, paid to you as "
                "subcontract money (below)."
            )
            line = dataclasses.replace(line, explanation=explanation)
        if line.key == LineType.SUBCONTRACT:
            group = next(groups)
            names = ", ".join(row.indicator for row in group.rows)
            if group.passed_on:
                label = f"Passed on to {group.counterparty_id} (subcontract)"
                text = f"{group.share} of your earned money on {names}, passed on to {group.counterparty}"
            else:
                label = f"Subcontract money from {group.counterparty_id}"
                text = f"{group.share} of {group.counterparty}'s earned money on {names}"
            explanation = f"{text}, indicator by indicator: see \u201c{TITLE}\u201d below."
            line = dataclasses.replace(line, label=label, explanation=explanation)
        shown.append(line)
    return tuple(shown)


def percent_exact(share: str) -> str:
    """An exact decimal share as a percentage with every digit: `0.15` -> `15%`, `0.125` -> `12.5%`."""
    value = Fraction(share) * 100
    if not terminates(value):
        return f"{float(value):.4f}% ({share})"
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return f"{text}%"


def exact_figure(pence: Fraction) -> str:
    """Exact pence as pounds with every decimal (at least two) and no currency sign, for a product
    that is not an amount paid: 15551671.8 pence -> `155,516.718`; one whose decimal does not end
    (a share that is not a decimal) to six decimals, marked `≈`."""
    pounds = abs(pence) / 100
    sign = "-" if pence < 0 else ""
    if not terminates(pounds):
        whole, part = divmod(round_half_up(pounds * 10**6), 10**6)
        return f"\u2248{sign}{whole:,}.{part:06d}"
    places = 2
    while (pounds * 10**places).denominator != 1:
        places += 1
    whole, part = divmod(pounds.numerator * 10**places // pounds.denominator, 10**places)
    return f"{sign}{whole:,}.{part:0{places}d}"


# The PDF and workbook layouts, where pdf_statement and xlsx_statement have always found them (their
# reportlab and xlsxwriter imports are local to them, so this view stays light).
from obc_settle.render.subcontract_layouts import pdf_flowables, write_subcontract_sheet  # noqa: E402

__all__ = [
    "HOW",
    "TITLE",
    "SubcontractGroup",
    "SubcontractRow",
    "SubcontractTable",
    "exact_figure",
    "no_indicators_text",
    "pdf_flowables",
    "percent_exact",
    "shown_rows",
    "subcontract_table",
    "with_explanations",
    "write_subcontract_sheet",
]
