"""Commands that settle: `validate`, `run`, `schema`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from obc_settle.app import RunRequest, run_settlement, validate_contract
from obc_settle.cli.base import app, consoles, report_failure
from obc_settle.contract.models import Contract
from obc_settle.errors import ExitCode, SettlementError, has_errors
from obc_settle.render.summary import summary_document, summary_json
from obc_settle.render.terminal import print_findings, settlement_table


@app.command()
def validate(
    contracts: Annotated[list[Path], typer.Argument(help="Contract YAML files to check.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print findings as JSON.")] = False,
) -> None:
    """Check contract files: every problem, each as path:line:column: CODE message.

    Example: obc-settle validate contracts/diabetes-alliance.yaml
    """
    out, err = consoles()
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
    out_console, err = consoles()
    try:
        result = run_settlement(RunRequest(contract, data, period, out, force))
    except SettlementError as error:
        report_failure(err, error.diagnostics)
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


