"""What-if transformations of the monthly extract sums: pure Polars, no I/O, no settlement rules.

A what-if answer is always a settlement of changed inputs by the one settlement function
(`obc_settle.engine.settle`); this module only changes the inputs. Every function takes the
monthly sums frame (`obc_settle.extracts.schema.MONTHLY_SCHEMA`) and returns one of the same
schema, sorted by provider_id, indicator_id, period, so that a transformation that changes
nothing gives back the same frame (and the same ledger, to the penny).

- `project_year`: fill the months of a contract year after the last month with data, from the
  year to date: `held` (each provider x indicator's monthly average so far, every measure, so the
  rate is held), `seasonal` (last year's same month scaled by this year's year to date over last
  year's same months; held where last year has no rows), `trend` (a least-squares line through
  the months so far, per measure, never below zero; a numerator never above its denominator).
  Projected rows count 0 extract rows.
- `set_level`: rewrite an indicator's rows so that it measures exactly `level` in every month
  (the numerator, or the value sum of a mean, for the unchanged denominator or value count).
- `scale_rows`: multiply a provider's (or everyone's) rows of some indicators by a factor
  (activity, or a spend figure: the numerator of the risk-share spend rows).
- `apply_scenario`: a scenario file's changes (`obc_settle.contract.scenario`), in order.

Measures stay exact decimals with six places: a float result is rounded to six places once.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import polars as pl

from obc_settle.contract.models import Contract
from obc_settle.contract.scenario_model import Scenario
from obc_settle.extracts.schema import MONTHLY_SCHEMA, SUM_DTYPE

TRAJECTORIES = ("held", "seasonal", "trend")
KEYS = ("provider_id", "indicator_id", "period")
DECIMAL_MEASURES = ("numerator", "denominator", "value_sum")
MEASURES = (*DECIMAL_MEASURES, "value_count")


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """The monthly schema, in its column order, sorted by its keys."""
    columns = [
        (pl.col(name) if name in frame.columns else pl.lit(0)).cast(dtype).alias(name)
        for name, dtype in MONTHLY_SCHEMA.items()
    ]  # a projected month has no excluded people to count
    return frame.select(columns).sort(KEYS)


def last_month_with_data(monthly: pl.DataFrame, months: Sequence[str]) -> str | None:
    present = monthly.filter(pl.col("period").is_in(list(months)) & (pl.col("rows") > 0)).get_column("period")
    return None if present.is_empty() else str(present.max())


def project_year(
    monthly: pl.DataFrame,
    year_months: Sequence[str],
    through: str,
    trajectory: str,
    last_year_months: Sequence[str] = (),
    proportions: Sequence[str] = (),
) -> pl.DataFrame:
    """The monthly sums with the months of `year_months` after `through` replaced by a projection.

    Rows of months after `through` are dropped first (they are not known at `through`); rows
    outside the year are kept as they are (an earlier year feeds rolling windows). A trend never
    takes the numerator of an indicator in `proportions` above its denominator."""
    if trajectory not in TRAJECTORIES:
        raise ValueError(f"unknown trajectory {trajectory!r}; use one of {', '.join(TRAJECTORIES)}")
    known = [m for m in year_months if m <= through]
    future = [m for m in year_months if m > through]
    kept = monthly.filter(~pl.col("period").is_in(future))
    if not future or not known:
        return conform(kept)
    so_far = monthly.filter(pl.col("period").is_in(known))
    if trajectory == "trend":
        projected = _trend(so_far, known, future, proportions)
    else:
        projected = _held(so_far, len(known), future)
        if trajectory == "seasonal":
            projected = _seasonal(monthly, so_far, projected, year_months, last_year_months, len(known))
    return conform(pl.concat([kept, conform(projected)], how="vertical"))


def _months_frame(months: Sequence[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"period": list(months), "t": list(range(len(months)))}, schema={"period": pl.String, "t": pl.Int64}
    )


def _as_float(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.Float64)


def _held(so_far: pl.DataFrame, known_count: int, future: Sequence[str]) -> pl.DataFrame:
    """Each pair's monthly average of the known months (months without rows count as zero)."""
    averages = so_far.group_by("provider_id", "indicator_id").agg(
        [(_as_float(m).sum() / known_count).alias(m) for m in MEASURES]
    )
    return _finish(averages.join(_months_frame(future).select("period"), how="cross"))


