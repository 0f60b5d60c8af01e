"""`obc-settle contract show`: each indicator with its kind, columns, unit, window and weight."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from obc_settle.cli.base import app, consoles, report_failure
from obc_settle.errors import ExitCode

contract_app = typer.Typer(
    help="Look inside a contract: what it asks of the data.\n\n\b\nExample:\n  obc-settle contract show contracts/diabetes-alliance.yaml",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(contract_app, name="contract")


@contract_app.command("show")
def show(
    contract: Annotated[Path, typer.Argument(help="The contract YAML file.")],
    year: Annotated[
        str | None,
        typer.Option(
            "--year",
            help="Contract year whose terms to show (as varied for it), e.g. 2025-26; default the first.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the indicators as JSON.")] = False,
) -> None:
    """Each indicator: its kind, the extract columns it needs, unit, window, weight, threshold and target.

    Exit status 0, or 1 when the contract is invalid, 2 when --year is not one of its years.

    \b
    Examples:
      obc-settle contract show contracts/diabetes-alliance.yaml
      obc-settle contract show contracts/diabetes-alliance.yaml --year 2026-27 --json
    """
    from obc_settle.app import validate_contract
    from obc_settle.render.contract_table import contract_tables
    from obc_settle.render.contract_view import contract_view

    out, err = consoles()
    loaded, findings = validate_contract(contract)
    if loaded is None:
        report_failure(err, findings, "the contract is not valid (obc-settle validate)")
        raise typer.Exit(ExitCode.INVALID_CONTRACT)
    years = [terms.year for terms in loaded.contract.contract_years]
    if year is not None and year not in years:
        err.print(
            f"--year: R001 {year} is not a contract year of {contract} ({', '.join(years)})", markup=False
        )
        raise typer.Exit(ExitCode.USAGE)
    view = contract_view(loaded.contract, year)
    if as_json:
        print(json.dumps(view.as_json(), indent=2))
    else:
        out.print(contract_tables(view))
