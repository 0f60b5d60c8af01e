"""How the whole-file rules read a contract: a view of the raw document, and where findings go.

The rules read the document through `Node`, a view that validates each value with the model's own
field type the moment a rule reads it. A value that is missing or wrongly typed (already reported
by pydantic) raises `Unusable`, and `one_rule()` makes just the rule that needed it stand aside, so one
mistake never hides another: every rule whose inputs are sound runs, on a valid file and an
invalid one alike. `Findings` collects what the rules find, each at its place in the file.
"""

from __future__ import annotations

import contextlib
import functools
import types
import typing
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, TypeAdapter, ValidationError

from obc_settle.contract.yaml_source import Path_
from obc_settle.errors import Diagnostic, Location, did_you_mean

ONE = Decimal(1)


class Unusable(Exception):
    """A value a rule needs is missing or invalid; pydantic has reported it already."""


@functools.cache
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    field = model.model_fields[name]
    # Built at run time from the field, so no static type form: Any is what it is to the checker.
    annotation: Any = Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation
    return TypeAdapter(annotation)


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


class Node:
    """Attribute access to a raw mapping as if it were the validated `model`."""

    def __init__(self, model: type[BaseModel], raw: object):
        self._model = model
        self._raw = raw

    def __getattr__(self, name: str) -> Any:
        field = self._model.model_fields[name]
        if not isinstance(self._raw, dict):
            raise Unusable(name)
        if name not in self._raw:
            if field.is_required():
                raise Unusable(name)
            return field.get_default(call_default_factory=True)
        value = self._raw[name]
        origin, args = typing.get_origin(field.annotation), typing.get_args(field.annotation)
        if value is None and type(None) in args:
            return None
        if origin is list and (item_model := _model_in(args[0])):
            if not isinstance(value, list):
                raise Unusable(name)
            return [Node(item_model, item) for item in value]
        inner = _model_in(field.annotation)
        if inner is not None:
            return Node(inner, value)
        if origin is dict and args and (value_model := _model_in(args[1])):
            if not isinstance(value, dict):
                raise Unusable(name)
            keys = TypeAdapter(args[0])
            nodes = {}
            for key, item in value.items():
                with contextlib.suppress(ValidationError):
                    nodes[keys.validate_python(key)] = Node(value_model, item)
            return nodes
        try:
            return _adapter(self._model, name).validate_python(value)
        except ValidationError as error:
            raise Unusable(name) from error


def usable_values(nodes: list[Node], name: str) -> list[Any]:
    """The values of `name` that are sound, skipping the others."""
    values = []
    for node in nodes:
        with contextlib.suppress(Unusable):
            values.append(getattr(node, name))
    return values


@contextlib.contextmanager
def one_rule() -> Iterator[None]:
    """Run one rule; if a value it needs is unusable, the rule stands aside."""
    with contextlib.suppress(Unusable):
        yield


class Locator(Protocol):
    """Where a path of the document is in its file (a `SourceMap`, or one that sees through variations)."""

    def locate(self, path: Path_, *, key: bool = False) -> Location: ...


class Findings:
    def __init__(self, source_map: Locator):
        self.source_map = source_map
        self.items: list[Diagnostic] = []

    def add(self, path: Path_, code: str, message: str, *, key: bool = False) -> None:
        self.items.append(Diagnostic(code, message, self.source_map.locate(path, key=key)))

    def place(self, path: Path_) -> str:
        """`line 12, column 9`: where `path` is, for a message that names a second place."""
        location = self.source_map.locate(path)
        return f"line {location.line}, column {location.column}"

    def add_repeated_ids(self, kind: str, ids: list[tuple[Path_, Any]]) -> None:
        """A C025 at the second and later of ids that are the same id (`same_id`), naming the first."""
        first: dict[Any, tuple[Path_, Any]] = {}
        for path, value in ids:
            key = same_id(value) if isinstance(value, str) else value
            if key not in first:
                first[key] = (path, value)
                continue
            earlier, earlier_value = first[key]
            if value == earlier_value:
                message = f"{kind} id {value!r} is used twice (first at {self.place(earlier)})"
            else:
                message = (
                    f"{kind} id {value!r} is the same id as {earlier_value!r} ({self.place(earlier)}): "
                    "ids name files and keys, so they must differ in more than case or Unicode form"
                )
            self.add(path, "C025", message)


def indexed_values(nodes: list[Node], name: str) -> list[tuple[int, Any]]:
    """(position, value) of each sound value of `name`."""
    pairs = []
    for index, node in enumerate(nodes):
        with contextlib.suppress(Unusable):
            pairs.append((index, getattr(node, name)))
    return pairs


MAX_SUGGESTION_CHOICES = 100


def suggestion(word: str, choices: set[str]) -> str:
    """` (did you mean 'x'?)`, among at most 100 ids: a hostile file can name thousands of unknown
    ids against a thousand providers, and comparing each with each would take minutes."""
    return did_you_mean(word, choices) if len(choices) <= MAX_SUGGESTION_CHOICES else ""


def same_id(identifier: str) -> str:
    """Ids equal after Unicode NFC normalisation and case folding are one id: `abc` and `ABC` would
    name the same statement file on a case-insensitive file system and in a zip file."""
    return unicodedata.normalize("NFC", identifier).casefold()


def repeated_values(pairs: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
    """The second and later occurrences of each repeated value."""
    seen: set[Any] = set()
    repeats = []
    for index, value in pairs:
        if value in seen:
            repeats.append((index, value))
        seen.add(value)
    return repeats


def provider_ids_of(contract: Any) -> set[str]:
    return set(usable_values(contract.providers, "id"))


def indicator_nodes(contract: Any) -> Iterator[tuple[Path_, Any]]:
    """Each indicator node with its path, skipping domains whose indicator list is unusable."""
    for d, domain in enumerate(contract.outcome_framework.domains):
        with contextlib.suppress(Unusable):
            for i, indicator in enumerate(domain.indicators):
                yield ("outcome_framework", "domains", d, "indicators", i), indicator
