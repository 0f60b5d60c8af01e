"""No silent wrong money from extracts: a measure column the file's indicators need is there (D020)
and filled (D021), and no provider x indicator x month comes from two files (D022) unless a file is
named as restated, whose rows then replace the others' cell by cell.

The contract (from engine_support) has providers A, B, C; a proportion indicator `i1`, a rate
indicator `r1` and a mean indicator `m1`; term 2025-04-01 to 2026-03-31.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from engine_support import contract_from, three_kinds_contract
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app
from obc_settle.contract.models import Contract
from obc_settle.errors import Diagnostic, Severity
from obc_settle.extracts import read_extracts
from obc_settle.extracts.records import RECORD_EXTRACT_SCHEMA
from obc_settle.extracts.schema import AGGREGATED_EXTRACT_SCHEMA


@pytest.fixture(scope="module")
def contract() -> Contract:
    return three_kinds_contract()


FULL = AGGREGATED_EXTRACT_SCHEMA
COUNTS = {name: FULL[name] for name in ("provider_id", "indicator_id", "period", "numerator", "denominator")}
VALUES = {name: FULL[name] for name in ("provider_id", "indicator_id", "period", "value_sum", "value_count")}


def write(path: Path, rows: list[tuple[Any, ...]], schema: dict[str, Any] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(rows, schema=schema or FULL, orient="row").write_parquet(path)
    return path


def codes(findings: list[Diagnostic]) -> list[tuple[str, str]]:
    """(file name, code) of each error."""
    return [(Path(f.location.file).name, f.code) for f in findings if f.severity is Severity.ERROR]


def sums(extracts: Any) -> list[tuple[Any, ...]]:
    return extracts.monthly.select(
        "provider_id", "indicator_id", "period", "numerator", "denominator", "value_sum", "value_count"
    ).rows()


# A month of every indicator for one provider, in the four-column layout (nulls where not needed).
def month(provider: str, period: str, scale: int = 1) -> list[tuple[Any, ...]]:
    return [
        (provider, "i1", period, 6 * scale, 10 * scale, None, None),
        (provider, "r1", period, 1 * scale, 900 * scale, None, None),
        (provider, "m1", period, None, None, 65.0 * scale, 10 * scale),
    ]


# D020: a needed column is missing


def test_a_file_without_denominator_but_with_proportion_rows_is_refused(
    tmp_path: Path, contract: Contract
) -> None:
    schema = {name: dtype for name, dtype in FULL.items() if name != "denominator"}
    rows = [
        ("A", "i1", "2025-04", 6, None, None),
        ("A", "r1", "2025-04", 1, None, None),
        ("A", "m1", "2025-04", None, 65.0, 10),
    ]
    write(tmp_path / "q1.parquet", rows, schema)
    extracts, findings = read_extracts(tmp_path, contract)
    assert extracts is None
    assert codes(findings) == [("q1.parquet", "D020")]
    assert (
        "denominator" in findings[0].message and "i1" in findings[0].message and "r1" in findings[0].message
    )
    assert "m1" not in findings[0].message


def test_a_file_of_mean_indicators_alone_needs_no_numerator_or_denominator(
    tmp_path: Path, contract: Contract
) -> None:
    extracts, findings = read_extracts(
        write(tmp_path / "means.parquet", [("A", "m1", "2025-04", 65.0, 10)], VALUES), contract
    )
    assert findings == [] and extracts is not None
    assert extracts.monthly.get_column("value_count").to_list() == [10]


def test_a_file_of_counts_alone_needs_no_value_columns(tmp_path: Path, contract: Contract) -> None:
    extracts, findings = read_extracts(
        write(tmp_path / "counts.parquet", [("A", "i1", "2025-04", 6, 10)], COUNTS), contract
    )
    assert findings == [] and extracts is not None


def test_mean_rows_in_a_file_without_value_count_are_refused(tmp_path: Path, contract: Contract) -> None:
    schema = {**COUNTS, "value_sum": pl.Float64}
    write(
        tmp_path / "q1.parquet",
        [("A", "i1", "2025-04", 6, 10, None), ("A", "m1", "2025-04", None, None, 65.0)],
        schema,
    )
    _extracts, findings = read_extracts(tmp_path, contract)
    assert codes(findings) == [("q1.parquet", "D020")]
    assert "value_count" in findings[0].message


def test_quantity_rows_need_a_numerator(tmp_path: Path) -> None:
    contract = contract_from(share_rule={"method": "by_quantity", "quantity": "registered"})
    write(
        tmp_path / "pop.parquet",
        [("A", "registered", "2025-04", 0.0, 0), ("A", "i1", "2025-04", 0.0, 0)],
        VALUES,
    )
    _extracts, findings = read_extracts(tmp_path, contract)
    assert codes(findings) == [("pop.parquet", "D020"), ("pop.parquet", "D020")]  # numerator and denominator
    numerator = next(f for f in findings if "column numerator" in f.message)
    assert "registered" in numerator.message
    denominator = next(f for f in findings if "column denominator" in f.message)
    assert "registered" not in denominator.message  # a quantity needs no denominator


def test_a_record_file_with_mean_rows_needs_its_value_column(tmp_path: Path, contract: Contract) -> None:
    schema = {name: dtype for name, dtype in RECORD_EXTRACT_SCHEMA.items() if name != "value"}
    write(tmp_path / "people.parquet", [(1, "A", "m1", "2025-04", True, False, False)], schema)
    write(tmp_path / "other.parquet", [(2, "A", "i1", "2025-04", True, True, False)], schema)
    _extracts, findings = read_extracts(tmp_path, contract)
    assert codes(findings) == [("people.parquet", "D020")]
    assert "column value" in findings[0].message


# D021: a needed column is null


def test_nulls_in_a_needed_column_are_counted_with_the_first_row(tmp_path: Path, contract: Contract) -> None:
    rows = [
        ("A", "i1", "2025-04", 6, 10, None, None),
        ("A", "r1", "2025-04", 1, None, None, None),  # row 2: a rate without its population
        ("B", "r1", "2025-04", 1, None, None, None),
        ("A", "m1", "2025-04", None, None, None, None),  # row 4: a mean without its count (nor its sum)
    ]
    extracts, findings = read_extracts(write(tmp_path / "q1.parquet", rows), contract)
    assert extracts is None
    assert codes(findings) == [("q1.parquet", "D021"), ("q1.parquet", "D021")]
    denominator = next(f for f in findings if "column denominator" in f.message)
    assert (
        "2 rows" in denominator.message
        and "e.g. row 2" in denominator.message
        and "r1" in denominator.message
    )
    count = next(f for f in findings if "column value_count" in f.message)
    assert "1 row" in count.message and "e.g. row 4" in count.message


def test_nulls_in_columns_an_indicator_does_not_use_are_allowed(tmp_path: Path, contract: Contract) -> None:
    rows = [
        *month("A", "2025-04"),
        ("A", "m1", "2025-05", None, None, None, 0),
    ]  # a mean with no values at all
    extracts, findings = read_extracts(write(tmp_path / "q1.parquet", rows), contract)
    assert findings == [] and extracts is not None


# D022: one cell in two files


def test_the_same_cell_in_two_files_is_refused_naming_both(tmp_path: Path, contract: Contract) -> None:
    write(tmp_path / "2025-26-Q1.parquet", month("A", "2025-04") + month("B", "2025-04"))
    write(
        tmp_path / "2025-26-Q1-corrected.parquet",
        [("B", "i1", "2025-04", 7, 10, None, None), ("B", "r1", "2025-04", 2, 900, None, None)],
    )
    extracts, findings = read_extracts(tmp_path, contract)
    assert extracts is None
    assert codes(findings) == [
        ("2025-26-Q1.parquet", "D022")
    ]  # the later file in sorted order, naming the earlier
    assert "2025-26-Q1-corrected.parquet" in findings[0].message
    assert "provider B, indicator i1, month 2025-04" in findings[0].message  # the first common cell
    assert "1 more cell" in findings[0].message


def test_two_dates_of_one_month_in_two_files_are_one_cell(tmp_path: Path, contract: Contract) -> None:
    schema = {**COUNTS, "period": pl.Date}
    write(tmp_path / "a.parquet", [("A", "i1", date(2025, 4, 1), 6, 10)], schema)
    write(tmp_path / "b.parquet", [("A", "i1", date(2025, 4, 30), 1, 2)], schema)
    _extracts, findings = read_extracts(tmp_path, contract)
    assert codes(findings) == [("b.parquet", "D022")]


@pytest.mark.parametrize(
    "layout",
    [
        {
            "A.parquet": [("A", "2025-04"), ("A", "2025-05")],
            "B.parquet": [("B", "2025-04"), ("B", "2025-05")],
        },
        {
            "2025-04.parquet": [("A", "2025-04"), ("B", "2025-04")],
            "2025-05.parquet": [("A", "2025-05"), ("B", "2025-05")],
        },
    ],
    ids=["one_file_per_provider", "one_file_per_month"],
)
def test_files_that_are_legitimately_partial_settle_as_one(
    tmp_path: Path, contract: Contract, layout: dict[str, Any]
) -> None:
    every = [
        row for cells in layout.values() for provider, period in cells for row in month(provider, period)
    ]
    _, whole = read_extracts(write(tmp_path / "whole" / "all.parquet", every), contract)
    for name, cells in layout.items():
        write(
            tmp_path / "parts" / name, [row for provider, period in cells for row in month(provider, period)]
        )
    extracts, findings = read_extracts(tmp_path / "parts", contract)
    single = read_extracts(tmp_path / "whole", contract)[0]
    assert findings == whole == [] and extracts is not None and single is not None
    assert sums(extracts) == sums(single)


def test_hive_partitions_by_month_do_not_overlap(tmp_path: Path, contract: Contract) -> None:
    without_period = {name: dtype for name, dtype in FULL.items() if name != "period"}
    for period in ("2025-04", "2025-05", "2025-06"):
        rows = [(p, i, n, d, s, c) for p, i, _, n, d, s, c in month("A", period) + month("B", period)]
        write(tmp_path / "records" / f"period={period}" / "part-0.parquet", rows, without_period)
    extracts, findings = read_extracts(tmp_path / "records", contract)
    assert findings == [] and extracts is not None
    assert extracts.monthly.get_column("period").unique().sort().to_list() == [
        "2025-04",
        "2025-05",
        "2025-06",
    ]


# --restated


def test_a_restated_file_replaces_its_cells_and_keeps_the_others(tmp_path: Path, contract: Contract) -> None:
    original = write(
        tmp_path / "data" / "q1.parquet",
        month("A", "2025-04") + month("B", "2025-04") + month("B", "2025-05"),
    )
    corrected = [("B", "i1", "2025-04", 9, 10, None, None), ("B", "m1", "2025-05", None, None, 70.0, 10)]
    restated = write(tmp_path / "data" / "q1-restated.parquet", corrected)
    extracts, findings = read_extracts(tmp_path / "data", contract, restated=(restated,))
    assert findings == [] and extracts is not None
    merged = [
        row
        for row in pl.read_parquet(original).rows()
        if (row[0], row[1], row[2]) not in {(p, i, m) for p, i, m, *_ in corrected}
    ]
    single = read_extracts(write(tmp_path / "merged" / "q1.parquet", merged + corrected), contract)[0]
    assert single is not None and sums(extracts) == sums(single)
    assert [f.restated for f in extracts.files] == [True, False]


def test_two_restated_files_holding_one_cell_are_refused(tmp_path: Path, contract: Contract) -> None:
    write(tmp_path / "a.parquet", month("A", "2025-04"))
    first = write(tmp_path / "b.parquet", [("A", "i1", "2025-04", 7, 10, None, None)])
    second = write(tmp_path / "c.parquet", [("A", "i1", "2025-04", 8, 10, None, None)])
    _extracts, findings = read_extracts(tmp_path, contract, restated=(first, second))
    assert codes(findings) == [("c.parquet", "D022")] and "b.parquet" in findings[0].message


def test_a_restated_file_that_replaces_nothing_is_read_with_a_warning(
    tmp_path: Path, contract: Contract
) -> None:
    write(tmp_path / "data" / "a.parquet", month("A", "2025-04"))
    other = write(tmp_path / "data" / "b.parquet", month("B", "2025-04"))
    extracts, findings = read_extracts(tmp_path / "data", contract, restated=(other,))
    assert extracts is not None
    assert [(f.location.file.rsplit("/", 1)[-1], f.code, f.severity) for f in findings] == [
        ("b.parquet", "D022", "warning")
    ]


def test_a_restated_file_that_is_not_among_the_data_files_is_a_usage_error(
    tmp_path: Path, contract: Contract
) -> None:
    write(tmp_path / "data" / "a.parquet", month("A", "2025-04"))
    elsewhere = write(tmp_path / "elsewhere.parquet", month("A", "2025-04"))
    extracts, findings = read_extracts(tmp_path / "data", contract, restated=(elsewhere,))
    assert extracts is None and [f.code for f in findings] == ["R002"]


def test_replaced_records_are_not_duplicates_of_their_restatement(tmp_path: Path, contract: Contract) -> None:
    rows = [(n, "A", "i1", "2025-04", True, n % 2 == 0, False, None) for n in range(20)]
    write(tmp_path / "a.parquet", rows, RECORD_EXTRACT_SCHEMA)
    restated = write(
        tmp_path / "b.parquet",
        [(n, "A", "i1", "2025-04", True, True, False, None) for n in range(20)],
        RECORD_EXTRACT_SCHEMA,
    )
    extracts, findings = read_extracts(tmp_path, contract, check_duplicates=True, restated=(restated,))
    assert findings == [] and extracts is not None
    assert extracts.monthly.select("numerator", "denominator").rows() == [(20, 20)]


# The command: run --restated, and verify of such a run

runner = CliRunner()
CONTRACT = ROOT / "contracts" / "diabetes-alliance.yaml"
SAMPLE = ROOT / "sample_data" / "diabetes-alliance"


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stderr


@pytest.fixture(scope="module")
def corrected_q3(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample extracts with a corrected file of some Q3 cells beside them (`data`), and the
    same extracts with the correction merged into the Q3 file instead (`merged`)."""
    root = tmp_path_factory.mktemp("corrected")
    data, merged = root / "data", root / "merged"
    shutil.copytree(SAMPLE, data)
    shutil.copytree(SAMPLE, merged)
    q3 = pl.read_parquet(SAMPLE / "2025-26-Q3.parquet")
    changed = (pl.col("indicator_id") == "hba1c_control") & pl.col("period").is_in(["2025-10", "2025-11"])
    corrected = q3.filter(changed).with_columns(pl.col("numerator") // 2)
    corrected.write_parquet(data / "2025-26-Q3-restated.parquet")
    pl.concat([q3.filter(~changed), corrected]).write_parquet(merged / "2025-26-Q3.parquet")
    return data, merged


def test_run_refuses_a_corrected_file_beside_the_original(
    corrected_q3: tuple[Path, Path], tmp_path: Path
) -> None:
    code, stderr = invoke(
        "run",
        str(CONTRACT),
        "--data",
        str(corrected_q3[0]),
        "--period",
        "2025-26-Q3",
        "--out",
        str(tmp_path / "out"),
        "-q",
    )
    assert (
        code == 3
        and "D022" in stderr
        and "2025-26-Q3-restated.parquet" in stderr
        and "2025-26-Q3.parquet" in stderr
    )
    assert not (tmp_path / "out").exists()


def test_run_with_restated_pays_what_the_merged_corrected_file_pays_and_verifies(
    corrected_q3: tuple[Path, Path], tmp_path: Path
) -> None:
    data, merged = corrected_q3
    common = ["--period", "2025-26-Q3", "-q", "--format", "html"]
    code, stderr = invoke(
        "run",
        str(CONTRACT),
        "--data",
        str(data),
        "--restated",
        str(data / "2025-26-Q3-restated.parquet"),
        "--out",
        str(tmp_path / "restated"),
        *common,
    )
    assert code == 0, stderr
    code, stderr = invoke(
        "run", str(CONTRACT), "--data", str(merged), "--out", str(tmp_path / "merged"), *common
    )
    assert code == 0, stderr
    assert pl.read_parquet(tmp_path / "restated" / "ledger.parquet").equals(
        pl.read_parquet(tmp_path / "merged" / "ledger.parquet")
    )
    parameters = json.loads((tmp_path / "restated" / "manifest.json").read_text())["parameters"]
    assert parameters["restated"] == ["2025-26-Q3-restated.parquet"]
    assert "restated" not in json.loads((tmp_path / "merged" / "manifest.json").read_text())["parameters"]
    code, stderr = invoke("verify", str(tmp_path / "restated"))
    assert code == 0, stderr


def test_run_with_a_restated_file_outside_the_data_is_a_usage_error(
    corrected_q3: tuple[Path, Path], tmp_path: Path
) -> None:
    data, merged = corrected_q3
    code, stderr = invoke(
        "run",
        str(CONTRACT),
        "--data",
        str(merged),
        "--restated",
        str(data / "2025-26-Q3-restated.parquet"),
        "--period",
        "2025-26-Q3",
        "--out",
        str(tmp_path / "out"),
        "-q",
    )
    assert code == 2 and "R002" in stderr
