"""Payments on account, year-end reconciliation and restated data: a settlement against what
was already paid for its contract year.

The payment history holds what each provider was paid for each earlier period of the year
(`party_id`, `period`, `amount_pence`, `source`). A history period is

- **covered** by this settlement when all its months are among the months this settlement
  settles: the quarters of the year at a year-end settlement, the earlier quarters of a
  year-to-date settlement, or the same period settled again. What was paid for it is netted off:
  a `paid_on_account` memo line;
- otherwise it is an earlier period settled on its own (each quarter paid on its own results).
  It is settled again on the current data; if that gives a provider a different amount from
  what it was paid (restated data, a corrected extract), the difference is a `restatement`
  payment line naming the period (`adjusts_period`), with the opposite retention line for the
  commissioner, so money stays conserved.

For each provider:

    due_now      = net_payable + sum(restatement) - sum(paid_on_account)
    paid_to_date = everything paid for the contract year before this settlement

so paid_to_date + due_now is what the provider is due for the year so far by the current data,
and over a year the payments of the quarters plus the year-end reconciliation add up to what the
year-end settlement gives, to the penny. A negative `due_now` is an amount to recover.
"""

from __future__ import annotations

from functools import partial

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.engine.lines import frame_of, line
from obc_settle.engine.points import PreviousYear
from obc_settle.engine.settle import settle, terms_in_force
from obc_settle.engine.terms import Span, settlement_span
from obc_settle.ledger.derivation import derivation_text
from obc_settle.ledger.schema import COMMISSIONER, LEDGER_SCHEMA, LineKind, LineType
from obc_settle.money_columns import pence_sum, pence_total
from obc_settle.periods import SettlementPeriod

HISTORY_SCHEMA = {"party_id": pl.String, "period": pl.String, "amount_pence": pl.Int64, "source": pl.String}


def empty_history() -> pl.DataFrame:
    return pl.DataFrame(schema=HISTORY_SCHEMA)


def covers(span: Span, period: str) -> bool:
    """Whether the settlement over `span` covers (and so nets off) the period `period` (of its contract)."""
    return set(span.period.sibling(period).months()) <= set(span.months)


def uncovered_periods(span: Span, history: pl.DataFrame) -> list[str]:
    """History periods this settlement does not cover: they are settled again for restatement."""
    periods = sorted(set(history.get_column("period").to_list()), key=partial(_period_key, span.period))
    return [period for period in periods if not covers(span, period)]


def _period_key(settled: SettlementPeriod, name: str) -> tuple[str, int]:
    """Periods of the contract of `settled` in time order: a quarter, then a year starting with it."""
    period = settled.sibling(name)
    return period.months()[0], 0 if period.quarter else 1


def payments_of_run(ledger: pl.DataFrame, source: str) -> list[dict[str, object]]:
    """What a settlement paid each provider, and for which period (history rows).

    Its restatements are for the periods they name; the rest of its `due_now` (or, when it had
    no payment history, its `net_payable`) is for its own period."""
    name = str(ledger.get_column("settlement_period")[0])
    providers = ledger.filter(pl.col("party_id") != COMMISSIONER)
    has_due = (
        "adjusts_period" in ledger.columns
        and providers.filter(pl.col("line_type") == LineType.DUE_NOW).height > 0
    )
    rows: list[dict[str, object]] = []
    for (party_id,), lines in providers.group_by("party_id", maintain_order=True):
        total = int(
            lines.filter(pl.col("line_type") == (LineType.DUE_NOW if has_due else LineType.NET_PAYABLE))
            .get_column("amount_pence")
            .sum()
        )
        if has_due:
            for adjusts, amount in (
                lines.filter(pl.col("line_type") == LineType.RESTATEMENT)
                .select("adjusts_period", "amount_pence")
                .iter_rows()
            ):
                rows.append(
                    {"party_id": party_id, "period": adjusts, "amount_pence": int(amount), "source": source}
                )
                total -= int(amount)
        rows.append({"party_id": party_id, "period": name, "amount_pence": total, "source": source})
    return rows


def history_of(ledgers: list[tuple[pl.DataFrame, str]]) -> pl.DataFrame:
    """The payment history of a list of (earlier settlement ledger, source name)."""
    rows = [row for ledger, source in ledgers for row in payments_of_run(ledger, source)]
    return pl.DataFrame(rows, schema=HISTORY_SCHEMA)


def net_payable_by_provider(ledger: pl.DataFrame) -> dict[str, int]:
    rows = ledger.filter((pl.col("line_type") == LineType.NET_PAYABLE) & (pl.col("party_id") != COMMISSIONER))
    return {party: int(amount) for party, amount in rows.select("party_id", "amount_pence").iter_rows()}


