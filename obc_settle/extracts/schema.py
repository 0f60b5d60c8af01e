"""The aggregated extract schema: what an indicator extract must look like.

One Parquet file (or a folder of them) at any grain; rows are summed to
provider x indicator x month. Columns:

| column        | type                         | meaning                                           |
|---------------|------------------------------|---------------------------------------------------|
| provider_id   | string                       | a provider id from the contract                   |
| indicator_id  | string                       | an indicator id, or the share rule's quantity id   |
| period        | string `YYYY-MM` (or date)   | the month the row counts towards                  |
| numerator     | integer or float, >= 0       | people meeting the indicator / events / observed   |
| denominator   | integer or float, >= 0       | people eligible / person-years or register (rate) / expected |
| value_sum     | float                        | sum of values, for mean indicators                 |
| value_count   | integer, >= 0                | number of values, for mean indicators              |

Either the two count columns or the two value columns (or all four) must be present. A measure
column the file's indicators use must be present (D020) and filled on their rows (D021); elsewhere
nulls and absent columns count as zero (obc_settle.extracts.completeness). Nulls in the key columns
are errors. Other columns are ignored.
"""

from __future__ import annotations

import polars as pl

KEY_COLUMNS = ("provider_id", "indicator_id", "period")
COUNT_COLUMNS = ("numerator", "denominator")
VALUE_COLUMNS = ("value_sum", "value_count")
MEASURE_COLUMNS = COUNT_COLUMNS + VALUE_COLUMNS

# Sums are exact: measures are summed as decimals with six places, so the order in which the
# streaming engine adds rows cannot change a digit.
SUM_DTYPE = pl.Decimal(38, 6)

# The typed schema of an aggregated extract as obc-settle's own generator and tests write it
# (readers accept any integer or float type for the measures, and text or dates for period).
AGGREGATED_EXTRACT_SCHEMA = {
    "provider_id": pl.String,
    "indicator_id": pl.String,
    "period": pl.String,
    "numerator": pl.Int64,
    "denominator": pl.Int64,
    "value_sum": pl.Float64,
    "value_count": pl.Int64,
}

MONTHLY_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "provider_id": pl.String,
    "indicator_id": pl.String,
    "period": pl.String,
    "numerator": SUM_DTYPE,
    "denominator": SUM_DTYPE,
    "value_sum": SUM_DTYPE,
    "value_count": pl.Int64,
    "rows": pl.Int64,
    "excluded": pl.Int64,
}
"""The monthly sums the engine reads. `excluded`: record-level extracts only, the people in the
denominator who were excluded (a personalised care adjustment, an exception), counted so that
statements can say how many; 0 for an aggregated extract, which does not say."""

CLAIMS_SCHEMA = {
    "participant_id": pl.String,
    "outcome_id": pl.String,
    "provider_id": pl.String,
    "period": pl.String,
}
"""Rate-card claims as the engine reads them (obc_settle.extracts.claims reads and checks the file)."""


def is_text(dtype: pl.DataType) -> bool:
    return dtype in (pl.String, pl.Categorical) or isinstance(dtype, (pl.Categorical, pl.Enum))


def is_number(dtype: pl.DataType) -> bool:
    return dtype.is_numeric() and dtype != pl.Boolean


def is_period(dtype: pl.DataType) -> bool:
    return is_text(dtype) or dtype == pl.Date
