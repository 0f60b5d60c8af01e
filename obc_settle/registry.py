"""One keyed registry, the shape every extension point shares (scoring methods, output formats).

Records are kept in the order they were registered: that order is the order they are listed in
help, docs and "all". A name is registered once and must match the point's pattern; an unknown
name is the point's own error, never a default.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, Protocol, TypeVar


class Named(Protocol):
    @property
    def name(self) -> str: ...


Record = TypeVar("Record", bound=Named)


class Registry(Generic[Record]):
    """Records of one extension point by name.

    `what` names a record in messages ("scoring method"); `pattern` and `pattern_words` say which
    names are allowed; `unknown` is the error an unknown name raises, with `known_words` before
    the list of names ("the methods are", "choose from")."""

    def __init__(
        self,
        what: str,
        pattern: str,
        pattern_words: str,
        unknown: type[LookupError] | type[ValueError],
        known_words: str,
    ) -> None:
        self.what, self.pattern, self.pattern_words = what, pattern, pattern_words
        self.unknown, self.known_words = unknown, known_words
        self._records: dict[str, Record] = {}

    def register(self, record: Record) -> Record:
        """Add `record` after those already there; a name may be registered once."""
        if not re.fullmatch(self.pattern, record.name):
            raise ValueError(f"{self.what} name {record.name!r} is not {self.pattern_words}")
        if record.name in self._records:
            raise ValueError(f"{self.what} {record.name!r} is already registered")
        self._records[record.name] = record
        return record

    def unregister(self, name: str) -> None:
        self.get(name)
        del self._records[name]

    @contextmanager
    def registered(self, record: Record) -> Iterator[Record]:
        """`record` registered for the length of a `with` block, then removed."""
        self.register(record)
        try:
            yield record
        finally:
            self.unregister(record.name)

    def get(self, name: str) -> Record:
        """The record registered as `name`; the point's `unknown` error when there is none."""
        record = self._records.get(name)
        if record is None:
            raise self.unknown(f"unknown {self.what} {name!r}: {self.known_words} {', '.join(self._records)}")
        return record

    def names(self) -> tuple[str, ...]:
        """The registered names, in the order they were registered."""
        return tuple(self._records)

    def records(self) -> tuple[Record, ...]:
        return tuple(self._records.values())