def reconcile(
    ledger: pl.DataFrame, span: Span, history: pl.DataFrame, restated: dict[str, pl.DataFrame]
) -> pl.DataFrame:
    """The ledger with restatement, paid-on-account, paid-to-date and due-now lines.

    `restated` holds, for each uncovered history period, its settlement again on the current data.
    """
    uncovered = uncovered_periods(span, history)
    missing = [period for period in uncovered if period not in restated]
    if missing:
        raise ValueError(f"no restated settlement for {', '.join(missing)}")
    paid = {
        (party, period): int(amount)
        for party, period, amount in history.group_by("party_id", "period")
        .agg(pence_sum("amount_pence"))
        .iter_rows()
    }
    sources = {
        period: ", ".join(sorted(set(group.get_column("source").to_list())))
        for (period,), group in history.group_by("period", maintain_order=True)
    }
    due_again = {period: net_payable_by_provider(restated[period]) for period in uncovered}
    header = ledger.row(0, named=True)
    frames = []
    commissioner_restated: dict[str, int] = {}
    for (party_id, role), lines in ledger.group_by("party_id", "party_role", maintain_order=True):
        party_id, role = str(party_id), str(role)
        lines = lines.sort("line_no")
        if party_id == COMMISSIONER:
            frames.append(lines)
            continue
        net = pence_total(
            lines.filter(pl.col("line_type") == LineType.NET_PAYABLE).get_column("amount_pence")
        )
        extra = []
        restated_total = 0
        for period in uncovered:
            due, was_paid = due_again[period].get(party_id, 0), paid.get((party_id, period), 0)
            if due != was_paid:
                extra.append(
                    line(
                        party_id,
                        role,
                        LineType.RESTATEMENT,
                        LineKind.PAYMENT,
                        due - was_paid,
                        adjusts_period=period,
                        note=f"{period} settled again on the current data: now {due} pence, paid {was_paid} pence ({sources[period]})",
                        derivation=derivation_text({"due_again_pence": due, "paid_pence": was_paid}),
                    )
                )
                restated_total += due - was_paid
                commissioner_restated[period] = commissioner_restated.get(period, 0) + due - was_paid
        on_account = 0
        for period in sorted(
            {p for (party, p) in paid if party == party_id and p not in uncovered},
            key=partial(_period_key, span.period),
        ):
            amount = paid[(party_id, period)]
            on_account += amount
            extra.append(
                line(
                    party_id,
                    role,
                    LineType.PAID_ON_ACCOUNT,
                    LineKind.MEMO,
                    amount,
                    adjusts_period=period,
                    note=f"paid for {period} ({sources[period]}): netted off by this settlement",
                )
            )
        paid_by_period = {
            period: amount
            for (party, period), amount in sorted(
                paid.items(), key=lambda item: _period_key(span.period, item[0][1])
            )
            if party == party_id
        }
        to_date = sum(paid_by_period.values())
        due_now = net + restated_total - on_account
        paid_note = f"paid for {span.period.contract_year.name} before this settlement"
        if history.height == 0:
            paid_note = (
                f"nothing was paid for {span.period.contract_year.name} before this settlement, as stated with "
                "--nothing-paid-on-account"
            )
        extra.append(
            line(
                party_id,
                role,
                LineType.PAID_TO_DATE,
                LineKind.MEMO,
                to_date,
                note=paid_note,
                derivation=derivation_text(
                    {"paid": [{"period": period, "pence": pence} for period, pence in paid_by_period.items()]}
                ),
            )
        )
        note = "net payable + restatements - paid on account"
        if due_now < 0:
            note += f": {-due_now} pence to recover from the provider"
        extra.append(line(party_id, role, LineType.DUE_NOW, LineKind.MEMO, due_now, note=note))
        frames.append(_append(lines, extra, header))
    commissioner = next(f for f in frames if f.get_column("party_id")[0] == COMMISSIONER)
    frames = [f for f in frames if f.get_column("party_id")[0] != COMMISSIONER]
    frames.append(_commissioner(commissioner, commissioner_restated, header, span.period))
    return pl.concat(frames, how="vertical").select(list(LEDGER_SCHEMA))


def _append(lines: pl.DataFrame, extra: list[dict[str, object]], header: dict[str, object]) -> pl.DataFrame:
    added = frame_of(extra).with_columns([pl.lit(header[key], dtype=pl.String).alias(key) for key in _HEADER])
    frame = pl.concat([lines, added], how="vertical")
    return frame.with_columns(line_no=pl.int_range(1, frame.height + 1, dtype=pl.Int32))


_HEADER = ("contract_id", "contract_version", "contract_year", "settlement_period", "status")


def _commissioner(
    lines: pl.DataFrame, restated: dict[str, int], header: dict[str, object], settled: SettlementPeriod
) -> pl.DataFrame:
    body = lines.filter(pl.col("line_type") != LineType.NET_RETAINED)
    extra = [
        line(
            COMMISSIONER,
            COMMISSIONER,
            LineType.RESTATEMENT,
            LineKind.RETENTION,
            -amount,
            adjusts_period=period,
            note=f"{period} settled again on the current data: the providers' restatements",
        )
        for period, amount in sorted(restated.items(), key=lambda item: _period_key(settled, item[0]))
        if amount
    ]
    frame = _append(body, extra, header)
    kept = pence_total(frame.filter(pl.col("kind") == LineKind.RETENTION).get_column("amount_pence"))
    net = frame_of([line(COMMISSIONER, COMMISSIONER, LineType.NET_RETAINED, LineKind.MEMO, kept)])
    return _append(frame, net.to_dicts(), header)


def settle_with_history(
    contract: Contract,
    monthly: pl.DataFrame,
    period: SettlementPeriod,
    history: pl.DataFrame | None = None,
    claims: pl.DataFrame | None = None,
    previous_year: PreviousYear | None = None,
) -> pl.DataFrame:
    """`settle`, then netted against the payment history of the contract year when one is given."""
    ledger = settle(contract, monthly, period, claims, previous_year)
    if history is None:
        return ledger
    span = settlement_span(terms_in_force(contract, period), period)
    restated = {
        name: settle(contract, monthly, period.sibling(name), claims, previous_year)
        for name in uncovered_periods(span, history)
    }
    return reconcile(ledger, span, history, restated)
