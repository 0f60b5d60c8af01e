"""Terminal views: a rich table of the settlement, and findings one per line."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from obc_settle.errors import Diagnostic, Severity
from obc_settle.money import format_pounds


def settlement_table(summary: dict[str, Any]) -> Table:
    title = (
        f"{summary['contract_name']} — {summary['settlement_period']} ({summary['status']})\n"
        f"contract value {format_pounds(summary['contract_value_pence'])}, "
        f"outcome pool {format_pounds(summary['outcome_pool_pence'])}"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("provider")
    table.add_column("role")
    for heading in ("base", "withheld", "earned", "unearned", "redistributed", "net payable"):
        table.add_column(heading, justify="right")
    keys = ("base_pence", "withheld_pence", "earned_pence", "unearned_pence", "redistributed_pence", "net_payable_pence")
    for provider in summary["providers"]:
        table.add_row(provider["provider_id"], provider["role"], *(format_pounds(provider[key]) for key in keys))
    totals = [sum(p[key] for p in summary["providers"]) for key in keys]
    table.add_section()
    table.add_row("all providers", "", *(format_pounds(total) for total in totals), style="bold")
    table.caption = (
        f"paid to providers {format_pounds(summary['paid_to_providers_pence'])} + "
        f"retained by the commissioner {format_pounds(summary['retained_pence'])} = "
        f"{format_pounds(summary['contract_value_pence'])}"
    )
    return table


def print_findings(console: Console, diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        style = "red" if diagnostic.severity is Severity.ERROR else "yellow"
        console.print(diagnostic.render(), style=style, markup=False, highlight=False, soft_wrap=True)
