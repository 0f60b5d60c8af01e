"""`init`: a new contract file from a template of a real scheme's payment mechanism."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from obc_settle.cli.base import app, consoles, report_failure
from obc_settle.errors import ExitCode, SettlementError


@app.command()
def init(
    template: Annotated[
        str | None, typer.Option("--template", help="The template to start from (see --list).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="The contract file to write (default: <template>.yaml here), or a folder."
        ),
    ] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the templates and exit.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="With --list: print the templates as JSON.")
    ] = False,
) -> None:
    """Start a contract from a template of a real scheme's payment mechanism (QOF, CQUIN, HVBP, MSSP, rate card).

    \b
    Examples:
      obc-settle init --list
      obc-settle init --template qof --out contracts/my-practice.yaml
    """
    from obc_settle.app.templates import create_from_template, list_templates

    out_console, err = consoles()
    if list_ or template is None:
        found = list_templates()
        if as_json:
            print(
                json.dumps(
                    [{"name": t.name, "summary": t.summary, "path": str(t.path)} for t in found], indent=2
                )
            )
        else:
            width = max((len(item.name) for item in found), default=0)
            for item in found:
                out_console.print(f"{item.name:<{width}}  {item.summary}", markup=False, soft_wrap=True)
        if template is None and not list_:
            err.print("give --template NAME to create a contract (or --list)", markup=False)
            raise typer.Exit(ExitCode.USAGE)
        raise typer.Exit(ExitCode.OK)
    try:
        written = create_from_template(template, out or Path(f"{template}.yaml"), force)
    except SettlementError as error:
        report_failure(err, error.diagnostics)
        raise typer.Exit(error.exit_code) from None
    out_console.print(
        f"wrote {written}: edit it, then `obc-settle validate {written}`", markup=False, soft_wrap=True
    )
