"""Subcontract money on a statement, indicator by indicator, for the prime and the subcontractor.

A `subcontract` ledger line carries, in its `derivation`, the prime's earned money on each
indicator passed on, the share, the exact part and the part in pence (obc_settle.engine.subcontracts).
This module turns those lines into one table a finance director can check with a calculator:
per indicator, the prime's earned money x the share = the exact part, rounded to the penny (by
largest remainder among the prime and its subcontractors on that indicator); the parts add up to
each ledger line, and the lines to the "Subcontract" money on the statement. Nothing here derives
or rounds money: every pence figure is the ledger's.

A subcontractor's own outcome lines on the prime's indicators carry a share of 0 (it earns nothing
on them itself); `shown_rows` leaves them off its statement, where they read as "0.0% of the
pool ... £0.00", and the subcontract table shows instead where its money came from.

The HTML is `templates/_subcontracts.html.j2`; `pdf_flowables` and `write_subcontract_sheet` lay
the same table out in the PDF and the workbook (their imports are local, so the view stays light).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from obc_settle.ledger.derivation import derivation_of
from obc_settle.ledger.schema import LineType
from obc_settle.money import format_pounds, round_half_up
from obc_settle.rationals import terminates

TITLE = "Subcontract money by indicator"
HOW = (
    "Exact part = the prime's earned money on the indicator \u00d7 the share. Each indicator's earned money is "
    "split to the penny between the prime and its subcontractors on it by largest remainder: each gets the whole "
    "pence of its exact part, and the pennies left go to the largest fractions of a penny (ties to the subcontract "
    "listed first). So a part is within a penny of its exact figure, and the parts and what the prime keeps add up "
    "to its earned money exactly. A part marked \u2020 differs by a penny from ordinary rounding of its exact "
    "figure because of that split."
)
MARK = "\u2020"


@dataclass(frozen=True)
class SubcontractRow:
    indicator_id: str
    indicator: str
    earned: str
    earned_pence: int
    share: str
    exact: str
    part: str
    part_pence: int
    by_split: bool
    """The part is a penny from ordinary rounding of the exact part (the largest-remainder split)."""


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


def subcontract_table(rows: list[dict[str, Any]], indicator_names: dict[str, str]) -> SubcontractTable | None:
    """The table of the provider's subcontract lines that carry their derivation (None: no such line)."""
    groups = tuple(
        _group(row, indicator_names)
        for row in rows
        if row["line_type"] == LineType.SUBCONTRACT and row.get("derivation")
    )
    if not groups:
        return None
    total = sum(group.total_pence for group in groups)
    received = all(not group.passed_on for group in groups)
    passed = all(group.passed_on for group in groups)
    intro = (
        "Where your subcontract money came from: each indicator the prime passed on, the prime's earned money on "
        "it, your share and your part."
        if received
        else "What you passed on to your subcontractors: each indicator, your earned money on it, the subcontractor's "
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
    )


