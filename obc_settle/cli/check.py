"""`obc-settle check`: the data checks and the coverage table, before a run; writes nothing."""

from __future__ import annotations

import calendar
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from obc_settle.cli.base import app, consoles, report_failure
from obc_settle.errors import ExitCode, SettlementError
from obc_settle.render.terminal import print_findings


@app.command()
def check(
    contract: Annotated[Path, typer.Argument(help="The contract YAML file.")],
    data: Annotated[
        Path, typer.Option("--data", help="The extract file, folder or glob to check (as for run).")
    ],
    period: Annotated[
        str,
        typer.Option(
            "--period", help="Settlement period: a quarter (2025-26-Q3) or a contract year (2025-26)."
        ),
    ],
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the findings, the coverage and the indicators as JSON (for CI)."),
    ] = False,
    accept_implausible: Annotated[
        list[str] | None,
        typer.Option(
            "--accept-implausible",
            help="An indicator whose implausible achieved value (D025) is accepted, as for run.",
        ),
    ] = None,
    check_duplicates: Annotated[
        bool,
        typer.Option(
            "--check-duplicates",
            help="Also look for record-level rows that repeat a patient, indicator and month (D017).",
        ),
    ] = False,
    restated: Annotated[
        list[Path] | None,
        typer.Option(
            "--restated",
            help="A corrected file among the --data files whose cells replace the others' (as for run).",
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="How to read CSV and Excel extracts that are not in the schema's shape (column names, codes, months, "
            "the long measure/value shape); as for run.",
        ),
    ] = None,
    previous_year: Annotated[
        Path | None,
        typer.Option(
            "--previous-year",
            help="The run folder of the previous contract year's settlement, for a quarter whose aspiration is "
            "based on it (aspiration_basis: previous_year_run); as for run (R006 to R008).",
        ),
    ] = None,
) -> None:
    """Check the extracts of a settlement: every data check, and which provider x indicator x month
    cells the contract expects and which are missing, without settling or writing anything.

    Reports exactly what `run` would refuse or warn about for the same inputs, and goes on past
    missing cells and implausible values to show the whole coverage table. Exit status 0 when
    clean (warnings allowed), 3 when a finding would stop the run (1 for an invalid contract, 2 for
    a usage error).

    \b
    Examples:
      obc-settle check contracts/diabetes-alliance.yaml --data sample_data/diabetes-alliance --period 2025-26-Q3
      obc-settle check contracts/diabetes-alliance.yaml --data incoming/ --period 2025-26 --json > check.json
    """
    from obc_settle.app import RunRequest
    from obc_settle.app.check import check_settlement_data

    out, err = consoles()
    request = RunRequest(
        contract,
        data,
        period,
        Path("."),
        accept_implausible=tuple(accept_implausible or ()),
        check_duplicates=check_duplicates,
        restated=tuple(restated or ()),
        mapping=mapping,
        previous_year=previous_year,
    )
    try:
        report = check_settlement_data(request)
    except SettlementError as error:
        if as_json:
            print(
                json.dumps(
                    {"errors": len(error.diagnostics), "findings": [f.as_json() for f in error.diagnostics]},
                    indent=2,
                )
            )
        else:
            report_failure(err, error.diagnostics, "the data cannot be settled as they are")
        raise typer.Exit(error.exit_code) from None
    if as_json:
        print(json.dumps(report.as_json(), indent=2, default=str))
    else:
        out.print(_coverage_table(report), soft_wrap=False)
        print_findings(err, report.findings)
        errors = sum(1 for f in report.findings if f.severity == "error")
        verdict = (
            "clean: ready to run"
            if report.clean
            else f"{errors} problem{'s' if errors != 1 else ''}: the run would refuse these data"
        )
        out.print(f"{report.contract_id} {report.period} ({report.status}): {verdict}", markup=False)
    raise typer.Exit(ExitCode.OK if report.clean else ExitCode.INVALID_DATA)


def _coverage_table(report: object) -> Table:
    """Provider x indicator rows, one column per month: rows present, or `missing`; then the
    indicator's state (ok, small numbers, implausible, not measured, no data)."""
    from obc_settle.app.check import CheckReport

    assert isinstance(report, CheckReport)
    cells = report.cells
    months = sorted(set(cells.get_column("period").to_list()))
    states = {(s["indicator_id"], s["provider_id"]): s["state"] for s in report.indicators}
    span = f"{months[0]} to {months[-1]}" if months else "no cells expected"
    table = Table(
        title=f"Coverage: {report.contract_id} {report.period} ({span}): rows received", title_justify="left"
    )
    table.add_column("provider", no_wrap=True)
    table.add_column("indicator", no_wrap=True)
    headings = [calendar.month_abbr[int(month[5:7])] for month in months]
    if len(set(headings)) < len(headings):  # windows reaching over more than 12 months
        headings = months
    for heading in headings:
        table.add_column(heading, justify="right", no_wrap=True)
    table.add_column("indicator state", no_wrap=True)
    by_key: dict[tuple[str, str], dict[str, tuple[int, str]]] = {}
    for row in cells.iter_rows(named=True):
        by_key.setdefault((row["provider_id"], row["indicator_id"]), {})[row["period"]] = (
            row["rows"],
            row["status"],
        )
    for (provider_id, indicator_id), by_month in by_key.items():
        shown = []
        for month in months:
            if month not in by_month:
                shown.append("")
                continue
            rows, status = by_month[month]
            shown.append("MISSING" if status == "missing" else f"{rows:,}")
        state = states.get((indicator_id, provider_id)) or states.get((indicator_id, None), "")
        table.add_row(provider_id, indicator_id, *shown, state)
    with_cells = {indicator_id for _, indicator_id in by_key}
    for item in report.indicators:  # indicators with no cells due in the window (an annual survey in Q1)
        if item["indicator_id"] not in with_cells:
            table.add_row("", item["indicator_id"], *([""] * len(months)), item["state"])
            with_cells.add(item["indicator_id"])
    return table


extracts_app = typer.Typer(
    help="Extract files: convert CSV and Excel to Parquet.\n\n\b\nExample:\n"
    "  obc-settle extracts convert returns/*.xlsx --out parquet/",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(extracts_app, name="extracts")


@extracts_app.command("convert")
def convert(
    inputs: Annotated[list[Path], typer.Argument(help="CSV and Excel files, folders of them, or globs.")],
    out: Annotated[Path, typer.Option("--out", help="The folder to write the Parquet files into.")],
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping", help="The mapping to read them through (default mapping.yaml beside them)."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace Parquet files of the same names.")] = False,
) -> None:
    """Write schema-shaped Parquet from CSV and Excel extracts, read exactly as a run reads them.

    Each file becomes OUT/<its path below the folder>.parquet, in the schema's columns and types
    (a mapping applied). A file with an error is reported and nothing is written. Exit status 0;
    3 a file cannot be read as an extract; 5 a Parquet file exists (without --force).

    \b
    Examples:
      obc-settle extracts convert incoming/ --out parquet/
      obc-settle extracts convert qof.csv --mapping qof-mapping.yaml --out parquet/
    """
    from obc_settle.app.convert import convert_extracts

    out_console, err = consoles()
    try:
        converted, warnings = convert_extracts(inputs, out, mapping, force)
    except SettlementError as error:
        report_failure(err, error.diagnostics)
        raise typer.Exit(error.exit_code) from None
    print_findings(err, warnings)
    for item in converted:
        out_console.print(
            f"wrote {item.target} ({item.rows:,} rows) from {item.source}", markup=False, soft_wrap=True
        )
