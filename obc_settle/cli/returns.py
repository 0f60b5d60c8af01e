"""`obc-settle template`: the data-collection workbook(s) for a period."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from obc_settle.cli.base import app, consoles, report_failure
from obc_settle.errors import SettlementError


@app.command()
def template(
    contract: Annotated[Path, typer.Argument(help="The contract YAML file.")],
    period: Annotated[
        str, typer.Option("--period", help="The quarter or year the return is for, e.g. 2025-26-Q3.")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="The workbook to write (.xlsx); with --per-provider, a folder.")
    ],
    per_provider: Annotated[
        bool,
        typer.Option(
            "--per-provider", help="One workbook per provider (OUT/<provider>.xlsx), each with its rows only."
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace existing workbooks of the same names.")
    ] = False,
) -> None:
    """Write the data-collection workbook providers fill in: a row per provider x indicator x month, keys locked,
    only the cells each indicator needs open, Excel validation, instructions, and a stamp of the contract and period.

    A filled-in workbook is read straight back as an extract (run --data returns.xlsx); one made for another
    contract or period is refused. Exit status 0; 1 invalid contract; 2 period outside the term; 5 cannot write.

    \b
    Examples:
      obc-settle template contracts/diabetes-alliance.yaml --period 2025-26-Q3 --out returns.xlsx
      obc-settle template contracts/diabetes-alliance.yaml --period 2025-26-Q3 --out returns/ --per-provider
    """
    from obc_settle.app.returns import write_returns

    out_console, err = consoles()
    try:
        written = write_returns(contract, period, out, per_provider, force)
    except SettlementError as error:
        report_failure(err, error.diagnostics)
        raise typer.Exit(error.exit_code) from None
    for item in written:
        who = f" for {item.provider_id}" if item.provider_id else ""
        out_console.print(f"wrote {item.path}{who}: {item.rows} rows to fill", markup=False, soft_wrap=True)
