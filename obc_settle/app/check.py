"""`obc-settle check`: every data check and the coverage table, without writing anything.

What a data team runs before sending the files, and what the quarter-end CI job runs first. It
reads, checks and settles in memory exactly as `run` does (app.settlement.check_inputs and
settle_checked), so the two report the same findings for the same inputs; it differs only in
going on past missing cells and implausible values, so that the coverage table and every
indicator's state are shown beside those findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from obc_settle.app.settlement import RunRequest, check_inputs, settle_checked
from obc_settle.engine.coverage import MISSING, coverage_summary
from obc_settle.errors import Diagnostic, has_errors, sort_diagnostics
from obc_settle.ledger.schema import COMMISSIONER, LineType


@dataclass(frozen=True)
class CheckReport:
    contract_id: str
    period: str
    status: str
    findings: list[Diagnostic]
    cells: pl.DataFrame
    """provider_id, indicator_id, period, rows, status (present or missing) of every expected cell."""
    indicators: list[dict[str, Any]] = field(default_factory=list)
    """Per indicator (and provider, for points): achieved value, whether scorable, and its note."""

    @property
    def clean(self) -> bool:
        return not has_errors(self.findings)

    def as_json(self) -> dict[str, Any]:
        return {
            "contract_id": self.contract_id,
            "settlement_period": self.period,
            "status": self.status,
            "errors": sum(1 for f in self.findings if f.severity == "error"),
            "findings": [f.as_json() for f in self.findings],
            "coverage": coverage_summary(self.cells),
            "cells": self.cells.select("provider_id", "indicator_id", "period", "rows", "status").to_dicts(),
            "indicators": self.indicators,
        }


def check_settlement_data(request: RunRequest) -> CheckReport:
    """Check the inputs of a settlement of `request.period`, or raise `SettlementError` when they
    cannot even be read (an invalid contract, unreadable extracts): those findings come alone."""
    inputs = check_inputs(request, refuse_missing_cells=False, check_payment_options=False)
    checked = settle_checked(request, inputs, refuse_implausible=False)
    findings = sort_diagnostics(checked.warnings)
    return CheckReport(
        inputs.in_force.contract.id,
        inputs.period.name,
        inputs.period.status,
        findings,
        inputs.cells,
        _indicator_states(checked.ledger),
    )


def _indicator_states(ledger: pl.DataFrame) -> list[dict[str, Any]]:
    measured = ledger.filter(
        ((pl.col("party_id") == COMMISSIONER) & (pl.col("line_type") == LineType.RETAINED))
        | (pl.col("line_type") == LineType.POINTS)
    )
    states = []
    for row in measured.iter_rows(named=True):
        note = row["note"] or ""
        if not row["scorable"] and "not measured in" in note:
            state = "not collected in the window"
        elif row["extract_rows"] == 0:
            state = "no data"
        elif not row["scorable"]:
            state = "small numbers" if "small numbers" in note else "not measured"
        elif "implausible" in note:
            state = "implausible"
        else:
            state = "ok"
        states.append(
            {
                "indicator_id": row["indicator_id"],
                "provider_id": row["party_id"] if row["line_type"] == LineType.POINTS else None,
                "achieved": row["achieved"],
                "state": state,
                "note": row["note"],
            }
        )
    return states


def missing_count(cells: pl.DataFrame) -> int:
    return cells.filter(pl.col("status") == MISSING).height
