"""CSV and TSV extracts are typed strictly and every bad cell is located by line and column."""

from __future__ import annotations

import gzip
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from obc_settle.errors import Diagnostic
from obc_settle.extracts.csv_source import csv_separator, read_csv_text
from obc_settle.extracts.text_table import typed

HEADER = "provider_id,indicator_id,period,numerator,denominator,value_sum,value_count\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    data = text.encode(encoding)
    path.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)
    return path


def open_csv(path: Path, name: str) -> tuple[pl.LazyFrame | None, list[str], list[Diagnostic]]:
    """The typed frame, the findings rendered, and the findings (reading, then typing)."""
    table = read_csv_text(path, name)
    frame, typing = typed(table)
    findings = table.findings + typing
    return frame, [finding.render() for finding in findings], findings


@pytest.mark.parametrize(
    ("name", "separator"),
    [
        ("a.csv", ","),
        ("a.CSV", ","),
        ("a.tsv", "\t"),
        ("a.csv.gz", ","),
        ("a.tsv.gz", "\t"),
        ("a.parquet", None),
    ],
)
def test_the_separator_follows_the_name(name: str, separator: str | None) -> None:
    assert csv_separator(Path(name)) == separator


@pytest.mark.parametrize("name", ["q3.csv", "q3.csv.gz"])
def test_cells_are_typed_like_a_parquet_extract(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, HEADER + "A,i1,2025-10, 5 ,10,,\nA,m1,2025-10,,,7.25,2\n")
    scan, _rendered, findings = open_csv(path, name)
    assert findings == []
    assert scan is not None
    frame = scan.collect()
    assert frame.schema["numerator"] == pl.Decimal(38, 6)  # exact, as the monthly sums
    assert frame.schema["value_sum"] == pl.Float64
    assert frame.rows() == [
        ("A", "i1", "2025-10", Decimal(5), Decimal(10), None, None),
        ("A", "m1", "2025-10", None, None, 7.25, 2),
    ]


def test_a_cell_that_is_not_a_number_is_located_by_line_and_column(tmp_path: Path) -> None:
    text = (
        HEADER + "A,i1,2025-10,5,10,,\nA,i1,2025-11,n/a,10,,\nA,i1,2025-12,2.5,10,,\nA,m1,2025-12,,,high,3\n"
    )
    _scan, rendered, _findings = open_csv(write(tmp_path / "q3.csv", text), "q3.csv")
    assert rendered == [
        "q3.csv:3:4: D035 column numerator: 1 cell not a number ('n/a')",
        "q3.csv:5:6: D035 column value_sum: 1 cell not a number ('high')",
    ]


def test_counts_need_not_be_whole_person_years_and_pounds_and_pence_are_read_exactly(tmp_path: Path) -> None:
    """A rate's denominator is person-years (a twelfth of a population), a case-mix expected count
    is fractional, and spend is pounds and pence: each is read exactly, never through a float."""
    text = HEADER + "A,spend,2025-10,21000000.37,,,\nA,r1,2025-10,3,1666.666667,,\n"
    scan, rendered, findings = open_csv(write(tmp_path / "q3.csv", text), "q3.csv")
    assert rendered == [] and findings == []
    assert scan is not None
    frame = scan.collect()
    assert frame["numerator"].to_list() == [Decimal("21000000.37"), Decimal(3)]
    assert frame["denominator"].to_list() == [None, Decimal("1666.666667")]


def test_record_level_flags_read_true_and_false_in_the_usual_spellings(tmp_path: Path) -> None:
    text = "patient_id,provider_id,indicator_id,period,in_denominator,in_numerator\n"
    text += "1,A,i1,2025-10,TRUE,yes\n2,A,i1,2025-10,0,False\n3,A,i1,2025-10,maybe,1\n"
    _scan, rendered, _findings = open_csv(write(tmp_path / "r.csv", text), "r.csv")
    assert rendered == ["r.csv:4:5: D035 column in_denominator: 1 cell not true or false ('maybe')"]


def test_excels_byte_order_mark_is_not_part_of_the_first_column_name(tmp_path: Path) -> None:
    scan, _rendered, findings = open_csv(
        write(tmp_path / "bom.csv", "\ufeff" + HEADER + "A,i1,2025-10,5,10,,\n"), "bom.csv"
    )
    assert scan is not None
    assert scan.collect_schema().names()[0] == "provider_id"
    assert findings == []


def test_windows_1252_is_read_with_a_warning_that_says_so(tmp_path: Path) -> None:
    path = write(tmp_path / "w.csv", HEADER + "Ysbyty Gwynedd Café,i1,2025-10,5,10,,\n", "cp1252")
    scan, _rendered, findings = open_csv(path, "w.csv")
    assert [(f.code, f.severity) for f in findings] == [("D036", "warning")]
    assert "Windows-1252" in findings[0].message
    assert scan is not None
    assert scan.collect().item(0, "provider_id") == "Ysbyty Gwynedd Café"


def test_utf16_is_refused_with_how_to_save_it(tmp_path: Path) -> None:
    scan, rendered, _findings = open_csv(write(tmp_path / "u.csv", HEADER, "utf-16"), "u.csv")
    assert scan is None
    assert rendered == [
        "u.csv: D036 the file is UTF-16 text: save it as 'CSV UTF-8 (comma delimited)' and try again"
    ]


def test_a_line_with_too_many_cells_is_located(tmp_path: Path) -> None:
    text = HEADER + "A,i1,2025-10,5,10,,\nA,i1,2025-11,1,000,10,,\n"
    scan, rendered, _findings = open_csv(write(tmp_path / "q.csv", text), "q.csv")
    assert scan is None
    assert rendered == [
        "q.csv:3: D001 8 cells where the header has 7: an unquoted separator in a number or a name?"
    ]
