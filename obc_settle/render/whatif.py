"""Views of what-if results: sensitivity CSV and chart page, terminal tables for sensitivity,
scenario diffs, contract design and estimates. Only formatting: every amount is given, in pence,
by the use case (a settlement's ledger). Same input, same bytes: no clock, fixed order.
"""

from __future__ import annotations

import csv
import io
from html import escape
from typing import Any

from rich.table import Table

from obc_settle.money import format_pounds


def sensitivity_csv(result: dict[str, Any]) -> str:
    """One row per indicator and level: total paid and each provider's net payable, in pence."""
    providers = list(result["baseline"]["providers"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["indicator_id", "level", "mark", "paid_to_providers_pence", *[f"{p}_pence" for p in providers]]
    )
    for curve in result["indicators"]:
        for point in curve["points"]:
            writer.writerow(
                [
                    curve["indicator_id"],
                    repr(point["level"]),
                    _mark(curve, point["level"]),
                    point["paid_to_providers_pence"],
                    *[point["providers"][p] for p in providers],
                ]
            )
    return out.getvalue()


def _mark(curve: dict[str, Any], level: float) -> str:
    marks = [name for name in ("threshold", "target") if round(curve[name], 6) == level]
    if curve["current"] is not None and round(curve["current"], 6) == level:
        marks.append("current")
    return "+".join(marks)


def sensitivity_html(result: dict[str, Any]) -> str:
    """A self-contained page: one inline SVG payment curve per indicator, threshold and target marked."""
    parts = [
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">',
        f"<title>Sensitivity {escape(result['contract_id'])} {escape(result['settlement_period'])}</title>",
        "<style>body{font-family:sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}svg{max-width:100%;height:auto}"
        ".t{stroke:#b35c00}.g{stroke:#137a3a}.c{stroke:#6b2fa0}</style></head><body>",
        f"<h1>Payment sensitivity: {escape(result['contract_id'])}, {escape(result['settlement_period'])}</h1>",
        "<p>Each curve is the total paid to providers when the indicator alone is set to each level (every point a settlement "
        "by the engine). Dashed lines: threshold (orange), target (green), current level (purple).</p>",
    ]
    for curve in result["indicators"]:
        parts.append(f"<h2>{escape(curve['name'])} <code>{escape(curve['indicator_id'])}</code></h2>")
        parts.append(_curve_svg(curve))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _curve_svg(curve: dict[str, Any]) -> str:
    width, height, left, bottom, top, right = 640, 260, 90, 40, 15, 15
    xs = [p["level"] for p in curve["points"]]
    ys = [p["payable_pence"] for p in curve["points"]]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    if y0 == y1:
        y0, y1 = y0 - 100, y1 + 100
    if x0 == x1:
        x0, x1 = x0 - 1, x1 + 1

    def sx(x: float) -> float:
        return round(left + (x - x0) / (x1 - x0) * (width - left - right), 2)

    def sy(y: float) -> float:
        return round(height - bottom - (y - y0) / (y1 - y0) * (height - top - bottom), 2)

    path = " ".join(f"{sx(x)},{sy(y)}" for x, y in zip(xs, ys, strict=True))
    lines = [
        f'<svg viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="payment curve of {escape(curve["indicator_id"])}">',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#555"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#555"/>',
    ]
    for name, css in (("threshold", "t"), ("target", "g"), ("current", "c")):
        value = curve[name]
        if value is not None and x0 <= value <= x1:
            lines.append(
                f'<line class="{css}" x1="{sx(value)}" y1="{top}" x2="{sx(value)}" y2="{height - bottom}" stroke-dasharray="4 3"/>'
            )
            lines.append(f'<text x="{sx(value) + 3}" y="{top + 10}" font-size="10">{name}</text>')
    lines.append(f'<polyline points="{path}" fill="none" stroke="#1a4f8b" stroke-width="2"/>')
    lines += [
        f'<circle cx="{sx(x)}" cy="{sy(y)}" r="2.5" fill="#1a4f8b"/>' for x, y in zip(xs, ys, strict=True)
    ]
    lines.append(f'<text x="{left}" y="{height - 8}" font-size="10">{x0:g}</text>')
    lines.append(f'<text x="{width - right}" y="{height - 8}" font-size="10" text-anchor="end">{x1:g}</text>')
    lines.append(
        f'<text x="{left - 4}" y="{sy(max(ys)) + 4}" font-size="10" text-anchor="end">{escape(format_pounds(max(ys)))}</text>'
    )
    lines.append(
        f'<text x="{left - 4}" y="{sy(min(ys)) + 4}" font-size="10" text-anchor="end">{escape(format_pounds(min(ys)))}</text>'
    )
    lines.append("</svg>")
    return "\n".join(lines)


def sensitivity_table(result: dict[str, Any]) -> Table:
    title = f"Sensitivity {result['contract_id']} {result['settlement_period']}: money per point of improvement ({result['followed']})"
    table = Table(title=title, title_justify="left")
    for heading in (
        "indicator",
        "current",
        "threshold",
        "target",
        "point",
        "next point",
        "curve low",
        "curve high",
    ):
        table.add_column(heading, justify="left" if heading == "indicator" else "right")
    curves = {c["indicator_id"]: c for c in result["indicators"]}
    order = [r["indicator_id"] for r in result["ranking"]] + [
        c for c in curves if c not in {r["indicator_id"] for r in result["ranking"]}
    ]
    for key in order:
        c = curves[key]
        paid = [p["payable_pence"] for p in c["points"]]
        table.add_row(
            key,
            "—" if c["current"] is None else f"{c['current']:.4g}",
            f"{c['threshold']:g}",
            f"{c['target']:g}",
            f"{c['point']:g}",
            "—" if c["next_point_pence"] is None else format_pounds(c["next_point_pence"]),
            format_pounds(min(paid)),
            format_pounds(max(paid)),
        )
    return table


def scenario_table(report: dict[str, Any]) -> Table:
    table = Table(title=f"Scenario {report['scenario']}: baseline and scenario", title_justify="left")
    for heading in ("party", "line", "indicator", "baseline", "scenario", "difference"):
        table.add_column(
            heading, justify="right" if heading in ("baseline", "scenario", "difference") else "left"
        )
    for row in report["lines"]:
        table.add_row(
            row["party_id"],
            row["line_type"],
            row["indicator_id"] or "",
            _pounds(row["old_pence"]),
            _pounds(row["new_pence"]),
            format_pounds(row["difference_pence"]),
        )
    table.add_section()
    for row in report["totals"]:
        table.add_row(
            row["total"],
            "",
            "",
            _pounds(row["old_pence"]),
            _pounds(row["new_pence"]),
            format_pounds(row["difference_pence"]),
        )
    return table


def design_table(report: dict[str, Any]) -> Table:
    drafts = report["drafts"]
    table = Table(title="Contract design: what each draft would have paid", title_justify="left")
    for heading in ("draft", "year", "provider", "net payable", "withheld", "earned", "share earned"):
        table.add_column(heading, justify="left" if heading in ("draft", "year", "provider") else "right")
    for number, draft in enumerate(drafts, start=1):
        for year in draft["years"]:
            for p in year["providers"]:
                share = (
                    "—" if p["share_of_withheld_earned"] is None else f"{p['share_of_withheld_earned']:.1%}"
                )
                table.add_row(
                    f"{number} {draft['contract_id']}",
                    year["year"],
                    p["provider_id"],
                    format_pounds(p["net_payable_pence"]),
                    format_pounds(p["withheld_pence"]),
                    format_pounds(p["earned_pence"]),
                    share,
                )
    return table


def hits_table(report: dict[str, Any]) -> Table:
    table = Table(title="How often each indicator met its threshold and target", title_justify="left")
    for heading in ("draft", "indicator", "years", "met threshold", "met target"):
        table.add_column(heading, justify="left" if heading in ("draft", "indicator") else "right")
    for number, draft in enumerate(report["drafts"], start=1):
        for item in draft["indicators"]:
            table.add_row(
                f"{number} {draft['contract_id']}",
                item["indicator_id"],
                str(item["years"]),
                str(item["met_threshold"]),
                str(item["met_target"]),
            )
    return table


def comparison_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="Draft 1 against draft 2: net payable", title_justify="left")
    for heading in ("year", "provider", "draft 1", "draft 2", "difference"):
        table.add_column(heading, justify="left" if heading in ("year", "provider") else "right")
    for row in rows:
        table.add_row(
            row["year"],
            row["provider_id"],
            _pounds(row["first_pence"]),
            _pounds(row["second_pence"]),
            _pounds(row["difference_pence"]),
        )
    return table


def estimate_range_table(estimate: dict[str, Any]) -> Table:
    table = Table(
        title=f"ESTIMATE {estimate['settlement_period']} ({estimate['trajectory']} from {estimate['through']}): range from the "
        "year-to-date confidence intervals",
        title_justify="left",
    )
    for heading in ("provider", "low", "estimate", "high"):
        table.add_column(heading, justify="left" if heading == "provider" else "right")
    for p in estimate["providers"]:
        table.add_row(
            p["provider_id"],
            _pounds(p.get("low_pence")),
            format_pounds(p["net_payable_pence"]),
            _pounds(p.get("high_pence")),
        )
    return table


def _pounds(pence: int | None) -> str:
    return "—" if pence is None else format_pounds(pence)
