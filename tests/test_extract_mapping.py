"""A mapping file turns an extract in another shape (names, codes, months, long measure/value)
into the schema's, and every column or code it cannot map is a located finding."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from obc_settle.extracts.csv_source import read_csv_text
from obc_settle.extracts.mapping import load_mapping
from obc_settle.extracts.mapping_apply import apply_mapping
from obc_settle.extracts.text_table import typed

QOF_MAPPING = """\
mapping_version: 1
columns:
  PRACTICE_CODE: provider_id
  INDICATOR_CODE: indicator_id
  ACH_MONTH: period
period_format: Mon-YY
long:
  measure_column: MEASURE
  value_column: VALUE
  measures:
    NUMERATOR: numerator
    DENOMINATOR: denominator
codes:
  indicator_id:
    DM036: hba1c_control
    DM014: structured_education
  provider_id:
    F83004: WHIT
"""

QOF_CSV = """\
PRACTICE_CODE,INDICATOR_CODE,ACH_MONTH,MEASURE,VALUE
F83004,DM036,Oct-25,NUMERATOR,412
F83004,DM036,Oct-25,DENOMINATOR,590
F83004,DM036,Oct-25,PCAS,14
F83004,DM014,Nov-25,DENOMINATOR,30
F83004,DM014,Nov-25,NUMERATOR,27
"""


def settle_text(tmp_path: Path, csv_text: str, mapping_text: str) -> tuple[pl.DataFrame | None, list[str]]:
    (tmp_path / "mapping.yaml").write_text(mapping_text, encoding="utf-8")
    (tmp_path / "qof.csv").write_text(csv_text, encoding="utf-8")
    used, findings = load_mapping(tmp_path / "mapping.yaml", "mapping.yaml")
    assert used is not None, [f.render() for f in findings]
    mapped = apply_mapping(read_csv_text(tmp_path / "qof.csv", "qof.csv"), used)
    frame, typing = typed(mapped)
    rendered = [finding.render() for finding in mapped.findings + typing]
    return (frame.collect() if frame is not None else None), rendered


def test_a_qof_style_long_csv_becomes_one_row_per_provider_indicator_and_month(tmp_path: Path) -> None:
    frame, findings = settle_text(tmp_path, QOF_CSV, QOF_MAPPING)
    assert findings == [
        "qof.csv: warning D037 1 row of measures the mapping does not list are left out ('PCAS')"
    ]
    assert frame is not None
    assert frame.select("provider_id", "indicator_id", "period", "numerator", "denominator").rows() == [
        ("WHIT", "hba1c_control", "2025-10", 412, 590),
        ("WHIT", "structured_education", "2025-11", 27, 30),
    ]


def test_a_code_the_list_does_not_map_is_refused_at_its_first_cell(tmp_path: Path) -> None:
    csv_text = QOF_CSV + "F83004,AST007,Nov-25,NUMERATOR,3\nY00001,DM036,Nov-25,NUMERATOR,3\n"
    _, findings = settle_text(tmp_path, csv_text, QOF_MAPPING)
    assert (
        "qof.csv:7:2: D038 column indicator_id: 1 row with codes that mapping.yaml does not map ('AST007'): refused; add them under codes.indicator_id"
        in findings
    )
    assert any(f.startswith("qof.csv:8:1: D038 column provider_id: 1 row ") for f in findings)


def test_unmapped_codes_can_be_left_out_with_a_warning(tmp_path: Path) -> None:
    csv_text = QOF_CSV + "F83004,AST007,Nov-25,NUMERATOR,3\n"
    frame, findings = settle_text(tmp_path, csv_text, QOF_MAPPING + "unmapped_codes: leave_out\n")
    assert any("warning D038" in f and "left out" in f for f in findings)
    assert frame is not None
    assert frame.height == 2


def test_a_column_the_mapping_names_but_the_file_lacks_is_located_in_the_mapping(tmp_path: Path) -> None:
    csv_text = QOF_CSV.replace("ACH_MONTH", "MONTH")
    frame, findings = settle_text(tmp_path, csv_text, QOF_MAPPING)
    assert frame is None
    assert findings[0].startswith(
        "mapping.yaml:5:3: D037 column 'ACH_MONTH' is not in the file (its columns: 'PRACTICE_CODE'"
    )


def test_a_month_not_in_the_format_and_a_value_not_a_number_are_located_at_the_source_cell(
    tmp_path: Path,
) -> None:
    csv_text = QOF_CSV + "F83004,DM036,2025-12,NUMERATOR,4\nF83004,DM036,Dec-25,DENOMINATOR,lots\n"
    _, findings = settle_text(tmp_path, csv_text, QOF_MAPPING)
    assert (
        "qof.csv:7:3: D037 column period: 1 cell not months in the mapping's format Mon-YY ('2025-12')"
        in findings
    )
    assert "qof.csv:8:5: D035 column denominator: 1 cell not a number ('lots')" in findings


def test_a_measure_given_twice_for_one_month_is_a_repeated_row(tmp_path: Path) -> None:
    csv_text = QOF_CSV + "F83004,DM036,Oct-25,NUMERATOR,413\n"
    _, findings = settle_text(tmp_path, csv_text, QOF_MAPPING)
    assert any(
        f.startswith("qof.csv:2:4: D019 1 provider_id/indicator_id/period with a measure given twice")
        for f in findings
    )


@pytest.mark.parametrize(
    ("form", "cell", "month"),
    [
        ("YYYY-MM-DD", "2025-10-01", "2025-10"),
        ("YYYYMM", "202510", "2025-10"),
        ("Mon-YY", "Oct-25", "2025-10"),
        ("Month YYYY", "October 2025", "2025-10"),
        ("financial_month", "1", "2025-04"),
        ("financial_month", "9", "2025-12"),
        ("financial_month", "10", "2026-01"),
        ("financial_month", "12", "2026-03"),
    ],
)
def test_each_period_format_gives_the_month(tmp_path: Path, form: str, cell: str, month: str) -> None:
    mapping = f"mapping_version: 1\nperiod_format: {form}\n" + (
        "financial_year: 2025-26\n" if form == "financial_month" else ""
    )
    csv_text = f"provider_id,indicator_id,period,numerator,denominator\nA,i1,{cell},1,2\n"
    frame, findings = settle_text(tmp_path, csv_text, mapping)
    assert findings == []
    assert frame is not None
    assert frame.item(0, "period") == month


def test_constants_fill_a_column_the_file_does_not_have(tmp_path: Path) -> None:
    mapping = "mapping_version: 1\nconstants:\n  indicator_id: hba1c_control\n  provider_id: WHIT\n"
    frame, findings = settle_text(tmp_path, "period,numerator,denominator\n2025-10,5,9\n", mapping)
    assert findings == []
    assert frame is not None
    assert frame.select("provider_id", "indicator_id", "period").row(0) == (
        "WHIT",
        "hba1c_control",
        "2025-10",
    )


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        (
            "mapping_version: 1\ncolums: {}\n",
            "mapping.yaml:2:1: C010 unknown key 'colums' (did you mean 'columns'?)",
        ),
        ("mapping_version: 1\nperiod_format: financial_month\n", "financial_year"),
        ("mapping_version: 1\ncolumns:\n  A: provider\n", "mapping.yaml:3:6: C012"),
        ("columns: {}\n", "C011 required key 'mapping_version' is missing"),
    ],
)
def test_a_bad_mapping_file_is_refused_with_located_findings(tmp_path: Path, text: str, finding: str) -> None:
    (tmp_path / "mapping.yaml").write_text(text, encoding="utf-8")
    used, findings = load_mapping(tmp_path / "mapping.yaml", "mapping.yaml")
    assert used is None
    assert any(finding in f.render() for f in findings), [f.render() for f in findings]


def test_the_mapping_language_has_its_own_json_schema() -> None:
    import json

    from typer.testing import CliRunner

    from obc_settle.cli import app

    result = CliRunner().invoke(app, ["schema", "--mapping"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "obc-settle extract mapping"
    assert schema["required"] == ["mapping_version"]
    assert schema["additionalProperties"] is False
    assert {
        "columns",
        "constants",
        "period_format",
        "long",
        "codes",
        "unmapped_codes",
        "sheet",
        "files",
    } <= set(schema["properties"])