def _group(row: dict[str, Any], indicator_names: dict[str, str]) -> SubcontractGroup:
    steps = derivation_of(row["derivation"])
    passed_on = int(row["amount_pence"]) < 0
    other = "subcontractor" if passed_on else "prime"
    other_id, other_name = str(steps[other]), str(steps.get(f"{other}_name") or steps[other])
    share = percent_exact(str(steps["share"]))
    sign = -1 if passed_on else 1
    parts = [
        SubcontractRow(
            indicator_id=str(item["indicator_id"]),
            indicator=indicator_names.get(str(item["indicator_id"]), str(item["indicator_id"])),
            earned=format_pounds(int(item["earned_pence"])),
            earned_pence=int(item["earned_pence"]),
            share=share,
            exact=exact_pounds(sign * Fraction(str(item["exact_pence"]))),
            part=format_pounds(sign * int(item["part_pence"])),
            part_pence=sign * int(item["part_pence"]),
            by_split=int(item["part_pence"]) != round_half_up(Fraction(str(item["exact_pence"]))),
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


def with_explanations(money: tuple[Any, ...], table: SubcontractTable | None) -> tuple[Any, ...]:
    """The statement's money lines with each subcontract line named by its counterparty and
    explained by its parts (in ledger order, as `table`'s groups are)."""
    if table is None:
        return money
    groups = iter(table.groups)
    shown = []
    for line in money:
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


def exact_pounds(pence: Fraction) -> str:
    """Exact pence as pounds with every decimal (at least two): 423279345/100 pence -> `£42,327.9345`."""
    pounds = pence / 100
    sign = "-" if pounds < 0 else ""
    pounds = abs(pounds)
    if not terminates(pounds):
        whole_pence = format_pounds(round_half_up(pounds * 100))
        return f"\u2248{sign}{whole_pence.lstrip('-')}"
    places = 0
    scaled = pounds
    while scaled.denominator != 1:
        scaled *= 10
        places += 1
    places = max(places, 2)
    digits = pounds.numerator * 10**places // pounds.denominator
    whole, part = divmod(digits, 10**places)
    return f"{sign}\u00a3{whole:,}.{part:0{places}d}"


def pdf_flowables(table: SubcontractTable) -> list[Any]:
    """The table in the PDF statement: a heading, the intro, one table of every group, the note."""
    from reportlab.lib.units import mm
    from reportlab.platypus import TableStyle

    from obc_settle.render.pdf_base import CONTENT_WIDTH, cell, data_table, para

    widths = (CONTENT_WIDTH - 118 * mm, 32 * mm, 18 * mm, 34 * mm, 34 * mm)
    rows: list[list[Any]] = []
    rules: list[int] = []
    for group in table.groups:
        rules.append(len(rows))
        rows.append([cell(group.heading, style="cell_bold"), "", "", "", ""])
        for row in group.rows:
            rows.append(
                [
                    cell(row.indicator),
                    cell(row.earned, style="cell_num"),
                    cell(row.share, style="cell_num"),
                    cell(row.exact, style="cell_num"),
                    cell(f"{MARK} {row.part}" if row.by_split else row.part, style="cell_num"),
                ]
            )
        rows.append(
            [cell(group.total_label, style="cell_bold"), "", "", "", cell(group.total, style="cell_num_bold")]
        )
    rows.append(
        [cell(table.total_label, style="cell_bold"), "", "", "", cell(table.total, style="cell_num_bold")]
    )
    header = ["Indicator", "Prime's earned money", "Share", "Exact part", "Part"]
    grid = data_table(header, rows, widths, numeric=range(1, 5), total_rows=1, rules=rules[1:])
    grid.setStyle(TableStyle([("SPAN", (0, row + 1), (-1, row + 1)) for row in rules]))  # +1: the header row
    return [para(table.title, "h2"), para(table.intro, "small"), grid, para(table.how, "small")]


def write_subcontract_sheet(book: Any, table: SubcontractTable, name: str = "Subcontracts") -> None:
    """The table as a workbook sheet: one row per indicator part, then each line's total and the total."""
    from obc_settle.render.xlsx_base import Column, pounds

    columns = (
        Column("Passed on or received", width=14),
        Column("Counterparty id", width=14),
        Column("Counterparty", "wrap", 40),
        Column("Indicator id"),
        Column("Indicator", "wrap", 40),
        Column("Prime's earned money (£)", "pounds"),
        Column("Share", "text", 10),
        Column("Exact part (£)", "text", 18),
        Column("Part (£)", "pounds"),
        Column("Part (pence)", "pence"),
        Column("Note", "wrap", 50),
    )
    rows: list[list[object]] = []
    for group in table.groups:
        direction = "passed on" if group.passed_on else "received"
        for row in group.rows:
            rows.append(
                [
                    direction,
                    group.counterparty_id,
                    group.counterparty,
                    row.indicator_id,
                    row.indicator,
                    pounds(row.earned_pence),
                    row.share,
                    row.exact,
                    pounds(row.part_pence),
                    row.part_pence,
                    "a penny from ordinary rounding: the largest-remainder split" if row.by_split else None,
                ]
            )
        total = [
            None,
            None,
            None,
            pounds(group.total_pence),
            group.total_pence,
            "the ledger's subcontract line",
        ]
        rows.append([direction, group.counterparty_id, group.counterparty, None, group.total_label, *total])
    last = [None, None, None, pounds(table.total_pence), table.total_pence, table.how]
    rows.append([None, None, None, None, table.total_label, *last])
    book.write_table(book.sheet(name), columns, rows)
