"""Whole-file rules of the contract language, each finding pointing at its line.

Pydantic checks each value on its own; these rules need the whole contract: weights at each level
sum to 1, shares sum to 1, threshold and target agree with the direction, contract years cover the
term exactly, and every reference resolves. `check_contract` runs them all, in a fixed order:
the rules of `checks_structure`, then `checks_mechanisms` and `checks_bounds`, then `checks_indicators` on each
indicator; then the variations (here), and every rule again on the terms of each variation.

The rules read the document through `rule_reader.Node`, so a value that is missing or wrongly typed
(already reported by pydantic) makes just the rules that need it stand aside.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from obc_settle.contract import (
    checks_bounds,
    checks_indicators,
    checks_mechanisms,
    checks_structure,
    checks_values,
)
from obc_settle.contract.models import VARIED_SECTIONS, Contract, Variation
from obc_settle.contract.rule_reader import (
    Findings,
    Node,
    Unusable,
    indexed_values,
    one_rule,
    repeated_values,
)
from obc_settle.contract.yaml_source import Path_, SourceMap
from obc_settle.errors import Diagnostic, Location
from obc_settle.periods import YearStart


def check_contract(document: object, source_map: SourceMap) -> list[Diagnostic]:
    """Every whole-file rule whose inputs are sound, on the document as read from YAML.

    The terms of each variation (the contract with the sections the variation replaces) are
    checked by the same rules; a finding that only the varied terms have names the version."""
    findings = Findings(source_map)
    _check_terms(document, findings)
    with one_rule():
        _check_variations(Node(Contract, document), findings)
    with one_rule():
        checks_values.check_values_fill_each_pool(document, findings)
    base = {(f.code, f.location, f.message) for f in findings.items}
    for version, effective, merged, origins in _varied_documents(document):
        varied = Findings(_VariedSourceMap(source_map, origins))
        _check_terms(merged, varied)
        for finding in varied.items:
            if (finding.code, finding.location, finding.message) not in base:
                message = f"in version {version!r} (from {effective}): {finding.message}"
                findings.items.append(Diagnostic(finding.code, message, finding.location, finding.severity))
                base.add((finding.code, finding.location, finding.message))
    return findings.items


def _check_terms(document: object, findings: Findings) -> None:
    """The rules on one set of terms (the contract, or the contract as varied)."""
    contract: Any = Node(Contract, document)
    checks = (
        *checks_structure.CHECKS,
        *checks_mechanisms.CHECKS,
        *checks_values.CHECKS,
        *checks_bounds.CHECKS,
    )
    for check in checks:
        with one_rule():
            check(contract, findings)
    with one_rule():
        for d, domain in enumerate(contract.outcome_framework.domains):
            with one_rule():
                for i, indicator in enumerate(domain.indicators):
                    checks_indicators.check_indicator(
                        contract, indicator, ("outcome_framework", "domains", d, "indicators", i), findings
                    )


class _VariedSourceMap:
    """Places in the varied terms: a section a variation replaced is found in that variation."""

    def __init__(self, source_map: SourceMap, origins: dict[str, int]):
        self.source_map = source_map
        self.origins = origins

    def locate(self, path: Path_, *, key: bool = False) -> Location:
        if path and path[0] in self.origins:
            path = ("variations", self.origins[str(path[0])], *path)
        return self.source_map.locate(path, key=key)


def _varied_documents(document: object) -> Iterator[tuple[str, object, dict[str, Any], dict[str, int]]]:
    """(version, effective date, varied document, section -> variation index) for each variation."""
    if not isinstance(document, dict) or not isinstance(document.get("variations"), list):
        return
    merged: dict[str, Any] = {key: value for key, value in document.items() if key != "variations"}
    origins: dict[str, int] = {}
    for index, raw in enumerate(document["variations"]):
        if not isinstance(raw, dict):
            continue
        node: Any = Node(Variation, raw)
        try:
            version, effective = node.version, node.effective
        except Unusable:
            continue
        for section in VARIED_SECTIONS:
            if section in raw and raw[section] is not None:
                merged = {**merged, section: raw[section]}
                origins = {**origins, section: index}
        yield version, effective, merged, dict(origins)


def _check_variations(contract: Any, findings: Findings) -> None:
    """Each variation takes effect on the first day of a contract year (a 1 April) inside the term, in date order, with a new version."""
    variations = contract.variations
    with one_rule():
        base_version = contract.version
        versions = [(-1, base_version), *indexed_values(variations, "version")]
        for index, version in repeated_values(versions):
            findings.add(
                ("variations", index, "version"), "C025", f"contract version {version!r} is used twice"
            )
    previous = None
    for index, variation in enumerate(variations):
        with one_rule():
            effective = variation.effective
            first_month = YearStart.named(contract.term.year_starts)
            if effective.month != first_month.month or effective.day != 1:
                findings.add(
                    ("variations", index, "effective"),
                    "C029",
                    "a variation takes effect at the start of a contract year "
                    f"(1 {first_month.month_name}), not {effective}",
                )
            with one_rule():
                start, end = contract.term.start, contract.term.end
                if effective <= start or effective > end:
                    findings.add(
                        ("variations", index, "effective"),
                        "C029",
                        f"variation dated {effective} is outside the term {start} to {end} (after its first day)",
                    )
            if previous is not None and effective <= previous:
                findings.add(
                    ("variations", index, "effective"),
                    "C029",
                    f"variations are listed in date order: {effective} is not after {previous}",
                )
            previous = effective
