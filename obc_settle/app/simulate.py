"""Use cases of `obc-settle simulate`: sensitivity, scenarios and contract design.

Every figure here is read off a ledger made by the one settlement function (`engine.settle`) on
changed inputs (`engine.whatif`): a sensitivity point is the settlement with one indicator set
to that level; a scenario is the settlement of the scenario's changed extracts beside the
baseline's; a draft contract's history is its settlement of each past year. Nothing re-implements
a rule. With `--out`, the folder is reserved before anything is read (`simulation_folder`) and
the results are written by the one run-folder writer (obc_settle.run_folder.writer) with the
archive of the inputs and a manifest (command `simulate-...` and its parameters), so that a
simulation can be reproduced.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

import polars as pl

from obc_settle.app.settlement import parse_period
from obc_settle.app.whatif import Inputs, checked_settle, load_inputs, usage
from obc_settle.audit.diff import ledger_changes, totals_changes
from obc_settle.contract import load_contract
from obc_settle.contract.scenario import load_scenario
from obc_settle.engine.whatif import apply_scenario, set_level
from obc_settle.errors import ExitCode, SettlementError
from obc_settle.extracts import read_extracts
from obc_settle.ledger import party_totals, settlement_totals
from obc_settle.periods import SettlementPeriod
from obc_settle.run_folder import layout
from obc_settle.run_folder.archive import ArchivedInput, archived_input, extract_inputs
from obc_settle.run_folder.atomic import ReservedFolder
from obc_settle.run_folder.writer import RunFolderContents, output_folder, run_id_of, write_run_folder

POINT = {
    "proportion": 0.01,
    "observed_expected": 0.01,
    "change_from_baseline": 0.01,
    "mean": 0.1,
    "rate_per_1000": 0.1,
}
"""One 'point' of improvement per indicator kind: a percentage point, a tenth of a score or rate."""


def payments(ledger: pl.DataFrame) -> dict[str, Any]:
    """What a settlement pays: in total and to each provider (net payable), in pence."""
    return {
        "paid_to_providers_pence": settlement_totals(ledger).paid_to_providers_pence,
        "providers": {t.provider_id: t.net_payable_pence for t in party_totals(ledger)},
    }


# --- sensitivity -------------------------------------------------------------------------------


def settle_at_level(inputs: Inputs, indicator_id: str, level: float) -> pl.DataFrame:
    """The settlement with one indicator's achievement set to `level` (all providers' rows)."""
    indicator = {i.id: i for _, i in inputs.terms.indicators()}[indicator_id]
    baseline = None if indicator.baseline is None else float(indicator.baseline)
    changed = set_level(
        inputs.extracts.monthly,
        indicator.id,
        indicator.kind,
        indicator.measure or indicator.kind,
        level,
        baseline,
        rate_denominator=indicator.rate_denominator,
    )
    return inputs.settle(changed)


def sensitivity(
    inputs: Inputs, indicator_ids: list[str] | None = None, steps: int = 11, provider_id: str | None = None
) -> dict[str, Any]:
    """Per indicator: the payment curve across its range (threshold, target and the current level
    among the points) and the money of the next point of improvement, ranked. The payment followed
    (`payable_pence`) is what all providers are paid, or one provider's net payable."""
    baseline = inputs.settle(inputs.extracts.monthly)
    providers = [p.id for p in inputs.terms.providers]
    if provider_id is not None and provider_id not in providers:
        raise usage(f"unknown provider {provider_id!r} (providers: {', '.join(providers)})", "--provider")

    def payable(settlement: Any) -> dict[str, Any]:
        paid = payments(settlement)
        followed = (
            paid["paid_to_providers_pence"] if provider_id is None else paid["providers"].get(provider_id, 0)
        )
        return {**paid, "payable_pence": followed}

    achieved = _achieved(baseline)
    known = [i.id for _, i in inputs.terms.indicators()]
    for wanted in indicator_ids or []:
        if wanted not in known:
            raise usage(f"unknown indicator {wanted!r} (indicators: {', '.join(known)})", "--indicator")
    curves = []
    for _, indicator in inputs.terms.indicators():
        if indicator_ids and indicator.id not in indicator_ids:
            continue
        levels_now = indicator.levels_for(inputs.period.contract_year.name)
        threshold, target = float(levels_now.threshold), float(levels_now.target)
        current = achieved.get(indicator.id)
        points = curve_levels(indicator.kind, threshold, target, current, steps)
        rows = [{"level": level, **payable(settle_at_level(inputs, indicator.id, level))} for level in points]
        better = 1.0 if indicator.direction == "higher_is_better" else -1.0
        step = POINT.get(indicator.kind, 0.01)
        per_point = None
        if current is not None:
            now = payable(settle_at_level(inputs, indicator.id, current))["payable_pence"]
            then = payable(settle_at_level(inputs, indicator.id, round(current + better * step, 10)))[
                "payable_pence"
            ]
            per_point = then - now
        curves.append(
            {
                "indicator_id": indicator.id,
                "name": indicator.name,
                "kind": indicator.kind,
                "direction": indicator.direction,
                "threshold": threshold,
                "target": target,
                "current": current,
                "point": step,
                "next_point_pence": per_point,
                "points": rows,
            }
        )
    ranking = sorted(
        (c for c in curves if c["next_point_pence"] is not None),
        key=lambda c: (-c["next_point_pence"], c["indicator_id"]),
    )
    return {
        "contract_id": inputs.terms.id,
        "settlement_period": inputs.period.name,
        "currency": inputs.terms.currency,
        "provider_id": provider_id,
        "followed": "paid to all providers" if provider_id is None else f"net payable to {provider_id}",
        "baseline": payable(baseline),
        "indicators": curves,
        "ranking": [
            {
                "indicator_id": c["indicator_id"],
                "next_point_pence": c["next_point_pence"],
                "point": c["point"],
            }
            for c in ranking
        ],
    }


