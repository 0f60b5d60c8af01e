"""Use case: `estimate`, the year-end settlement if the year to date held (or followed a trajectory).

An estimate is a settlement by the one engine of projected inputs: the year's months after
`through` are filled from the year to date (`obc_settle.engine.whatif.project_year`), the year is
settled, and every ledger line gets the status `estimate`, which the statements, the report and
summary.json show. Where indicators declare confidence intervals, the range is two more
settlements: each such indicator set to the worse and to the better end of its year-to-date
interval. The folder is a normal run folder (archive and manifest with command `estimate`) plus
`estimate.json`. Every settlement a what-if reads is checked against the ledger invariants first
(`checked_settle`: SettlementError, exit 70, if one does not hold). A quarter whose aspiration is
based on the previous year's run (`aspiration_basis: previous_year_run`) is settled with that run,
given with `--previous-year` and checked as `run` checks it (obc_settle.app.previous_year, R002 and
R006 to R008), so that `simulate` on such a quarter reads the same basis as its settlement.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from obc_settle.app.previous_year import PreviousYearInputs, previous_year_inputs
from obc_settle.app.settlement import parse_period
from obc_settle.contract import LoadedContract, load_contract
from obc_settle.engine import settle
from obc_settle.engine.whatif import TRAJECTORIES, last_month_with_data, project_year, set_level
from obc_settle.errors import Diagnostic, ExitCode, Location, SettlementError, Severity, has_errors
from obc_settle.extracts import Extracts, read_extracts
from obc_settle.ledger import party_totals, settlement_totals
from obc_settle.ledger.invariants import require_invariants
from obc_settle.periods import SettlementPeriod
from obc_settle.render.document_formats import FORMATS
from obc_settle.render.summary import settlement_summary, summary_document, summary_json
from obc_settle.run_folder import layout
from obc_settle.run_folder.archive import ArchivedInput, settlement_inputs
from obc_settle.run_folder.atomic import ReservedFolder
from obc_settle.run_folder.writer import RunFolderContents, output_folder, run_id_of, write_run_folder

ESTIMATE = "estimate"


@dataclass(frozen=True)
class Inputs:
    """A contract and its extracts, checked, for a what-if."""

    loaded: LoadedContract
    extracts: Extracts
    period: SettlementPeriod
    data_path: Path
    warnings: list[Diagnostic] = field(default_factory=list)
    previous: PreviousYearInputs = field(default_factory=PreviousYearInputs)
    """The previous contract year's run, when the period's aspiration is based on it."""

    @property
    def terms(self) -> Any:
        return self.loaded.contract.in_force(self.period.contract_year.name)

    def archived(self) -> list[ArchivedInput]:
        """The contract, the extracts and any previous year's run, each with the bytes read and the
        place of its copy."""
        return settlement_inputs(self.loaded.path, self.loaded.sha256, self.extracts) + self.previous.archived

    def settle(self, monthly: pl.DataFrame) -> pl.DataFrame:
        """`monthly` (the extracts, or a changed copy) settled for the period: `checked_settle`."""
        return checked_settle(self.loaded.contract, monthly, self.period, self.previous)


def load_inputs(
    contract_path: Path, data_path: Path, period_text: str, previous_year: Path | None = None
) -> Inputs:
    """The contract, the period, the previous year's run where the period needs one, and the
    extracts; or SettlementError with every finding."""
    loaded, findings = load_contract(contract_path)
    if loaded is None:
        raise SettlementError(ExitCode.INVALID_CONTRACT, findings)
    period = parse_period(period_text, loaded)
    previous = previous_year_inputs(previous_year, loaded.contract, period)  # R002, R006 to R008
    extracts, data_findings = read_extracts(data_path, loaded.contract)
    if extracts is None or has_errors(data_findings):
        raise SettlementError(ExitCode.INVALID_DATA, data_findings)
    warnings = [f for f in findings + data_findings if f.severity is Severity.WARNING]
    return Inputs(loaded, extracts, period, data_path, warnings, previous)


def usage(message: str, where: str) -> SettlementError:
    return SettlementError(ExitCode.USAGE, [Diagnostic("R004", message, Location(where))])


@dataclass(frozen=True)
class EstimateRequest:
    contract_path: Path
    data_path: Path
    year: str
    out_dir: Path
    through: str | None = None
    """The last month of the year to date (default: the last month of the year with extract rows)."""
    trajectory: str = "held"
    force: bool = False
    formats: tuple[str, ...] = FORMATS


@dataclass(frozen=True)
class EstimateResult:
    summary: dict[str, Any]
    ledger: pl.DataFrame
    estimate: dict[str, Any]
    run_id: str
    out_dir: Path
    warnings: list[Diagnostic] = field(default_factory=list)
    currency: str = "GBP"
    """The contract's currency: the amounts of `summary` and `estimate` are in its minor unit."""


def run_estimate(request: EstimateRequest) -> EstimateResult:
    protected = (request.contract_path, request.data_path)  # O001 to O008 before anything is read
    with output_folder(request.out_dir, request.force, protected=protected) as out:
        return _estimate_into(out, request)


