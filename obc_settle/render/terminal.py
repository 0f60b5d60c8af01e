"""Terminal views: a rich table of the settlement, findings one per line, and a progress bar."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from obc_settle.errors import Diagnostic, Severity
from obc_settle.money import format_pounds


def settlement_table(summary: dict[str, Any]) -> Table:
    title = (
        f"{summary['contract_name']} — {summary['settlement_period']} ({_status(summary['status'])})\n"
        f"contract value {format_pounds(summary['contract_value_pence'])}, "
        f"outcome pool {format_pounds(summary['outcome_pool_pence'])}"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("provider")
    table.add_column("role")
    columns = _columns(summary)
    for heading, _ in columns:
        table.add_column(heading, justify="right")
    keys = [key for _, key in columns]
    for provider in summary["providers"]:
        table.add_row(
            provider["provider_id"], provider["role"], *(format_pounds(provider.get(key, 0)) for key in keys)
        )
    totals = [sum(p.get(key, 0) for p in summary["providers"]) for key in keys]
    table.add_section()
    table.add_row("all providers", "", *(format_pounds(total) for total in totals), style="bold")
    table.caption = (
        f"paid to providers {format_pounds(summary['paid_to_providers_pence'])} + "
        f"retained by the commissioner {format_pounds(summary['retained_pence'])} = "
        f"{format_pounds(summary['contract_value_pence'])}"
    )
    return table


ALWAYS = (
    ("base", "base_pence"),
    ("withheld", "withheld_pence"),
    ("earned", "earned_pence"),
    ("unearned", "unearned_pence"),
    ("redistributed", "redistributed_pence"),
)
WHEN_USED = (
    ("points", "points_pence"),
    ("aspiration", "aspiration_pence"),
    ("risk/gain share", "risk_share_pence"),
    ("rate card", "rate_card_pence"),
    ("subcontract", "subcontract_pence"),
)
RECONCILED = (
    ("restated", "restated_pence"),
    ("paid to date", "paid_to_date_pence"),
    ("due now", "due_now_pence"),
)


def _status(status: str) -> str:
    """An estimate is shouted: it must never be read as a settlement."""
    return "ESTIMATE: not a settlement" if status == "estimate" else status


def _columns(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """The money columns: always base to net payable; other payments only when a provider has them;
    restated, paid to date and due now when the settlement nets off earlier payments."""
    providers = summary["providers"]
    used = [column for column in WHEN_USED if any(p.get(column[1], 0) for p in providers)]
    reconciled = list(RECONCILED) if summary.get("reconciled") else []
    return [*ALWAYS, *used, ("net payable", "net_payable_pence"), *reconciled]


def print_findings(console: Console, diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        style = "red" if diagnostic.severity is Severity.ERROR else "yellow"
        console.print(diagnostic.render(), style=style, markup=False, highlight=False, soft_wrap=True)


class ProgressBar:
    """A progress bar fed by `(stage, done, total)` calls, one bar per stage, cleared when done.

    Shows nothing at all unless `enabled` (the command's choice: not `--quiet`) and the console is
    a terminal, so that logs, pipes and CI output stay clean. Use as a context manager and pass
    the instance itself as the `on_progress` callback.
    """

    def __init__(self, console: Console, enabled: bool = True):
        self.active = enabled and console.is_terminal
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not self.active,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> ProgressBar:
        self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._progress.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self._tasks:
            self._tasks[stage] = self._progress.add_task(stage, total=total)
        self._progress.update(self._tasks[stage], completed=done, total=total)
