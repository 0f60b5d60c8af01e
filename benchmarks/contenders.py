"""One contender of the benchmark, run in its own process so that its wall time and peak memory
are its own:

    python benchmarks/contenders.py polars  records.parquet aggregates.parquet
    python benchmarks/contenders.py duckdb  records.parquet aggregates.parquet
    python benchmarks/contenders.py pandas  records.parquet aggregates.parquet
    python benchmarks/contenders.py extracts records.parquet aggregates.parquet benchmarks/contract.yaml

Each computes, per provider x indicator x month of a record-level extract, what obc-settle sums:
denominator (rows in_denominator and not excluded), numerator (those also in_numerator),
value_sum and value_count (their non-null values) and rows; writes them to the aggregates file
(for the equality check, outside the timing) and prints the seconds its query took as JSON. Only
the modules a contender needs are imported, so each pays for its own start-up.

- polars: the bare reference, a lazy scan of the same columns with the same group-by, collected
  with the streaming engine, nothing else;
- duckdb: SQL over the Parquet file;
- pandas: `read_parquet(engine="pyarrow")` of the needed columns, then a group-by, as an analyst
  would write it;
- extracts: obc-settle's own reading (`read_extracts`: every check and the sums in one pass),
  without the settlement and the statements that `obc-settle run` adds.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

KEYS = ["provider_id", "indicator_id", "period"]
COLUMNS = [*KEYS, "in_denominator", "in_numerator", "excluded", "value"]


def run_polars(source: Path, out: Path) -> None:
    import polars as pl

    counted = pl.col("in_denominator") & pl.col("excluded").not_()
    frame = (
        pl.scan_parquet(source)
        .select(COLUMNS)
        .group_by(KEYS)
        .agg(
            counted.sum().alias("denominator"),
            (counted & pl.col("in_numerator")).sum().alias("numerator"),
            pl.when(counted).then(pl.col("value")).sum().alias("value_sum"),
            (counted & pl.col("value").is_not_null()).sum().alias("value_count"),
            pl.len().alias("rows"),
        )
        .collect(engine="streaming")
    )
    frame.write_parquet(out)


def run_duckdb(source: Path, out: Path) -> None:
    import duckdb

    connection = duckdb.connect()
    connection.execute(
        f"""
        COPY (
            SELECT provider_id, indicator_id, period,
                count(*) FILTER (WHERE in_denominator AND NOT excluded) AS denominator,
                count(*) FILTER (WHERE in_numerator AND in_denominator AND NOT excluded) AS numerator,
                sum(value) FILTER (WHERE in_denominator AND NOT excluded) AS value_sum,
                count(value) FILTER (WHERE in_denominator AND NOT excluded) AS value_count,
                count(*) AS rows
            FROM read_parquet('{source}')
            GROUP BY ALL
        ) TO '{out}' (FORMAT parquet)
        """
    )


def run_pandas(source: Path, out: Path) -> None:
    import pandas as pd

    frame = pd.read_parquet(source, engine="pyarrow", columns=COLUMNS)
    counted = frame["in_denominator"] & ~frame["excluded"]
    frame = frame.assign(
        denominator=counted,
        numerator=counted & frame["in_numerator"],
        value_sum=frame["value"].where(counted),
        value_count=counted & frame["value"].notna(),
    )
    grouped = frame.groupby(KEYS, observed=True, sort=False).agg(
        denominator=("denominator", "sum"),
        numerator=("numerator", "sum"),
        value_sum=("value_sum", "sum"),
        value_count=("value_count", "sum"),
        rows=("denominator", "size"),
    )
    grouped.reset_index().to_parquet(out, index=False)


def run_extracts(source: Path, out: Path, contract: Path) -> None:
    from obc_settle.contract import load_contract
    from obc_settle.extracts import read_extracts

    loaded, _ = load_contract(contract)
    assert loaded is not None
    extracts, findings = read_extracts(source, loaded.contract)
    if extracts is None:
        raise SystemExit("\n".join(f.render() for f in findings))
    extracts.monthly.write_parquet(out)


CONTENDERS = {"polars": run_polars, "duckdb": run_duckdb, "pandas": run_pandas, "extracts": run_extracts}
IMPORTS = {
    "polars": ["polars"],
    "duckdb": ["duckdb"],
    "pandas": ["pandas", "pyarrow.parquet"],
    "extracts": ["obc_settle.extracts"],
}


def main(argv: list[str]) -> None:
    name, source, out, *extra = argv
    for module in IMPORTS[name]:  # start-up is in the process's wall time; the query time leaves it out
        importlib.import_module(module)
    started = time.perf_counter()
    CONTENDERS[name](Path(source), Path(out), *map(Path, extra))
    print(json.dumps({"query_seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main(sys.argv[1:])