def curve_levels(
    kind: str, threshold: float, target: float, current: float | None, steps: int
) -> list[float]:
    """`steps` evenly spaced levels from a quarter of the threshold-target span beyond the lower of
    them (and the current level) to as far beyond the higher, plus threshold, target and current."""
    marks = [threshold, target] + ([current] if current is not None else [])
    low, high = min(marks), max(marks)
    pad = (abs(target - threshold) or abs(high) or 1.0) * 0.25
    low, high = low - pad, high + pad
    if kind == "proportion":
        low, high = max(low, 0.0), min(high, 1.0)
    if kind in ("mean", "rate_per_1000", "observed_expected"):
        low = max(low, 0.0)
    evenly = [low + (high - low) * i / (steps - 1) for i in range(steps)] if steps > 1 else [low]
    return sorted({round(level, 6) for level in evenly + marks})


def _achieved(ledger: pl.DataFrame) -> dict[str, float]:
    rows = ledger.filter(pl.col("indicator_id").is_not_null() & pl.col("achieved").is_not_null())
    return {
        r["indicator_id"]: float(r["achieved"]) for r in rows.unique("indicator_id", keep="first").to_dicts()
    }


# --- scenarios ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    baseline: pl.DataFrame
    changed: pl.DataFrame
    lines: list[dict[str, Any]]
    totals: list[dict[str, Any]]
    currency: str = "GBP"
    """The contract's currency: the amounts (`*_pence`) are in its minor unit."""

    def as_json(self) -> dict[str, Any]:
        return {"scenario": self.name, "currency": self.currency, "totals": self.totals, "lines": self.lines}


def run_scenario(inputs: Inputs, scenario_path: Path) -> tuple[ScenarioResult, ArchivedInput]:
    loaded, findings = load_scenario(scenario_path, inputs.terms)
    if loaded is None:
        raise SettlementError(ExitCode.INVALID_CONTRACT, findings)
    baseline = inputs.settle(inputs.extracts.monthly)
    changed = inputs.settle(apply_scenario(inputs.terms, inputs.extracts.monthly, loaded.scenario))
    result = ScenarioResult(
        loaded.scenario.scenario,
        baseline,
        changed,
        ledger_changes(baseline, changed),
        totals_changes(baseline, changed),
        inputs.terms.currency,
    )
    archived = archived_input(
        "scenario", scenario_path, layout.scenario_copy(scenario_path.name), loaded.sha256
    )
    return result, archived


# --- contract design ---------------------------------------------------------------------------


def design(
    draft_paths: list[Path], data_path: Path, years: list[str]
) -> tuple[dict[str, Any], list[ArchivedInput]]:
    """Each draft settled on each past year: per year and provider what it pays and the share of
    the withheld money earned; per indicator how often it met its threshold and its target; with
    two drafts, the difference per year and provider."""
    drafts: list[dict[str, Any]] = []
    archived: list[ArchivedInput] = []
    for path in draft_paths:
        loaded, findings = load_contract(path)
        if loaded is None:
            raise SettlementError(ExitCode.INVALID_CONTRACT, findings)
        extracts, data_findings = read_extracts(data_path, loaded.contract)
        if extracts is None or any(f.severity == "error" for f in data_findings):
            raise SettlementError(ExitCode.INVALID_DATA, data_findings)
        chosen = years or _years_with_data(loaded.contract, extracts.monthly)
        settled = []
        for name in chosen:
            inputs = load_period(loaded, name)
            settled.append((name, checked_settle(loaded.contract, extracts.monthly, inputs)))
        drafts.append(_draft_report(str(path), loaded.contract, settled))
        archived.append(
            archived_input(
                "contract", path, layout.draft_contract_copy(len(archived) + 1, path.name), loaded.sha256
            )
        )
        if len(drafts) == 1:
            archived += extract_inputs(extracts)
    report: dict[str, Any] = {"drafts": drafts}
    currencies = sorted({draft["currency"] for draft in drafts})
    if len(currencies) > 1:
        raise usage(
            f"the drafts are in different currencies ({', '.join(currencies)}): their payments cannot be "
            "compared; compare drafts in one currency",
            "DRAFTS",
        )
    if len(drafts) == 2:
        report["comparison"] = _compare(drafts[0], drafts[1])
    return report, archived


