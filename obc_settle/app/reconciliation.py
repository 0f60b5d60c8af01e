"""The inputs of a settlement against its contract year: earlier runs, a payments-made extract,
rate-card claims, and the checks on the quantities the engine needs (populations, spend, list
sizes). Everything is checked before any money is computed; every problem names its file and
place.

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

from obc_settle.audit.archive import ArchivedInput
from obc_settle.contract.models import Contract
from obc_settle.engine.rate_card import CLAIMS_SCHEMA
from obc_settle.engine.reconcile import HISTORY_SCHEMA, payments_of_run
from obc_settle.errors import Diagnostic, Location, Severity
from obc_settle.extracts import Extracts
from obc_settle.extracts.schema import MONTHLY_SCHEMA
from obc_settle.ledger.schema import COMMISSIONER, LineType
from obc_settle.periods import SettlementPeriod

LEDGER_FILE = "ledger.parquet"
RUN_COLUMNS = (
    "contract_id",
    "contract_version",
    "contract_year",
    "settlement_period",
    "party_id",
    "line_type",
    "amount_pence",
)
PAYMENT_COLUMNS = ("provider_id", "settlement_period", "amount_pence")
CLAIM_COLUMNS = tuple(CLAIMS_SCHEMA)


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


def _period_allowed(name: str, period: SettlementPeriod) -> str | None:
    """Why a history period cannot be netted or restated by a settlement of `period`, or None."""
    try:
        earlier = SettlementPeriod.parse(name)
    except ValueError as error:
        return str(error)
    if earlier.contract_year != period.contract_year:
        return f"{name} is not in the contract year settled ({period.contract_year})"
    if period.quarter is not None and (earlier.quarter is None or earlier.quarter > period.quarter):
        return f"{name} is after the period settled ({period})"
    return None


def _read_runs(
    folders: tuple[Path, ...], contract: Contract, period: SettlementPeriod, history: History
) -> pl.DataFrame | None:
    rows: list[dict[str, object]] = []
    seen: dict[str, str] = {}
    counted: dict[str, tuple[pl.DataFrame, str]] = {}
    for folder in folders:
        where = str(folder)
        path = folder / LEDGER_FILE
        try:
            ledger = pl.read_parquet(path)
        except (OSError, pl.exceptions.PolarsError) as error:
            history.findings.append(
                _error(
                    "P001",
                    f"not a run folder: cannot read {LEDGER_FILE} ({str(error).splitlines()[0]})",
                    where,
                )
            )
            continue
        missing = [name for name in RUN_COLUMNS if name not in ledger.columns]
        if missing or ledger.height == 0:
            history.findings.append(
                _error(
                    "P001",
                    f"{LEDGER_FILE} is not a settlement ledger (missing {', '.join(missing) or 'rows'})",
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
            ArchivedInput(
                "paid_run", path, f"inputs/paid/{name}/{LEDGER_FILE}", _sha256(path), path.stat().st_size
            )
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
        before = _before(name, seen)
        for party_id, amount in (
            ledger.filter(pl.col("line_type") == LineType.PAID_TO_DATE)
            .select("party_id", "amount_pence")
            .iter_rows()
        ):
            given = int(
                runs.filter((pl.col("party_id") == party_id) & pl.col("run").is_in(before))
                .get_column("amount_pence")
                .sum()
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


def _before(name: str, seen: dict[str, str]) -> list[str]:
    """The runs among `seen` settled before the run of `name` (earlier quarters; for a year, its quarters)."""
    period = SettlementPeriod.parse(name)
    if period.quarter is None:
        return [other for other in seen if other != name]
    return [
        other
        for other in seen
        if (q := SettlementPeriod.parse(other).quarter) is not None and q < period.quarter
    ]


def _read_payments(
    path: Path, contract: Contract, period: SettlementPeriod, history: History
) -> pl.DataFrame | None:
    where = str(path)
    try:
        frame = pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as error:
        history.findings.append(
            _error("P001", f"not a readable Parquet file ({str(error).splitlines()[0]})", where)
        )
        return None
    if "settlement_period" not in frame.columns and "period" in frame.columns:
        frame = frame.rename({"period": "settlement_period"})
    missing = [name for name in PAYMENT_COLUMNS if name not in frame.columns]
    if missing:
        history.findings.append(
            _error("P007", f"required column {', '.join(repr(m) for m in missing)} is missing", where)
        )
        return None
    problems = []
    for name in ("provider_id", "settlement_period"):
        if frame.schema[name] != pl.String:
            problems.append(f"column {name}: must be text, is {frame.schema[name]}")
    if not frame.schema["amount_pence"].is_integer():
        problems.append(
            f"column amount_pence: must be a whole number of pence (an integer type), is {frame.schema['amount_pence']}"
        )
    if problems:
        history.findings += [_error("P007", problem, where) for problem in problems]
        return None
    extra = sorted(set(frame.columns) - {*PAYMENT_COLUMNS, "line"})
    if extra:
        history.findings.append(
            Diagnostic(
                "P009",
                f"columns not in the payments schema are ignored: {', '.join(extra)}",
                Location(where),
                Severity.WARNING,
            )
        )
    indexed = frame.with_row_index("row", offset=1)
    providers = {p.id for p in contract.in_force(period.contract_year.name).providers}
    for row in indexed.iter_rows(named=True):
        at = f"row {row['row']}"
        if row["provider_id"] is None or row["settlement_period"] is None or row["amount_pence"] is None:
            history.findings.append(
                _error("P007", f"{at}: provider_id, settlement_period and amount_pence must be filled", where)
            )
            continue
        if row["provider_id"] not in providers:
            history.findings.append(
                _error("P007", f"{at}, column provider_id: unknown provider {row['provider_id']!r}", where)
            )
        problem = _period_allowed(str(row["settlement_period"]), period)
        if problem:
            history.findings.append(_error("P003", f"{at}, column settlement_period: {problem}", where))
    if any(f.code in {"P003", "P007"} and f.location.file == where for f in history.findings):
        return None
    history.inputs.append(
        ArchivedInput("payments", path, f"inputs/payments/{path.name}", _sha256(path), path.stat().st_size)
    )
    return (
        indexed.group_by("provider_id", "settlement_period", maintain_order=True)
        .agg(pl.col("amount_pence").sum().cast(pl.Int64), pl.col("row").min())
        .select(
            pl.col("provider_id").alias("party_id"),
            pl.col("settlement_period").alias("period"),
            "amount_pence",
            pl.format("payments extract row {}", pl.col("row")).alias("source"),
        )
    )


def _compare(runs: pl.DataFrame, extract: pl.DataFrame, where: str) -> list[Diagnostic]:
    """Every provider and period where the payments extract and the runs disagree."""
    by_runs = runs.group_by("party_id", "period").agg(pl.col("amount_pence").sum().alias("runs"))
    by_extract = extract.group_by("party_id", "period").agg(
        pl.col("amount_pence").sum().alias("paid"), pl.col("source").first()
    )
    joined = by_runs.join(by_extract, on=["party_id", "period"], how="full", coalesce=True).with_columns(
        pl.col("runs").fill_null(0), pl.col("paid").fill_null(0)
    )
    findings = []
    for row in (
        joined.filter(pl.col("runs") != pl.col("paid")).sort("period", "party_id").iter_rows(named=True)
    ):
        place = row["source"].removeprefix("payments extract ") if row["source"] else "no rows"
        findings.append(
            _error(
                "P008",
                f"{place}: {row['party_id']} {row['period']}: the extract says {row['paid']} pence was paid, the runs {row['runs']} pence",
                where,
            )
        )
    return findings


def read_claims(
    path: Path | None, contract: Contract
) -> tuple[pl.DataFrame | None, list[ArchivedInput], list[Diagnostic]]:
    """Rate-card claims: one row per outcome claimed (participant_id, outcome_id, provider_id, period)."""
    if contract.rate_card is None and not any(v.rate_card for v in contract.variations):
        if path is not None:
            return (
                None,
                [],
                [_error("R002", "--claims is only used by a contract with a rate card", str(path))],
            )
        return None, [], []
    if path is None:
        return (
            pl.DataFrame(schema=CLAIMS_SCHEMA),
            [],
            [
                Diagnostic(
                    "D033",
                    "the contract has a rate card but no --claims extract was given: no outcome is paid",
                    Location("--claims"),
                    Severity.WARNING,
                )
            ],
        )
    where = str(path)
    try:
        frame = pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as error:
        return (
            None,
            [],
            [_error("D033", f"not a readable Parquet file ({str(error).splitlines()[0]})", where)],
        )
    missing = [name for name in CLAIM_COLUMNS if name not in frame.columns]
    if missing:
        return (
            None,
            [],
            [_error("D033", f"required column {', '.join(repr(m) for m in missing)} is missing", where)],
        )
    if frame.schema["period"] == pl.Date:
        frame = frame.with_columns(pl.col("period").dt.strftime("%Y-%m"))
    wrong = [name for name in CLAIM_COLUMNS if frame.schema[name] != pl.String]
    if wrong:
        return (
            None,
            [],
            [
                _error("D033", f"column {name}: must be text, is {frame.schema[name]}", where)
                for name in wrong
            ],
        )
    outcomes = {o.id for terms in contract.versions() if terms.rate_card for o in terms.rate_card.outcomes}
    providers = contract.all_provider_ids()
    first, last = f"{contract.term.start:%Y-%m}", f"{contract.term.end:%Y-%m}"
    findings = []
    checks = [
        ("participant_id", pl.col("participant_id").is_null(), "empty"),
        (
            "outcome_id",
            pl.col("outcome_id").is_in(sorted(outcomes)).not_(),
            "an outcome not on the rate card",
        ),
        (
            "provider_id",
            pl.col("provider_id").is_in(sorted(providers)).not_(),
            "a provider the contract does not know",
        ),
        (
            "period",
            pl.col("period").str.contains(r"^\d{4}-(0[1-9]|1[0-2])$").not_()
            | (pl.col("period") < first)
            | (pl.col("period") > last),
            f"not a month of the term ({first} to {last})",
        ),
    ]
    indexed = frame.with_row_index("row", offset=1)
    for column, condition, what in checks:
        hits = indexed.filter(condition.fill_null(True))
        if hits.height:
            values = ", ".join(
                repr(v) for v in hits.get_column(column).unique(maintain_order=True).head(3).to_list()
            )
            findings.append(
                _error(
                    "D034",
                    f"column {column}: {hits.height} rows with {what} ({values}), e.g. row {hits.item(0, 'row')}",
                    where,
                )
            )
    if findings:
        return None, [], findings
    claims = frame.select([pl.col(name).cast(pl.String) for name in CLAIM_COLUMNS])
    return (
        claims,
        [ArchivedInput("claims", path, f"inputs/claims/{path.name}", _sha256(path), path.stat().st_size)],
        [],
    )


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
    claims, claim_inputs, claim_findings = read_claims(claims_path, contract)
    findings = history.findings + claim_findings + quantity_findings(contract, period, monthly, data_path)
    parameters: dict[str, object] = {}
    if paid:
        parameters["paid"] = [str(path) for path in paid]
    if payments is not None:
        parameters["payments"] = str(payments)
    if claims_path is not None:
        parameters["claims"] = str(claims_path)
    return YearInputs(history.payments, claims, history.inputs + claim_inputs, parameters, findings)


def _months_present(
    monthly: pl.DataFrame, quantity: str, months: list[str], provider_id: str | None = None
) -> set[str]:
    rows = monthly.filter((pl.col("indicator_id") == quantity) & pl.col("period").is_in(months))
    if provider_id is not None:
        rows = rows.filter(pl.col("provider_id") == provider_id)
    return set(rows.get_column("period").to_list())


def _missing_text(months: list[str]) -> str:
    return ", ".join(months[:6]) + ("…" if len(months) > 6 else "")


def quantity_findings(
    contract: Contract, period: SettlementPeriod, monthly: pl.DataFrame, data_path: str
) -> list[Diagnostic]:
    """Populations, spend and list sizes the settlement needs, month by month (D030 to D032)."""
    from obc_settle.engine.risk_share import applies
    from obc_settle.engine.terms import settlement_span

    terms = contract.in_force(period.contract_year.name)
    span = settlement_span(terms, period)
    months = list(span.months)
    findings = []
    year = terms.year_terms(period.contract_year.name)
    needs: list[tuple[str, str, str]] = []
    if year is not None and year.capitation is not None:
        needs.append(("D030", year.capitation.population, "registered population (capitation)"))
    risk = terms.risk_share
    if risk is not None and span.is_year and applies(terms, period.contract_year.name):
        needs.append(("D031", risk.spend, "actual spend (risk/gain share)"))
        if risk.budget.basis == "capitation" and risk.budget.population:
            needs.append(("D030", risk.budget.population, "population (risk/gain share budget)"))
    for code, quantity, what in needs:
        missing = [month for month in months if month not in _months_present(monthly, quantity, months)]
        if missing:
            message = f"no {quantity} rows ({what}) for {len(missing)} of the {len(months)} months of {period}: {_missing_text(missing)}"
            findings.append(_error(code, message, data_path))
    points = terms.points
    if points is not None and span.is_year:
        snapshot = months[-1]
        for provider in terms.providers:
            quantities = [
                points.list_size,
                *sorted({i.prevalence.disease_register for _, i in terms.indicators() if i.prevalence}),
            ]
            absent = [
                q for q in quantities if snapshot not in _months_present(monthly, q, [snapshot], provider.id)
            ]
            if absent:
                message = f"provider {provider.id}: no {', '.join(absent)} rows for {snapshot}, the month list sizes and registers are read from"
                findings.append(_error("D032", message, data_path))
    return findings


def no_extracts(contract: Contract) -> tuple[Extracts | None, list[Diagnostic]]:
    """No `--data`: allowed only for a contract that measures nothing (no indicator, no quantity)."""
    if contract.extract_ids():
        message = "--data is required: the contract reads indicators or quantities from extracts"
        return None, [Diagnostic("R002", message, Location("--data"))]
    return Extracts((), pl.DataFrame(schema=MONTHLY_SCHEMA)), []
