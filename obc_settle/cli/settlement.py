"""Commands that settle: `validate`, `run`, `schema`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from obc_settle.cli.base import app, consoles, report_failure
from obc_settle.errors import ExitCode, SettlementError, has_errors
from obc_settle.render.document_formats import FORMATS, format_help, output_formats, parse_formats
from obc_settle.render.terminal import ProgressBar, print_findings, settlement_table


@app.command()
def validate(
    contracts: Annotated[list[Path], typer.Argument(help="Contract YAML files to check.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print findings as JSON.")] = False,
) -> None:
    """Check contract files: every problem, each as path:line:column: CODE message.

    Exit status 0 when every file is valid, 1 otherwise. --json prints the findings for CI.

    \b
    Examples:
      obc-settle validate contracts/diabetes-alliance.yaml
      obc-settle validate contracts/*.yaml --json
    """
    from obc_settle.app import validate_contract  # imported here: --help stays fast

    out, err = consoles()
    all_findings = []
    report = []
    for path in contracts:
        loaded, findings = validate_contract(path)
        all_findings += findings
        report.append(
            {"file": str(path), "valid": loaded is not None, "findings": [f.as_json() for f in findings]}
        )
        if not as_json:
            print_findings(err, findings)
            if loaded is not None:
                out.print(
                    f"{path}: valid ({loaded.contract.id}, version {loaded.contract.version})", markup=False
                )
    errors = sum(1 for f in all_findings if f.severity == "error")
    if as_json:
        print(json.dumps({"files": report, "errors": errors}, indent=2))
    elif errors:
        files = sum(1 for r in report if not r["valid"])
        err.print(
            f"{errors} problem{'s' if errors != 1 else ''} in {files} file{'s' if files != 1 else ''}",
            markup=False,
        )
    raise typer.Exit(ExitCode.INVALID_CONTRACT if has_errors(all_findings) else ExitCode.OK)


def _formats(values: list[str] | None) -> tuple[str, ...]:
    try:
        return parse_formats(values or FORMATS)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--format") from None


def _complete_format(incomplete: str) -> list[tuple[str, str]]:
    """The registered formats that complete the last of a comma-separated list, with their help."""
    done, _, last = incomplete.rpartition(",")
    prefix = f"{done}," if done else ""
    return [(prefix + f.name, f.help) for f in output_formats() if f.name.startswith(last)]


@app.command()
def run(
    contract: Annotated[Path, typer.Argument(help="The contract YAML file.")],
    period: Annotated[
        str,
        typer.Option(
            "--period", help="Settlement period: a quarter (2025-26-Q3) or a contract year (2025-26)."
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Output folder (created; must not exist unless --force).")
    ],
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="An extract Parquet file or a folder of them (required unless the contract measures nothing, e.g. a rate card).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output folder.")] = False,
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            help=format_help(),
            autocompletion=_complete_format,
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print summary.json to standard output instead of a table.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing on success (no table, no progress bar).")
    ] = False,
    check_duplicates: Annotated[
        bool,
        typer.Option(
            "--check-duplicates",
            help="Also refuse record-level rows that repeat a patient, indicator and month (D017); memory grows with the rows.",
        ),
    ] = False,
    paid: Annotated[
        list[Path] | None,
        typer.Option(
            "--paid",
            help="An earlier run folder of the same contract year, whose payments are netted off (repeat for each run).",
        ),
    ] = None,
    previous_year: Annotated[
        Path | None,
        typer.Option(
            "--previous-year",
            help="The run folder of the previous contract year's settlement, whose achievement payments the "
            "aspiration payments are based on (aspiration_basis: previous_year_run; R006 to R008).",
        ),
    ] = None,
    payments: Annotated[
        Path | None,
        typer.Option(
            "--payments",
            help="A payments-made extract (provider_id, settlement_period, amount_pence) to net off.",
        ),
    ] = None,
    claims: Annotated[
        Path | None,
        typer.Option(
            "--claims", help="Rate-card outcome claims (participant_id, outcome_id, provider_id, period)."
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="How to read CSV and Excel extracts that are not in the schema's shape (column names, codes, months, "
            "the long measure/value shape); default mapping.yaml in the --data folder. See docs/extracts.md.",
        ),
    ] = None,
    restated: Annotated[
        list[Path] | None,
        typer.Option(
            "--restated",
            help="A corrected file among the --data files: its rows replace those of the same provider, indicator and "
            "month in the other files (repeat for each; otherwise the same cell in two files is refused, D022).",
        ),
    ] = None,
    nothing_paid_on_account: Annotated[
        bool,
        typer.Option(
            "--nothing-paid-on-account",
            help="A year-end settlement of a contract that pays on account: state that nothing was paid for the year "
            "before it (otherwise name the payments with --paid or --payments; R005).",
        ),
    ] = False,
    accept_implausible: Annotated[
        list[str] | None,
        typer.Option(
            "--accept-implausible",
            help="An indicator whose achieved value is implausibly far from its baseline (D025) and is right: a final "
            "settlement accepts it (repeat for each).",
        ),
    ] = None,
    sign: Annotated[
        Path | None,
        typer.Option(
            "--sign",
            help="A private key file (obc-settle keys new): sign the manifest, and with it every file's hash "
            "(manifest.sig; check with verify --trust).",
        ),
    ] = None,
    register: Annotated[
        Path | None,
        typer.Option(
            "--register",
            help="A run register file: append the run's id, contract, period, signer and manifest hash "
            "(hash-chained; check with obc-settle register check).",
        ),
    ] = None,
) -> None:
    """Settle one contract for one period: ledger, summary, statements, commissioner's report, manifest.

    Writes OUT all at once: ledger.parquet, ledger.csv, summary.json, statements/<provider>.<format>,
    report/commissioner.<format> (each --formats) and manifest.json. A progress bar is shown on a terminal
    (not with --quiet, and never when the output is piped).

    \b
    Examples:
      obc-settle run contracts/diabetes-alliance.yaml --data sample_data/diabetes-alliance \\
          --period 2025-26-Q3 --out runs/2025-26-Q3
      obc-settle run contracts/diabetes-alliance.yaml --data sample_data/diabetes-alliance \\
          --period 2025-26 --out runs/2025-26 --format pdf,xlsx --json
      obc-settle run contracts/diabetes-alliance.yaml --data sample_data/diabetes-alliance \\
          --period 2025-26 --out runs/2025-26 --paid runs/2025-26-Q1 --paid runs/2025-26-Q2 \\
          --paid runs/2025-26-Q3 --paid runs/2025-26-Q4     (year-end reconciliation)
    """
    from obc_settle.app import RunRequest, run_settlement
    from obc_settle.render.summary import summary_document, summary_json

    chosen = _formats(formats)
    out_console, err = consoles()
    try:
        with ProgressBar(err, enabled=not quiet) as progress:
            request = RunRequest(
                contract,
                data,
                period,
                out,
                force,
                formats=chosen,
                on_progress=progress,
                paid=tuple(paid or ()),
                previous_year=previous_year,
                payments=payments,
                claims=claims,
                check_duplicates=check_duplicates,
                nothing_paid_on_account=nothing_paid_on_account,
                accept_implausible=tuple(accept_implausible or ()),
                restated=tuple(restated or ()),
                sign=sign,
                register=register,
                mapping=mapping,
            )
            result = run_settlement(request)
    except SettlementError as error:
        report_failure(err, error.diagnostics)
        raise typer.Exit(error.exit_code) from None
    print_findings(err, result.warnings)
    if as_json:
        sys.stdout.write(summary_json(summary_document([result.summary])))
    elif not quiet:
        from obc_settle.money import shown_in

        with shown_in(result.currency):
            out_console.print(settlement_table(result.summary, out_console.width))
        kinds = ",".join(chosen)
        out_console.print(
            f"written to {result.out_dir} (run {result.run_id}): statements/<provider>.{{{kinds}}}, report/commissioner.{{{kinds}}}",
            markup=False,
            soft_wrap=True,
        )
        if result.registered is not None:
            line, head = result.registered
            out_console.print(
                f"registered as line {line} of {register}; register head {head}", markup=False, soft_wrap=True
            )


@app.command()
def schema(
    mapping: Annotated[
        bool, typer.Option("--mapping", help="The extract mapping file's schema instead (docs/extracts.md).")
    ] = False,
) -> None:
    """Print the JSON Schema of the contract language (for editors that complete and check YAML).

    \b
    Examples:
      obc-settle schema > contract.schema.json
      obc-settle schema --mapping > mapping.schema.json
    """
    from pydantic import BaseModel

    from obc_settle.contract.models import Contract
    from obc_settle.extracts.mapping import ExtractMapping

    model: type[BaseModel] = ExtractMapping if mapping else Contract
    document = model.model_json_schema(mode="validation")
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "obc-settle extract mapping" if mapping else "obc-settle contract"
    print(json.dumps(document, indent=2, sort_keys=True))
