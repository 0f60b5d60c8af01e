"""Plausibility of achieved values: the check that catches data in the wrong units.

A rate computed from monthly registers taken for person-years comes out twelve times too low; a
percentage sent as 68 instead of 0.68 a hundred times too high. Both give a valid number and pay
the wrong money. Two rules, on the achieved value each indicator is scored on:

- `data.plausible_range` (optional): outside it the value is impossible for this indicator, and
  the settlement is refused whatever its status (D024).
- `data.plausible_ratio_to_baseline` (default 3): a value more than that many times above or
  below the indicator's baseline (a positive baseline; not for change_from_baseline indicators,
  whose achieved value is itself a change) is implausible (D025): a warning on a provisional
  settlement, shown on its statements; a final settlement is refused unless the period is
  accepted in the contract (`data.accept_implausible`) or on the command line.

Pure: reads the ledger's derivation (the achieved value of each indicator, or of each provider's
indicator in a points contract), never files.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.ledger.schema import LineType
from obc_settle.periods import SettlementPeriod


@dataclass(frozen=True)
class Implausible:
    indicator_id: str
    party_id: str | None
    """The provider, for values measured on one provider's rows (points); None for the indicator."""
    code: str
    """D024 (outside plausible_range) or D025 (far from the baseline)."""
    text: str
    accepted: str | None = None
    """Why it is accepted (the contract's reason, or the command line), or None."""

    @property
    def blocks(self) -> bool:
        return self.code == "D024" or self.accepted is None


def _plain(value: float) -> str:
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def implausible_values(
    ledger: pl.DataFrame,
    contract: Contract,
    period: SettlementPeriod,
    accepted_on_command_line: tuple[str, ...] = (),
) -> list[Implausible]:
    """Each achieved value of the ledger that breaks a plausibility rule, in indicator order."""
    indicators = {
        indicator.id: (order, indicator) for order, (_, indicator) in enumerate(contract.indicators())
    }
    measured = ledger.filter(
        pl.col("line_type").is_in([str(LineType.RETAINED), str(LineType.POINTS)])
        & pl.col("achieved").is_not_null()
        & pl.col("scorable").fill_null(False)
        & pl.col("indicator_id").is_in(list(indicators))
    )
    found: dict[tuple[int, str], Implausible] = {}
    for row in measured.iter_rows(named=True):
        order, indicator = indicators[row["indicator_id"]]
        party = row["party_id"] if row["line_type"] == LineType.POINTS else None
        achieved = (
            Fraction(row["achieved_exact"]) if row.get("achieved_exact") else Fraction(repr(row["achieved"]))
        )
        data = indicator.data
        problem: tuple[str, str] | None = None
        if data.plausible_range is not None and not Fraction(
            data.plausible_range.min
        ) <= achieved <= Fraction(data.plausible_range.max):
            problem = (
                "D024",
                f"achieved {_plain(float(achieved))} is outside the plausible range {data.plausible_range.min} to "
                f"{data.plausible_range.max}: are the extract's units right?",
            )
        elif (
            indicator.baseline is not None
            and indicator.baseline > 0
            and indicator.kind != "change_from_baseline"
            and achieved >= 0
        ):
            ratio, baseline = Fraction(data.plausible_ratio_to_baseline), Fraction(indicator.baseline)
            if achieved * ratio < baseline or achieved > baseline * ratio:
                relation = "below" if achieved < baseline else "above"
                problem = (
                    "D025",
                    f"achieved {_plain(float(achieved))} is more than {data.plausible_ratio_to_baseline} times "
                    f"{relation} the baseline {indicator.baseline} "
                    "(plausible_ratio_to_baseline): are the extract's units right?",
                )
        if problem is None:
            continue
        accepted = None
        if problem[0] == "D025":
            if period.name in data.accept_implausible:
                accepted = (
                    f"accepted for {period.name} in the contract: {data.accept_implausible[period.name]}"
                )
            elif indicator.id in accepted_on_command_line:
                accepted = "accepted on the command line (--accept-implausible)"
        key = (order, party or "")
        found.setdefault(key, Implausible(indicator.id, party, problem[0], problem[1], accepted))
    return [found[key] for key in sorted(found)]


def implausible_note(item: Implausible) -> str:
    text = f"implausible: {item.text}"
    return f"{text} ({item.accepted})" if item.accepted else text