def _seasonal(
    monthly: pl.DataFrame,
    so_far: pl.DataFrame,
    held: pl.DataFrame,
    year_months: Sequence[str],
    last_year_months: Sequence[str],
    known_count: int,
) -> pl.DataFrame:
    """Last year's month x (this year so far / last year's same months); held where last year is empty."""
    if len(last_year_months) != len(year_months):
        return held
    same = dict(zip(year_months, last_year_months, strict=True))
    last = monthly.filter(pl.col("period").is_in(list(last_year_months)))
    base_months = [same[m] for m in year_months[:known_count]]
    pair = ["provider_id", "indicator_id"]
    now_sums = so_far.group_by(pair).agg([_as_float(m).sum().alias(f"{m}_now") for m in MEASURES])
    then_sums = (
        last.filter(pl.col("period").is_in(base_months))
        .group_by(pair)
        .agg([_as_float(m).sum().alias(f"{m}_then") for m in MEASURES])
    )
    mapping = pl.DataFrame({"period": list(year_months), "last_period": [same[m] for m in year_months]})
    targets = held.select(*pair, "period").join(mapping, on="period", how="left")
    shaped = (
        targets.join(
            last.select(
                *pair,
                pl.col("period").alias("last_period"),
                *[_as_float(m).alias(f"{m}_last") for m in MEASURES],
            ),
            on=[*pair, "last_period"],
            how="left",
        )
        .join(now_sums, on=pair, how="left")
        .join(then_sums, on=pair, how="left")
        .join(
            held.select(*pair, "period", *[pl.col(m).alias(f"{m}_held") for m in MEASURES]),
            on=[*pair, "period"],
            how="left",
        )
    )
    columns = []
    for m in MEASURES:
        usable = (pl.col(f"{m}_then") > 0) & pl.col(f"{m}_last").is_not_null()
        scaled = pl.col(f"{m}_last") * pl.col(f"{m}_now") / pl.col(f"{m}_then")
        columns.append(pl.when(usable).then(scaled).otherwise(pl.col(f"{m}_held")).alias(m))
    return _finish(shaped.select(*pair, "period", *columns))


def _trend(
    so_far: pl.DataFrame, known: Sequence[str], future: Sequence[str], proportions: Sequence[str]
) -> pl.DataFrame:
    """A least-squares line per pair and measure through the known months (missing months are 0)."""
    pair = ["provider_id", "indicator_id"]
    grid = so_far.select(pair).unique().join(_months_frame(known), how="cross")
    filled = grid.join(
        so_far.select(*pair, "period", *[_as_float(m).alias(m) for m in MEASURES]),
        on=[*pair, "period"],
        how="left",
    )
    filled = filled.with_columns([pl.col(m).fill_null(0.0) for m in MEASURES], t=pl.col("t").cast(pl.Float64))
    n = float(len(known))
    t_mean = (n - 1) / 2
    t_var = sum((i - t_mean) ** 2 for i in range(len(known)))
    fits = filled.group_by(pair).agg(
        [pl.col(m).mean().alias(f"{m}_mean") for m in MEASURES]
        + [
            (((pl.col("t") - t_mean) * pl.col(m)).sum() / t_var if t_var else pl.lit(0.0)).alias(f"{m}_slope")
            for m in MEASURES
        ]
    )
    months = _months_frame([*known, *future]).filter(pl.col("period").is_in(list(future)))
    projected = fits.join(months, how="cross").with_columns(
        [
            (pl.col(f"{m}_mean") + pl.col(f"{m}_slope") * (pl.col("t").cast(pl.Float64) - t_mean))
            .clip(lower_bound=0.0)
            .alias(m)
            for m in MEASURES
        ]
    )
    capped = pl.col("indicator_id").is_in(list(proportions))
    projected = projected.with_columns(
        numerator=pl.when(capped)
        .then(pl.min_horizontal("numerator", "denominator"))
        .otherwise(pl.col("numerator"))
    )
    return _finish(projected.select(*pair, "period", *MEASURES))


