"""Generate a record-level extract of N rows for the benchmark contract, deterministically.

    .venv/bin/python benchmarks/generate_records.py 10000000 benchmarks/data/records-10M.parquet
    .venv/bin/python benchmarks/generate_records.py 2400 out/hive --hive

One row per patient, indicator and month (the record-level schema of docs/extracts.md): 12
providers and 20 indicators of `benchmarks/contract.yaml`, 12 months (2025-04 to 2026-03). The
rows of a month come together (month after month, as monthly extracts are appended), and within a
month one patient's rows for every indicator come together. Each patient is registered with one
provider (weighted like the base shares); no (patient_id, indicator_id, period) occurs twice.

- `in_denominator` about 90% of rows (98% for the rate indicators); `excluded` about 3% (a
  personalised care adjustment, e.g. a patient who declined); `in_numerator` only with
  `in_denominator`, at a level per indicator and provider;
- `value`: a survey score 0 to 10 (one decimal) for the 4 mean indicators, null for about 30% of
  their rows (no response) and for every row of the other indicators.

zstd-compressed Parquet, one row group per million rows. Deterministic: no clock; every draw comes
from a numpy PCG64 stream seeded with the row group's number, so the same N gives the same bytes
(with the same numpy and pyarrow versions). `--hive` writes a folder with one `period=YYYY-MM/`
partition per month instead, without the `period` column in the files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROW_GROUP = 1_000_000
MONTHS = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 4)]
PROVIDERS = [f"P{n:02d}" for n in range(1, 13)]
PROVIDER_WEIGHTS = [16, 12, 11, 10, 9, 8, 8, 7, 6, 5, 4, 4]  # percent, like the base shares
INDICATORS = [
    "dm_hba1c",
    "dm_bp",
    "dm_care_processes",
    "dm_foot_check",
    "dm_confidence",
    "cvd_statins",
    "af_anticoag",
    "copd_review",
    "hf_admissions",
    "breathless_score",
    "smi_health_check",
    "smi_care_plan",
    "iapt_recovery",
    "crisis_admissions",
    "wellbeing_score",
    "frailty_review",
    "falls_assessment",
    "flu_vaccination",
    "home_at_91_days",
    "independence_score",
]
MEANS = {"dm_confidence": 6.6, "breathless_score": 5.0, "wellbeing_score": 6.4, "independence_score": 6.8}
RATES = {"hf_admissions": 0.050, "crisis_admissions": 0.065}
# Proportion achieved per indicator (before the provider's offset).
LEVELS = {
    "dm_hba1c": 0.66,
    "dm_bp": 0.69,
    "dm_care_processes": 0.60,
    "dm_foot_check": 0.78,
    "cvd_statins": 0.63,
    "af_anticoag": 0.84,
    "copd_review": 0.71,
    "smi_health_check": 0.58,
    "smi_care_plan": 0.72,
    "iapt_recovery": 0.50,
    "frailty_review": 0.61,
    "falls_assessment": 0.66,
    "flu_vaccination": 0.76,
    "home_at_91_days": 0.86,
}
PATIENT_BASE = 4_000_000_000  # ten digits, like an NHS number
PRIME = 1_000_000_007  # patient numbers are scrambled by a bijection modulo this prime
SCHEMA = pa.schema(
    [
        ("patient_id", pa.int64()),
        ("provider_id", pa.string()),
        ("indicator_id", pa.string()),
        ("period", pa.string()),
        ("in_denominator", pa.bool_()),
        ("in_numerator", pa.bool_()),
        ("excluded", pa.bool_()),
        ("value", pa.float64()),
    ]
)


def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per indicator: numerator level, denominator probability, mean score, is-mean flag;
    levels get a provider offset later."""
    level = np.array([RATES.get(i, LEVELS.get(i, 0.0)) for i in INDICATORS])
    in_denominator = np.array([0.98 if i in RATES else 0.90 for i in INDICATORS])
    mean = np.array([MEANS.get(i, 0.0) for i in INDICATORS])
    is_mean = np.array([i in MEANS for i in INDICATORS])
    return level, in_denominator, mean, is_mean


