"""Whole-file rules of the contract language, each finding pointing at its line.

Pydantic checks each value on its own; these rules need the whole contract: weights at each level
sum to 1, shares sum to 1, threshold and target agree with the direction, contract years cover the
term exactly, and every reference resolves.

The rules read the document through `_Node`, a view that validates each value with the model's
own field type the moment a rule reads it. A value that is missing or wrongly typed (already
reported by pydantic) makes just the rules that need it stand aside, so one mistake never hides
another: every rule whose inputs are sound runs, on a valid file and an invalid one alike.
"""

from __future__ import annotations

import contextlib
import functools
import types
import typing
from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from obc_settle.contract.models import COMMISSIONER, VARIED_SECTIONS, Contract, Variation
from obc_settle.contract.yaml_source import Path_, SourceMap
from obc_settle.errors import Diagnostic, did_you_mean
from obc_settle.periods import ContractYear

ONE = Decimal(1)


class _Unusable(Exception):
    """A value a rule needs is missing or invalid; pydantic has reported it already."""


@functools.cache
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    field = model.model_fields[name]
    return TypeAdapter(Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class of `Model` or `Model | None`; None for anything else (lists, dicts...)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
    else:
        options = [annotation]
    for option in options:
        if isinstance(option, type) and issubclass(option, BaseModel):
            return option
    return None


class _Node:
    """Attribute access to a raw mapping as if it were the validated `model`."""

    def __init__(self, model: type[BaseModel], raw: object):
        self._model = model
        self._raw = raw

    def __getattr__(self, name: str) -> Any:
        field = self._model.model_fields[name]
        if not isinstance(self._raw, dict):
            raise _Unusable(name)
        if name not in self._raw:
            if field.is_required():
                raise _Unusable(name)
            return field.get_default(call_default_factory=True)
        value = self._raw[name]
        origin, args = typing.get_origin(field.annotation), typing.get_args(field.annotation)
        if value is None and type(None) in args:
            return None
        if origin is list and _model_in(args[0]):
            if not isinstance(value, list):
                raise _Unusable(name)
            return [_Node(_model_in(args[0]), item) for item in value]  # type: ignore[arg-type]
        inner = _model_in(field.annotation)
        if inner is not None:
            return _Node(inner, value)
        if origin is dict and args and _model_in(args[1]):
            if not isinstance(value, dict):
                raise _Unusable(name)
            keys = TypeAdapter(args[0])
            nodes = {}
            for key, item in value.items():
                with contextlib.suppress(ValidationError):
                    nodes[keys.validate_python(key)] = _Node(_model_in(args[1]), item)  # type: ignore[arg-type]
            return nodes
        try:
            return _adapter(self._model, name).validate_python(value)
        except ValidationError as error:
            raise _Unusable(name) from error


def _usable(nodes: list[_Node], name: str) -> list[Any]:
    """The values of `name` that are sound, skipping the others."""
    values = []
    for node in nodes:
        with contextlib.suppress(_Unusable):
            values.append(getattr(node, name))
    return values


@contextlib.contextmanager
def _rule() -> Iterator[None]:
    """Run one rule; if a value it needs is unusable, the rule stands aside."""
    with contextlib.suppress(_Unusable):
        yield


class _Findings:
    def __init__(self, source_map: SourceMap):
        self.source_map = source_map
        self.items: list[Diagnostic] = []

    def add(self, path: Path_, code: str, message: str, *, key: bool = False) -> None:
        self.items.append(Diagnostic(code, message, self.source_map.locate(path, key=key)))


def check_contract(document: object, source_map: SourceMap) -> list[Diagnostic]:
    """Every whole-file rule whose inputs are sound, on the document as read from YAML.

    The terms of each variation (the contract with the sections the variation replaces) are
    checked by the same rules; a finding that only the varied terms have names the version."""
    findings = _Findings(source_map)
    _check_terms(document, findings)
    from obc_settle.contract import checks_years  # the rules of the contract-years extensions

    with _rule():
        checks_years.check_variations(_Node(Contract, document), findings)
    base = {(f.code, f.location, f.message) for f in findings.items}
    for version, effective, merged, origins in _varied_documents(document):
        varied = _Findings(_VariedSourceMap(source_map, origins))
        _check_terms(merged, varied)
        for finding in varied.items:
            if (finding.code, finding.location, finding.message) not in base:
                message = f"in version {version!r} (from {effective}): {finding.message}"
                findings.items.append(Diagnostic(finding.code, message, finding.location, finding.severity))
                base.add((finding.code, finding.location, finding.message))
    return findings.items


def _check_terms(document: object, findings: _Findings) -> None:
    """The rules on one set of terms (the contract, or the contract as varied)."""
    from obc_settle.contract import checks_years

    contract: Any = _Node(Contract, document)
    for check in (
        _check_ids,
        _check_shares,
        _check_weights,
        _check_years,
        _check_share_rule,
        *checks_years.CHECKS,
    ):
        with _rule():
            check(contract, findings)
    with _rule():
        for d, domain in enumerate(contract.outcome_framework.domains):
            with _rule():
                for i, indicator in enumerate(domain.indicators):
                    _check_indicator(
                        contract, indicator, ("outcome_framework", "domains", d, "indicators", i), findings
                    )


class _VariedSourceMap:
    """Places in the varied terms: a section a variation replaced is found in that variation."""

    def __init__(self, source_map: SourceMap, origins: dict[str, int]):
        self.source_map = source_map
        self.origins = origins

    def locate(self, path: Path_, *, key: bool = False) -> Any:
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
        node: Any = _Node(Variation, raw)
        try:
            version, effective = node.version, node.effective
        except _Unusable:
            continue
        for section in VARIED_SECTIONS:
            if section in raw and raw[section] is not None:
                merged = {**merged, section: raw[section]}
                origins = {**origins, section: index}
        yield version, effective, merged, dict(origins)


def _indexed(nodes: list[_Node], name: str) -> list[tuple[int, Any]]:
    """(position, value) of each sound value of `name`."""
    pairs = []
    for index, node in enumerate(nodes):
        with contextlib.suppress(_Unusable):
            pairs.append((index, getattr(node, name)))
    return pairs


def _repeats(pairs: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
    """The second and later occurrences of each repeated value."""
    seen: set[Any] = set()
    repeats = []
    for index, value in pairs:
        if value in seen:
            repeats.append((index, value))
        seen.add(value)
    return repeats


def _provider_ids(contract: Any) -> set[str]:
    return set(_usable(contract.providers, "id"))


def _indicators(contract: Any) -> Iterator[tuple[Path_, Any]]:
    """Each indicator node with its path, skipping domains whose indicator list is unusable."""
    for d, domain in enumerate(contract.outcome_framework.domains):
        with contextlib.suppress(_Unusable):
            for i, indicator in enumerate(domain.indicators):
                yield ("outcome_framework", "domains", d, "indicators", i), indicator


def _check_ids(contract: Any, findings: _Findings) -> None:
    providers = _indexed(contract.providers, "id")
    for index, provider_id in providers:
        if provider_id.lower() == COMMISSIONER:
            findings.add(
                ("providers", index, "id"),
                "C025",
                f"provider id {provider_id!r} is reserved for the commissioner's lines",
            )
    for index, provider_id in _repeats(providers):
        findings.add(("providers", index, "id"), "C025", f"provider id {provider_id!r} is used twice")
    with _rule():
        for index, domain_id in _repeats(_indexed(contract.outcome_framework.domains, "id")):
            findings.add(
                ("outcome_framework", "domains", index, "id"),
                "C025",
                f"domain id {domain_id!r} is used twice",
            )
    with _rule():
        paths = []
        for path, indicator in _indicators(contract):
            with contextlib.suppress(_Unusable):
                paths.append(((*path, "id"), indicator.id))
        for index, identifier in _repeats([(i, identifier) for i, (_, identifier) in enumerate(paths)]):
            findings.add(paths[index][0], "C025", f"indicator id {identifier!r} is used twice")


def _check_shares(contract: Any, findings: _Findings) -> None:
    total = sum((p.base_share for p in contract.providers), Decimal(0))
    if total != ONE:
        findings.add(("providers",), "C021", f"provider base shares sum to {total}, not 1")


def _check_weights(contract: Any, findings: _Findings) -> None:
    if contract.points is not None:
        return  # a points contract pays by points, not by weights
    domains = contract.outcome_framework.domains
    if not domains:
        return
    missing = False
    for d, domain in enumerate(domains):
        with _rule():
            if domain.weight is None:
                findings.add(
                    ("outcome_framework", "domains", d),
                    "C011",
                    f"required key 'weight' is missing in outcome_framework.domains.{d}",
                )
                missing = True
        with _rule():
            for i, indicator in enumerate(domain.indicators):
                with _rule():
                    if indicator.weight is None:
                        where = f"outcome_framework.domains.{d}.indicators.{i}"
                        findings.add(
                            ("outcome_framework", "domains", d, "indicators", i),
                            "C011",
                            f"required key 'weight' is missing in {where}",
                        )
    with _rule():
        if not missing:
            total = sum((d.weight for d in domains), Decimal(0))
            if total != ONE:
                findings.add(
                    ("outcome_framework", "domains"), "C020", f"domain weights sum to {total}, not 1"
                )
    for index, domain in enumerate(domains):
        with _rule():
            if any(i.weight is None for i in domain.indicators):
                continue
            domain_total = sum((i.weight for i in domain.indicators), Decimal(0))
            if domain_total != ONE:
                name = next(iter(_usable([domain], "id")), f"#{index + 1}")
                findings.add(
                    ("outcome_framework", "domains", index, "indicators"),
                    "C020",
                    f"indicator weights in domain {name!r} sum to {domain_total}, not 1",
                )


def _check_years(contract: Any, findings: _Findings) -> None:
    term = contract.term
    with _rule():
        if term.start.month != 4 or term.start.day != 1:
            findings.add(
                ("term", "start"),
                "C028",
                f"the term must start on 1 April (a contract year), not {term.start}",
            )
    with _rule():
        if term.end.month != 3 or term.end.day != 31:
            findings.add(
                ("term", "end"), "C028", f"the term must end on 31 March (a contract year), not {term.end}"
            )
    start, end = term.start, term.end
    if end <= start:
        findings.add(("term", "end"), "C028", f"the term ends ({end}) before it starts ({start})")
        return
    expected = [
        ContractYear(year).name
        for year in range(
            ContractYear.containing(start).start_year, ContractYear.containing(end).start_year + 1
        )
    ]
    listed = contract.contract_years
    years = _indexed(listed, "year")
    seen: set[str] = set()
    for index, year in years:
        if year in seen:
            findings.add(("contract_years", index, "year"), "C023", f"contract year {year} is listed twice")
        elif year not in expected:
            findings.add(
                ("contract_years", index, "year"),
                "C023",
                f"contract year {year} is outside the term {start} to {end}",
            )
        seen.add(year)
    missing = [year for year in expected if year not in seen]
    if missing and len(years) == len(listed):
        findings.add(
            ("contract_years",), "C023", f"contract years missing from the term: {', '.join(missing)}"
        )


def _check_levels(
    indicator: Any, threshold: Decimal, target: Decimal, path: Path_, findings: _Findings
) -> None:
    exact = indicator.scoring.method == "all_or_nothing"
    higher = indicator.direction == "higher_is_better"
    wrong = (
        (threshold > target if exact else threshold >= target)
        if higher
        else (threshold < target if exact else threshold <= target)
    )
    if wrong:
        relation = "below" if higher else "above"
        findings.add(
            path,
            "C022",
            f"threshold {threshold} must be {relation} target {target} for a "
            f"{'higher' if higher else 'lower'}-is-better indicator",
        )


def _check_indicator(contract: Any, indicator: Any, path: Path_, findings: _Findings) -> None:
    with _rule():
        _check_levels(indicator, indicator.threshold, indicator.target, (*path, "threshold"), findings)
    with _rule():
        listed = contract.contract_years
        years = _usable(listed, "year")
        complete = len(years) == len(listed)
        for year, levels in indicator.by_year.items():
            if complete and year not in years:
                findings.add(
                    (*path, "by_year", year),
                    "C024",
                    f"contract year {year} is not one of the contract's years",
                    key=True,
                )
            with _rule():
                _check_levels(
                    indicator,
                    levels.threshold,
                    levels.target,
                    (*path, "by_year", year, "threshold"),
                    findings,
                )
    with _rule():
        _check_attribution(contract, indicator, path, findings)
    with _rule():
        _check_scoring(indicator, path, findings)
    with _rule():
        _check_units(indicator, path, findings)
    with _rule():
        _check_data(contract, indicator, path, findings)
    from obc_settle.contract import checks_years

    checks_years.check_indicator(contract, indicator, path, findings)


def _check_attribution(contract: Any, indicator: Any, path: Path_, findings: _Findings) -> None:
    provider = indicator.provider
    if indicator.attribution == "individual":
        provider_ids = _provider_ids(contract)
        if provider is None:
            findings.add(
                path, "C024", f"indicator {indicator.id!r} is individual: name the provider that earns it"
            )
        elif provider not in provider_ids:
            findings.add(
                (*path, "provider"),
                "C024",
                f"unknown provider {provider!r}{did_you_mean(provider, provider_ids)}",
            )
    elif provider is not None:
        findings.add(
            (*path, "provider"),
            "C024",
            "a collective indicator is earned by the whole group: remove 'provider' or set attribution: individual",
        )


def _check_scoring(indicator: Any, path: Path_, findings: _Findings) -> None:
    method = indicator.scoring.method
    if method == "banded":
        with _rule():
            _check_bands(indicator, (*path, "scoring", "bands"), findings)
    elif indicator.scoring.bands is not None:
        findings.add(
            (*path, "scoring", "bands"), "C027", f"bands are only used by banded scoring, not {method}"
        )
    with _rule():
        if method in {"improvement", "best_of"} and indicator.baseline is None:
            findings.add(
                (*path, "scoring", "method"), "C027", f"{method} scoring needs the indicator's baseline"
            )
    with _rule():
        value_range = indicator.value_range
        if value_range is not None:
            if value_range.min >= value_range.max:
                findings.add(
                    (*path, "value_range", "min"),
                    "C027",
                    f"value_range min {value_range.min} must be below max {value_range.max}",
                )
            measure = indicator.measure if indicator.kind == "change_from_baseline" else indicator.kind
            if measure != "mean":
                findings.add((*path, "value_range"), "C027", "value_range is only used by mean indicators")
    kind = indicator.kind
    if kind == "change_from_baseline":
        with _rule():
            if indicator.baseline is None:
                findings.add(path, "C027", "a change_from_baseline indicator needs a baseline")
        with _rule():
            if indicator.measure is None:
                findings.add(
                    path, "C027", "a change_from_baseline indicator needs measure: proportion or mean"
                )
        if method in {"improvement", "best_of"}:
            findings.add(
                (*path, "scoring", "method"),
                "C027",
                "improvement scoring does not apply to a change_from_baseline indicator",
            )
    elif indicator.measure is not None:
        findings.add((*path, "measure"), "C027", "measure is only used by change_from_baseline indicators")


def _check_units(indicator: Any, path: Path_, findings: _Findings) -> None:
    """A rate says what its denominator counts: the usual mistake is a 12-fold one."""
    kind, rate_denominator = indicator.kind, indicator.rate_denominator
    if kind == "rate_per_1000" and rate_denominator is None:
        findings.add(
            path,
            "C011",
            "a rate_per_1000 indicator needs rate_denominator: people_each_month (each month's "
            "denominator is the people registered that month) or person_years (it is person-years, population / 12)",
        )
    elif kind != "rate_per_1000" and rate_denominator is not None:
        findings.add(
            (*path, "rate_denominator"), "C027", "rate_denominator is only used by rate_per_1000 indicators"
        )


def _check_data(contract: Any, indicator: Any, path: Path_, findings: _Findings) -> None:
    """Who reports the indicator, in which months, and what it can plausibly be."""
    data, at = indicator.data, (*path, "data")
    with _rule():
        provider_ids = _provider_ids(contract)
        for index, provider in enumerate(data.reported_by or []):
            if provider not in provider_ids:
                findings.add(
                    (*at, "reported_by", index),
                    "C024",
                    f"unknown provider {provider!r}{did_you_mean(provider, provider_ids)}",
                )
        if data.reported_by is not None and not data.reported_by:
            findings.add(
                (*at, "reported_by"), "C027", "reported_by lists no provider: leave it out for every provider"
            )
    with _rule():
        months = data.collected_in
        if months is not None and (not months or len(set(months)) != len(months)):
            findings.add(
                (*at, "collected_in"),
                "C027",
                "collected_in lists each calendar month (1-12) once, at least one",
            )
    with _rule():
        plausible = data.plausible_range
        if plausible is not None and plausible.min >= plausible.max:
            findings.add(
                (*at, "plausible_range", "min"),
                "C027",
                f"plausible_range min {plausible.min} must be below max {plausible.max}",
            )
    with _rule():
        if data.plausible_ratio_to_baseline <= 1:
            findings.add(
                (*at, "plausible_ratio_to_baseline"), "C027", "plausible_ratio_to_baseline must be above 1"
            )
    with _rule():
        years = set(_usable(contract.contract_years, "year"))
        for period in data.accept_implausible:
            if period[:7] not in years:
                findings.add(
                    (*at, "accept_implausible", period),
                    "C024",
                    f"{period} is not a period of the contract's years",
                    key=True,
                )


def _check_bands(indicator: Any, path: Path_, findings: _Findings) -> None:
    bands = indicator.scoring.bands or []
    if not bands:
        findings.add(path, "C027", "banded scoring needs at least one band")
        return
    higher = indicator.direction == "higher_is_better"
    for index in range(1, len(bands)):
        before, band = bands[index - 1], bands[index]
        with _rule():
            better = band.level > before.level if higher else band.level < before.level
            if not better or band.score < before.score:
                findings.add(
                    (*path, index, "level"),
                    "C027",
                    "bands must be listed from worst to best level, with scores that do not fall",
                )


def _check_share_rule(contract: Any, findings: _Findings) -> None:
    _check_a_share_rule(contract, contract.share_rule, ("share_rule",), findings)


def _check_a_share_rule(contract: Any, rule: Any, at: Path_, findings: _Findings) -> None:
    provider_ids = _provider_ids(contract)
    method = rule.method
    with _rule():
        fixed = rule.fixed
        if method == "fixed":
            if fixed is None:
                findings.add((*at, "method"), "C027", "share_rule method fixed needs 'fixed' shares")
            else:
                for provider_id in fixed:
                    if provider_id not in provider_ids:
                        findings.add(
                            (*at, "fixed", provider_id),
                            "C024",
                            f"unknown provider {provider_id!r}{did_you_mean(provider_id, provider_ids)}",
                            key=True,
                        )
                total = sum(fixed.values(), Decimal(0))
                if total != ONE:
                    findings.add((*at, "fixed"), "C026", f"fixed shares sum to {total}, not 1")
        elif fixed is not None:
            findings.add(
                (*at, "fixed"), "C027", f"'fixed' shares are only used by method fixed, not {method}"
            )
    with _rule():
        quantity = rule.quantity
        if method == "by_quantity":
            indicator_ids = set()
            with _rule():
                indicator_ids = {node.id for _, node in _indicators(contract) if _usable([node], "id")}
            if quantity is None:
                findings.add(
                    (*at, "method"),
                    "C027",
                    "share_rule method by_quantity needs 'quantity' (an extract indicator_id)",
                )
            elif quantity in indicator_ids:
                findings.add(
                    (*at, "quantity"),
                    "C027",
                    f"quantity {quantity!r} is an outcome indicator; name a separate quantity",
                )
        elif quantity is not None:
            findings.add(
                (*at, "quantity"), "C027", f"'quantity' is only used by method by_quantity, not {method}"
            )
    with _rule():
        for provider_id in rule.caps:
            if provider_id not in provider_ids:
                findings.add(
                    (*at, "caps", provider_id),
                    "C024",
                    f"unknown provider {provider_id!r}{did_you_mean(provider_id, provider_ids)}",
                    key=True,
                )
