"""Extracts: find and read the Parquet files a settlement measures and pays on (indicator
extracts, payments made, rate-card claims), check each against the contract with the checks
registered for its kind (obc_settle.extracts.registry), and sum indicator extracts by month."""

from obc_settle.extracts.reader import (
    ExtractFile,
    Extracts,
    aggregate_monthly,
    coverage_findings,
    no_extracts,
    read_extracts,
)

__all__ = [
    "ExtractFile",
    "Extracts",
    "aggregate_monthly",
    "coverage_findings",
    "no_extracts",
    "read_extracts",
]