def _finish(frame: pl.DataFrame) -> pl.DataFrame:
    """Floats to exact decimals (six places), counts to whole numbers, no extract rows."""
    return frame.with_columns(
        [pl.col(m).cast(pl.Float64).round(6).cast(SUM_DTYPE) for m in DECIMAL_MEASURES]
        + [
            pl.col("value_count").cast(pl.Float64).round(0).cast(pl.Int64),
            pl.lit(0, dtype=pl.Int64).alias("rows"),
        ]
    )


def measure_of_level(
    kind: str, measure: str, level: float, baseline: float | None, rate_denominator: str | None = None
) -> float:
    """The ratio (numerator / denominator, or value sum / value count) an achieved level needs.

    A rate per 1,000 divides by person-years: the extract denominator itself (`person_years`), or
    the sum of monthly registers / 12 (`people_each_month`), so N / sum(D) is level / 12,000."""
    if kind == "rate_per_1000":
        return level / (12000.0 if rate_denominator == "people_each_month" else 1000.0)
    if kind == "change_from_baseline":
        return level + (baseline or 0.0)
    return level


def set_level(
    monthly: pl.DataFrame,
    indicator_id: str,
    kind: str,
    measure: str,
    level: float,
    baseline: float | None = None,
    provider_id: str | None = None,
    rate_denominator: str | None = None,
) -> pl.DataFrame:
    """Rewrite the indicator's rows (one provider's, or all) to measure `level` in every month.

    The denominator (value count, for a mean) is unchanged; the numerator (value sum) becomes
    ratio x denominator, rounded to six places, so the window's achieved value is `level`.
    `rate_denominator` is the indicator's (rates only: `person_years` or `people_each_month`)."""
    ratio = measure_of_level(kind, measure, level, baseline, rate_denominator)
    chosen = pl.col("indicator_id") == indicator_id
    if provider_id is not None:
        chosen = chosen & (pl.col("provider_id") == provider_id)
    if measure == "mean":
        column, base = "value_sum", _as_float("value_count")
    else:
        column, base = "numerator", _as_float("denominator")
    rewritten = (base * ratio).round(6).cast(SUM_DTYPE)
    return conform(
        monthly.with_columns(pl.when(chosen).then(rewritten).otherwise(pl.col(column)).alias(column))
    )


def scale_rows(
    monthly: pl.DataFrame,
    factor: Decimal,
    indicator_ids: Sequence[str] | None = None,
    provider_id: str | None = None,
    measures: Sequence[str] = MEASURES,
) -> pl.DataFrame:
    """Multiply the chosen rows' measures by `factor` (rounded to six places; counts to whole numbers)."""
    chosen = pl.lit(True)
    if indicator_ids is not None:
        chosen = chosen & pl.col("indicator_id").is_in(list(indicator_ids))
    if provider_id is not None:
        chosen = chosen & (pl.col("provider_id") == provider_id)
    scale = float(factor)
    updates = []
    for m in measures:
        scaled = (
            (_as_float(m) * scale)
            .round(0 if m == "value_count" else 6)
            .cast(pl.Int64 if m == "value_count" else SUM_DTYPE)
        )
        updates.append(pl.when(chosen).then(scaled).otherwise(pl.col(m)).alias(m))
    return conform(monthly.with_columns(updates))


def apply_scenario(contract: Contract, monthly: pl.DataFrame, scenario: Scenario) -> pl.DataFrame:
    """The monthly sums with the scenario's changes applied in order (the contract's terms in
    force give each indicator's kind and baseline; a spend change scales the risk-share spend rows)."""
    indicators = {indicator.id: indicator for _, indicator in contract.indicators()}
    changed = conform(monthly)
    for change in scenario.changes:
        if change.achievement is not None:
            item = indicators[change.achievement.indicator]
            baseline = None if item.baseline is None else float(item.baseline)
            changed = set_level(
                changed,
                item.id,
                item.kind,
                item.measure or item.kind,
                float(change.achievement.level),
                baseline,
                change.achievement.provider,
                item.rate_denominator,
            )
        elif change.activity is not None:
            changed = scale_rows(
                changed, change.activity.factor, change.activity.indicators, change.activity.provider
            )
        elif change.spend is not None and contract.risk_share is not None:
            changed = scale_rows(
                changed,
                change.spend.factor,
                [contract.risk_share.spend],
                change.spend.provider,
                ("numerator",),
            )
    return changed
