"""What-if commands: `estimate` and `simulate sensitivity|scenario|design` (see docs/simulation.md).

Exit statuses as everywhere: 0 success; 1 invalid contract or scenario file; 2 usage error;
3 invalid data; 5 the output cannot be written; 70 internal error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from obc_settle.cli.base import app, consoles, report_failure
from obc_settle.cli.settlement import _complete_format, _formats
from obc_settle.errors import ExitCode, SettlementError
from obc_settle.money import shown_in
from obc_settle.render.document_formats import format_help
from obc_settle.render.terminal import print_findings, settlement_table

SIMULATE_HELP = (
    "Simulate: sensitivity of payments, scenarios, contract design; every figure a settlement of changed inputs.\n\n"
    "\b\nExamples:\n"
    "  obc-settle simulate sensitivity contracts/diabetes-alliance.yaml --data sample_data/diabetes-alliance --period 2025-26\n"
    "  obc-settle simulate scenario contracts/diabetes-alliance.yaml --data sample_data/diabetes-alliance --period 2025-26 \\\n"
    "      --scenario contracts/scenarios/hba1c-improves.yaml\n"
    "  obc-settle simulate design contracts/staffordshire-cancer-eol.yaml contracts/drafts/staffordshire-at-risk-from-year-one.yaml \\\n"
    "      --data sample_data/staffordshire-cancer-eol"
)
simulate_app = typer.Typer(help=SIMULATE_HELP, no_args_is_help=True, rich_markup_mode=None)
app.add_typer(simulate_app, name="simulate")

Contract = Annotated[Path, typer.Argument(help="The contract YAML file.")]
Data = Annotated[Path, typer.Option("--data", help="Extract Parquet file, folder or glob.")]
Out = Annotated[
    Path | None, typer.Option("--out", help="Write the results, inputs and a manifest to this folder.")
]
Force = Annotated[bool, typer.Option("--force", help="Replace an existing output folder.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the results as JSON.")]
PreviousYear = Annotated[
    Path | None,
    typer.Option(
        "--previous-year",
        help="A quarter whose aspiration is based on the previous year's run (aspiration_basis: previous_year_run): "
        "that run's folder, checked as for run (R006 to R008).",
    ),
]


def _fail(error: SettlementError) -> typer.Exit:
    _, err = consoles()
    report_failure(err, error.diagnostics)
    return typer.Exit(error.exit_code)


def _given(path: Path | None) -> tuple[Path, ...]:
    """An optional input path, as the inputs an output folder must not touch."""
    return () if path is None else (path,)


def _json(document: Any) -> bytes:
    return (json.dumps(document, indent=2) + "\n").encode()


@app.command()
def estimate(
    contract: Contract,
    data: Data,
    period: Annotated[str, typer.Option("--period", help="The contract year to estimate (2025-26).")],
    out: Annotated[Path, typer.Option("--out", help="Output folder (a run folder marked ESTIMATE).")],
    through: Annotated[
        str | None,
        typer.Option(
            "--through", help="Last month of the year to date, YYYY-MM (default: the last month with data)."
        ),
    ] = None,
    trajectory: Annotated[
        str,
        typer.Option(
            "--trajectory",
            help="held (the year to date holds), seasonal (last year's pattern), trend (linear).",
        ),
    ] = "held",
    force: Force = False,
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format", help=format_help("Statement formats to write"), autocompletion=_complete_format
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print estimate.json to standard output.")] = False,
) -> None:
    """The year-end settlement if the year to date held (or followed a trajectory), marked ESTIMATE.

    Writes a run folder (ledger, summary.json, statements, report, manifest) whose status is
    `estimate` on every output, plus estimate.json with the range from the year-to-date
    confidence intervals where the contract uses them.

    \b
    Examples:
      obc-settle estimate contracts/mid-notts-alliance.yaml --data sample_data/mid-notts-alliance \\
          --period 2025-26 --through 2025-09 --out runs/2025-26-estimate
      obc-settle estimate ... --trajectory seasonal --json
    """
    from obc_settle.app.whatif import EstimateRequest, run_estimate
    from obc_settle.render.whatif import estimate_range_table

    out_console, err = consoles()
    try:
        result = run_estimate(
            EstimateRequest(contract, data, period, out, through, trajectory, force, _formats(formats))
        )
    except SettlementError as error:
        raise _fail(error) from None
    print_findings(err, result.warnings)
    if as_json:
        sys.stdout.write(json.dumps(result.estimate, indent=2) + "\n")
        return
    with shown_in(result.currency):  # the contract's currency, as run's documents and table
        out_console.print(settlement_table(result.summary, out_console.width))
        if result.estimate["range"] is not None:
            out_console.print(estimate_range_table(result.estimate))
    out_console.print(
        f"ESTIMATE written to {result.out_dir} (run {result.run_id}); not a settlement",
        markup=False,
        soft_wrap=True,
    )


@simulate_app.command("sensitivity")
def simulate_sensitivity(
    contract: Contract,
    data: Data,
    period: Annotated[str, typer.Option("--period", help="The settlement period (2025-26 or 2025-26-Q3).")],
    indicator: Annotated[
        list[str] | None, typer.Option("--indicator", help="Only this indicator (repeatable; default: all).")
    ] = None,
    steps: Annotated[
        int,
        typer.Option(
            "--steps",
            min=2,
            max=101,
            help="Evenly spaced levels per curve (threshold, target and current added).",
        ),
    ] = 11,
    provider: Annotated[
        str | None,
        typer.Option(
            "--provider", help="Follow this provider's net payable (default: what all providers are paid)."
        ),
    ] = None,
    out: Out = None,
    force: Force = False,
    as_json: AsJson = False,
    previous_year: PreviousYear = None,
) -> None:
    """How the payment moves as each indicator moves across its range; money per point of improvement.

    With --out: sensitivity.csv, sensitivity.json, sensitivity.html (the curves as inline SVG,
    threshold and target marked), the archived inputs and manifest.json.

    \b
    Example:
      obc-settle simulate sensitivity contracts/diabetes-alliance.yaml --data sample_data/diabetes-alliance \\
          --period 2025-26 --out sims/sensitivity
    """
    from obc_settle.app.simulate import sensitivity, simulation_folder, write_simulation
    from obc_settle.app.whatif import load_inputs
    from obc_settle.render.whatif import sensitivity_csv, sensitivity_html, sensitivity_table
    from obc_settle.run_folder import layout

    out_console, _ = consoles()
    try:
        protected = (contract, data, *_given(previous_year))
        with simulation_folder(out, force, protected) as folder:  # checked before anything is read
            inputs = load_inputs(contract, data, period, previous_year)
            result = sensitivity(inputs, indicator, steps, provider)
            if folder is not None:
                parameters = {
                    "command": "simulate-sensitivity",
                    "contract": str(contract),
                    "data": str(data),
                    "period": inputs.period.name,
                    "indicators": indicator or [],
                    "steps": steps,
                    "provider": provider,
                    **inputs.previous.parameters,
                }
                with shown_in(result["currency"]):
                    page = sensitivity_html(result)
                files = {
                    layout.SENSITIVITY_JSON: _json(result),
                    layout.SENSITIVITY_CSV: sensitivity_csv(result).encode(),
                    layout.SENSITIVITY_HTML: page.encode(),
                }
                write_simulation(folder, parameters, inputs.archived(), files)
    except SettlementError as error:
        raise _fail(error) from None
    if as_json:
        sys.stdout.write(_json(result).decode())
    else:
        with shown_in(result["currency"]):
            out_console.print(sensitivity_table(result))


@simulate_app.command("scenario")
def simulate_scenario(
    contract: Contract,
    data: Data,
    period: Annotated[str, typer.Option("--period", help="The settlement period.")],
    scenario: Annotated[
        Path, typer.Option("--scenario", help="The scenario YAML file (changes to the extracts).")
    ],
    out: Out = None,
    force: Force = False,
    as_json: AsJson = False,
    previous_year: PreviousYear = None,
) -> None:
    """Settle the extracts as changed by a scenario beside the real settlement, and show the diff.

    With --out: diff.json, baseline/ledger.csv, scenario/ledger.csv, the archived inputs
    (the scenario file under inputs/scenario/) and manifest.json.

    \b
    Example:
      obc-settle simulate scenario contracts/diabetes-alliance.yaml --data sample_data/diabetes-alliance \\
          --period 2025-26 --scenario contracts/scenarios/hba1c-improves.yaml
    """
    from obc_settle.app.simulate import run_scenario, simulation_folder, write_simulation
    from obc_settle.app.whatif import load_inputs
    from obc_settle.render.whatif import scenario_table
    from obc_settle.run_folder import layout

    out_console, _ = consoles()
    try:
        protected = (contract, data, scenario, *_given(previous_year))
        with simulation_folder(out, force, protected) as folder:  # checked before reading
            inputs = load_inputs(contract, data, period, previous_year)
            result, archived = run_scenario(inputs, scenario)
            if folder is not None:
                parameters = {
                    "command": "simulate-scenario",
                    "contract": str(contract),
                    "data": str(data),
                    "period": inputs.period.name,
                    "scenario": str(scenario),
                    **inputs.previous.parameters,
                }
                files = {layout.SCENARIO_DIFF: _json(result.as_json())}
                ledgers = {
                    layout.BASELINE_LEDGER_CSV: result.baseline,
                    layout.SCENARIO_LEDGER_CSV: result.changed,
                }
                write_simulation(folder, parameters, [*inputs.archived(), archived], files, ledgers)
    except SettlementError as error:
        raise _fail(error) from None
    if as_json:
        sys.stdout.write(_json(result.as_json()).decode())
    else:
        with shown_in(result.currency):
            out_console.print(scenario_table(result.as_json()))


@simulate_app.command("design")
def simulate_design(
    drafts: Annotated[list[Path], typer.Argument(help="One draft contract, or two to compare.")],
    data: Data,
    years: Annotated[
        list[str] | None,
        typer.Option(
            "--year", help="A past contract year to settle (repeatable; default: every year with data)."
        ),
    ] = None,
    out: Out = None,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    """Settle draft contracts on past years: what each would have paid, share of the pool earned,
    how often each indicator met its threshold and target; two drafts side by side.

    \b
    Example:
      obc-settle simulate design contracts/staffordshire-cancer-eol.yaml contracts/drafts/staffordshire-at-risk-from-year-one.yaml \\
          --data sample_data/staffordshire-cancer-eol --year 2024-25 --year 2025-26
    """
    from obc_settle.app.simulate import design, simulation_folder, write_simulation
    from obc_settle.render.whatif import comparison_table, design_table, hits_table
    from obc_settle.run_folder import layout

    out_console, err = consoles()
    if len(drafts) > 2:
        err.print("give one draft contract, or two to compare", markup=False)
        raise typer.Exit(ExitCode.USAGE)
    try:
        with simulation_folder(out, force, (*drafts, data)) as folder:  # checked before anything is read
            report, archived = design(drafts, data, years or [])
            if folder is not None:
                parameters = {
                    "command": "simulate-design",
                    "contracts": [str(d) for d in drafts],
                    "data": str(data),
                    "years": years or [],
                }
                write_simulation(folder, parameters, archived, {layout.DESIGN: _json(report)})
    except SettlementError as error:
        raise _fail(error) from None
    if as_json:
        sys.stdout.write(_json(report).decode())
        return
    with shown_in(report["drafts"][0]["currency"]):  # design refuses drafts in different currencies
        out_console.print(design_table(report))
        out_console.print(hits_table(report))
        if "comparison" in report:
            out_console.print(comparison_table(report["comparison"]))


__all__ = ["estimate", "simulate_app"]
