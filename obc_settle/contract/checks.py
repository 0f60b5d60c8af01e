"""Whole-file rules of the contract language, each finding pointing at its line.

Pydantic checks each value on its own; these rules need the whole contract: weights at each level
sum to 1, shares sum to 1, threshold and target agree with the direction, contract years cover the
term exactly, and every reference resolves. All rules run; all findings are returned.
"""

from __future__ import annotations

from decimal import Decimal

from obc_settle.contract.models import COMMISSIONER, Contract, Indicator
from obc_settle.contract.yaml_source import Path_, SourceMap
from obc_settle.errors import Diagnostic, did_you_mean

from obc_settle.periods import ContractYear

ONE = Decimal(1)


class _Findings:
    def __init__(self, source_map: SourceMap):
        self.source_map = source_map
        self.items: list[Diagnostic] = []

    def add(self, path: Path_, code: str, message: str, *, key: bool = False) -> None:
        self.items.append(Diagnostic(code, message, self.source_map.locate(path, key=key)))


def check_contract(contract: Contract, source_map: SourceMap) -> list[Diagnostic]:
    findings = _Findings(source_map)
    _check_ids(contract, findings)
    _check_shares(contract, findings)
    _check_weights(contract, findings)
    _check_years(contract, findings)
    for d, domain in enumerate(contract.outcome_framework.domains):
        for i, indicator in enumerate(domain.indicators):
            _check_indicator(contract, indicator, ("outcome_framework", "domains", d, "indicators", i), findings)
    _check_share_rule(contract, findings)
    return findings.items


def _check_ids(contract: Contract, findings: _Findings) -> None:
    for index, provider in enumerate(contract.providers):
        if provider.id.lower() == COMMISSIONER:
            findings.add(("providers", index, "id"), "C025", f"provider id {provider.id!r} is reserved for the commissioner's lines")
    for index in _repeat_positions([p.id for p in contract.providers]):
        findings.add(("providers", index, "id"), "C025", f"provider id {contract.providers[index].id!r} is used twice")
    domains = contract.outcome_framework.domains
    for index in _repeat_positions([d.id for d in domains]):
        findings.add(("outcome_framework", "domains", index, "id"), "C025", f"domain id {domains[index].id!r} is used twice")
    indicator_paths = [
        (("outcome_framework", "domains", d, "indicators", i, "id"), indicator.id)
        for d, domain in enumerate(domains)
        for i, indicator in enumerate(domain.indicators)
    ]
    for index in _repeat_positions([identifier for _, identifier in indicator_paths]):
        path, identifier = indicator_paths[index]
        findings.add(path, "C025", f"indicator id {identifier!r} is used twice")


def _repeat_positions(ids: list[str]) -> list[int]:
    """Positions of the second and later occurrences of each repeated id."""
    seen: set[str] = set()
    positions = []
    for index, identifier in enumerate(ids):
        if identifier in seen:
            positions.append(index)
        seen.add(identifier)
    return positions


def _check_shares(contract: Contract, findings: _Findings) -> None:
    total = sum((p.base_share for p in contract.providers), Decimal(0))
    if total != ONE:
        findings.add(("providers",), "C021", f"provider base shares sum to {total}, not 1")


def _check_weights(contract: Contract, findings: _Findings) -> None:
    domains = contract.outcome_framework.domains
    total = sum((d.weight for d in domains), Decimal(0))
    if total != ONE:
        findings.add(("outcome_framework", "domains"), "C020", f"domain weights sum to {total}, not 1")
    for index, domain in enumerate(domains):
        domain_total = sum((i.weight for i in domain.indicators), Decimal(0))
        if domain_total != ONE:
            findings.add(
                ("outcome_framework", "domains", index, "indicators"),
                "C020",
                f"indicator weights in domain {domain.id!r} sum to {domain_total}, not 1",
            )


