"""A provider's statement as a PDF: the document that is sent to the provider's finance team.

The same content as the HTML statement, from the same `StatementView` (so the same ledger
amounts and the same words): the contract and period, the money from the provider's part of the
contract value through withheld and earned to net payable (table and waterfall), every indicator
(table and achievement chart), the data-quality notes, and the run id in every page's footer.
A4 portrait; see `pdf_base` for pagination and repeatable bytes.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from obc_settle.render import labels
from obc_settle.render.pdf_base import (
    CONTENT_WIDTH,
    build_pdf,
    cell,
    data_table,
    esc,
    facts_table,
    headline,
    para,
    status_badge,
)
from obc_settle.render.pdf_cells import TextCell
from obc_settle.render.pdf_charts import achievement_flowables, waterfall_flowables
from obc_settle.render.pdf_risk_share import risk_share_flowables
from obc_settle.render.statement_view import StatementView
from obc_settle.render.subcontract_view import pdf_flowables

SUMMARY_WIDTHS = (38 * mm, CONTENT_WIDTH - 38 * mm - 32 * mm, 32 * mm)
# Score is wide enough for its fraction, "(40938 / 59995)", at a size close to the table's.
INDICATOR_WIDTHS = (50 * mm, 18 * mm, 16 * mm, 16 * mm, 19 * mm, 12 * mm, 24 * mm, CONTENT_WIDTH - 155 * mm)


def write_statement_pdf(view: StatementView, path: Path) -> None:
    """Write the PDF statement of one provider to `path`."""
    context = view.context
    build_pdf(
        path,
        statement_story(view),
        title=f"{view.status_label} statement {view.period}: {context.provider_name}, {context.contract_name}",
        subject="Outcome payment statement",
        author=", ".join(context.commissioners),
        footer=f"{context.contract_id} version {context.contract_version} \u00b7 {view.period} {view.status_label.lower()} "
        f"\u00b7 {view.provider_id} \u00b7 run {context.run_id}",
    )


def statement_story(view: StatementView) -> list[Flowable]:
    context = view.context
    story: list[Flowable] = [
        para(context.contract_name, "title"),
        para(f"Outcome payment statement for {context.provider_name}", "subtitle"),
        KeepTogether(
            [status_badge(view.status, view.status_label), Spacer(1, 3), para(view.status_text, "small")]
        ),
        Spacer(1, 4),
        headline([(line.amount, line.label) for line in view.headline]),
        para("About this statement", "h2"),
        facts_table(
            [
                ("Provider", f"{context.provider_name} ({view.provider_id}), {view.role}"),
                ("Settlement period", f"{view.period} ({view.period_months})"),
                ("Contract year", view.contract_year),
                ("Status", view.status_label),
                ("Commissioners", ", ".join(context.commissioners)),
                ("Population", context.population_segment),
                (
                    "Contract",
                    f"{context.contract_name} ({context.contract_id}, version {context.contract_version})",
                ),
                ("Currency", labels.currency_name(context.currency)),
            ]
        ),
        para("Money for the period", "h2"),
        _money_table(view),
        Spacer(1, 6),
        KeepTogether(
            [
                para("From your part of the contract value to the net payable", "small"),
                *waterfall_flowables(view.waterfall),
            ]
        ),
        *risk_share_flowables(view.risk_share),
        para("Outcome indicators", "h2"),
    ]
    if view.indicators:
        story.append(para("Achievement against threshold and target, by indicator", "small"))
        story += achievement_flowables(view.achievement)
        story += [Spacer(1, 8), _indicator_table(view), Spacer(1, 3)]
        story.append(
            para(
                "Weight is the indicator's share of the outcome pool after any weight given up by indicators that could not be "
                "scored. Available is your share of the indicator's pool; earned is available money times the score, rounded "
                f"to the {labels.smallest_coin()}.",
                "small",
            )
        )
    else:
        story.append(para(view.no_indicators))
    if view.subcontracts is not None:
        story += pdf_flowables(view.subcontracts)
    closing: list[Flowable] = [para("Data quality notes", "h2")]
    if view.notes:
        for note in view.notes:
            flag = " [not scorable]" if note.unscorable else ""
            closing.append(para("", markup=f"\u2022 <b>{esc(note.indicator)}</b>{flag}: {esc(note.text)}"))
    else:
        closing.append(
            para("No data quality notes for this period: every indicator had enough data to be scored.")
        )
    closing += [
        Spacer(1, 8),
        para(
            f"Contract {context.contract_id}, version {context.contract_version}. Settlement period {view.period}, "
            f"{view.status_label.lower()}. Run {context.run_id}. Every amount on this statement is a line of the settlement "
            f"ledger of this run, shown in {labels.unit_words()}. The run id identifies the settlement; the run's manifest.json "
            "records it with the SHA-256 of every input and output.",
            "small",
        ),
    ]
    story += _kept_with_the_last(closing)
    return story


def _money_table(view: StatementView) -> Flowable:
    rows = []
    for line in view.money:
        style = "cell_num_bold" if line.emphasis else "cell_num"
        label_style = "cell_bold" if line.emphasis or not line.memo else "cell"
        rows.append(
            [cell(line.label, style=label_style), cell(line.explanation), cell(line.amount, style=style)]
        )
    rules = [index for index, line in enumerate(view.money) if line.emphasis]
    return data_table(["Item", "How it is made", "Amount"], rows, SUMMARY_WIDTHS, numeric=[2], rules=rules)


def _indicator_table(view: StatementView) -> Flowable:
    rows: list[list[TextCell | str]] = []
    unscorable = []
    for index, row in enumerate(view.indicators):
        if not row.scorable:
            unscorable.append(index)
        rows.append(
            [
                cell(
                    row.name,
                    [
                        f"{row.domain} \u00b7 {row.attribution}",
                        f"{row.window} ({row.window_kind})",
                        " \u00b7 ".join(row.about),
                    ],
                    style="cell_bold",
                ),
                cell(
                    row.achieved,
                    [f"{row.numerator} / {row.denominator}", *([row.interval] if row.interval else [])],
                    style="cell_num",
                ),
                cell(row.threshold, style="cell_num"),
                cell(row.target, style="cell_num"),
                cell(row.score, ["not scorable"] if not row.scorable else [], style="cell_num"),
                cell(row.weight, style="cell_num"),
                cell(row.available, [f"{row.share} of {row.pool}"], style="cell_num"),
                cell(row.earned, style="cell_num"),
            ]
        )
    rows.append(
        [
            cell("Total", style="cell_bold"),
            "",
            "",
            "",
            "",
            "",
            cell(view.available_total, style="cell_num_bold"),
            cell(view.earned_total, style="cell_num_bold"),
        ]
    )
    header = [
        "Indicator",
        "Achieved (num.\u00a0/\u00a0denom.)",  # no-break spaces: "(num. /" over "denom.)" reads badly
        "Threshold",
        "Target",
        "Score",
        "Weight",
        "Available (your share)",
        "Earned",
    ]
    return data_table(header, rows, INDICATOR_WIDTHS, numeric=range(1, 8), total_rows=1, highlight=unscorable)


def _kept_with_the_last(closing: list[Flowable]) -> list[Flowable]:
    """The data quality notes and the colophon, so that no page holds the colophon alone: all of
    it together when short, else the last note with the colophon."""
    if len(closing) <= 8:
        return [KeepTogether(closing)]
    return [*closing[:-3], KeepTogether(closing[-3:])]
