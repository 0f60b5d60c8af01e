"""The settlement engine: pure Polars functions from contract terms and extract sums to the ledger.

achievement (measure each indicator over its window) -> scoring (score in [0, 1]) -> pools
(weights, indicator pools, each party's part, earned) -> settle (assemble the ledger).
No I/O, no clock, no terminal.
"""

from obc_settle.engine.settle import settle

__all__ = ["settle"]
