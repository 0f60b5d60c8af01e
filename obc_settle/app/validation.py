"""Validate contract files: the use case behind `obc-settle validate`.

Kept apart from the settlement use case so that validating imports only the contract language,
not the engine, Polars or the document renderers (start-up time).
"""

from __future__ import annotations

from pathlib import Path

from obc_settle.contract import LoadedContract, load_contract
from obc_settle.errors import Diagnostic


def validate_contract(path: Path) -> tuple[LoadedContract | None, list[Diagnostic]]:
    return load_contract(path)
