"""Scenario files: a small YAML list of changes to real extracts, for `obc-settle simulate scenario`.

    scenario: hba1c-improves            # an id
    description: HbA1c control reaches 66% across the alliance
    changes:
      - achievement: {indicator: hba1c_control, level: 0.66}          # every month, all providers
      - achievement: {indicator: confidence_score, level: 7.2, provider: WHIT}
      - activity: {provider: ISLGP, factor: 1.10}                      # all its rows x 1.10
      - activity: {provider: ISLGP, factor: 0.9, indicators: [hba1c_control]}
      - spend: {factor: 0.97}                                          # risk-share spend rows x 0.97

Read with the contract's YAML reader (duplicate keys, tags and anchors refused, line:column kept);
the model is strict (unknown keys refused, frozen). Findings are S001 (structure: an unknown or
missing key, a wrong type or value, not exactly one kind of change in an item) and S002 (an
indicator or provider the contract does not have, or a spend change for a contract without a
risk/gain share), each at the line and column of the offending value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from obc_settle.contract.models import Contract
from obc_settle.contract.scenario_model import Scenario
from obc_settle.contract.yaml_source import SourceMap, read_yaml
from obc_settle.errors import Diagnostic, did_you_mean, sort_diagnostics


@dataclass(frozen=True)
class LoadedScenario:
    scenario: Scenario
    path: Path
    sha256: str


def load_scenario(path: Path, contract: Contract) -> tuple[LoadedScenario | None, list[Diagnostic]]:
    """The scenario and its findings (every one, in file order), or None when it has errors."""
    document, findings = read_yaml(path)
    if document is None:
        return None, sort_diagnostics(findings)
    try:
        scenario = Scenario.model_validate(document.value)
    except ValidationError as error:
        located = [_structure(item, document.source_map) for item in error.errors()]
        return None, sort_diagnostics(findings + located)
    findings += _references(scenario, contract, document.source_map)
    if findings:
        return None, sort_diagnostics(findings)
    return LoadedScenario(scenario, path, document.sha256), []


def _structure(item: Any, source_map: SourceMap) -> Diagnostic:
    path = tuple(p for p in item["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    name = ".".join(str(p) for p in path) or "scenario"
    if item["type"] == "extra_forbidden":
        return Diagnostic("S001", f"unknown key {path[-1]!r}", source_map.locate(path, key=True))
    if item["type"] == "missing":
        return Diagnostic("S001", f"required key {path[-1]!r} is missing", source_map.locate(path[:-1]))
    return Diagnostic(
        "S001", f"{name}: {str(item['msg']).removeprefix('Value error, ')}", source_map.locate(path)
    )


def _references(scenario: Scenario, contract: Contract, source_map: SourceMap) -> list[Diagnostic]:
    providers = [p.id for p in contract.providers]
    indicators = [i.id for _, i in contract.indicators()]
    found = []

    def check(value: str | None, known: list[str], what: str, path: tuple[Any, ...]) -> None:
        if value is not None and value not in known:
            found.append(
                Diagnostic(
                    "S002", f"unknown {what} {value!r}{did_you_mean(value, known)}", source_map.locate(path)
                )
            )

    for index, change in enumerate(scenario.changes):
        where: tuple[Any, ...] = ("changes", index)
        if change.achievement is not None:
            check(change.achievement.indicator, indicators, "indicator", (*where, "achievement", "indicator"))
            check(change.achievement.provider, providers, "provider", (*where, "achievement", "provider"))
        if change.activity is not None:
            check(change.activity.provider, providers, "provider", (*where, "activity", "provider"))
            for position, indicator in enumerate(change.activity.indicators or []):
                check(indicator, indicators, "indicator", (*where, "activity", "indicators", position))
        if change.spend is not None:
            check(change.spend.provider, providers, "provider", (*where, "spend", "provider"))
            if not _has_risk_share(contract):
                found.append(
                    Diagnostic(
                        "S002",
                        "a spend change needs a contract with a risk/gain share",
                        source_map.locate((*where, "spend")),
                    )
                )
    return found


def _has_risk_share(contract: Contract) -> bool:
    return contract.risk_share is not None or any(
        contract.in_force(year.year).risk_share is not None for year in contract.contract_years
    )
