"""`--data` forms: a file, a folder, a glob, and hive-partitioned folders whose `column=value`
names supply a key column the files do not have.

The contract (from engine_support) has providers A, B, C and a proportion indicator `i1`; term
2025-04-01 to 2026-03-31.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from engine_support import contract_from

from obc_settle.contract.models import Contract
from obc_settle.extracts import read_extracts
from obc_settle.extracts.discovery import data_root, discover
from obc_settle.extracts.records import RECORD_EXTRACT_SCHEMA

AGGREGATED = {
    "provider_id": pl.String,
    "indicator_id": pl.String,
    "period": pl.String,
    "numerator": pl.Int64,
    "denominator": pl.Int64,
}
WITHOUT_PERIOD = {name: dtype for name, dtype in AGGREGATED.items() if name != "period"}


@pytest.fixture(scope="module")
def contract() -> Contract:
    return contract_from()


def write(path: Path, rows: list[tuple[Any, ...]], schema: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(rows, schema=schema, orient="row").write_parquet(path)
    return path


def relative(found: list[Any]) -> list[str]:
    return [source.relative for source in found]


def test_a_single_file_is_read_whatever_its_name(tmp_path: Path) -> None:
    path = write(tmp_path / "extract.data", [("A", "i1", "2025-04", 1, 2)], AGGREGATED)
    found, findings = discover(path)
    assert findings == [] and relative(found) == ["extract.data"]


def test_a_folder_holds_every_parquet_file_below_it_in_sorted_order(tmp_path: Path) -> None:
    for name in ("b.parquet", "a/z.parquet", "a.parquet", "notes.txt", "c/_SUCCESS"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    found, findings = discover(tmp_path)
    # Sorted by path parts, folder by folder: the folder a/ comes before the file a.parquet.
    assert findings == [] and relative(found) == ["a/z.parquet", "a.parquet", "b.parquet"]


def test_a_glob_matches_files_below_its_fixed_part(tmp_path: Path) -> None:
    for name in (
        "records/year=2025/month=10/part-0.parquet",
        "records/year=2025/month=11/part-0.parquet",
        "records/year=2024/month=10/part-0.parquet",
        "records/year=2025/README.md",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    pattern = tmp_path / "records" / "year=2025" / "**" / "*.parquet"
    assert data_root(pattern) == tmp_path / "records" / "year=2025"
    found, findings = discover(pattern)
    assert findings == [] and relative(found) == ["month=10/part-0.parquet", "month=11/part-0.parquet"]
    found, _ = discover(tmp_path / "records" / "year=*" / "month=10" / "*.parquet")
    assert relative(found) == ["year=2024/month=10/part-0.parquet", "year=2025/month=10/part-0.parquet"]
    assert found[1].partitions == {"year": "2025", "month": "10"}


def test_a_glob_that_matches_nothing_or_has_no_folder_is_reported(tmp_path: Path, contract: Contract) -> None:
    extracts, findings = read_extracts(tmp_path / "*.parquet", contract)
    assert extracts is None and [f.code for f in findings] == ["D011"]
    extracts, findings = read_extracts(tmp_path / "missing" / "*.parquet", contract)
    assert extracts is None and [f.code for f in findings] == ["D001"]
    assert findings[0].location.file == str(tmp_path / "missing" / "*.parquet")


def test_a_hive_partition_supplies_the_period_a_file_does_not_have(
    tmp_path: Path, contract: Contract
) -> None:
    write(
        tmp_path / "period=2025-04" / "part-0.parquet", [("A", "i1", 3, 4), ("B", "i1", 1, 2)], WITHOUT_PERIOD
    )
    write(tmp_path / "period=2025-05" / "part-0.parquet", [("A", "i1", 5, 6)], WITHOUT_PERIOD)
    extracts, findings = read_extracts(tmp_path, contract)
    assert findings == [] and extracts is not None
    assert extracts.monthly.select("provider_id", "period", "numerator", "denominator").rows() == [
        ("A", "2025-04", Decimal(3), Decimal(4)),
        ("A", "2025-05", Decimal(5), Decimal(6)),
        ("B", "2025-04", Decimal(1), Decimal(2)),
    ]
    assert [f.relative for f in extracts.files] == [
        "period=2025-04/part-0.parquet",
        "period=2025-05/part-0.parquet",
    ]


def test_a_files_own_key_column_wins_over_its_partition(tmp_path: Path, contract: Contract) -> None:
    write(tmp_path / "period=2025-04" / "part-0.parquet", [("A", "i1", "2025-06", 3, 4)], AGGREGATED)
    extracts, findings = read_extracts(tmp_path, contract)
    assert findings == [] and extracts is not None
    assert extracts.monthly.get_column("period").to_list() == ["2025-06"]


def test_partition_values_are_unquoted_and_other_partitions_only_organise(
    tmp_path: Path, contract: Contract
) -> None:
    schema = {name: dtype for name, dtype in AGGREGATED.items() if name not in ("period", "provider_id")}
    write(tmp_path / "year=2025" / "provider_id=A" / "period=2025%2D04" / "x.parquet", [("i1", 3, 4)], schema)
    extracts, findings = read_extracts(tmp_path, contract)
    assert findings == [] and extracts is not None
    assert extracts.monthly.select("provider_id", "period", "numerator").rows() == [
        ("A", "2025-04", Decimal(3))
    ]


def test_a_partition_value_is_checked_like_a_column(tmp_path: Path, contract: Contract) -> None:
    write(tmp_path / "period=2026-04" / "a.parquet", [("A", "i1", 3, 4), ("A", "i1", 1, 1)], WITHOUT_PERIOD)
    write(tmp_path / "period=April" / "b.parquet", [("A", "i1", 3, 4)], WITHOUT_PERIOD)
    extracts, findings = read_extracts(tmp_path, contract)
    assert extracts is None
    assert sorted(
        (Path(f.location.file).name, f.code, f.message.rsplit(", e.g. ", 1)[0].split(" (")[0])
        for f in findings
    ) == [
        ("a.parquet", "D009", "column period: 2 rows outside the contract term 2025-04 to 2026-03"),
        ("b.parquet", "D010", "column period: 1 row not of the form YYYY-MM"),
    ]


def test_record_level_files_in_hive_folders_are_summed(tmp_path: Path, contract: Contract) -> None:
    schema = {name: dtype for name, dtype in RECORD_EXTRACT_SCHEMA.items() if name != "period"}
    write(
        tmp_path / "period=2025-04" / "part-0.parquet",
        [(1, "A", "i1", True, True, False, None), (2, "A", "i1", True, False, False, None)],
        schema,
    )
    write(tmp_path / "period=2025-05" / "part-0.parquet", [(1, "A", "i1", True, True, False, None)], schema)
    for data in (tmp_path, tmp_path / "period=*" / "*.parquet", tmp_path / "**" / "*.parquet"):
        extracts, findings = read_extracts(data, contract)
        assert findings == [] and extracts is not None
        assert extracts.monthly.select("period", "numerator", "denominator").rows() == [
            ("2025-04", Decimal(1), Decimal(2)),
            ("2025-05", Decimal(1), Decimal(1)),
        ]


def test_a_partition_folder_given_as_data_still_supplies_its_value(
    tmp_path: Path, contract: Contract
) -> None:
    write(tmp_path / "period=2025-04" / "part-0.parquet", [("A", "i1", 3, 4)], WITHOUT_PERIOD)
    for data in (tmp_path / "period=2025-04", tmp_path / "period=2025-04" / "part-0.parquet"):
        extracts, findings = read_extracts(data, contract)
        assert findings == [] and extracts is not None
        assert extracts.monthly.select("period", "numerator").rows() == [("2025-04", Decimal(3))]


def test_the_relative_path_keeps_the_key_partitions_above_the_data_folder(tmp_path: Path) -> None:
    path = write(
        tmp_path / "year=2025" / "period=2025-04" / "part-0.parquet", [("A", "i1", 3, 4)], WITHOUT_PERIOD
    )
    for data in (path, path.parent, path.parent / "*.parquet", tmp_path / "year=2025"):
        found, findings = discover(data)
        assert findings == [] and relative(found) == ["period=2025-04/part-0.parquet"], data