def _estimate_into(out: ReservedFolder, request: EstimateRequest) -> EstimateResult:
    if request.trajectory not in TRAJECTORIES:
        raise usage(
            f"unknown trajectory {request.trajectory!r}; use one of {', '.join(TRAJECTORIES)}", "--trajectory"
        )
    inputs = load_inputs(request.contract_path, request.data_path, request.year)
    period = inputs.period
    if not period.is_year:
        raise usage(
            f"an estimate is of a whole contract year's settlement: give --period {period.contract_year}",
            "--period",
        )
    year_months = period.months()
    through = request.through or last_month_with_data(inputs.extracts.monthly, year_months)
    if through is None or through not in year_months:
        what = (
            "no extract rows in the year"
            if through is None
            else f"{through} is not a month of {period.contract_year}"
        )
        raise usage(f"--through: {what} (months {year_months[0]} to {year_months[-1]})", "--through")
    estimate, ledger = estimate_ledgers(inputs, through, request.trajectory)
    summary = settlement_summary(inputs.terms, ledger)
    parameters: dict[str, Any] = {
        "command": "estimate",
        "contract": str(request.contract_path),
        "data": str(request.data_path),
        "period": period.name,
        "through": through,
        "trajectory": request.trajectory,
    }
    if tuple(request.formats) != FORMATS:
        parameters["formats"] = list(request.formats)
    archived = inputs.archived()
    run_id = run_id_of(parameters, archived)
    estimate = {"run_id": run_id, **estimate}

    def write_documents(folder: Path) -> None:
        from obc_settle.render.documents import write_documents  # the renderers: only when writing

        write_documents(folder, inputs.terms, ledger, run_id, request.formats)

    files = {
        layout.ESTIMATE: (json.dumps(estimate, indent=2) + "\n").encode("utf-8"),
        layout.SUMMARY: summary_json(summary_document([summary])).encode("utf-8"),
    }
    contents = RunFolderContents(parameters, archived, ledger, files=files, documents=write_documents)
    write_run_folder(out, run_id, contents)
    return EstimateResult(
        summary, ledger, estimate, run_id, request.out_dir, inputs.warnings, inputs.terms.currency
    )


def estimate_ledgers(inputs: Inputs, through: str, trajectory: str) -> tuple[dict[str, Any], pl.DataFrame]:
    """estimate.json's content and the estimated ledger (status `estimate`)."""
    contract, period, monthly = inputs.loaded.contract, inputs.period, inputs.extracts.monthly
    terms = inputs.terms
    last_year = period.contract_year.previous().months()
    proportions = [i.id for _, i in terms.indicators() if (i.measure or i.kind) == "proportion"]
    projected = project_year(monthly, period.months(), through, trajectory, last_year, proportions)
    central = mark_estimate(checked_settle(contract, projected, period))
    known = monthly.filter(pl.col("period") <= through)
    year_to_date = checked_settle(
        contract, known, period
    )  # measured on the months so far only: the intervals
    intervals = _intervals(terms, year_to_date)
    document: dict[str, Any] = {
        "status": ESTIMATE,
        "settlement_period": period.name,
        "currency": terms.currency,
        "through": through,
        "trajectory": trajectory,
        "months_projected": [m for m in period.months() if m > through],
        "paid_to_providers_pence": settlement_totals(central).paid_to_providers_pence,
        "providers": [
            {"provider_id": t.provider_id, "net_payable_pence": t.net_payable_pence}
            for t in party_totals(central)
        ],
        "range": None,
    }
    if intervals:
        low = checked_settle(contract, _at_bounds(terms, projected, intervals, "worse"), period)
        high = checked_settle(contract, _at_bounds(terms, projected, intervals, "better"), period)
        lows, highs = ({t.provider_id: t.net_payable_pence for t in party_totals(x)} for x in (low, high))
        document["range"] = {
            "indicators": intervals,
            "paid_to_providers_pence": {
                "low": settlement_totals(low).paid_to_providers_pence,
                "high": settlement_totals(high).paid_to_providers_pence,
            },
            "providers": [{"provider_id": p, "low_pence": lows[p], "high_pence": highs[p]} for p in lows],
        }
        for row in document["providers"]:
            row["low_pence"], row["high_pence"] = lows[row["provider_id"]], highs[row["provider_id"]]
    return document, central


def checked_settle(
    contract: Any,
    monthly: pl.DataFrame,
    period: SettlementPeriod,
    previous: PreviousYearInputs | None = None,
) -> pl.DataFrame:
    """`engine.settle`, then every ledger invariant checked: SettlementError (exit 70) if one breaks."""
    ledger = settle(contract, monthly, period, previous_year=None if previous is None else previous.previous)
    require_invariants(ledger, contract)
    return ledger


def mark_estimate(ledger: pl.DataFrame) -> pl.DataFrame:
    return ledger.with_columns(pl.lit(ESTIMATE, dtype=pl.String).alias("status"))


def _intervals(terms: Any, year_to_date: pl.DataFrame) -> list[dict[str, Any]]:
    """Each confidence-aware indicator's year-to-date achieved value and interval (from the
    commissioner's line for the indicator, which carries its derivation)."""
    rows = (
        year_to_date.filter(pl.col("indicator_id").is_not_null() & pl.col("confidence_lower").is_not_null())
        .unique("indicator_id", keep="first", maintain_order=True)
        .select("indicator_id", "direction", "achieved", "confidence_lower", "confidence_upper")
        .to_dicts()
    )
    order = [i.id for _, i in terms.indicators()]
    return sorted(rows, key=lambda r: order.index(r["indicator_id"]))


def _at_bounds(terms: Any, monthly: pl.DataFrame, intervals: list[dict[str, Any]], side: str) -> pl.DataFrame:
    indicators = {i.id: i for _, i in terms.indicators()}
    for item in intervals:
        indicator = indicators[item["indicator_id"]]
        higher = item["direction"] == "higher_is_better"
        level = item["confidence_upper"] if (side == "better") == higher else item["confidence_lower"]
        baseline = None if indicator.baseline is None else float(indicator.baseline)
        monthly = set_level(
            monthly,
            indicator.id,
            indicator.kind,
            indicator.measure or indicator.kind,
            level,
            baseline,
            rate_denominator=indicator.rate_denominator,
        )
    return monthly
