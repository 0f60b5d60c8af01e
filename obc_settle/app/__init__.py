"""Use cases: the application layer between the command line and the flow below it.

Paths, parameters and (later) the clock come in here; the engine never sees a file. Names are
loaded on first use (PEP 562), so `obc-settle validate` does not import the engine.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "RunRequest": "obc_settle.app.settlement",
    "RunResult": "obc_settle.app.settlement",
    "parse_period": "obc_settle.app.settlement",
    "run_settlement": "obc_settle.app.settlement",
    "validate_contract": "obc_settle.app.validation",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'obc_settle.app' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
