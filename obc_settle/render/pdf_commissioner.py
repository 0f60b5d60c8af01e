"""The commissioner's consolidated report as a PDF: totals, providers, indicators, across the contract.

Built from the same `ReportView` as the HTML report; A4 portrait, see `pdf_base` for
pagination and repeatable bytes.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from obc_settle.money import format_pounds
from obc_settle.render import labels
from obc_settle.render.commissioner_report import ReportView
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
from obc_settle.render.pdf_charts import achievement_flowables, share_flowables, waterfall_flowables
from obc_settle.render.pdf_risk_share import risk_share_flowables

SUMMARY_WIDTHS = (45 * mm, CONTENT_WIDTH - 45 * mm - 32 * mm, 32 * mm)
# Score is wide enough for its fraction, "(40938 / 59995)", at a size close to the table's.
INDICATOR_WIDTHS = (48 * mm, 18 * mm, 16 * mm, 16 * mm, 19 * mm, 12 * mm, 20 * mm, CONTENT_WIDTH - 149 * mm)
MATRIX_COLUMNS = 5


def write_report_pdf(view: ReportView, path: Path) -> None:
    """Write the commissioner's report as a PDF to `path`."""
    context = view.context
    build_pdf(
        path,
        report_story(view),
        title=f"{view.status_label} settlement report {view.period}: {context.contract_name}",
        subject="Outcome-based contract settlement report",
        author=", ".join(context.commissioners),
        footer=f"{context.contract_id} version {context.contract_version} \u00b7 {view.period} {view.status_label.lower()} "
        f"\u00b7 commissioner's report \u00b7 run {context.run_id}",
    )


def report_story(view: ReportView) -> list[Flowable]:
    context = view.context
    story: list[Flowable] = [
        para(context.contract_name, "title"),
        para("Settlement report for the commissioners, all providers", "subtitle"),
        KeepTogether(
            [status_badge(view.status, view.status_label), Spacer(1, 3), para(view.status_text, "small")]
        ),
        Spacer(1, 4),
        headline([(line.amount, line.label) for line in view.headline]),
        para("About this report", "h2"),
        facts_table(
            [
                ("Settlement period", f"{view.period} ({view.period_months})"),
                ("Contract year", view.contract_year),
                ("Status", view.status_label),
                ("Commissioners", ", ".join(context.commissioners)),
                ("Population", context.population_segment),
                (
                    "Contract",
                    f"{context.contract_name} ({context.contract_id}, version {context.contract_version}), {context.model}, {len(view.providers)} providers",
                ),
                ("Currency", labels.currency_name(context.currency)),
            ]
        ),
        para("Money for the period", "h2"),
        _totals_table(view),
        Spacer(1, 6),
        KeepTogether(
            [
                para("From the contract value to the amount paid to providers", "small"),
                *waterfall_flowables(view.waterfall),
            ]
        ),
        para("Providers", "h2"),
        para("Earned against withheld, by provider", "small"),
        *share_flowables(view.shares),
        Spacer(1, 6),
        _providers_table(view),
        *_risk_share(view),
        para("Outcome indicators", "h2"),
    ]
    if view.indicators:
        story.append(para("Achievement against threshold and target, by indicator", "small"))
        story += achievement_flowables(view.achievement)
        story += [Spacer(1, 8), _indicator_table(view)]
        story += _matrix_tables(view)
    else:
        story.append(para("No outcome indicators were settled for this period."))
    closing: list[Flowable] = [para("Data quality notes", "h2")]
    for note in view.notes:
        flag = " [not scorable]" if note.unscorable else ""
        closing.append(para("", markup=f"\u2022 <b>{esc(note.indicator)}</b>{flag}: {esc(note.text)}"))
    if not view.notes:
        closing.append(
            para("No data quality notes for this period: every indicator had enough data to be scored.")
        )
    closing += [
        Spacer(1, 8),
        para(
            f"Contract {context.contract_id}, version {context.contract_version}. Settlement period {view.period}, "
            f"{view.status_label.lower()}. Run {context.run_id}. Every amount in this report is a line of the settlement "
            f"ledger of this run or a sum of such lines, shown in {labels.unit_words()}; shares are ratios of those amounts.",
            "small",
        ),
    ]
    story += _kept_with_the_last(closing)
    return story


def _totals_table(view: ReportView) -> Flowable:
    rows = [
        [
            cell(line.label, style="cell_bold" if not line.memo else "cell"),
            cell(line.explanation),
            cell(line.amount, style="cell_num_bold" if line.emphasis else "cell_num"),
        ]
        for line in view.totals
    ]
    rules = [index for index, line in enumerate(view.totals) if line.emphasis]
    return data_table(["Item", "How it is made", "Amount"], rows, SUMMARY_WIDTHS, numeric=[2], rules=rules)