def _provider_of(patient: np.ndarray) -> np.ndarray:
    mixed = (patient.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)
    bucket = (mixed % np.uint64(100)).astype(np.int64)
    return np.searchsorted(np.cumsum(PROVIDER_WEIGHTS), bucket, side="right")


def row_group(rows: int, first: int, total: int) -> pa.Table:
    """Rows first .. first + rows - 1 of a `total`-row extract."""
    rng = np.random.Generator(np.random.PCG64([first // ROW_GROUP, 20251001]))
    index = np.arange(first, first + rows, dtype=np.int64)
    month = index * len(MONTHS) // total
    month_start = (month * total + len(MONTHS) - 1) // len(MONTHS)  # first row of each month
    within = index - month_start
    indicator = within % len(INDICATORS)
    patient = within // len(INDICATORS)
    provider = _provider_of(patient)
    level, p_denominator, mean, is_mean = _tables()
    offset = (provider - 5.5) * 0.006  # providers differ a little: P01 best, P12 worst
    draws = rng.random((4, rows))
    in_denominator = draws[0] < p_denominator[indicator]
    excluded = draws[1] < 0.03
    rate = np.isin(indicator, [INDICATORS.index(i) for i in RATES])
    p_numerator = np.where(rate, level[indicator] * (1 + offset * 5), level[indicator] + offset)
    in_numerator = in_denominator & ~is_mean[indicator] & (draws[2] < p_numerator)
    score = np.clip(np.round(rng.normal(mean[indicator] - offset * 10, 1.6), 1), 0.0, 10.0)
    has_value = in_denominator & is_mean[indicator] & (draws[3] < 0.7)
    return pa.table(
        {
            "patient_id": PATIENT_BASE + (patient * 2_654_435_761) % PRIME,
            "provider_id": pc.take(pa.array(PROVIDERS), pa.array(provider)),
            "indicator_id": pc.take(pa.array(INDICATORS), pa.array(indicator)),
            "period": pc.take(pa.array(MONTHS), pa.array(month)),
            "in_denominator": pa.array(in_denominator),
            "in_numerator": pa.array(in_numerator),
            "excluded": pa.array(excluded),
            "value": pa.array(score, mask=~has_value),
        },
        schema=SCHEMA,
    )


def generate(total: int, out: Path, hive: bool = False) -> None:
    if total < len(MONTHS) * len(INDICATORS):
        raise SystemExit(f"need at least {len(MONTHS) * len(INDICATORS)} rows")
    out.parent.mkdir(parents=True, exist_ok=True)
    if hive:
        _generate_hive(total, out)
        return
    with pq.ParquetWriter(
        out, SCHEMA, compression="zstd", use_dictionary=True, write_statistics=True
    ) as writer:
        for first in range(0, total, ROW_GROUP):
            writer.write_table(
                row_group(min(ROW_GROUP, total - first), first, total), row_group_size=ROW_GROUP
            )


def _generate_hive(total: int, out: Path) -> None:
    """The same rows, one `period=YYYY-MM/part-0.parquet` per month, without the period column."""
    schema = SCHEMA.remove(SCHEMA.get_field_index("period"))
    writers: dict[str, pq.ParquetWriter] = {}
    try:
        for first in range(0, total, ROW_GROUP):
            table = row_group(min(ROW_GROUP, total - first), first, total)
            for month in pc.unique(table["period"]).to_pylist():
                part = table.filter(pc.equal(table["period"], month)).drop_columns(["period"])
                if month not in writers:
                    folder = out / f"period={month}"
                    folder.mkdir(parents=True, exist_ok=True)
                    writers[month] = pq.ParquetWriter(folder / "part-0.parquet", schema, compression="zstd")
                writers[month].write_table(part, row_group_size=ROW_GROUP)
    finally:
        for writer in writers.values():
            writer.close()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, help="number of rows (at least 240)")
    parser.add_argument("out", type=Path, help="Parquet file to write (a folder with --hive)")
    parser.add_argument("--hive", action="store_true", help="write period=YYYY-MM/ partitions")
    args = parser.parse_args(argv)
    generate(args.rows, args.out, args.hive)


if __name__ == "__main__":
    main(sys.argv[1:])
