"""The scoring methods: one module per method, one registry that every layer reads.

A method is one `ScoringMethod` record (`record.py`) in its own module here: its name, the
contract keys it needs (`Parameters`), its formula in exact rationals, the steps `explain` prints,
its label on statements and its rows in docs/. The contract's validation (`scoring.method`, C027),
the engine (`engine.scoring`), `explain` (`audit.explain`) and the statements (`render.labels`)
all look methods up here, so a method cannot reach some of them and miss others; a name that is
not registered is a located finding when a contract is validated and `UnknownScoringMethod`
anywhere else, never a default. The test suite checks that docs/ lists exactly these methods
with their rows (tests/test_extension_points.py).

Why here, below the contract language: the contract must validate `scoring.method` and the
method's parameters, and the contract layer may not import the engine (nor should validating a
contract load Polars). The formulas are pure `Fraction` arithmetic and the explain steps pure
text, so the whole record can live below the contract, beside `obc_settle.rationals`, and the
engine, audit and render layers above all import it: the layers stay one-way and a method stays
one module. Nothing here does I/O or imports Polars.

To add a method: a module beside these defining `METHOD = ScoringMethod(...)`, one line in
`BUILT_IN` below, and its rows in docs/ (CONTRIBUTING.md).
"""

from __future__ import annotations

from obc_settle.scoring_methods import all_or_nothing, banded, best_of, hvbp, improvement, linear
from obc_settle.scoring_methods.record import (
    Levels,
    MethodDocs,
    Parameters,
    ScoringMethod,
    UnknownScoringMethod,
    get,
    methods,
    names,
    register,
    registered,
    unregister,
    using,
)

__all__ = [
    "BUILT_IN",
    "Levels",
    "MethodDocs",
    "Parameters",
    "ScoringMethod",
    "UnknownScoringMethod",
    "get",
    "methods",
    "names",
    "register",
    "registered",
    "unregister",
    "using",
]

BUILT_IN = (
    linear.METHOD,
    banded.METHOD,
    all_or_nothing.METHOD,
    improvement.METHOD,
    best_of.METHOD,
    hvbp.METHOD,
)
"""In this order in messages (`scoring.method` must be one of 'linear', 'banded', ...)."""

for _method in BUILT_IN:
    register(_method)
