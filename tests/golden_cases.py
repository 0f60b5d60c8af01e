"""The golden scenarios: a sample contract, its sample extracts and a settlement period.

Beside each golden ledger (`tests/golden/<case>/ledger.csv`) is `inputs.sha256`: the SHA-256 of
the case's parameters, of its contract and of every file of its extracts folder, as
tests/golden/regenerate.py settled them, and of the ledger it wrote. tests/test_golden.py fails
when they no longer match, so a sample input cannot change under a golden ledger unnoticed, and a
ledger cannot be edited but by `make golden`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from paths import ROOT

from obc_settle.contract import load_contract
from obc_settle.engine import settle, settle_with_history
from obc_settle.engine.reconcile import history_of
from obc_settle.extracts import read_extracts
from obc_settle.periods import SettlementPeriod


@dataclass(frozen=True)
class GoldenCase:
    name: str
    contract: str
    period: str
    reconciled: bool = False
    """Settle the earlier quarters of the year first, each netted against the ones before, and
    settle `period` against them all (a year-end reconciliation)."""


CASES = [
    GoldenCase("diabetes_alliance_q3_provisional", "diabetes-alliance", "2025-26-Q3"),
    GoldenCase("diabetes_alliance_year_end_final", "diabetes-alliance", "2025-26"),
    GoldenCase("mid_notts_capitated_year_end_reconciled", "mid-notts-alliance", "2026-27", reconciled=True),
    GoldenCase(
        "staffordshire_outcomes_year_end_reconciled", "staffordshire-cancer-eol", "2026-27", reconciled=True
    ),
]


def settle_case(case: GoldenCase) -> pl.DataFrame:
    loaded, findings = load_contract(ROOT / "contracts" / f"{case.contract}.yaml")
    assert loaded is not None, findings
    extracts, data_findings = read_extracts(ROOT / "sample_data" / case.contract, loaded.contract)
    assert extracts is not None, data_findings
    period = SettlementPeriod.parse(case.period)
    if not case.reconciled:
        return settle(loaded.contract, extracts.monthly, period)
    runs: list[tuple[pl.DataFrame, str]] = []
    last = 4 if period.quarter is None else period.quarter - 1
    for quarter in range(1, last + 1):
        name = f"{period.contract_year.name}-Q{quarter}"
        history = history_of(runs) if runs else None
        runs.append(
            (
                settle_with_history(loaded.contract, extracts.monthly, SettlementPeriod.parse(name), history),
                name,
            )
        )
    return settle_with_history(loaded.contract, extracts.monthly, period, history_of(runs))


GOLDEN = ROOT / "tests" / "golden"
DIGESTS = "inputs.sha256"
DIGESTS_HEADER = (
    "# SHA-256 of what tests/golden/regenerate.py settled to write ledger.csv, and of ledger.csv.\n"
    "# Written by `make golden`; tests/test_golden.py fails when one no longer matches.\n"
)


def ledger_csv(ledger: pl.DataFrame) -> str:
    """A ledger as its golden file holds it."""
    return ledger.write_csv(line_terminator="\n")


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def parameters(case: GoldenCase) -> str:
    """What regenerate.py settles for the case besides the files: one line of JSON."""
    fields = {key: value for key, value in dataclasses.asdict(case).items() if key != "name"}
    return json.dumps(fields, sort_keys=True)


def input_files(case: GoldenCase) -> list[Path]:
    """The contract and every file of the case's extracts folder (read_extracts reads them all)."""
    extracts = ROOT / "sample_data" / case.contract
    return [
        ROOT / "contracts" / f"{case.contract}.yaml",
        *sorted(p for p in extracts.rglob("*") if p.is_file()),
    ]


def input_digests(case: GoldenCase) -> dict[str, str]:
    """Label -> SHA-256 of each input of the case: its parameters and its files (paths from the root)."""
    digests = {f"parameters {parameters(case)}": sha256(parameters(case).encode())}
    for path in input_files(case):
        digests[path.relative_to(ROOT).as_posix()] = sha256(path.read_bytes())
    return digests


def ledger_label(case: GoldenCase) -> str:
    return f"tests/golden/{case.name}/ledger.csv"


def digests_text(case: GoldenCase, ledger: str) -> str:
    """The text of the case's inputs.sha256: its inputs, then the ledger written from them."""
    lines = {**input_digests(case), ledger_label(case): sha256(ledger.encode())}
    return DIGESTS_HEADER + "".join(f"{digest}  {label}\n" for label, digest in lines.items())


def read_digests(text: str) -> dict[str, str]:
    """Label -> SHA-256 from the text of an inputs.sha256."""
    pairs = (line.split("  ", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return {label: digest for digest, label in pairs}


def changed_inputs(case: GoldenCase, stored: dict[str, str]) -> list[str]:
    """The inputs whose SHA-256 differs from `stored` (an inputs.sha256), each marked new, gone or changed."""
    current = input_digests(case)
    return [
        f"{label} ({'new' if label not in stored else 'gone' if label not in current else 'changed'})"
        for label in sorted((stored.keys() | current.keys()) - {ledger_label(case)})
        if stored.get(label) != current.get(label)
    ]
