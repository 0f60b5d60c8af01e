"""Totals of pence columns in Polars frames, exact at any size.

Beside `obc_settle.money` rather than in it: `money` is imported by the contract language, which
`obc-settle validate` loads without Polars (tests/test_startup_imports.py).
"""

from __future__ import annotations

import polars as pl


def pence_sum(column: str) -> pl.Expr:
    """The sum of an integer pence column, exact: added up as 128-bit integers.

    Polars adds an Int64 column in 64 bits and wraps silently past 2^63 - 1 pence (about £92
    million billion); in 128 bits no sum of 64-bit amounts can wrap, and turning the result back
    into a 64-bit column (the ledger's) fails loudly instead of wrapping.
    """
    return pl.col(column).cast(pl.Int128).sum()


def pence_total(amounts: pl.Series) -> int:
    """The exact total of a column of pence, as a Python integer (see `pence_sum`)."""
    return int(amounts.cast(pl.Int128).sum())
