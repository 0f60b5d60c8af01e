"""Use cases: the application layer between the command line and the flow below it.

Paths, parameters and (later) the clock come in here; the engine never sees a file.
"""

from obc_settle.app.settlement import RunRequest, RunResult, parse_period, run_settlement, validate_contract

__all__ = ["RunRequest", "RunResult", "parse_period", "run_settlement", "validate_contract"]
