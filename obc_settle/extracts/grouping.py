"""How the single pass groups a file's rows by provider, indicator and month.

Grouping tens of millions of rows by three text columns makes Polars encode and compare the text
of every row. Hashing each text column to 64 bits and grouping by one integer (the three hashes
combined) does the same grouping in about a third less time (benchmarks/results.md has the
figures); each group keeps its texts (`first()`), so nothing downstream changes.

Two different keys could in principle share a 64-bit hash and have their rows summed together.
That is ruled out, or made beyond reach, as follows:

- between keys the contract knows (its providers x indicators x months of the term) it is checked
  exactly before the groups are used: their hashes are computed and must all differ; if two
  collide, the file is grouped by text instead;
- a key the contract does not know is an error (D007 to D010) found on the groups; it could go
  unseen only by sharing the hash of a known key. Each column's hash is seeded from the file's
  SHA-256, so no such string can be chosen in advance (changing it changes the seeds), and by
  chance it happens with probability about 2^-64 per unknown key.

Text keys only: a `period` stored as a date, or categorical keys, are grouped as they are; so are
the files of a contract with more keys than `MAX_KNOWN_KEYS`.
"""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.periods import month_of, months_through

GROUP_KEY = "__group_key"
MAX_KNOWN_KEYS = 1_000_000
"""Above this many provider x indicator x month keys in a contract, files are grouped by text."""


@dataclass(frozen=True)
class KnownKeys:
    """The key values a contract accepts in an extract, per key column."""

    provider_id: tuple[str, ...]
    indicator_id: tuple[str, ...]
    period: tuple[str, ...]
    first_month: str
    last_month: str

    def values(self, column: str) -> tuple[str, ...]:
        values: tuple[str, ...] = getattr(self, column)  # column is one of the three key fields
        return values


def known_keys(contract: Contract) -> KnownKeys:
    """Every version's providers (variations) and every quantity's indicators (Contract.extract_ids),
    and the months from the term's start to the end of the contract year it ends in."""
    first_month = month_of(contract.term.start)
    last_month = month_of(contract.term.year_start.containing(contract.term.end).end)
    return KnownKeys(
        tuple(sorted(contract.all_provider_ids())),
        tuple(sorted(contract.extract_ids())),
        tuple(months_through(first_month, last_month)),
        first_month,
        last_month,
    )


@dataclass(frozen=True)
class HashedGrouping:
    """Group by one 64-bit key: the hashes of the text key columns, keyed by the file's digest."""

    known: KnownKeys
    file_sha256: str

    def applies(self, schema: pl.Schema, columns: list[str]) -> bool:
        return bool(columns) and all(schema[name] == pl.String for name in columns)

    def key(self, columns: list[str]) -> pl.Expr:
        hashes = [pl.col(name).hash(self._seed(name)) for name in columns]
        return functools.reduce(lambda left, right: left ^ right, hashes).alias(GROUP_KEY)

    def collision_free(self, columns: list[str]) -> bool:
        """True when no two keys the contract knows share a hash (checked, not assumed).

        False, without checking, for a contract with more than `MAX_KNOWN_KEYS` keys (thousands of
        providers): hashing them all for every file would cost more than grouping by text saves."""
        if math.prod(len(self.known.values(name)) for name in columns) > MAX_KNOWN_KEYS:
            return False
        frames = [
            pl.LazyFrame({name: list(self.known.values(name))}, schema={name: pl.String}) for name in columns
        ]
        product = functools.reduce(lambda left, right: left.join(right, how="cross"), frames)
        hashes = product.select(self.key(columns)).collect().to_series()
        return hashes.n_unique() == hashes.len()

    def _seed(self, column: str) -> int:
        digest = hashlib.blake2b(f"{self.file_sha256}:{column}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "little")
