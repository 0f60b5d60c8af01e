"""Coverage: which provider x indicator x month cells a settlement expects, and which arrived.

A cell is expected for every month an indicator is measured over in the settlement (its window,
engine.terms.window_months), from every provider that reports it (`data.reported_by`; by default
every provider of the terms in force for a collective indicator or a points contract, and its
own provider for an individual one), in the months the indicator is collected
(`data.collected_in`; by default every month). A cell is present when the extracts hold at least
one row for it, whatever the counts on the row (a zero denominator is small numbers, not missing
data).

Pure: the contract and the monthly sums in, frames out. The application decides what a missing
cell means (a warning for a provisional settlement, refused in a final one unless the contract's
`missing_cells` says to measure what arrived), and the same table is shown by `obc-settle check`,
in summary.json and on the statements.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

import polars as pl

from obc_settle.contract.models import Contract, Indicator
from obc_settle.engine.terms import settlement_span, window_months
from obc_settle.periods import SettlementPeriod, month_of

CELL_SCHEMA = {
    "provider_id": pl.String,
    "indicator_id": pl.String,
    "period": pl.String,
    "rows": pl.Int64,
    "status": pl.String,
}
PRESENT, MISSING = "present", "missing"


def reporting_providers(contract: Contract, indicator: Indicator) -> list[str]:
    """The providers expected to send rows for an indicator, in contract order."""
    if indicator.data.reported_by is not None:
        return list(indicator.data.reported_by)
    if indicator.attribution == "individual" and indicator.provider is not None and contract.points is None:
        return [indicator.provider]
    return [provider.id for provider in contract.providers]


def collected(indicator: Indicator, month: str) -> bool:
    """Whether the indicator's data carry rows for a month (`data.collected_in`)."""
    months = indicator.data.collected_in
    return months is None or int(month[5:7]) in months


def collection_text(indicator: Indicator) -> str:
    """`October and November` for `collected_in: [10, 11]`."""
    names = [calendar.month_name[month] for month in sorted(indicator.data.collected_in or range(1, 13))]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def expected_cells(contract: Contract, period: SettlementPeriod) -> pl.DataFrame:
    """provider_id, indicator_id, period of every cell the settlement of `period` reads."""
    terms = contract.in_force(period.contract_year.name)
    span = settlement_span(terms, period)
    first_month = month_of(terms.term.start)
    rows = [
        (provider_id, indicator.id, month)
        for _, indicator in terms.indicators()
        for month in window_months(indicator.window, span, first_month)
        if collected(indicator, month)
        for provider_id in reporting_providers(terms, indicator)
    ]
    return pl.DataFrame(
        rows, schema={"provider_id": pl.String, "indicator_id": pl.String, "period": pl.String}, orient="row"
    )


def cell_coverage(contract: Contract, monthly: pl.DataFrame, period: SettlementPeriod) -> pl.DataFrame:
    """Every expected cell with its extract rows and status (`present` or `missing`), sorted."""
    expected = expected_cells(contract, period)
    rows = monthly.group_by("provider_id", "indicator_id", "period").agg(pl.col("rows").sum())
    joined = expected.join(rows, on=["provider_id", "indicator_id", "period"], how="left").with_columns(
        pl.col("rows").fill_null(0)
    )
    status = pl.when(pl.col("rows") > 0).then(pl.lit(PRESENT)).otherwise(pl.lit(MISSING))
    return (
        joined.with_columns(status=status)
        .sort("provider_id", "indicator_id", "period")
        .select(list(CELL_SCHEMA))
    )


@dataclass(frozen=True)
class ProviderCoverage:
    provider_id: str
    expected: int
    missing: tuple[tuple[str, str], ...]
    """(indicator_id, month) of each missing cell, sorted."""

    def missing_text(self, limit: int = 6) -> str:
        """`hba1c_control 2026-01, 2026-02; foot_ulcer_admissions 2026-03`."""
        by_indicator: dict[str, list[str]] = {}
        for indicator_id, month in self.missing:
            by_indicator.setdefault(indicator_id, []).append(month)
        parts = []
        for indicator_id, months in list(by_indicator.items())[:limit]:
            parts.append(f"{indicator_id} {', '.join(months)}")
        more = len(by_indicator) - limit
        return "; ".join(parts) + (f"; and {more} more indicators" if more > 0 else "")


def coverage_by_provider(cells: pl.DataFrame) -> list[ProviderCoverage]:
    """Expected and missing cells per provider, in provider id order."""
    result = []
    for (provider_id,), group in cells.group_by("provider_id", maintain_order=True):
        missing = group.filter(pl.col("status") == MISSING).select("indicator_id", "period").rows()
        result.append(
            ProviderCoverage(str(provider_id), group.height, tuple((str(i), str(m)) for i, m in missing))
        )
    return result


def coverage_summary(cells: pl.DataFrame) -> dict[str, object]:
    """The coverage section of summary.json: counts and the missing cells of each provider."""
    providers = coverage_by_provider(cells)
    return {
        "expected_cells": cells.height,
        "missing_cells": sum(len(p.missing) for p in providers),
        "providers": [
            {
                "provider_id": p.provider_id,
                "expected_cells": p.expected,
                "missing": [
                    {"indicator_id": indicator_id, "month": month} for indicator_id, month in p.missing
                ],
            }
            for p in providers
        ],
    }


def missing_note(cells: pl.DataFrame, indicator_id: str) -> str | None:
    """A note for an indicator's ledger lines naming its missing cells, or None."""
    missing = cells.filter((pl.col("indicator_id") == indicator_id) & (pl.col("status") == MISSING))
    if missing.height == 0:
        return None
    shown = [f"{provider} {month}" for provider, month in missing.select("provider_id", "period").rows()[:6]]
    more = missing.height - len(shown)
    return (
        f"data missing for {missing.height} provider-month{'s' if missing.height != 1 else ''} "
        f"({', '.join(shown)}{f' and {more} more' if more else ''}): measured on the rows that arrived"
    )
