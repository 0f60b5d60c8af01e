"""Whether the data a settlement rests on are complete and plausible, as findings.

Shared by `run` and `check`, so both report the same findings for the same inputs:

- R005: a contract-year settlement of a contract that pays on account in-year, or a later quarter
  of a contract whose quarters settle the year to date, given no payment history and not told
  that nothing was paid (the headline would invite paying the earlier quarters twice);
- D023: provider x indicator x month cells the contract expects and the extracts lack: a warning
  on a provisional settlement, an error on a final one unless the contract's `missing_cells` is
  `measure_what_arrived`;
- D024 / D025: implausible achieved values (obc_settle.engine.plausibility);
- D030 to D032: the quantities the settlement's mechanisms read (populations, a risk share's
  spend, its minimum-rate table's population and its revenue limit's revenue, list sizes and
  registers) missing from the months they are read for.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from obc_settle.contract.mechanisms import RiskShare
from obc_settle.contract.models import Contract
from obc_settle.engine.coverage import cell_coverage, coverage_by_provider
from obc_settle.engine.on_account import in_year_payments
from obc_settle.engine.plausibility import Implausible, implausible_values
from obc_settle.engine.risk_share import applies
from obc_settle.engine.terms import settlement_span
from obc_settle.errors import Diagnostic, Location, Severity
from obc_settle.periods import SettlementPeriod

NOTHING_PAID_OPTION = "--nothing-paid-on-account"


def on_account_findings(
    contract: Contract, period: SettlementPeriod, has_history: bool, nothing_paid: bool
) -> list[Diagnostic]:
    """R005 when a year-end settlement would not know what was paid in-year; R002 for a
    contradiction (a payment history and `--nothing-paid-on-account` together)."""
    where = Location(NOTHING_PAID_OPTION if nothing_paid else "--period")
    if nothing_paid and has_history:
        return [
            Diagnostic(
                "R002", f"{NOTHING_PAID_OPTION} contradicts --paid/--payments: give one or the other", where
            )
        ]
    nets_quarters = _nets_earlier_quarters(contract, period)
    if nothing_paid and not period.is_year and not nets_quarters:
        return [
            Diagnostic(
                "R002",
                f"{NOTHING_PAID_OPTION} is for a contract-year settlement, or a later quarter of a contract whose "
                "quarters settle the year to date, not this quarter",
                where,
            )
        ]
    if nets_quarters and not (has_history or nothing_paid):
        earlier = ", ".join(f"{period.contract_year}-Q{q}" for q in range(1, period.quarter or 1))
        message = (
            f"{period} settles the year to date less what the earlier quarters paid (outcome_on_account: "
            f"year_to_date): name those runs with --paid ({earlier}) or a payments extract with --payments; "
            f"or, if nothing was paid for them, say so with {NOTHING_PAID_OPTION}"
        )
        return [Diagnostic("R005", message, where)]
    if not period.is_year or has_history or nothing_paid:
        return []
    paid = in_year_payments(contract, period)
    if not paid:
        return []
    message = (
        f"{period} is a year-end settlement, and during the year the contract pays {', '.join(paid)}: name what was "
        f"paid with --paid (each earlier run folder of the year) or --payments (a payments extract), so it is netted "
        f"off; or, if nothing was paid on account, say so with {NOTHING_PAID_OPTION}"
    )
    return [Diagnostic("R005", message, where)]


def _nets_earlier_quarters(contract: Contract, period: SettlementPeriod) -> bool:
    """A quarter after the first of a contract whose quarters pay the year to date less what the
    earlier quarters paid: settled alone it would pay the earlier quarters' money again."""
    if period.is_year or (period.quarter or 1) == 1:
        return False
    terms = contract.in_force(period.contract_year.name)
    if terms.payment_terms.outcome_on_account != "year_to_date":
        return False
    return any("outcome money on account" in paid for paid in in_year_payments(contract, period))


@dataclass(frozen=True)
class DataQuality:
    cells: pl.DataFrame
    """Every expected provider x indicator x month cell and its status (engine.coverage)."""
    findings: list[Diagnostic]


