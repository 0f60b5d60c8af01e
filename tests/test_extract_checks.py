"""Extract checks: every problem in every file found in one pass, with counts and first rows.

Parquet files are written into tmp_path with polars. The contract (from engine_support) has
providers A, B, C; a proportion indicator `i1`, a rate indicator `r1` and a mean indicator `m1`;
term 2025-04-01 to 2026-03-31, so periods 2025-04 to 2026-03 are inside it.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from engine_support import contract_from, three_kinds_contract

from obc_settle.contract.models import Contract
from obc_settle.errors import Diagnostic, Severity
from obc_settle.extracts import read_extracts
from obc_settle.extracts.schema import MONTHLY_SCHEMA


@pytest.fixture(scope="module")
def contract() -> Contract:
    return three_kinds_contract()


COUNT_SCHEMA = {
    "provider_id": pl.String,
    "indicator_id": pl.String,
    "period": pl.String,
    "numerator": pl.Int64,
    "denominator": pl.Int64,
}


def write(path: Path, rows: list[tuple[Any, ...]], schema: dict[str, Any] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(rows, schema=schema or COUNT_SCHEMA, orient="row").write_parquet(path)
    return path


def errors(findings: list[Diagnostic]) -> list[Diagnostic]:
    return [f for f in findings if f.severity is Severity.ERROR]


def only(findings: list[Diagnostic], code: str) -> Diagnostic:
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, [f.render() for f in findings]
    return matching[0]


def test_a_clean_extract_is_read_and_summed_by_month(tmp_path: Path, contract: Contract) -> None:
    path = write(tmp_path / "q1.parquet", [("A", "i1", "2025-04", 6, 10), ("B", "i1", "2025-04", 7, 10)])
    extracts, findings = read_extracts(path, contract)
    assert findings == []
    assert extracts is not None
    assert extracts.monthly.schema == pl.Schema(MONTHLY_SCHEMA)
    assert extracts.monthly.height == 2
    assert [f.rows for f in extracts.files] == [2]


def test_missing_key_and_measure_columns_are_each_reported(tmp_path: Path, contract: Contract) -> None:
    path = write(tmp_path / "x.parquet", [("A", "i1")], {"provider_id": pl.String, "indicator_id": pl.String})
    extracts, findings = read_extracts(path, contract)
    assert extracts is None
    assert sorted(f.code for f in findings) == ["D002", "D002"]
    messages = " | ".join(f.message for f in findings)
    assert "'period'" in messages
    assert "numerator" in messages and "value_sum" in messages


def test_mistyped_columns_are_reported(tmp_path: Path, contract: Contract) -> None:
    schema = {**COUNT_SCHEMA, "provider_id": pl.Int64, "numerator": pl.String}
    path = write(tmp_path / "x.parquet", [(1, "i1", "2025-04", "6", 10)], schema)
    extracts, findings = read_extracts(path, contract)
    assert extracts is None
    assert sorted((f.code, f.message.split(":")[0]) for f in findings) == [
        ("D003", "column numerator"),
        ("D003", "column provider_id"),
    ]


def test_nulls_in_key_columns_are_counted_with_the_first_row(tmp_path: Path, contract: Contract) -> None:
    rows = [
        ("A", "i1", "2025-04", 1, 2),
        ("A", "i1", "2025-05", 1, 2),
        (None, "i1", "2025-06", 1, 2),  # row 3
        ("B", "i1", "2025-06", 1, 2),
        (None, "i1", "2025-07", 1, 2),  # row 5
        ("B", None, "2025-07", 1, 2),  # row 6
    ]
    extracts, findings = read_extracts(write(tmp_path / "x.parquet", rows), contract)
    assert extracts is None
    null_findings = [f for f in findings if f.code == "D004"]
    assert len(null_findings) == 2
    provider = next(f for f in null_findings if "provider_id" in f.message)
    assert "column provider_id: 2 rows null" in provider.message
    assert "e.g. row 3" in provider.message
    indicator_finding = next(f for f in null_findings if "indicator_id" in f.message)
    assert "column indicator_id: 1 row null" in indicator_finding.message
    assert "e.g. row 6" in indicator_finding.message


def test_negative_counts_are_reported(tmp_path: Path, contract: Contract) -> None:
    rows = [("A", "i1", "2025-04", 1, 2), ("A", "i1", "2025-05", 1, -2), ("A", "i1", "2025-06", -1, -3)]
    extracts, findings = read_extracts(write(tmp_path / "x.parquet", rows), contract)
    assert extracts is None
    negatives = sorted(f.message for f in findings if f.code == "D005")
    assert negatives == [
        "column denominator: 2 rows negative, e.g. row 2",
        "column numerator: 1 row negative, e.g. row 3",
    ]


def test_a_numerator_above_its_denominator_is_an_error_for_a_proportion_only(
    tmp_path: Path, contract: Contract
) -> None:
    rows = [
        ("A", "r1", "2025-04", 50, 10),  # rate: 50 events among 10 people is possible
        ("A", "i1", "2025-04", 11, 10),  # row 2, proportion: 11 of 10 is not
        ("B", "i1", "2025-04", 10, 10),  # equal is fine
    ]
    extracts, findings = read_extracts(write(tmp_path / "x.parquet", rows), contract)
    assert extracts is None
    assert [f.code for f in errors(findings)] == ["D006"]
    assert "1 row above the denominator" in findings[0].message and "e.g. row 2" in findings[0].message

    rate_only = write(tmp_path / "rate" / "y.parquet", [("A", "r1", "2025-04", 50, 10)])
    extracts, findings = read_extracts(rate_only, contract)
    assert findings == [] and extracts is not None


def test_an_unknown_provider_is_reported_with_its_value(tmp_path: Path, contract: Contract) -> None:
    rows = [("A", "i1", "2025-04", 1, 2), ("Z9", "i1", "2025-04", 1, 2), ("Z9", "i1", "2025-05", 1, 2)]
    extracts, findings = read_extracts(write(tmp_path / "x.parquet", rows), contract)
    assert extracts is None
    finding = only(findings, "D007")
    assert "2 rows" in finding.message and "'Z9'" in finding.message and "e.g. row 2" in finding.message


def test_an_unknown_indicator_is_reported_with_its_value(tmp_path: Path, contract: Contract) -> None:
    rows = [("A", "hba1c", "2025-04", 1, 2)]
    extracts, findings = read_extracts(write(tmp_path / "x.parquet", rows), contract)
    assert extracts is None
    finding = only(findings, "D008")
    assert "'hba1c'" in finding.message and "e.g. row 1" in finding.message


def test_periods_outside_the_term_are_reported(tmp_path: Path, contract: Contract) -> None:
    rows = [
        ("A", "i1", "2025-03", 1, 2),  # the month before the term starts
        ("A", "i1", "2025-04", 1, 2),  # first month
        ("A", "i1", "2026-03", 1, 2),  # last month
        ("A", "i1", "2026-04", 1, 2),  # the month after
    ]
    extracts, findings = read_extracts(write(tmp_path / "x.parquet", rows), contract)
    assert extracts is None
    finding = only(findings, "D009")
    assert "2 rows" in finding.message and "'2025-03'" in finding.message and "'2026-04'" in finding.message
    assert "2025-04 to 2026-03" in finding.message
    assert "e.g. row 1" in finding.message


def test_period_text_not_of_the_form_yyyy_mm_is_reported_and_not_also_called_outside_the_term(
    tmp_path: Path, contract: Contract
) -> None:
    rows = [
        ("A", "i1", "2025-04", 1, 2),
        ("A", "i1", "2025-13", 1, 2),
        ("A", "i1", "2025/05", 1, 2),
        ("A", "i1", "2025-5", 1, 2),
    ]
    extracts, findings = read_extracts(write(tmp_path / "x.parquet", rows), contract)
    assert extracts is None
    assert [f.code for f in findings] == ["D010"]
    assert "3 rows" in findings[0].message and "e.g. row 2" in findings[0].message


def test_a_date_typed_period_column_is_read_as_its_month(tmp_path: Path, contract: Contract) -> None:
    from datetime import date

    schema = {**COUNT_SCHEMA, "period": pl.Date}
    rows = [("A", "i1", date(2025, 4, 1), 1, 2), ("A", "i1", date(2025, 4, 30), 3, 4)]
    extracts, findings = read_extracts(write(tmp_path / "x.parquet", rows, schema), contract)
    assert findings == [] and extracts is not None
    # Both days are in April 2025: 1 + 3 = 4 over 2 + 4 = 6.
    assert extracts.monthly.select("period", "numerator", "denominator", "rows").rows() == [
        ("2025-04", Decimal("4"), Decimal("6"), 2)
    ]


def test_an_empty_folder_has_no_extract_files(tmp_path: Path, contract: Contract) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "notes.txt").write_text("not an extract")
    extracts, findings = read_extracts(tmp_path / "data", contract)
    assert extracts is None
    assert [f.code for f in findings] == ["D011"]


def test_a_path_that_does_not_exist_cannot_be_read(tmp_path: Path, contract: Contract) -> None:
    extracts, findings = read_extracts(tmp_path / "missing", contract)
    assert extracts is None
    assert [f.code for f in findings] == ["D001"]


def test_a_file_that_is_not_parquet_is_reported_and_the_other_files_are_still_checked(
    tmp_path: Path, contract: Contract
) -> None:
    (tmp_path / "a_bad.parquet").write_text("provider_id,indicator_id\nA,i1\n")
    write(tmp_path / "b_good.parquet", [("Z", "i1", "2025-04", 1, 2)])
    extracts, findings = read_extracts(tmp_path, contract)
    assert extracts is None
    assert sorted((f.code, Path(f.location.file).name) for f in findings) == [
        ("D001", "a_bad.parquet"),
        ("D007", "b_good.parquet"),
    ]


def test_several_problems_in_one_file_are_all_reported_in_one_pass(
    tmp_path: Path, contract: Contract
) -> None:
    rows = [
        ("A", "i1", "2025-04", 1, 2),
        (None, "i1", "2025-04", 1, 2),  # row 2: null provider
        ("Q", "i1", "2025-04", 1, 2),  # row 3: unknown provider
        ("A", "nope", "2025-04", 1, 2),  # row 4: unknown indicator
        ("A", "i1", "2024-04", 1, 2),  # row 5: before the term
        ("A", "i1", "April", 1, 2),  # row 6: not YYYY-MM
        ("A", "i1", "2025-05", -1, 2),  # row 7: negative numerator
        ("A", "i1", "2025-05", 5, 2),  # row 8: numerator above denominator
    ]
    path = write(tmp_path / "x.parquet", rows)
    extracts, findings = read_extracts(path, contract)
    assert extracts is None
    found = sorted((f.code, f.message.rsplit("row ", 1)[-1]) for f in findings)
    assert found == [
        ("D004", "2"),
        ("D005", "7"),
        ("D006", "8"),
        ("D007", "3"),
        ("D008", "4"),
        ("D009", "5"),
        ("D010", "6"),
    ]
    assert all(f.location.file == str(path) for f in findings)
    # The null provider in row 2 is a D004, not also an unknown provider: D007 counts 1 row.
    assert "1 row with a provider" in only(findings, "D007").message


def test_a_nan_numerator_is_reported_as_not_finite_and_not_as_above_the_denominator(
    tmp_path: Path, contract: Contract
) -> None:
    schema = {**COUNT_SCHEMA, "numerator": pl.Float64, "denominator": pl.Float64}
    rows = [("A", "i1", "2025-04", 1.0, 2.0), ("A", "i1", "2025-05", float("nan"), 2.0)]
    extracts, findings = read_extracts(write(tmp_path / "x.parquet", rows, schema), contract)
    assert extracts is None
    # NaN is not a number at all, so it is one D003 finding; NaN is not "above" 2.0.
    assert [(f.code, f.message) for f in findings] == [
        ("D003", "column numerator: 1 row NaN or infinite, e.g. row 2")
    ]


def test_a_null_denominator_counts_as_zero_so_a_positive_numerator_is_above_it(
    tmp_path: Path, contract: Contract
) -> None:
    # The schema says nulls in measure columns count as zero: row 1 is 5 of 0 for a proportion,
    # which must be D006 (otherwise the month sums to 5 + 1 of 0 + 2 = 3.0, a proportion above 1);
    # and a null denominator on a proportion's row is itself refused (D021).
    rows = [("A", "i1", "2025-05", 5, None), ("A", "i1", "2025-06", 1, 2)]
    extracts, findings = read_extracts(write(tmp_path / "x.parquet", rows), contract)
    assert extracts is None
    assert [f.code for f in errors(findings)] == ["D006", "D021"]
    assert "e.g. row 1" in findings[0].message


def test_the_share_rules_quantity_is_a_known_indicator_id_in_extracts(tmp_path: Path) -> None:
    contract = contract_from(share_rule={"method": "by_quantity", "quantity": "registered"})
    rows = [("A", "registered", "2025-05", 120, 0), ("A", "i1", "2025-05", 1, 2)]
    extracts, findings = read_extracts(write(tmp_path / "x.parquet", rows), contract)
    assert findings == [] and extracts is not None
    assert sorted(extracts.monthly.get_column("indicator_id").to_list()) == ["i1", "registered"]


def test_a_date_typed_period_outside_the_term_is_reported(tmp_path: Path, contract: Contract) -> None:
    from datetime import date

    schema = {**COUNT_SCHEMA, "period": pl.Date}
    rows = [("A", "i1", date(2025, 4, 1), 1, 2), ("A", "i1", date(2026, 4, 1), 1, 2)]
    extracts, findings = read_extracts(write(tmp_path / "x.parquet", rows, schema), contract)
    assert extracts is None
    finding = only(findings, "D009")
    assert "1 row" in finding.message and "e.g. row 2" in finding.message


def test_a_mean_with_values_but_no_count_is_reported(tmp_path: Path, contract: Contract) -> None:
    schema = {
        "provider_id": pl.String,
        "indicator_id": pl.String,
        "period": pl.String,
        "value_sum": pl.Float64,
        "value_count": pl.Int64,
    }
    rows = [("A", "m1", "2025-04", 70.0, 10), ("A", "m1", "2025-05", 7.0, 0)]
    extracts, findings = read_extracts(write(tmp_path / "x.parquet", rows, schema), contract)
    assert extracts is None
    assert [f.code for f in findings] == ["D012"]
    assert "e.g. row 2" in findings[0].message


def test_an_unknown_column_is_a_warning_and_does_not_block(tmp_path: Path, contract: Contract) -> None:
    schema = {**COUNT_SCHEMA, "comment": pl.String}
    extracts, findings = read_extracts(
        write(tmp_path / "x.parquet", [("A", "i1", "2025-04", 1, 2, "hi")], schema), contract
    )
    assert extracts is not None
    assert [(f.code, f.severity) for f in findings] == [("D013", Severity.WARNING)]


def test_rows_are_summed_across_files_and_across_duplicate_grain_rows(
    tmp_path: Path, contract: Contract
) -> None:
    write(
        tmp_path / "part1.parquet",
        [
            ("A", "i1", "2025-04", 3, 10),
            ("A", "i1", "2025-04", 4, 10),  # same grain as the row above
            ("B", "i1", "2025-04", 1, 5),
        ],
    )
    write(
        tmp_path / "sub" / "part2.parquet",
        [
            ("A", "i1", "2025-05", 2, 5),  # another month, in another file (the same month would be D022)
            ("A", "i1", "2025-05", 7, 7),
        ],
    )
    extracts, findings = read_extracts(tmp_path, contract)
    assert findings == [] and extracts is not None
    assert len(extracts.files) == 2
    # A/i1/2025-04: numerators 3 + 4 = 7, denominators 10 + 10 = 20, from 2 rows.
    assert extracts.monthly.select(
        "provider_id", "indicator_id", "period", "numerator", "denominator", "rows"
    ).rows() == [
        ("A", "i1", "2025-04", Decimal("7"), Decimal("20"), 2),
        ("A", "i1", "2025-05", Decimal("9"), Decimal("12"), 2),
        ("B", "i1", "2025-04", Decimal("1"), Decimal("5"), 1),
    ]


def test_float_measures_are_summed_exactly_to_six_places(tmp_path: Path, contract: Contract) -> None:
    schema = {
        "provider_id": pl.String,
        "indicator_id": pl.String,
        "period": pl.String,
        "value_sum": pl.Float64,
        "value_count": pl.Int64,
    }
    # 0.1 + 0.2 as floats is 0.30000000000000004; as six-place decimals it is 0.3.
    rows = [("A", "m1", "2025-04", 0.1, 1), ("A", "m1", "2025-04", 0.2, 1)]
    extracts, findings = read_extracts(write(tmp_path / "x.parquet", rows, schema), contract)
    assert findings == [] and extracts is not None
    row = extracts.monthly.row(0, named=True)
    assert row["value_sum"] == Decimal("0.3")
    assert row["value_count"] == 2
    # Count columns are absent in this file: they read as zero.
    assert row["numerator"] == Decimal("0") and row["denominator"] == Decimal("0")