def _check_years(contract: Contract, findings: _Findings) -> None:
    term = contract.term
    if term.start.month != 4 or term.start.day != 1:
        findings.add(("term", "start"), "C028", f"the term must start on 1 April (a contract year), not {term.start}")
    if term.end.month != 3 or term.end.day != 31:
        findings.add(("term", "end"), "C028", f"the term must end on 31 March (a contract year), not {term.end}")
    if term.end <= term.start:
        findings.add(("term", "end"), "C028", f"the term ends ({term.end}) before it starts ({term.start})")
        return
    expected = [
        ContractYear(year).name
        for year in range(ContractYear.containing(term.start).start_year, ContractYear.containing(term.end).start_year + 1)
    ]
    seen: set[str] = set()
    for index, terms in enumerate(contract.contract_years):
        if terms.year in seen:
            findings.add(("contract_years", index, "year"), "C023", f"contract year {terms.year} is listed twice")
        elif terms.year not in expected:
            findings.add(
                ("contract_years", index, "year"),
                "C023",
                f"contract year {terms.year} is outside the term {term.start} to {term.end}",
            )
        seen.add(terms.year)
    missing = [year for year in expected if year not in seen]
    if missing:
        findings.add(("contract_years",), "C023", f"contract years missing from the term: {', '.join(missing)}")


def _check_levels(indicator: Indicator, threshold: Decimal, target: Decimal, path: Path_, findings: _Findings) -> None:
    exact = indicator.scoring.method == "all_or_nothing"
    higher = indicator.direction == "higher_is_better"
    wrong = (threshold > target if exact else threshold >= target) if higher else (threshold < target if exact else threshold <= target)
    if wrong:
        relation = "below" if higher else "above"
        findings.add(
            path,
            "C022",
            f"threshold {threshold} must be {relation} target {target} for a "
            f"{'higher' if higher else 'lower'}-is-better indicator",
        )


def _check_indicator(contract: Contract, indicator: Indicator, path: Path_, findings: _Findings) -> None:
    provider_ids = {p.id for p in contract.providers}
    year_names = {terms.year for terms in contract.contract_years}
    _check_levels(indicator, indicator.threshold, indicator.target, (*path, "threshold"), findings)
    for year, levels in indicator.by_year.items():
        if year not in year_names:
            findings.add((*path, "by_year", year), "C024", f"contract year {year} is not one of the contract's years", key=True)
        _check_levels(indicator, levels.threshold, levels.target, (*path, "by_year", year, "threshold"), findings)
    if indicator.attribution == "individual":
        if indicator.provider is None:
            findings.add(path, "C024", f"indicator {indicator.id!r} is individual: name the provider that earns it")
        elif indicator.provider not in provider_ids:
            findings.add((*path, "provider"), "C024", f"unknown provider {indicator.provider!r}{did_you_mean(indicator.provider, provider_ids)}")
    elif indicator.provider is not None:
        findings.add((*path, "provider"), "C024", "a collective indicator is earned by the whole group: remove 'provider' or set attribution: individual")
    method = indicator.scoring.method
    if method == "banded":
        _check_bands(indicator, (*path, "scoring", "bands"), findings)
    elif indicator.scoring.bands is not None:
        findings.add((*path, "scoring", "bands"), "C027", f"bands are only used by banded scoring, not {method}")
    if method in {"improvement", "best_of"} and indicator.baseline is None:
        findings.add((*path, "scoring", "method"), "C027", f"{method} scoring needs the indicator's baseline")
    if indicator.kind == "change_from_baseline":
        if indicator.baseline is None:
            findings.add(path, "C027", "a change_from_baseline indicator needs a baseline")
        if indicator.measure is None:
            findings.add(path, "C027", "a change_from_baseline indicator needs measure: proportion or mean")
        if method in {"improvement", "best_of"}:
            findings.add((*path, "scoring", "method"), "C027", "improvement scoring does not apply to a change_from_baseline indicator")
    elif indicator.measure is not None:
        findings.add((*path, "measure"), "C027", "measure is only used by change_from_baseline indicators")


