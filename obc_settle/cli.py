"""The command line: parse options, call one use case, render, exit with a documented status.

Exit statuses: 0 success; 1 invalid contract; 2 usage error; 3 invalid data; 4 verification
mismatch; 5 output cannot be written; 70 internal error.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from obc_settle import __version__
from obc_settle.app import RunRequest, run_settlement, validate_contract
from obc_settle.contract.models import Contract
from obc_settle.errors import ExitCode, SettlementError, has_errors
from obc_settle.render.summary import summary_document, summary_json
from obc_settle.render.terminal import print_findings, settlement_table

EXIT_CODES_HELP = (
    "Exit status: 0 success; 1 invalid contract; 2 usage error; 3 invalid data; "
    "4 verification mismatch; 5 output cannot be written; 70 internal error."
)

app = typer.Typer(
    name="obc-settle",
    help=f"Settle outcome-based health and care contracts to the penny.\n\n{EXIT_CODES_HELP}",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _consoles() -> tuple[Console, Console]:
    no_color = "NO_COLOR" in os.environ
    # Piped output (CI logs, files) has no terminal width; give tables room rather than truncate.
    width = None if sys.stdout.isatty() or "COLUMNS" in os.environ else 160
    return (
        Console(no_color=no_color, highlight=False, width=width),
        Console(stderr=True, no_color=no_color, highlight=False, width=width),
    )


def _version(value: bool) -> None:
    if value:
        print(f"obc-settle {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Settle outcome-based health and care contracts."""


@app.command()
def validate(
    contracts: Annotated[list[Path], typer.Argument(help="Contract YAML files to check.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print findings as JSON.")] = False,
) -> None:
    """Check contract files: every problem, each as path:line:column: CODE message.

    Example: obc-settle validate contracts/diabetes-alliance.yaml
    """
    out, err = _consoles()
    all_findings = []
    report = []
    for path in contracts:
        loaded, findings = validate_contract(path)
        all_findings += findings
        report.append({"file": str(path), "valid": loaded is not None, "findings": [f.as_json() for f in findings]})
        if not as_json:
            print_findings(err, findings)
            if loaded is not None:
                out.print(f"{path}: valid ({loaded.contract.id}, version {loaded.contract.version})", markup=False)
    errors = sum(1 for f in all_findings if f.severity == "error")
    if as_json:
        print(json.dumps({"files": report, "errors": errors}, indent=2))
    elif errors:
        files = sum(1 for r in report if not r["valid"])
        err.print(f"{errors} problem{'s' if errors != 1 else ''} in {files} file{'s' if files != 1 else ''}", markup=False)
    raise typer.Exit(ExitCode.INVALID_CONTRACT if has_errors(all_findings) else ExitCode.OK)


@app.command()
def run(
    contract: Annotated[Path, typer.Argument(help="The contract YAML file.")],
    data: Annotated[Path, typer.Option("--data", help="An extract Parquet file or a folder of them.")],
    period: Annotated[str, typer.Option("--period", help="Settlement period: a quarter (2025-26-Q3) or a contract year (2025-26).")],
    out: Annotated[Path, typer.Option("--out", help="Output folder (created; must not exist unless --force).")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output folder.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print summary.json to standard output instead of a table.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")] = False,
) -> None:
    """Settle one contract for one period and write the ledger, summary, statements and manifest.

    Example: obc-settle run contracts/diabetes-alliance.yaml --data sample_data/diabetes-alliance
    --period 2025-26-Q3 --out runs/2025-26-Q3
    """
    out_console, err = _consoles()
    try:
        result = run_settlement(RunRequest(contract, data, period, out, force))
    except SettlementError as error:
        print_findings(err, error.diagnostics)
        count = sum(1 for d in error.diagnostics if d.severity == "error")
        err.print(f"{count} problem{'s' if count != 1 else ''}; nothing was written", markup=False)
        raise typer.Exit(error.exit_code) from None
    print_findings(err, result.warnings)
    if as_json:
        sys.stdout.write(summary_json(summary_document([result.summary])))
    elif not quiet:
        out_console.print(settlement_table(result.summary))
        out_console.print(f"written to {result.out_dir} (run {result.run_id})", markup=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the contract language (for editors that complete and check YAML).

    Example: obc-settle schema > contract.schema.json
    """
    document = Contract.model_json_schema(mode="validation")
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "obc-settle contract"
    print(json.dumps(document, indent=2, sort_keys=True))


def main() -> None:
    """Entry point: no tracebacks for users; internal errors get exit status 70."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the last line of defence
        if os.environ.get("OBC_SETTLE_DEBUG"):
            raise
        sys.stderr.write(f"internal error: {type(error).__name__}: {error}\n(set OBC_SETTLE_DEBUG=1 for a traceback)\n")
        sys.exit(ExitCode.INTERNAL_ERROR)
