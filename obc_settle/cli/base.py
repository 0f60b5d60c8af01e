"""The typer application shared by the command modules, and what every command prints with."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from rich.console import Console

from obc_settle import __version__
from obc_settle.errors import Diagnostic, ExitCode, Severity
from obc_settle.render.terminal import print_findings

EXIT_STATUSES: dict[ExitCode, str] = {
    ExitCode.OK: "success",
    ExitCode.INVALID_CONTRACT: "invalid contract (the contract file has errors)",
    ExitCode.USAGE: "usage error (bad option or argument, period not understood or outside the term)",
    ExitCode.INVALID_DATA: "invalid data (an extract has errors)",
    ExitCode.VERIFY_MISMATCH: "verification mismatch (verify)",
    ExitCode.OUTPUT_ERROR: "the output cannot be written",
    ExitCode.DIFFERENCES: "the runs compared differ (diff)",
    ExitCode.INTERNAL_ERROR: "internal error (a bug: an unexpected failure, or a ledger invariant that does not hold, I001)",
}
# "\b" keeps click from re-wrapping a paragraph: one status, one example per line.
EXIT_CODES_HELP = "\b\nExit status:\n" + "\n".join(
    f"  {int(code):<3} {text}" for code, text in EXIT_STATUSES.items()
)
EXAMPLES_HELP = (
    "\b\nExamples:\n"
    "  obc-settle validate contracts/diabetes-alliance.yaml\n"
    "  obc-settle run contracts/diabetes-alliance.yaml --data sample_data/diabetes-alliance \\\n"
    "      --period 2025-26-Q3 --out runs/2025-26-Q3\n"
    "  obc-settle run ... --format pdf,xlsx --json > summary.json\n"
    "  obc-settle --install-completion"
)

app = typer.Typer(
    name="obc-settle",
    help=f"Settle outcome-based health and care contracts to the penny.\n\n{EXAMPLES_HELP}\n\n{EXIT_CODES_HELP}",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def consoles() -> tuple[Console, Console]:
    no_color = "NO_COLOR" in os.environ
    # Piped output (CI logs, files) has no terminal width; give tables room rather than truncate.
    width = None if sys.stdout.isatty() or "COLUMNS" in os.environ else 160
    # Paths, ids, names and messages are plain text: no markup (`[bold]`), no emoji codes (Rich
    # would print `typo.yaml:100:17` as `typo.yaml💯17`). Styles are given as `style=`.
    return (
        Console(no_color=no_color, highlight=False, width=width, markup=False, emoji=False),
        Console(stderr=True, no_color=no_color, highlight=False, width=width, markup=False, emoji=False),
    )


def _version(value: bool) -> None:
    if value:
        print(f"obc-settle {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Settle outcome-based health and care contracts."""


def report_failure(err: Console, diagnostics: list[Diagnostic], what: str = "nothing was written") -> None:
    """Findings one per line, then a count, on standard error."""
    print_findings(err, diagnostics)
    count = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
    err.print(f"{count} problem{'s' if count != 1 else ''}; {what}", markup=False)
