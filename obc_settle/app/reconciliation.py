"""The inputs of a settlement against its contract year: earlier runs, a payments-made extract,
rate-card claims, and the checks on the quantities the engine needs (populations, spend, list
sizes). Everything is checked before any money is computed; every problem names its file and
place. The extracts are read and checked in obc_settle.extracts (payments, claims); the
quantities in obc_settle.app.data_quality; this module reads the earlier runs and puts it together.

A payment history comes from

- earlier run folders of the same contract year (`--paid runs/2025-26-Q1 ...`): each folder's
  `ledger.parquet` says what the run paid each provider, and for which period; and/or
- a payments-made extract (`--payments payments.parquet`): one row per payment, with columns
  `provider_id` (text), `settlement_period` (text, the period the payment is for: a quarter of
  the contract year, or the year) and `amount_pence` (integer, negative for a recovery); an
  optional `line` column (text) describes the payment and is not used.

When both are given they must agree, provider by provider and period by period.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from obc_settle.app.data_quality import quantity_findings
from obc_settle.contract.models import Contract
from obc_settle.engine.reconcile import HISTORY_SCHEMA, payments_of_run
from obc_settle.errors import Diagnostic, Location, Severity
from obc_settle.extracts.claims import read_claims
from obc_settle.extracts.payments import read_payments
from obc_settle.extracts.payments import runs_disagreement as _compare
from obc_settle.ledger.schema import COMMISSIONER, LineType
from obc_settle.money_columns import pence_total
from obc_settle.periods import SettlementPeriod
from obc_settle.periods import netting_problem as _period_allowed
from obc_settle.run_folder import layout
from obc_settle.run_folder.archive import ArchivedInput
from obc_settle.run_folder.ledger_files import UnreadableLedger
from obc_settle.run_folder.reader import read_run_ledger

RUN_COLUMNS = (
    "contract_id",
    "contract_version",
    "contract_year",
    "settlement_period",
    "party_id",
    "line_type",
    "amount_pence",
)


@dataclass
class History:
    payments: pl.DataFrame | None = None
    """Paid by provider and period (`HISTORY_SCHEMA`), or None when no history was given."""
    inputs: list[ArchivedInput] = field(default_factory=list)
    findings: list[Diagnostic] = field(default_factory=list)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _error(code: str, message: str, where: str) -> Diagnostic:
    return Diagnostic(code, message, Location(where))


def read_history(
    paid: tuple[Path, ...], payments: Path | None, contract: Contract, period: SettlementPeriod
) -> History:
    history = History()
    if not paid and payments is None:
        return history
    from_runs = _read_runs(paid, contract, period, history) if paid else None
    from_extract = _read_payments(payments, contract, period, history) if payments is not None else None
    if from_runs is not None and from_extract is not None and payments is not None:
        history.findings += _compare(from_runs, from_extract, str(payments))
    history.payments = from_extract if from_extract is not None else from_runs
    return history


def _read_runs(
    folders: tuple[Path, ...], contract: Contract, period: SettlementPeriod, history: History
) -> pl.DataFrame | None:
    rows: list[dict[str, object]] = []
    seen: dict[str, str] = {}
    counted: dict[str, tuple[pl.DataFrame, str]] = {}
    for folder in folders:
        where = str(folder)
        try:
            read = read_run_ledger(folder)  # hashed as read: the archived copy must have these bytes
        except UnreadableLedger as unreadable:
            history.findings.append(
                _error(
                    "P001",
                    f"not a run folder: cannot read {layout.LEDGER_PARQUET} ({unreadable.reason})",
                    where,
                )
            )
            continue
        ledger = read.frame
        missing = [name for name in RUN_COLUMNS if name not in ledger.columns]
        if missing or ledger.height == 0:
            history.findings.append(
                _error(
                    "P001",
                    f"{layout.LEDGER_PARQUET} is not a settlement ledger (missing {', '.join(missing) or 'rows'})",
                    where,
                )
            )
            continue
        first = ledger.row(0, named=True)
        if first["contract_id"] != contract.id:
            history.findings.append(
                _error(
                    "P002", f"the run settles contract {first['contract_id']!r}, not {contract.id!r}", where
                )
            )
            continue
        name = str(first["settlement_period"])
        problem = _period_allowed(name, period)
        if problem:
            history.findings.append(_error("P003", f"the run cannot be netted off: {problem}", where))
            continue
        if name in seen:
            history.findings.append(
                _error("P004", f"two runs settle {name}: {seen[name]} and {where}", where)
            )
            continue
        seen[name] = where
        version = contract.in_force(period.contract_year.name).version
        if first["contract_version"] != version:
            message = f"the run was settled under contract version {first['contract_version']!r}; version {version!r} is in force for {period.contract_year}"
            history.findings.append(Diagnostic("P010", message, Location(where), Severity.WARNING))
        providers = {p.id for p in contract.in_force(period.contract_year.name).providers}
        unknown = sorted(
            set(ledger.filter(pl.col("party_id") != COMMISSIONER).get_column("party_id").to_list())
            - providers
        )
        if unknown:
            history.findings.append(
                _error(
                    "P002",
                    f"the run pays providers the contract does not have in {period.contract_year}: {', '.join(unknown)}",
                    where,
                )
            )
            continue
        rows += payments_of_run(
            ledger, f"run of {name}"
        )  # no path in the ledger: a replay elsewhere gives the same bytes
        counted[name] = (ledger, where)
        history.inputs.append(
            ArchivedInput("paid_run", read.path, layout.paid_run_copy(name), read.sha256, read.bytes)
        )
    frame = pl.DataFrame(rows, schema=HISTORY_SCHEMA)
    history.findings += _check_runs_complete(frame, counted, seen, period)
    return frame


def _check_runs_complete(
    frame: pl.DataFrame,
    counted: dict[str, tuple[pl.DataFrame, str]],
    seen: dict[str, str],
    period: SettlementPeriod,
) -> list[Diagnostic]:
    """Every earlier quarter has its run, and each run's own paid-to-date agrees with the runs given."""
    findings = []
    last = 4 if period.quarter is None else period.quarter - 1
    for quarter in range(1, last + 1):
        name = f"{period.contract_year.name}-Q{quarter}"
        if name in seen:
            continue
        if period.quarter is None and quarter == 4:
            message = f"no run given for {name}: if it was settled and paid, give its run, or its payments are not netted off"
            findings.append(Diagnostic("P006", message, Location("--paid"), Severity.WARNING))
        else:
            findings.append(
                _error(
                    "P006",
                    f"no run given for {name}: give every earlier run of {period.contract_year} (or a payments extract)",
                    "--paid",
                )
            )
    runs = frame.with_columns(run=pl.col("source").str.strip_prefix("run of "))
    for name, (ledger, where) in counted.items():
        before = _before(period.sibling(name), seen)
        for party_id, amount in (
            ledger.filter(pl.col("line_type") == LineType.PAID_TO_DATE)
            .select("party_id", "amount_pence")
            .iter_rows()
        ):
            given = pence_total(
                runs.filter((pl.col("party_id") == party_id) & pl.col("run").is_in(before)).get_column(
                    "amount_pence"
                )
            )
            if int(amount) != given:
                findings.append(
                    _error(
                        "P005",
                        f"the run counted {amount} pence paid to {party_id} before it; the earlier runs given add up to {given} pence",
                        where,
                    )
                )
    return findings


