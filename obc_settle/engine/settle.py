"""The settlement: one pure function from (contract, monthly extract sums, period) to the ledger.

No files, no clock, no environment: everything arrives as arguments, so the same inputs give the
same ledger, row for row and byte for byte.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.engine.achievement import measure_achievement
from obc_settle.engine.allocation import split_largest_remainder
from obc_settle.engine.pools import indicator_pools, party_parts
from obc_settle.engine.scoring import score_indicators
from obc_settle.engine.shares import collective_shares, period_quantities
from obc_settle.engine.terms import PeriodMoney, indicator_terms, indicator_windows, period_money, scoring_bands
from obc_settle.ledger.schema import COMMISSIONER, LEDGER_SCHEMA, LineKind, LineType
from obc_settle.money import largest_remainder, to_units
from obc_settle.periods import SettlementPeriod

# Derivation columns an outcome line carries from its indicator.
_DERIVATION = [
    "domain_id", "indicator_id", "indicator_kind", "attribution", "window", "window_first_month",
    "window_last_month", "extract_rows", "numerator", "denominator", "achieved", "direction", "baseline",
    "threshold", "target", "scoring_method", "minimum_denominator", "scorable", "small_numbers_policy",
    "score", "weight", "pool_pence", "share", "available_pence", "note",
]  # fmt: skip


def settle(contract: Contract, monthly: pl.DataFrame, period: SettlementPeriod) -> pl.DataFrame:
    """The ledger of one contract for one settlement period (see `obc_settle.ledger.schema`)."""
    money = period_money(contract, period)
    terms = indicator_terms(contract, period)
    measured = measure_achievement(monthly, terms, indicator_windows(contract, period))
    scored = score_indicators(measured, scoring_bands(contract)).sort("indicator_order")
    pooled = indicator_pools(scored, money.outcome_pool_pence)
    quantities = period_quantities(monthly, contract.share_rule.quantity, period.months())
    shares, share_note = collective_shares(contract, quantities)
    party_order = {p.id: index for index, p in enumerate(contract.providers)} | {COMMISSIONER: len(contract.providers)}
    parts = party_parts(pooled, shares, party_order)
    if share_note:
        parts = parts.with_columns(
            note=pl.when(pl.col("attribution") == "collective")
            .then(pl.concat_str([pl.col("note"), pl.lit(share_note)], separator="; ", ignore_nulls=True))
            .otherwise(pl.col("note"))
        )
    provider_parts = parts.filter(pl.col("party_id") != COMMISSIONER)
    redistributed = _redistribution(contract, provider_parts)
    lines = _provider_lines(contract, money, provider_parts, redistributed) + _commissioner_lines(
        contract, money, period, pooled, parts, redistributed
    )
    ledger = pl.concat([_conform(frame) for frame in lines], how="vertical")
    header = {
        "contract_id": contract.id,
        "contract_version": contract.version,
        "contract_year": period.contract_year.name,
        "settlement_period": period.name,
        "status": period.status,
    }
    ledger = ledger.with_columns([pl.lit(value, dtype=pl.String).alias(key) for key, value in header.items()])
    ordered = ledger.with_columns(party_order=pl.col("party_id").replace_strict(party_order, return_dtype=pl.Int64)).sort(
        "party_order", "line_no"
    )
    return ordered.select([pl.col(name).cast(dtype) for name, dtype in LEDGER_SCHEMA.items()])


def _conform(frame: pl.DataFrame) -> pl.DataFrame:
    columns = [
        (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in LEDGER_SCHEMA.items()
    ]
    return frame.select(columns)


def _line(party_id: str, role: str, line_type: LineType, kind: LineKind, amount: int, **derivation: object) -> dict[str, object]:
    return {"party_id": party_id, "party_role": role, "line_type": str(line_type), "kind": str(kind), "amount_pence": amount} | derivation


def _provider_lines(
    contract: Contract, money: PeriodMoney, provider_parts: pl.DataFrame, redistributed: dict[str, int]
) -> list[pl.DataFrame]:
    base_payments = largest_remainder(money.base_pool_pence, [to_units(p.base_share) for p in contract.providers])
    unearned_total = int(provider_parts.get_column("unearned_pence").sum())
    frames = []
    for provider, base in zip(contract.providers, base_payments, strict=True):
        mine = provider_parts.filter(pl.col("party_id") == provider.id)
        withheld = int(mine.get_column("available_pence").sum())
        earned = int(mine.get_column("earned_pence").sum())
        unearned = int(mine.get_column("unearned_pence").sum())
        extra = redistributed.get(provider.id, 0)
        head = [
            _line(provider.id, provider.role, LineType.BASE_PAYMENT, LineKind.PAYMENT, base,
                  share=provider.base_share, pool_pence=money.base_pool_pence,
                  note=f"base pool {money.base_pool_pence} pence x base share {provider.base_share}"),
            _line(provider.id, provider.role, LineType.WITHHELD, LineKind.MEMO, withheld,
                  note="your part of the outcome pool: earned plus unearned"),
        ]  # fmt: skip
        outcome = mine.select(
            pl.lit(provider.id).alias("party_id"),
            pl.lit(provider.role).alias("party_role"),
            pl.lit(str(LineType.OUTCOME)).alias("line_type"),
            pl.lit(str(LineKind.PAYMENT)).alias("kind"),
            pl.col("earned_pence").alias("amount_pence"),
            *[pl.col(name) for name in _DERIVATION],
        )
        tail = [_line(provider.id, provider.role, LineType.UNEARNED, LineKind.MEMO, unearned)]
        if contract.unearned == "redistributed":
            if extra:
                note = "share of all providers' unearned money, in proportion to outcome money earned"
            elif unearned_total == 0:
                note = "no unearned money to share this period"
            else:
                note = "earned no outcome money this period, so takes no share of unearned money"
            tail.append(_line(provider.id, provider.role, LineType.REDISTRIBUTED_UNEARNED, LineKind.PAYMENT, extra, note=note))
        tail.append(_line(provider.id, provider.role, LineType.NET_PAYABLE, LineKind.MEMO, base + earned + extra))
        frame = pl.concat([_conform(pl.DataFrame(head)), _conform(outcome), _conform(pl.DataFrame(tail))], how="vertical")
        frames.append(frame.with_columns(line_no=pl.int_range(1, frame.height + 1, dtype=pl.Int32)))
    return frames


def _redistribution(contract: Contract, provider_parts: pl.DataFrame) -> dict[str, int]:
    """Unearned money shared among providers that earned outcome money, by what each earned."""
    if contract.unearned != "redistributed":
        return {}
    earned = dict(provider_parts.group_by("party_id").agg(pl.col("earned_pence").sum()).iter_rows())
    unearned_total = int(provider_parts.get_column("unearned_pence").sum())
    ids = [p.id for p in contract.providers]
    weights = [max(earned.get(pid, 0), 0) for pid in ids]
    if sum(weights) == 0:
        return {}
    return dict(zip(ids, largest_remainder(unearned_total, weights), strict=True))


def _commissioner_lines(
    contract: Contract,
    money: PeriodMoney,
    period: SettlementPeriod,
    pooled: pl.DataFrame,
    parts: pl.DataFrame,
    redistributed: dict[str, int],
) -> list[pl.DataFrame]:
    role = "commissioner"
    value_note = f"annual contract value {money.annual_value_pence} pence"
    if period.quarter is not None:
        value_note = f"quarter {period.quarter} of the {value_note}, split into four by largest remainder"
    rows = [
        _line(COMMISSIONER, role, LineType.CONTRACT_VALUE, LineKind.MEMO, money.contract_value_pence, note=value_note),
        _line(COMMISSIONER, role, LineType.OUTCOME_POOL, LineKind.MEMO, money.outcome_pool_pence,
              share=Decimal(money.withheld_proportion),
              note=f"withheld proportion {money.withheld_proportion} of contract value"),
    ]  # fmt: skip
    retained = (
        parts.with_columns(
            kept=pl.when(pl.col("party_id") == COMMISSIONER).then(pl.col("available_pence")).otherwise(pl.col("unearned_pence"))
        )
        .group_by("indicator_id", maintain_order=True)
        .agg(pl.col("kept").sum(), pl.col("indicator_order").first())
    )
    indicator_rows = pooled.join(retained, on="indicator_id", how="left").sort("indicator_order")
    retained_frame = indicator_rows.select(
        pl.lit(COMMISSIONER).alias("party_id"),
        pl.lit(role).alias("party_role"),
        pl.lit(str(LineType.RETAINED)).alias("line_type"),
        pl.lit(str(LineKind.RETENTION)).alias("kind"),
        pl.col("kept").fill_null(0).alias("amount_pence"),
        *[pl.col(name) for name in _DERIVATION if name not in {"share", "available_pence"}],
    )
    tail = []
    unscored = money.outcome_pool_pence - int(pooled.get_column("pool_pence").sum())
    if unscored:
        tail.append(_line(COMMISSIONER, role, LineType.RETAINED_UNSCORED, LineKind.RETENTION, unscored,
                          note="no indicator could be scored: the outcome pool is retained"))  # fmt: skip
    given = sum(redistributed.values())
    if contract.unearned == "redistributed":
        unearned_total = int(parts.filter(pl.col("party_id") != COMMISSIONER).get_column("unearned_pence").sum())
        if given:
            note = "unearned money shared among providers that achieved"
        elif unearned_total == 0:
            note = "no unearned money to share this period"
        else:
            note = "no provider earned outcome money: unearned money is retained"
        tail.append(_line(COMMISSIONER, role, LineType.REDISTRIBUTED_UNEARNED, LineKind.RETENTION, -given, note=note))
    net = int(retained_frame.get_column("amount_pence").sum()) + unscored - given
    tail.append(_line(COMMISSIONER, role, LineType.NET_RETAINED, LineKind.MEMO, net))
    frame = pl.concat(
        [_conform(pl.DataFrame(rows)), _conform(retained_frame), _conform(pl.DataFrame(tail))], how="vertical"
    )
    return [frame.with_columns(line_no=pl.int_range(1, frame.height + 1, dtype=pl.Int32))]
