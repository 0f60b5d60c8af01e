"""Record-level extracts: one row per person, indicator and month, summed and checked in one pass.

Small files (a few to a few hundred rows) are written into tmp_path. The contract (from
engine_support) has providers A, B, C; a proportion indicator `i1` and a mean indicator `m1`;
term 2025-04-01 to 2026-03-31.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from engine_support import contract_from, domain, indicator
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app
from obc_settle.contract.models import Contract
from obc_settle.errors import CODES, Diagnostic, Severity
from obc_settle.extracts import read_extracts
from obc_settle.extracts.records import RECORD_EXTRACT_SCHEMA
from obc_settle.extracts.schema import MONTHLY_SCHEMA

RECORD = RECORD_EXTRACT_SCHEMA


@pytest.fixture(scope="module")
def contract() -> Contract:
    return contract_from(
        domains=[
            domain(
                "d1",
                "1",
                indicator("i1", weight="0.5"),
                indicator("m1", kind="mean", threshold="6", target="7", weight="0.5"),
            )
        ]
    )


def write(
    path: Path, rows: list[tuple[Any, ...]], schema: dict[str, Any] | None = None, **options: Any
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(rows, schema=schema or RECORD, orient="row").write_parquet(path, **options)
    return path


def errors(findings: list[Diagnostic]) -> list[Diagnostic]:
    return [f for f in findings if f.severity is Severity.ERROR]


def codes_and_rows(findings: list[Diagnostic]) -> list[tuple[str, str]]:
    return sorted((f.code, f.message.rsplit("row ", 1)[-1]) for f in findings)


def sums(extracts: Any, *columns: str) -> list[tuple[Any, ...]]:
    return extracts.monthly.select("provider_id", "indicator_id", "period", *columns).rows()


# (patient, provider, indicator, period, in_denominator, in_numerator, excluded, value)
I1_ROWS = [
    (1, "A", "i1", "2025-04", True, True, False, None),
    (2, "A", "i1", "2025-04", True, False, False, None),
    (3, "A", "i1", "2025-04", True, True, True, None),  # excluded: in neither count, counted as excluded
    (4, "A", "i1", "2025-04", False, False, False, None),  # not eligible: in no count
    (5, "A", "i1", "2025-04", False, False, True, None),  # excluded but not eligible: not an exclusion
    (1, "A", "i1", "2025-05", True, True, False, None),
    (6, "B", "i1", "2025-04", True, True, False, None),
]
M1_ROWS = [
    (1, "A", "m1", "2025-04", True, False, False, 7.5),
    (2, "A", "m1", "2025-04", True, False, False, None),  # no response: in the denominator, no value
    (3, "A", "m1", "2025-04", True, False, True, 1.0),  # excluded: its value is not summed
    (4, "A", "m1", "2025-04", False, False, False, 9.0),  # not eligible: its value is not summed
    (5, "A", "m1", "2025-04", True, False, False, 6.25),
]


def test_records_are_summed_to_provider_indicator_and_month(tmp_path: Path, contract: Contract) -> None:
    extracts, findings = read_extracts(write(tmp_path / "records.parquet", I1_ROWS + M1_ROWS), contract)
    assert findings == [] and extracts is not None
    assert extracts.monthly.schema == pl.Schema(MONTHLY_SCHEMA)
    D = Decimal
    assert sums(extracts, "numerator", "denominator", "value_sum", "value_count", "rows") == [
        ("A", "i1", "2025-04", D(1), D(2), D(0), 0, 5),
        ("A", "i1", "2025-05", D(1), D(1), D(0), 0, 1),
        ("A", "m1", "2025-04", D(0), D(3), D("13.75"), 2, 5),
        ("B", "i1", "2025-04", D(1), D(1), D(0), 0, 1),
    ]
    assert sums(extracts, "excluded") == [  # in the denominator but excluded: counted, not summed
        ("A", "i1", "2025-04", 1),
        ("A", "i1", "2025-05", 0),
        ("A", "m1", "2025-04", 1),
        ("B", "i1", "2025-04", 0),
    ]
    assert [(f.rows, f.record_level) for f in extracts.files] == [(12, True)]


def test_the_excluded_and_value_columns_are_optional(tmp_path: Path, contract: Contract) -> None:
    schema = {name: dtype for name, dtype in RECORD.items() if name not in ("excluded", "value")}
    rows = [(1, "A", "i1", "2025-04", True, True), (2, "A", "i1", "2025-04", True, False)]
    extracts, findings = read_extracts(write(tmp_path / "x.parquet", rows, schema), contract)
    assert findings == [] and extracts is not None
    assert sums(extracts, "numerator", "denominator", "value_count") == [
        ("A", "i1", "2025-04", Decimal(1), Decimal(2), 0)
    ]


def test_record_and_aggregated_files_in_one_folder_are_summed_together(
    tmp_path: Path, contract: Contract
) -> None:
    write(tmp_path / "a_records.parquet", [(1, "A", "i1", "2025-04", True, True, False, None)])
    aggregated = {
        "provider_id": pl.String,
        "indicator_id": pl.String,
        "period": pl.String,
        "numerator": pl.Int64,
        "denominator": pl.Int64,
    }
    write(
        tmp_path / "b_totals.parquet", [("B", "i1", "2025-04", 5, 9)], aggregated
    )  # A's month here too would be D022
    extracts, findings = read_extracts(tmp_path, contract)
    assert findings == [] and extracts is not None
    assert sums(extracts, "numerator", "denominator", "rows") == [
        ("A", "i1", "2025-04", Decimal(1), Decimal(1), 1),
        ("B", "i1", "2025-04", Decimal(5), Decimal(9), 1),
    ]
    assert [f.record_level for f in extracts.files] == [True, False]


def test_values_are_rounded_to_six_places_and_summed_exactly(tmp_path: Path, contract: Contract) -> None:
    rows = [(n, "A", "m1", "2025-04", True, False, False, value) for n, value in enumerate([0.1, 0.2, 1e-7])]
    extracts, findings = read_extracts(write(tmp_path / "x.parquet", rows), contract)
    assert findings == [] and extracts is not None
    # 0.1 + 0.2 is 0.30000000000000004 in floating point; 1e-7 rounds to 0 at six places.
    assert sums(extracts, "value_sum", "value_count") == [("A", "m1", "2025-04", Decimal("0.3"), 3)]


def test_a_date_typed_period_counts_towards_its_month(tmp_path: Path, contract: Contract) -> None:
    from datetime import date

    schema = {**RECORD, "period": pl.Date}
    rows = [
        (1, "A", "i1", date(2025, 4, 1), True, True, False, None),
        (2, "A", "i1", date(2025, 4, 30), True, False, False, None),
    ]
    extracts, findings = read_extracts(write(tmp_path / "x.parquet", rows, schema), contract)
    assert findings == [] and extracts is not None
    assert sums(extracts, "numerator", "denominator", "rows") == [
        ("A", "i1", "2025-04", Decimal(1), Decimal(2), 2)
    ]


def test_a_file_with_record_level_and_aggregated_columns_is_refused(
    tmp_path: Path, contract: Contract
) -> None:
    schema = {**RECORD, "numerator": pl.Int64}
    extracts, findings = read_extracts(
        write(tmp_path / "x.parquet", [(1, "A", "i1", "2025-04", True, True, False, None, 1)], schema),
        contract,
    )
    assert extracts is None
    assert [f.code for f in findings] == ["D002"]
    assert "in_denominator" in findings[0].message and "numerator" in findings[0].message


def test_missing_and_mistyped_record_columns_are_each_reported(tmp_path: Path, contract: Contract) -> None:
    schema = {
        "patient_id": pl.Float64,
        "provider_id": pl.String,
        "indicator_id": pl.String,
        "period": pl.String,
        "in_denominator": pl.Int64,
    }
    extracts, findings = read_extracts(
        write(tmp_path / "x.parquet", [(1.0, "A", "i1", "2025-04", 1)], schema), contract
    )
    assert extracts is None
    assert sorted((f.code, f.message.split(" (")[0].split(":")[0]) for f in findings) == [
        ("D002", "required column 'in_numerator' is missing"),
        ("D003", "column in_denominator"),
        ("D003", "column patient_id"),
    ]


def test_an_unknown_column_in_a_record_file_is_a_warning(tmp_path: Path, contract: Contract) -> None:
    schema = {**RECORD, "practice_code": pl.String}
    rows = [(1, "A", "i1", "2025-04", True, True, False, None, "F83001")]
    extracts, findings = read_extracts(write(tmp_path / "x.parquet", rows, schema), contract)
    assert extracts is not None
    assert [(f.code, f.severity) for f in findings] == [("D013", Severity.WARNING)]
    assert "practice_code" in findings[0].message


def test_every_problem_in_a_record_file_is_reported_with_its_first_row(
    tmp_path: Path, contract: Contract
) -> None:
    rows = [
        (1, "A", "i1", "2025-04", True, True, False, None),
        (None, "A", "i1", "2025-04", True, True, False, None),  # row 2: no patient
        (3, "Z", "i1", "2025-04", True, True, False, None),  # row 3: unknown provider
        (4, "A", "hba1c", "2025-04", True, True, False, None),  # row 4: unknown indicator
        (5, "A", "i1", "2024-04", True, True, False, None),  # row 5: before the term
        (6, "A", "i1", "April", True, True, False, None),  # row 6: not YYYY-MM
        (7, "A", "i1", "2025-05", None, False, False, None),  # row 7: flag not filled
        (8, "A", "i1", "2025-05", False, True, False, None),  # row 8: numerator without denominator
        (9, "A", "m1", "2025-05", False, False, False, float("nan")),  # row 9: NaN (in no count)
        (10, None, "i1", "2025-05", True, True, False, None),  # row 10: no provider
    ]
    path = write(tmp_path / "x.parquet", rows)
    extracts, findings = read_extracts(path, contract)
    assert extracts is None
    assert codes_and_rows(findings) == [
        ("D003", "9"),
        ("D004", "10"),
        ("D004", "2"),
        ("D007", "3"),
        ("D008", "4"),
        ("D009", "5"),
        ("D010", "6"),
        ("D015", "7"),
        ("D016", "8"),
    ]
    assert all(f.location.file == str(path) for f in findings)
    by_code = {f.code: f.message for f in findings}
    assert by_code["D015"] == "column in_denominator: 1 row null (must be true or false), e.g. row 7"
    assert (
        by_code["D016"]
        == "column in_numerator: 1 row in the numerator but not in the denominator, e.g. row 8"
    )
    assert by_code["D003"] == "column value: 1 row NaN or infinite, e.g. row 9"
    assert all(code in CODES for code in by_code)


@pytest.mark.parametrize("counted", [True, False])
def test_an_infinite_value_is_reported_whether_or_not_the_row_is_counted(
    tmp_path: Path, contract: Contract, counted: bool
) -> None:
    rows = [
        (1, "A", "m1", "2025-04", True, False, False, 7.0),
        (2, "A", "m1", "2025-04", counted, False, False, float("inf")),
    ]
    extracts, findings = read_extracts(write(tmp_path / "x.parquet", rows), contract)
    assert extracts is None
    assert [(f.code, f.message) for f in findings] == [
        ("D003", "column value: 1 row NaN or infinite, e.g. row 2")
    ]


def test_problems_are_found_across_row_groups(tmp_path: Path, contract: Contract) -> None:
    rows = [(n, "A", "i1", "2025-04", True, n % 2 == 0, False, None) for n in range(600)]
    rows[450] = (450, "A", "i1", "2025-04", False, True, False, None)
    rows[520] = (520, "A", "i1", "2025-04", False, True, False, None)
    extracts, findings = read_extracts(write(tmp_path / "x.parquet", rows, row_group_size=100), contract)
    assert extracts is None
    assert [(f.code, f.message) for f in findings] == [
        ("D016", "column in_numerator: 2 rows in the numerator but not in the denominator, e.g. row 451")
    ]


def test_duplicates_are_not_checked_unless_asked_for(tmp_path: Path, contract: Contract) -> None:
    rows = [(1, "A", "i1", "2025-04", True, True, False, None)] * 2
    extracts, findings = read_extracts(write(tmp_path / "x.parquet", rows), contract)
    assert findings == [] and extracts is not None
    assert sums(extracts, "denominator") == [("A", "i1", "2025-04", Decimal(2))]


def test_a_repeated_patient_indicator_and_month_is_reported_when_asked_for(
    tmp_path: Path, contract: Contract
) -> None:
    rows = [
        (1, "A", "i1", "2025-04", True, True, False, None),
        (1, "A", "i1", "2025-05", True, True, False, None),  # another month: not a duplicate
        (1, "A", "m1", "2025-04", True, False, False, 7.0),  # another indicator: not a duplicate
        (1, "B", "i1", "2025-04", True, False, False, None),  # row 4: same person, indicator, month
        (2, "A", "i1", "2025-04", True, True, False, None),
        (1, "A", "i1", "2025-04", True, True, False, None),  # row 6: again
    ]
    path = write(tmp_path / "x.parquet", rows)
    extracts, findings = read_extracts(path, contract, check_duplicates=True)
    assert extracts is None
    assert [(f.code, f.message) for f in findings] == [
        (
            "D017",
            "column patient_id: 2 rows repeat the patient_id, indicator_id and period of an earlier row, e.g. row 4",
        )
    ]


def test_the_same_people_in_a_second_file_are_duplicates_of_the_first(
    tmp_path: Path, contract: Contract
) -> None:
    # Under another provider, so the files share no provider x indicator x month (that is D022).
    rows = [(n, "A", "i1", "2025-04", True, n % 3 == 0, False, None) for n in range(50)]
    write(tmp_path / "a_original.parquet", rows)
    write(
        tmp_path / "b_restated.parquet",
        [(n, "B", *rest) for n, _, *rest in rows[:10]]
        + [(99, "B", "i1", "2025-04", True, True, False, None)],
    )
    extracts, findings = read_extracts(tmp_path, contract, check_duplicates=True)
    assert extracts is None
    assert [(Path(f.location.file).name, f.code) for f in findings] == [("b_restated.parquet", "D017")]
    assert "10 rows repeat" in findings[0].message and "e.g. row 1" in findings[0].message


def test_duplicate_patients_are_compared_across_id_types_as_text(tmp_path: Path, contract: Contract) -> None:
    write(tmp_path / "a.parquet", [(7, "A", "i1", "2025-04", True, True, False, None)])
    write(
        tmp_path / "b.parquet",
        [("7", "B", "i1", "2025-04", True, True, False, None)],
        {**RECORD, "patient_id": pl.String},
    )
    _extracts, findings = read_extracts(tmp_path, contract, check_duplicates=True)
    assert [(Path(f.location.file).name, f.code) for f in findings] == [("b.parquet", "D017")]


def test_a_record_extract_settles_like_the_aggregated_extract_it_sums_to(
    tmp_path: Path, contract: Contract
) -> None:
    from obc_settle.engine import settle
    from obc_settle.periods import SettlementPeriod

    records = [
        (
            n,
            "ABC"[n % 3],
            "i1",
            f"2025-{4 + n % 3:02d}",
            n % 7 != 0,
            n % 7 != 0 and n % 4 != 0,
            n % 11 == 0,
            None,
        )
        for n in range(300)
    ] + [
        (n, "ABC"[n % 3], "m1", "2025-05", n % 5 != 0, False, n % 13 == 0, (n % 10) + 0.5 if n % 4 else None)
        for n in range(200)
    ]
    from_records, findings = read_extracts(write(tmp_path / "records" / "r.parquet", records), contract)
    assert findings == [] and from_records is not None
    totals = from_records.monthly.select(
        "provider_id",
        "indicator_id",
        "period",
        pl.col("numerator").cast(pl.Float64),
        pl.col("denominator").cast(pl.Float64),
        pl.col("value_sum").cast(pl.Float64),
        pl.col("value_count"),
    )
    from_totals, findings = read_extracts(
        write(tmp_path / "totals" / "t.parquet", totals.rows(), dict(totals.schema)), contract
    )
    assert findings == [] and from_totals is not None
    year = SettlementPeriod.parse("2025-26")
    by_records = settle(contract, from_records.monthly, year).drop("extract_rows", strict=False)
    by_totals = settle(contract, from_totals.monthly, year).drop("extract_rows", strict=False)
    assert by_records.drop([c for c in by_records.columns if "rows" in c or c == "excluded"]).equals(
        by_totals.drop([c for c in by_totals.columns if "rows" in c or c == "excluded"])
    )
    # only the records say how many people were excluded; the totals cannot
    outcome = pl.col("line_type") == "outcome"
    assert by_records.filter(outcome)["excluded"].sum() > 0
    assert by_totals.filter(outcome)["excluded"].sum() == 0


def test_the_benchmark_generator_is_deterministic(tmp_path: Path) -> None:
    generator = Path(__file__).resolve().parent.parent / "benchmarks" / "generate_records.py"
    for name in ("a.parquet", "b.parquet"):
        subprocess.run([sys.executable, str(generator), "2400", str(tmp_path / name)], check=True)
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    frame = pl.read_parquet(tmp_path / "a.parquet")
    assert dict(frame.schema) == RECORD
    assert (
        frame.select(pl.struct("patient_id", "indicator_id", "period").is_duplicated().any()).item() is False
    )
    assert json.dumps(sorted(frame.get_column("period").unique().to_list())) == json.dumps(
        [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 4)]
    )


def test_run_refuses_repeated_records_only_when_asked(tmp_path: Path) -> None:
    contract_text = (ROOT / "tests" / "bad_inputs" / "_base" / "contract.yaml").read_text()
    contract = tmp_path / "contract.yaml"
    contract.write_text(contract_text)
    rows = [
        ("p1", "ACUTE", "reviews", "2025-10", True, True, False, None),
        ("p1", "ACUTE", "reviews", "2025-10", True, True, False, None),
        ("p2", "GPFED", "reviews", "2025-10", True, False, False, None),
    ]
    schema = {
        "patient_id": pl.String,
        "provider_id": pl.String,
        "indicator_id": pl.String,
        "period": pl.String,
        "in_denominator": pl.Boolean,
        "in_numerator": pl.Boolean,
        "excluded": pl.Boolean,
        "value": pl.Float64,
    }
    data = tmp_path / "data"
    data.mkdir()
    pl.DataFrame(rows, schema=schema, orient="row").write_parquet(data / "records.parquet")
    args = [
        "run",
        str(contract),
        "--data",
        str(data),
        "--period",
        "2025-26-Q3",
        "--format",
        "html",
        "--quiet",
    ]
    assert CliRunner().invoke(app, [*args, "--out", str(tmp_path / "a")]).exit_code == 0
    refused = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "b"), "--check-duplicates"])
    assert refused.exit_code == 3
    assert "D017" in refused.stderr and "e.g. row 2" in refused.stderr
    assert not (tmp_path / "b").exists()


def test_a_record_value_on_another_scale_is_refused_as_mixed_units(tmp_path: Path) -> None:
    contract_text = (ROOT / "tests" / "bad_inputs" / "_base" / "contract.yaml").read_text()
    contract_text = contract_text.replace(
        "          target: 8\n", "          target: 8\n          value_range: {min: 0, max: 10}\n"
    )
    contract = tmp_path / "contract.yaml"
    contract.write_text(contract_text)
    rows = [
        ("p1", "ACUTE", "confidence", "2025-10", True, False, False, 7.5),
        ("p2", "GPFED", "confidence", "2025-10", True, False, False, 75.0),
        ("p3", "GPFED", "confidence", "2025-10", True, False, False, None),
    ]
    schema = {
        "patient_id": pl.String,
        "provider_id": pl.String,
        "indicator_id": pl.String,
        "period": pl.String,
        "in_denominator": pl.Boolean,
        "in_numerator": pl.Boolean,
        "excluded": pl.Boolean,
        "value": pl.Float64,
    }
    data = tmp_path / "data"
    data.mkdir()
    pl.DataFrame(rows, schema=schema, orient="row").write_parquet(data / "records.parquet")
    refused = CliRunner().invoke(
        app,
        ["run", str(contract), "--data", str(data), "--period", "2025-26-Q3", "--out", str(tmp_path / "out")],
    )
    assert refused.exit_code == 3
    assert (
        "D018 column value: 1 row outside the indicator's value_range (mixed units?), e.g. row 2"
        in refused.stderr
    )


def test_the_people_excluded_in_the_records_reach_the_ledger_the_statement_and_explain(
    tmp_path: Path, contract: Contract
) -> None:
    """A QOF-style denominator leaves out people with a personalised care adjustment: the records
    say so (`excluded`), and a provider checking its statement sees how many were left out."""
    from obc_settle.audit.explain import explain_provider
    from obc_settle.audit.explain_text import explanation_lines
    from obc_settle.engine import settle
    from obc_settle.periods import SettlementPeriod
    from obc_settle.render.html_statement import statement_html
    from obc_settle.render.statement_view import statement_context, statement_view

    extracts, findings = read_extracts(write(tmp_path / "records.parquet", I1_ROWS + M1_ROWS), contract)
    assert findings == [] and extracts is not None
    ledger = settle(contract, extracts.monthly, SettlementPeriod.parse("2025-26-Q1"))
    outcome = ledger.filter((pl.col("line_type") == "outcome") & (pl.col("party_id") == "A"))
    assert dict(outcome.select("indicator_id", "excluded").rows()) == {"i1": 1, "m1": 1}
    view = statement_view(ledger, "A", statement_context(contract, "A", "run-1"))
    assert "1 person excluded from the denominator in the records" in statement_html(view)
    document = explain_provider(ledger, contract, "A", "i1", None, "run-1")
    assert document["indicators"][0]["rows"]["excluded"] == 1
    assert any("excluded: 1 in the denominator's records" in line for line in explanation_lines(document))