def _check_bands(indicator: Indicator, path: Path_, findings: _Findings) -> None:
    bands = indicator.scoring.bands or []
    if not bands:
        findings.add(path, "C027", "banded scoring needs at least one band")
        return
    higher = indicator.direction == "higher_is_better"
    for index in range(1, len(bands)):
        before, band = bands[index - 1], bands[index]
        better = band.level > before.level if higher else band.level < before.level
        if not better or band.score < before.score:
            findings.add(
                (*path, index, "level"),
                "C027",
                "bands must be listed from worst to best level, with scores that do not fall",
            )


def _check_share_rule(contract: Contract, findings: _Findings) -> None:
    rule = contract.share_rule
    provider_ids = {p.id for p in contract.providers}
    if rule.method == "fixed":
        if rule.fixed is None:
            findings.add(("share_rule", "method"), "C027", "share_rule method fixed needs 'fixed' shares")
        else:
            for provider_id in rule.fixed:
                if provider_id not in provider_ids:
                    findings.add(("share_rule", "fixed", provider_id), "C024", f"unknown provider {provider_id!r}{did_you_mean(provider_id, provider_ids)}", key=True)
            total = sum(rule.fixed.values(), Decimal(0))
            if total != ONE:
                findings.add(("share_rule", "fixed"), "C026", f"fixed shares sum to {total}, not 1")
    elif rule.fixed is not None:
        findings.add(("share_rule", "fixed"), "C027", f"'fixed' shares are only used by method fixed, not {rule.method}")
    if rule.method == "by_quantity":
        indicator_ids = {indicator.id for _, indicator in contract.indicators()}
        if rule.quantity is None:
            findings.add(("share_rule", "method"), "C027", "share_rule method by_quantity needs 'quantity' (an extract indicator_id)")
        elif rule.quantity in indicator_ids:
            findings.add(("share_rule", "quantity"), "C027", f"quantity {rule.quantity!r} is an outcome indicator; name a separate quantity")
    elif rule.quantity is not None:
        findings.add(("share_rule", "quantity"), "C027", f"'quantity' is only used by method by_quantity, not {rule.method}")
    for provider_id in rule.caps:
        if provider_id not in provider_ids:
            findings.add(("share_rule", "caps", provider_id), "C024", f"unknown provider {provider_id!r}{did_you_mean(provider_id, provider_ids)}", key=True)


def check_raw_sums(document: object, source_map: SourceMap) -> list[Diagnostic]:
    """The sum rules on the raw document, for a file that pydantic rejected elsewhere.

    A wrongly typed value elsewhere must not hide a weight or share that does not add up, so
    these rules also run on whatever numbers the file does hold (anything malformed is skipped).
    """
    findings = _Findings(source_map)
    if not isinstance(document, dict):
        return []

    def numbers(items: object, key: str) -> list[Decimal] | None:
        if not isinstance(items, list) or not items:
            return None
        values = [item.get(key) if isinstance(item, dict) else None for item in items]
        if not all(isinstance(v, (int, Decimal)) and not isinstance(v, bool) for v in values):
            return None
        return [Decimal(v) for v in values]

    shares = numbers(document.get("providers"), "base_share")
    if shares is not None and sum(shares, Decimal(0)) != ONE:
        findings.add(("providers",), "C021", f"provider base shares sum to {sum(shares, Decimal(0))}, not 1")
    framework = document.get("outcome_framework")
    domains = framework.get("domains") if isinstance(framework, dict) else None
    weights = numbers(domains, "weight")
    if weights is not None and sum(weights, Decimal(0)) != ONE:
        findings.add(("outcome_framework", "domains"), "C020", f"domain weights sum to {sum(weights, Decimal(0))}, not 1")
    for index, domain in enumerate(domains if isinstance(domains, list) else []):
        if not isinstance(domain, dict):
            continue
        indicator_weights = numbers(domain.get("indicators"), "weight")
        if indicator_weights is not None and sum(indicator_weights, Decimal(0)) != ONE:
            findings.add(
                ("outcome_framework", "domains", index, "indicators"),
                "C020",
                f"indicator weights in domain {domain.get('id')!r} sum to {sum(indicator_weights, Decimal(0))}, not 1",
            )
    return findings.items
