"""Indicator extracts: find Parquet files, check them against the contract, sum them by month."""

from obc_settle.extracts.reader import (
    ExtractFile,
    Extracts,
    aggregate_monthly,
    coverage_findings,
    read_extracts,
)

__all__ = ["ExtractFile", "Extracts", "aggregate_monthly", "coverage_findings", "read_extracts"]
