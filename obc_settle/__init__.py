"""obc-settle: settle outcome-based health and care contracts to the penny.

The flow runs one way and the sub-packages are named after it:
contract (the YAML language) -> extracts (Parquet indicator data) -> engine (pure Polars)
-> ledger (the one table every report is a view of) -> render / audit -> app -> cli.
"""

__version__ = "0.2.0"
