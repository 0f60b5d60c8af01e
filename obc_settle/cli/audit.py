"""Commands of the audit trail: `verify`, `explain`, `diff`. Each reads run folders only."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from obc_settle.cli.base import app, consoles, report_failure
from obc_settle.errors import ExitCode, SettlementError
from obc_settle.render.terminal import print_findings

RunDir = Annotated[Path, typer.Argument(help="A run folder written by `obc-settle run`.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the report as JSON to standard output.")]


def _print_json(document: dict[str, Any]) -> None:
    print(json.dumps(document, indent=2, ensure_ascii=False))


@app.command()
def verify(
    run_dir: RunDir,
    trust: Annotated[
        Path | None,
        typer.Option(
            "--trust",
            help="A public key file (obc-settle keys new): the run must be signed by its private key.",
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Check a run folder: its signature, every file's hash, then recompute it from its archived
    inputs and compare every output byte for byte; says which step failed.

    Without --trust this proves the folder is consistent and reproducible, not who produced it;
    with --trust, that the holder of the key signed it and nothing has changed since. Versions
    that differ are warnings. Exit status 0 only when every step passes; 4 otherwise; 2 when
    RUN_DIR is not a run folder it can replay or the key file cannot be used.

    \b
    Examples:
      obc-settle verify runs/2025-26-Q3
      obc-settle verify runs/2025-26-Q3 --trust keys/finance.pub
    """
    from obc_settle.app.audit import verify_run
    from obc_settle.audit.terminal import verify_view

    out, err = consoles()
    try:
        report = verify_run(run_dir, trust)
    except SettlementError as error:
        report_failure(err, error.diagnostics, "nothing was verified")
        raise typer.Exit(error.exit_code) from None
    print_findings(err, report.findings())
    if as_json:
        _print_json(report.as_json())
    else:
        for line in verify_view(report):
            out.print(line, soft_wrap=True)
    raise typer.Exit(ExitCode.OK if report.ok else ExitCode.VERIFY_MISMATCH)


@app.command()
def explain(
    run_dir: RunDir,
    provider: Annotated[str, typer.Option("--provider", help="The provider whose statement to explain.")],
    indicator: Annotated[
        str | None, typer.Option("--indicator", help="Explain only this indicator's line.")
    ] = None,
    records: Annotated[
        bool,
        typer.Option(
            "--records",
            help="List the provider's people in the numerator, the denominator and excluded, as CSV (needs --indicator and a record-level extract).",
        ),
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Show how every amount on a provider's statement was derived, step by step, from the ledger.

    With --records, print instead the provider's people counted for one indicator (CSV: list,
    patient_id, period, file), from record-level extracts. Exit status 0; 2 for an unknown
    provider or indicator, --records without --indicator or without record-level extracts, or a
    folder that is not a run.

    Example: obc-settle explain runs/2025-26-Q3 --provider WHIT --indicator hba1c_control
    """
    from obc_settle.app.audit import explain_run, people_of_indicator
    from obc_settle.audit.explain_text import explanation_lines, people_csv, people_summary

    out, err = consoles()
    try:
        document = (
            people_of_indicator(run_dir, provider, indicator)
            if records
            else explain_run(run_dir, provider, indicator)
        )
    except SettlementError as error:
        report_failure(err, error.diagnostics, "nothing to explain")
        raise typer.Exit(error.exit_code) from None
    if records and not as_json:
        sys.stdout.write(people_csv(document))
        err.print(people_summary(document), markup=False, highlight=False, soft_wrap=True)
    elif as_json:
        _print_json(document)
    else:
        from obc_settle.money import shown_in

        with shown_in(document.get("currency", "GBP")):
            lines = explanation_lines(document)
        for line in lines:
            out.print(line, markup=False, highlight=False, soft_wrap=True)


@app.command()
def diff(
    run_a: Annotated[Path, typer.Argument(help="The earlier (old) run folder.")],
    run_b: Annotated[Path, typer.Argument(help="The later (new) run folder.")],
    as_json: AsJson = False,
) -> None:
    """Compare two runs of a contract: each line's old and new amount, and which inputs differ.

    Exit status 0 when nothing differs (inputs and every ledger line); 6 when anything does; 2
    when a folder is not a run folder.

    Example: obc-settle diff runs/2025-26-Q3 runs/2025-26-Q3-restated
    """
    from obc_settle.app.audit import diff_runs
    from obc_settle.audit.terminal import diff_view

    out, err = consoles()
    try:
        report = diff_runs(run_a, run_b)
    except SettlementError as error:
        report_failure(err, error.diagnostics, "nothing was compared")
        raise typer.Exit(error.exit_code) from None
    print_findings(err, report.warnings)
    if as_json:
        _print_json(report.as_json())
    else:
        from obc_settle.money import shown_in

        with shown_in(report.currency):
            parts = diff_view(report)
        for part in parts:
            out.print(part, soft_wrap=True)
    raise typer.Exit(ExitCode.DIFFERENCES if report.differs else ExitCode.OK)