def missing_cell_findings(
    contract: Contract, monthly: pl.DataFrame, period: SettlementPeriod, data_path: str
) -> DataQuality:
    """D023 per provider with missing cells: an error in a final settlement the contract does not
    let measure what arrived, a warning otherwise."""
    cells = cell_coverage(contract, monthly, period)
    terms = contract.in_force(period.contract_year.name)
    refuse = period.is_year and terms.missing_cells == "refuse"
    findings = []
    for provider in coverage_by_provider(cells):
        if not provider.missing:
            continue
        count = len(provider.missing)
        message = (
            f"provider {provider.provider_id}: {count} of {provider.expected} expected cells missing "
            f"(indicator and month: {provider.missing_text()})"
        )
        if refuse:
            message += (
                ": a final settlement needs every cell; send the missing rows, or write missing_cells: "
                "measure_what_arrived in the contract to settle on what arrived"
            )
        else:
            message += ": measured on the rows that arrived"
        findings.append(
            Diagnostic("D023", message, Location(data_path), Severity.ERROR if refuse else Severity.WARNING)
        )
    return DataQuality(cells, findings)


def plausibility_findings(
    ledger: pl.DataFrame,
    contract: Contract,
    period: SettlementPeriod,
    accepted: tuple[str, ...],
    data_path: str,
) -> tuple[list[Implausible], list[Diagnostic]]:
    """D024 (always an error) and D025 (an error in a final settlement unless accepted)."""
    terms = contract.in_force(period.contract_year.name)
    known = {indicator.id for _, indicator in terms.indicators()}
    findings = [
        Diagnostic(
            "R002",
            f"--accept-implausible {name}: no such indicator in {period.contract_year}",
            Location("--accept-implausible"),
        )
        for name in accepted
        if name not in known
    ]
    items = implausible_values(ledger, terms, period, accepted)
    for item in items:
        who = f"indicator {item.indicator_id}" + (f", provider {item.party_id}" if item.party_id else "")
        message = f"{who}: {item.text}"
        if item.code == "D024":
            findings.append(Diagnostic("D024", message, Location(data_path)))
        elif item.accepted:
            findings.append(
                Diagnostic("D025", f"{message} ({item.accepted})", Location(data_path), Severity.WARNING)
            )
        elif period.is_year:
            message += (
                f"; a final settlement is refused: correct the extract, or accept the value with --accept-implausible "
                f"{item.indicator_id} or in the contract (data.accept_implausible: {{{period.name}: reason}})"
            )
            findings.append(Diagnostic("D025", message, Location(data_path)))
        else:
            findings.append(
                Diagnostic(
                    "D025", message + " (shown on the statements)", Location(data_path), Severity.WARNING
                )
            )
    return items, findings


def _months_present(
    monthly: pl.DataFrame, quantity: str, months: list[str], provider_id: str | None = None
) -> set[str]:
    rows = monthly.filter((pl.col("indicator_id") == quantity) & pl.col("period").is_in(months))
    if provider_id is not None:
        rows = rows.filter(pl.col("provider_id") == provider_id)
    return set(rows.get_column("period").to_list())


def _missing_text(months: list[str]) -> str:
    return ", ".join(months[:6]) + ("…" if len(months) > 6 else "")


def _risk_side_needs(risk: RiskShare) -> list[tuple[str, str, str]]:
    """The extract quantities a side's rules read besides spend and the budget's population: a
    minimum-rate table's population (D030) and a revenue limit's revenue (D031, a finance extract
    like spend). A month without rows would lower the mean population or the summed revenue, and
    with them the minimum rate or the loss limit, so the year needs every month of each."""
    needs: list[tuple[str, str, str]] = []
    for name, side in (("gains", risk.gains), ("losses", risk.losses)):
        if side is None:
            continue
        table = side.minimum_rate_table
        population = None if table is None else (table.population or risk.budget.population)
        if population:
            needs.append(("D030", population, f"population for the {name}' minimum-rate table"))
        if side.cap_revenue is not None and side.cap_revenue.indicator:
            needs.append(("D031", side.cap_revenue.indicator, f"revenue for the {name}' cap_revenue"))
    return needs


def quantity_findings(
    contract: Contract, period: SettlementPeriod, monthly: pl.DataFrame, data_path: str
) -> list[Diagnostic]:
    """Populations, spend and list sizes the settlement needs, month by month (D030 to D032)."""
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
        needs += _risk_side_needs(risk)
    needs = [need for index, need in enumerate(needs) if need[1] not in {n[1] for n in needs[:index]}]
    for code, quantity, what in needs:
        missing = [month for month in months if month not in _months_present(monthly, quantity, months)]
        if missing:
            message = f"no {quantity} rows ({what}) for {len(missing)} of the {len(months)} months of {period}: {_missing_text(missing)}"
            findings.append(Diagnostic(code, message, Location(data_path)))
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
                findings.append(Diagnostic("D032", message, Location(data_path)))
    return findings
