"""Load a contract file: YAML with places -> pydantic model -> whole-file rules.

`load_contract` never raises for a bad file: it returns the contract (or None) and every finding,
each with file, line and column, sorted by place.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from obc_settle.contract.checks import check_contract
from obc_settle.contract.fields import AMOUNT_ABOVE_LIMIT, NUMBER_BEYOND_LIMIT
from obc_settle.contract.models import Contract
from obc_settle.contract.yaml_source import Path_, SourceMap, read_yaml
from obc_settle.errors import Diagnostic, did_you_mean, has_errors, sort_diagnostics


@dataclass(frozen=True)
class LoadedContract:
    contract: Contract
    path: Path
    sha256: str


def load_contract(
    path: Path, display_name: str | None = None
) -> tuple[LoadedContract | None, list[Diagnostic]]:
    document, findings = read_yaml(path, display_name)
    if document is None:
        return None, sort_diagnostics(findings)
    try:
        contract = Contract.model_validate(document.value)
    except ValidationError as error:
        already = {finding.location for finding in findings}
        findings += [
            finding
            for finding in (_from_pydantic(item, document.source_map) for item in error.errors())
            if finding.location not in already
        ]
        findings += check_contract(document.value, document.source_map)
        return None, sort_diagnostics(_dedupe(findings))
    findings += check_contract(document.value, document.source_map)
    if has_errors(findings):
        return None, sort_diagnostics(findings)
    return LoadedContract(contract, path, document.sha256), sort_diagnostics(findings)


def _dedupe(findings: list[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[object, ...]] = set()
    unique = []
    for finding in findings:
        key = (finding.code, finding.location, finding.message)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique


def _data_path(loc: tuple[Any, ...]) -> Path_:
    """Pydantic's loc without validator-step names, as a path into the YAML document."""
    path: list[str | int] = []
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(part, str) and (part.startswith("function-") or part in {"literal", "constrained-str"}):
            continue
        path.append(part)
    return tuple(path)


def model_findings(error: ValidationError, source_map: SourceMap, root: type[BaseModel]) -> list[Diagnostic]:
    """Pydantic's errors for a YAML document validated as `root`, as located findings: C010 unknown
    key (with a suggestion), C011 missing key, C012 wrong value. Used for other YAML files the
    tool reads (the extract mapping) as for contracts."""
    return [_from_pydantic(item, source_map, root) for item in error.errors()]


def _from_pydantic(item: Any, source_map: SourceMap, root: type[BaseModel] = Contract) -> Diagnostic:
    loc = tuple(item["loc"])
    path = _data_path(loc)
    kind = item["type"]
    name = ".".join(str(p) for p in path) or "contract"
    if kind == "extra_forbidden":
        key = str(path[-1])
        allowed = _fields_at(path[:-1], root)
        return Diagnostic(
            "C010", f"unknown key {key!r}{did_you_mean(key, allowed)}", source_map.locate(path, key=True)
        )
    if kind == "missing":
        parent = path[:-1]
        where = f" in {'.'.join(str(p) for p in parent)}" if parent else ""
        return Diagnostic("C011", f"required key {path[-1]!r} is missing{where}", source_map.locate(parent))
    message = _plain_message(item)
    beyond = {AMOUNT_ABOVE_LIMIT: "C031", NUMBER_BEYOND_LIMIT: "C032"}.get(kind)
    if beyond is not None:
        return Diagnostic(beyond, f"{name}: {message}", source_map.locate(path))
    if "[key]" in loc:
        return Diagnostic("C012", f"{name}: key: {message}", source_map.locate(path, key=True))
    return Diagnostic("C012", f"{name}: {message}", source_map.locate(path))


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value!r}"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value}"


def _plain_message(item: Any) -> str:
    """Pydantic's message in the words of a contract file, with a suggestion where one helps."""
    kind, value = item["type"], item.get("input")
    context = item.get("ctx") or {}
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return f"expected a mapping of keys to values, got {_describe(value)}"
    if kind == "list_type":
        return f"expected a list, got {_describe(value)}"
    if kind in {"string_type", "str_type"}:
        return f"expected text, got {_describe(value)}"
    if kind == "literal_error":
        expected = str(context.get("expected", ""))
        choices = [choice.strip(" '") for choice in expected.replace(" or ", ", ").split(",")]
        hint = did_you_mean(str(value), choices) if isinstance(value, str) else ""
        return f"{_describe(value)} is not one of {expected}{hint}"
    if kind == "string_pattern_mismatch":
        return (
            f"{_describe(value)} is not a valid id: use letters, digits, '_', '.' and '-', "
            "starting with a letter or digit, at most 64 characters"
        )
    return str(item["msg"]).removeprefix("Value error, ")


def _fields_at(path: Path_, root: type[BaseModel] = Contract) -> list[str]:
    """The keys a mapping at `path` may have, for 'did you mean' suggestions."""
    annotation: Any = root
    for part in path:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(part, str):
            field = annotation.model_fields.get(part)
            if field is None:
                return []
            annotation = field.annotation
        else:
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[-1] if args else None
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        else:
            return annotation
