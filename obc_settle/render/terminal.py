"""Terminal views: a rich table of the settlement, findings one per line, and a progress bar."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from obc_settle.errors import Diagnostic, Severity
from obc_settle.money import format_pounds, shown_currency


def settlement_table(summary: dict[str, Any], width: int | None = None) -> Table:
    """The settlement on a terminal `width` columns wide (None: any width). Amounts are never cut:
    exact pounds and pence when they fit; else rounded to k, m or bn with a caption saying where
    the exact figures are; else, when even that is too wide, one row per provider and amount."""
    columns = _columns(summary)
    keys = [key for _, key in columns]
    rows = [(p["provider_id"], p["role"], [int(p.get(key, 0)) for key in keys]) for p in summary["providers"]]
    totals = [sum(amounts[index] for _, _, amounts in rows) for index in range(len(keys))]
    # The first that fits: wide and exact, long and exact, wide and rounded, long and rounded.
    layouts = [(False, format_pounds), (True, format_pounds), (False, compact_pounds), (True, compact_pounds)]
    fitting = [
        (long, amount)
        for long, amount in layouts
        if width is None or (_long_width if long else _table_width)(columns, rows, totals, amount) <= width
    ]
    long, amount = fitting[0] if fitting else layouts[-1]
    exact_note = COMPACT_NOTE if amount is compact_pounds else ""
    table = Table(title=_title(summary), title_justify="left")
    if long:
        _long_layout(table, columns, rows, totals, amount)
    else:
        table.add_column("provider")
        table.add_column("role")
        for index, (heading, _) in enumerate(columns):
            cells = [amount(totals[index]), *(amount(amounts[index]) for _, _, amounts in rows)]
            table.add_column(heading, justify="right", min_width=max(len(cell) for cell in cells))
        for provider_id, role, amounts in rows:
            table.add_row(provider_id, role, *(amount(value) for value in amounts))
        table.add_section()
        table.add_row("all providers", "", *(amount(total) for total in totals), style="bold")
    table.caption = (
        f"paid to providers {format_pounds(summary['paid_to_providers_pence'])} + "
        f"retained by the commissioner {format_pounds(summary['retained_pence'])} = "
        f"{format_pounds(summary['contract_value_pence'])}{exact_note}"
    )
    return table


COMPACT_NOTE = (
    "\namounts rounded to fit (k thousand, m million, bn billion); exact in --json, summary.json, ledger.csv"
)


def compact_pounds(pence: int) -> str:
    """`2185000000` -> `£21.85m`: pounds to two significant decimals of thousands, millions or
    billions (halves up), for a terminal too narrow for the exact figure; under £1,000 exact."""
    if abs(pence) < 100 * 10**3:
        return format_pounds(pence)
    for unit, suffix in ((100 * 10**9, "bn"), (100 * 10**6, "m"), (100 * 10**3, "k")):
        value = (Decimal(abs(pence)) / unit).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if value >= 1:  # after rounding: £999,999,999.99 is £1.00bn, not £1000.00m
            return f"{'-' if pence < 0 else ''}{shown_currency().symbol}{value}{suffix}"
    return format_pounds(pence)


def _title(summary: dict[str, Any]) -> str:
    return (
        f"{summary['contract_name']} — {summary['settlement_period']} ({_status(summary['status'])})\n"
        f"contract value {format_pounds(summary['contract_value_pence'])}, "
        f"outcome pool {format_pounds(summary['outcome_pool_pence'])}"
    )


def _table_width(
    columns: list[tuple[str, str]], rows: list[tuple[str, str, list[int]]], totals: list[int], amount: Any
) -> int:
    """The width Rich needs for the wide layout: each column's widest cell or heading (headings
    may wrap at spaces), plus a space either side and a border."""
    first = max([len("all providers"), *(len(provider_id) for provider_id, _, _ in rows)])
    second = max([len("role"), *(len(role) for _, role, _ in rows)])
    widths = [first, second]
    for index, (heading, _) in enumerate(columns):
        cells = [amount(totals[index]), *(amount(amounts[index]) for _, _, amounts in rows)]
        widths.append(max([*(len(cell) for cell in cells), *(len(word) for word in heading.split())]))
    return sum(widths) + 3 * len(widths) + 1


def _long_width(
    columns: list[tuple[str, str]], rows: list[tuple[str, str, list[int]]], totals: list[int], amount: Any
) -> int:
    first = max([len("all providers"), *(len(f"{provider_id} ({role})") for provider_id, role, _ in rows)])
    second = max(len(heading) for heading, _ in columns)
    cells = [amount(value) for value in totals] + [amount(a) for _, _, amounts in rows for a in amounts]
    return first + second + max([len("amount"), *(len(cell) for cell in cells)]) + 3 * 3 + 1


def _long_layout(
    table: Table,
    columns: list[tuple[str, str]],
    rows: list[tuple[str, str, list[int]]],
    totals: list[int],
    amount: Any,
) -> None:
    """One row per provider and amount: narrow whatever the number of columns."""
    table.add_column("provider")
    table.add_column("")
    table.add_column("amount", justify="right", no_wrap=True)
    for provider_id, role, amounts in rows:
        for index, (heading, _) in enumerate(columns):
            table.add_row(f"{provider_id} ({role})" if index == 0 else "", heading, amount(amounts[index]))
        table.add_section()
    for index, (heading, _) in enumerate(columns):
        table.add_row("all providers" if index == 0 else "", heading, amount(totals[index]), style="bold")


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
    """The money columns: base to net payable and the other payments, each only when a provider
    has an amount in it (net payable always); restated, paid to date and due now when the
    settlement nets off earlier payments."""
    providers = summary["providers"]
    used = [column for column in (*ALWAYS, *WHEN_USED) if any(p.get(column[1], 0) for p in providers)]
    reconciled = list(RECONCILED) if summary.get("reconciled") else []
    return [*used, ("net payable", "net_payable_pence"), *reconciled]


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
