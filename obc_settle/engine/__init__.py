"""The settlement engine: pure Polars functions from contract terms and extract sums to the ledger.

achievement (measure each indicator over its window) -> scoring (score in [0, 1]) -> pools
(weights, indicator pools, each party's part, earned) -> settle (assemble the ledger).
No I/O, no clock, no terminal.
"""

from obc_settle.engine.reconcile import settle_with_history
from obc_settle.engine.settle import settle, terms_in_force

__all__ = ["settle", "settle_with_history", "terms_in_force"]
