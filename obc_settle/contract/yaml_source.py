"""Read a contract's YAML into plain Python values, keeping where every key and value stood.

PyYAML alone silently keeps the last of two duplicate keys, builds objects from tags and expands
alias bombs, and forgets line numbers. This reader composes the node tree with the safe loader
and builds the values itself, so that:

- duplicate keys (at any depth), tags, anchors and aliases are findings, not surprises;
- the file's size, how deep its values nest and how many entries a list or mapping holds are
  bounded, and checked on the parser's events before any tree is built, so a hostile file (ten
  thousand nested `[`, a million list items) is refused in a moment with its line and column,
  never by a recursion error or minutes of work;
- numbers written with a decimal point become `Decimal` from their source text (never floats);
  NaN and infinities are rejected;
- dates that do not exist (2025-02-30) are findings;
- each value's path (`("providers", 0, "base_share")`) maps to its line and column, so that
  later checks and pydantic errors can point at the right place.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from obc_settle.digests import bytes_sha256
from obc_settle.errors import Diagnostic, Location

MAX_CONTRACT_BYTES = 512 * 1024
"""512 KiB: fifty times the largest sample contract, and under a few seconds of parsing at worst."""
MAX_NESTING = 32
"""Lists and mappings nested in each other: a contract needs about 10 levels (variations, 12)."""
MAX_ENTRIES = 1000
"""Items of one list, or keys of one mapping: the most providers a contract may have."""
Path_ = tuple[str | int, ...]

_STANDARD_TAGS = {
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


@dataclass
class SourceMap:
    """Line and column (1-based) of each value and each mapping key, by path."""

    file: str
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Path_, *, key: bool = False) -> Location:
        """The closest known place for `path`: the key itself, or the nearest enclosing value."""
        table = self.keys if key else self.values
        if path in table:
            return Location(self.file, *table[path])
        probe = tuple(path)
        while probe:
            probe = probe[:-1]
            if probe in self.values:
                return Location(self.file, *self.values[probe])
        return Location(self.file, 1, 1)


@dataclass
class YamlDocument:
    value: Any
    source_map: SourceMap
    sha256: str
    """Of the bytes parsed: the identity of the file as read, without reading it again."""


def _position(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    def __init__(self, file: str):
        self.source_map = SourceMap(file)
        self.diagnostics: list[Diagnostic] = []
        self._timestamp = yaml.SafeLoader("")

    def fail(self, node: yaml.Node, code: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(code, message, Location(self.source_map.file, *_position(node))))

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.source_map.values[path] = _position(node)
        if node.tag not in _STANDARD_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            self.fail(
                node, "C004", f"tag {tag!r} is not allowed in a contract (contracts hold plain values only)"
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)  # the composer makes mappings, sequences and scalars
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.fail(key_node, "C004", "merge keys (<<) are not allowed in a contract")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, "C012", "a mapping key must be a plain value")
                continue
            key = key_node.value if key_node.tag == "tag:yaml.org,2002:str" else self._scalar(key_node)
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                first = self.source_map.keys[(*path, key)]
                self.fail(
                    key_node, "C003", f"duplicate key {key!r} (first at line {first[0]}, column {first[1]})"
                )
                continue
            self.source_map.keys[(*path, key)] = _position(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        text = node.value
        tag = node.tag
        if tag == "tag:yaml.org,2002:str":
            return text
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return text.lower() in {"true", "yes", "on"}
        if tag == "tag:yaml.org,2002:int":
            try:
                return self._timestamp.construct_yaml_int(node)
            except ValueError:  # more digits than Python converts (4,300): far beyond any limit
                self.fail(
                    node, "C032", f"a {len(text):,}-digit integer is far beyond any number a contract holds"
                )
                return text  # refused already: whatever reads it next stands aside
        if tag == "tag:yaml.org,2002:float":
            return self._decimal(node)
        if tag == "tag:yaml.org,2002:timestamp":
            try:
                value = self._timestamp.construct_yaml_timestamp(node)
            except ValueError as error:
                self.fail(node, "C012", f"{text!r} is not a real date ({error})")
                return text
            if isinstance(value, datetime.datetime):
                self.fail(node, "C012", f"{text!r}: write a date (YYYY-MM-DD), not a date and time")
                return text
            return value
        return text

    def _decimal(self, node: yaml.ScalarNode) -> Decimal | None:
        text = node.value.replace("_", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            self.fail(node, "C012", f"{node.value!r} is not a finite number")
            return None
        return value


class _Nesting:
    """The lists and mappings open at a point of the event stream: for each, the event that opened
    it, its name in the document (`providers`, `outcome_framework.domains.0`), its entries so far,
    and (a mapping) the last key read."""

    def __init__(self, file: str):
        self.file = file
        self.open: list[tuple[yaml.Event, str, int, str]] = []

    def count(self, event: yaml.Event) -> Diagnostic | None:
        """Count a node event in the collection it is an entry of; open a collection it starts."""
        name = ""
        if self.open:
            start, parent, entries, key = self.open[-1]
            mapping = isinstance(start, yaml.MappingStartEvent)
            if mapping and entries % 2 == 0 and isinstance(event, yaml.ScalarEvent):
                key = event.value
            name = f"{parent}.{key if mapping else entries}".lstrip(".")
            entries += 1
            self.open[-1] = (start, parent, entries, key)
            # A mapping's entries are its keys and values: two events for each key.
            if entries > MAX_ENTRIES * (2 if mapping else 1):
                return Diagnostic(
                    "C030",
                    f"{parent or 'the contract'} has more than {MAX_ENTRIES:,} entries; a contract may list "
                    f"at most {MAX_ENTRIES:,} in any list or mapping",
                    _mark(start, self.file),
                )
        if isinstance(event, yaml.CollectionStartEvent):
            self.open.append((event, name, 0, ""))
            if len(self.open) > MAX_NESTING:
                return Diagnostic(
                    "C007",
                    f"lists and mappings are nested more than {MAX_NESTING} levels deep here; "
                    "a contract needs far fewer",
                    _mark(event, self.file),
                )
        return None


def _mark(event: yaml.Event, file: str) -> Location:
    mark = event.start_mark
    assert mark is not None  # the parser marks every event it emits
    return Location(file, mark.line + 1, mark.column + 1)


def _check_events(text: str, file: str) -> list[Diagnostic]:
    """Anchors and aliases are refused before anything is composed (no alias bombs), and so are
    nesting and entries beyond their limits: the first such finding stops the scan, so the
    parser's work, and the composer's recursion, stay bounded."""
    findings: list[Diagnostic] = []
    nesting = _Nesting(file)
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionEndEvent):
            nesting.open.pop()
            continue
        if isinstance(event, yaml.NodeEvent):
            beyond = nesting.count(event)
            if beyond is not None:
                return [*findings, beyond]
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent) or anchor is not None:
            kind = "alias" if isinstance(event, yaml.AliasEvent) else "anchor"
            findings.append(
                Diagnostic("C004", f"YAML {kind} '{anchor}' is not allowed in a contract", _mark(event, file))
            )
    return findings


def read_yaml(path: Path, display_name: str | None = None) -> tuple[YamlDocument | None, list[Diagnostic]]:
    """Read and build a YAML document; return it with every finding, or None if unusable."""
    file = display_name or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_CONTRACT_BYTES:
            return None, [
                Diagnostic(
                    "C006",
                    f"file is {size:,} bytes; contracts are limited to {MAX_CONTRACT_BYTES:,}",
                    Location(file),
                )
            ]
        raw = path.read_bytes()
    except OSError as error:
        return None, [Diagnostic("C001", f"cannot read the file: {error.strerror or error}", Location(file))]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return None, [Diagnostic("C001", "the file is not UTF-8 text", Location(file, line, column))]
    try:
        findings = _check_events(text, file)
        if findings:
            return None, findings
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file)
        problem = error.problem or "syntax error"
        if "\\t" in problem or "\t" in problem or " tab" in problem:
            problem = "tab characters cannot indent YAML; use spaces"
        return None, [Diagnostic("C002", problem, where)]
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        character = f"U+{error.character:04X}" if isinstance(error.character, int) else repr(error.character)
        return None, [
            Diagnostic(
                "C002", f"character {character} is not allowed in YAML text", Location(file, line, column)
            )
        ]
    except yaml.YAMLError as error:
        return None, [Diagnostic("C002", " ".join(str(error).split()), Location(file))]
    if node is None:
        return None, [Diagnostic("C005", "the file is empty", Location(file, 1, 1))]
    if not isinstance(node, yaml.MappingNode):
        return None, [
            Diagnostic(
                "C005", "a contract must be a mapping of keys to values", Location(file, *_position(node))
            )
        ]
    builder = _Builder(file)
    value = builder.build(node, ())
    return YamlDocument(value, builder.source_map, bytes_sha256(raw)), builder.diagnostics