def _before(period: SettlementPeriod, seen: dict[str, str]) -> list[str]:
    """The runs among `seen` settled before the run of `period` (earlier quarters; for a year, its quarters)."""
    if period.quarter is None:
        return [other for other in seen if other != period.name]
    return [
        other for other in seen if (q := period.sibling(other).quarter) is not None and q < period.quarter
    ]


def _read_payments(
    path: Path, contract: Contract, period: SettlementPeriod, history: History
) -> pl.DataFrame | None:
    """The payments extract (obc_settle.extracts.payments): its findings, and when it is clean its
    payments and its archived copy."""
    paid, findings = read_payments(path, contract, period)
    history.findings += findings
    if paid is not None:
        history.inputs.append(
            ArchivedInput(
                "payments", path, layout.payments_copy(path.name), _sha256(path), path.stat().st_size
            )
        )
    return paid


@dataclass
class YearInputs:
    """What a settlement reads besides the contract and the indicator extracts."""

    history: pl.DataFrame | None
    claims: pl.DataFrame | None
    archived: list[ArchivedInput]
    parameters: dict[str, object]
    findings: list[Diagnostic]


def year_inputs(
    paid: tuple[Path, ...],
    payments: Path | None,
    claims_path: Path | None,
    contract: Contract,
    period: SettlementPeriod,
    monthly: pl.DataFrame,
    data_path: str,
) -> YearInputs:
    """Read and check the payment history, the claims and the quantities the engine needs."""
    history = read_history(paid, payments, contract, period)
    claims, claim_findings = read_claims(claims_path, contract)
    claim_inputs = []
    if claims is not None and claims_path is not None:
        copy = layout.claims_copy(claims_path.name)
        size = claims_path.stat().st_size
        claim_inputs.append(ArchivedInput("claims", claims_path, copy, _sha256(claims_path), size))
    findings = history.findings + claim_findings + quantity_findings(contract, period, monthly, data_path)
    parameters: dict[str, object] = {}
    if paid:
        parameters["paid"] = [str(path) for path in paid]
    if payments is not None:
        parameters["payments"] = str(payments)
    if claims_path is not None:
        parameters["claims"] = str(claims_path)
    return YearInputs(history.payments, claims, history.inputs + claim_inputs, parameters, findings)