def _providers_table(view: ReportView) -> Flowable:
    keys = [key for key, _ in view.provider_money]
    rows: list[list[object]] = [
        [
            cell(p.name, [f"{p.provider_id}, {p.role}"], style="cell_bold"),
            *(p.pounds(key) for key in keys),
            cell(
                labels.percent(p.earned_share, 1),
                [f"{labels.percent(p.earned_rate, 1)} of withheld"],
                style="cell_num",
            ),
        ]
        for p in view.providers
    ]
    rows.append(
        [
            cell("All providers", style="cell_bold"),
            *(cell(view.provider_total(key), style="cell_num_small_bold") for key in keys),
            "",
        ]
    )
    header = ["Provider", *(heading for _, heading in view.provider_money), "Share of earned"]
    money_width = (CONTENT_WIDTH - 34 * mm - 16 * mm) / len(keys)
    widths = [34 * mm, *([money_width] * len(keys)), 16 * mm]
    return data_table(header, rows, widths, numeric=range(1, len(header)), small_numbers=True, total_rows=1)


def _indicator_table(view: ReportView) -> Flowable:
    rows: list[list[object]] = []
    for i in view.indicators:
        rows.append(
            [
                cell(
                    i.name,
                    [f"{i.domain} \u00b7 {i.attribution} \u00b7 {i.direction}", i.window],
                    style="cell_bold",
                ),
                i.achieved,
                i.threshold,
                i.target,
                cell(i.score, ["not scorable"] if not i.scorable else [], style="cell_num"),
                i.weight,
                format_pounds(i.pool_pence),
                cell(
                    format_pounds(i.earned_pence),
                    [f"retained {format_pounds(i.retained_pence)}"],
                    style="cell_num",
                ),
            ]
        )
    header = [
        "Indicator",
        "Achieved",
        "Threshold",
        "Target",
        "Score",
        "Weight",
        "Pool",
        "Earned by providers",
    ]
    unscorable = [index for index, i in enumerate(view.indicators) if not i.scorable]
    return data_table(header, rows, INDICATOR_WIDTHS, numeric=range(1, 8), highlight=unscorable)


def _matrix_tables(view: ReportView) -> list[Flowable]:
    """Earned on each indicator by provider, a few providers per table so that it fits the page."""
    flowables: list[Flowable] = [para("Earned on each indicator, by provider", "h2")]
    providers = list(enumerate(view.providers))
    for start in range(0, len(providers), MATRIX_COLUMNS):
        chunk = providers[start : start + MATRIX_COLUMNS]
        width = (CONTENT_WIDTH - 60 * mm) / MATRIX_COLUMNS
        rows: list[list[object]] = [
            [
                cell(i.name),
                *(
                    labels.NO_VALUE
                    if i.earned_by_provider[index] is None
                    else format_pounds(i.earned_by_provider[index] or 0)
                    for index, _ in chunk
                ),
            ]
            for i in view.indicators
        ]
        rows.append(
            [
                cell("Earned", style="cell_bold"),
                *(cell(p.pounds("earned"), style="cell_num_bold") for _, p in chunk),
            ]
        )
        header = ["Indicator", *(f"{p.name} ({p.provider_id})" for _, p in chunk)]
        flowables += [
            data_table(
                header, rows, [60 * mm] + [width] * len(chunk), numeric=range(1, len(chunk) + 1), total_rows=1
            ),
            Spacer(1, 6),
        ]
    return flowables


def _kept_with_the_last(closing: list[Flowable]) -> list[Flowable]:
    """The data quality notes and the colophon, so that no page holds the colophon alone: all of
    it together when short, else the last note with the colophon."""
    if len(closing) <= 8:
        return [KeepTogether(closing)]
    return [*closing[:-3], KeepTogether(closing[-3:])]


def _risk_share(view: ReportView) -> list[Flowable]:
    """The risk/gain share: how the providers' part was found, and each provider's share of it."""
    shared = view.risk_share
    if shared is None:
        return []
    rows: list[list[object]] = [
        [cell(row.name, [row.provider_id]), labels.percent(row.share), format_pounds(row.pence)]
        for row in shared.rows
    ]
    rows.append(
        [
            cell("All providers", style="cell_bold"),
            "",
            cell(format_pounds(shared.providers_part_pence), style="cell_num_small_bold"),
        ]
    )
    story: list[Flowable] = [
        para("Risk and gain share", "h2"),
        *(risk_share_flowables(shared.fields, heading=False) if shared.fields else [para(shared.derivation)]),
        para(
            f"Each provider's share of the providers' part of the {shared.side}, "
            f"{format_pounds(shared.providers_part_pence)}:",
            "small",
        ),
        data_table(
            ["Provider", "Share", "Amount"],
            rows,
            [CONTENT_WIDTH * 0.6, CONTENT_WIDTH * 0.2, CONTENT_WIDTH * 0.2],
            numeric=(1, 2),
            total_rows=1,
        ),
    ]
    if shared.commissioner:
        story.append(para(shared.commissioner, "small"))
    return story