def load_period(loaded: Any, name: str) -> SettlementPeriod:
    period = parse_period(name, loaded)
    if not period.is_year:
        raise usage(f"--years takes contract years (2024-25), not {name!r}", "--years")
    return period


def _years_with_data(contract: Any, monthly: pl.DataFrame) -> list[str]:
    periods = set(monthly.get_column("period").to_list())
    return [
        t.year
        for t in contract.contract_years
        if any(m in periods for m in contract.term.year_start.parse_year(t.year).months())
    ]


class _IndicatorHits(TypedDict):
    """How often an indicator met its threshold and its target, over the years settled."""

    indicator_id: str
    years: int
    met_threshold: int
    met_target: int


def _draft_report(path: str, contract: Any, settled: list[tuple[str, pl.DataFrame]]) -> dict[str, Any]:
    years: list[dict[str, Any]] = []
    hits: dict[str, _IndicatorHits] = {}
    for name, ledger in settled:
        providers = []
        for t in party_totals(ledger):
            share = None if not t.withheld_pence else round(t.earned_pence / t.withheld_pence, 6)
            providers.append(
                {
                    "provider_id": t.provider_id,
                    "net_payable_pence": t.net_payable_pence,
                    "withheld_pence": t.withheld_pence,
                    "earned_pence": t.earned_pence,
                    "share_of_withheld_earned": share,
                }
            )
        totals = settlement_totals(ledger)
        years.append(
            {
                "year": name,
                "contract_value_pence": totals.contract_value_pence,
                "outcome_pool_pence": totals.outcome_pool_pence,
                "paid_to_providers_pence": totals.paid_to_providers_pence,
                "retained_pence": totals.retained_pence,
                "providers": providers,
            }
        )
        measured = ledger.filter(
            pl.col("indicator_id").is_not_null() & pl.col("threshold").is_not_null()
        ).unique("indicator_id", keep="first", maintain_order=True)
        for row in measured.to_dicts():
            item = hits.setdefault(
                row["indicator_id"],
                {"indicator_id": row["indicator_id"], "years": 0, "met_threshold": 0, "met_target": 0},
            )
            item["years"] += 1
            sign = 1.0 if row["direction"] == "higher_is_better" else -1.0
            if row["achieved"] is not None:
                item["met_threshold"] += int(sign * (row["achieved"] - row["threshold"]) >= 0)
                item["met_target"] += int(sign * (row["achieved"] - row["target"]) >= 0)
    return {
        "contract": path,
        "contract_id": contract.id,
        "version": contract.version,
        "currency": contract.currency,
        "years": years,
        "indicators": list(hits.values()),
    }


def _compare(first: dict[str, Any], second: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    later = {
        (y["year"], p["provider_id"]): p["net_payable_pence"] for y in second["years"] for p in y["providers"]
    }
    for year in first["years"]:
        for provider in year["providers"]:
            key = (year["year"], provider["provider_id"])
            old, new = provider["net_payable_pence"], later.get(key)
            rows.append(
                {
                    "year": key[0],
                    "provider_id": key[1],
                    "first_pence": old,
                    "second_pence": new,
                    "difference_pence": None if new is None else new - old,
                }
            )
    return rows


# --- writing a simulation folder -----------------------------------------------------------------


@contextlib.contextmanager
def simulation_folder(
    out_dir: Path | None, force: bool, protected: Sequence[Path] = ()
) -> Iterator[ReservedFolder | None]:
    """The `--out` folder reserved for the block (checked, apart from the inputs `protected`, and
    locked before anything is read: obc_settle.run_folder.writer), or None without `--out`."""
    if out_dir is None:
        yield None
        return
    with output_folder(out_dir, force, protected=protected) as reserved:
        yield reserved


def write_simulation(
    out: ReservedFolder,
    parameters: dict[str, Any],
    archived: list[ArchivedInput],
    files: dict[str, bytes],
    ledgers: dict[str, pl.DataFrame] | None = None,
) -> str:
    """Write `files` (name -> bytes) and `ledgers` (name -> a ledger written as CSV), the archive
    of the inputs and a manifest, all at once; the run id."""
    run_id = run_id_of(parameters, archived)
    contents = RunFolderContents(parameters, archived, files=files, ledger_tables=ledgers or {})
    write_run_folder(out, run_id, contents)
    return run_id


__all__ = [
    "ScenarioResult",
    "design",
    "load_inputs",
    "run_scenario",
    "sensitivity",
    "settle_at_level",
    "simulation_folder",
    "write_simulation",
]
