"""`obc-settle template`: the data-collection workbook providers fill in, and read back."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app
from obc_settle.extracts.excel_source import read_excel_text, stamp_of
from obc_settle.extracts.text_table import typed

runner = CliRunner()
DIABETES = ROOT / "contracts" / "diabetes-alliance.yaml"


def template(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["template", str(DIABETES), "--period", "2025-26-Q3", *args])
    return result.exit_code, result.stdout, result.stderr


def test_one_row_per_provider_indicator_and_month_keys_locked_and_only_needed_cells_open(
    tmp_path: Path,
) -> None:
    code, stdout, stderr = template("--out", str(tmp_path / "returns.xlsx"))
    assert code == 0, stderr
    assert "rows to fill" in stdout
    book = openpyxl.load_workbook(tmp_path / "returns.xlsx")
    assert book.sheetnames == ["Returns", "Instructions", "obc-settle"]
    assert book["obc-settle"].sheet_state == "hidden"
    sheet = book["Returns"]
    assert sheet.protection.sheet
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "provider_id",
        "indicator_id",
        "period",
        "numerator",
        "denominator",
        "value_sum",
        "value_count",
    ]
    rows = list(sheet.iter_rows(min_row=2))
    keys = {(r[0].value, r[1].value, r[2].value) for r in rows}
    assert len(keys) == len(rows)
    assert {r[2].value for r in rows} == {"2025-10", "2025-11", "2025-12"}
    for row in rows:
        assert all(cell.protection.locked for cell in row[:3])
        is_mean = row[1].value == "confidence_score"
        open_cells = [header[i] for i, cell in enumerate(row) if not cell.protection.locked]
        assert open_cells == (["value_sum", "value_count"] if is_mean else ["numerator", "denominator"])
    formulas = [rule.formula1 for rule in sheet.data_validations.dataValidation]
    assert any(f.startswith('AND(ISNUMBER(D2),D2>=0,D2=INT(D2),OR(E2="",D2<=E2))') for f in formulas)


def test_the_stamp_names_the_contract_and_period(tmp_path: Path) -> None:
    template("--out", str(tmp_path / "returns.xlsx"))
    stamp = stamp_of(tmp_path / "returns.xlsx")
    assert stamp is not None
    assert (stamp["contract_id"], stamp["period"], stamp["provider_id"]) == (
        "ih-diabetes-alliance",
        "2025-26-Q3",
        "",
    )
    assert len(stamp["contract_sha256"]) == 64


def test_the_same_inputs_give_the_same_bytes(tmp_path: Path) -> None:
    template("--out", str(tmp_path / "a.xlsx"))
    template("--out", str(tmp_path / "b.xlsx"))
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_per_provider_workbooks_hold_only_that_providers_rows(tmp_path: Path) -> None:
    code, _, stderr = template("--out", str(tmp_path / "each"), "--per-provider")
    assert code == 0, stderr
    files = sorted(path.name for path in (tmp_path / "each").iterdir())
    assert files == ["DSN.xlsx", "HARGP.xlsx", "ISLGP.xlsx", "WHIT.xlsx"]
    sheet = openpyxl.load_workbook(tmp_path / "each" / "DSN.xlsx")["Returns"]
    assert {row[0].value for row in sheet.iter_rows(min_row=2)} == {"DSN"}
    stamp = stamp_of(tmp_path / "each" / "DSN.xlsx")
    assert stamp is not None and stamp["provider_id"] == "DSN"


def test_a_filled_in_return_reads_back_as_an_extract(tmp_path: Path) -> None:
    template("--out", str(tmp_path / "returns.xlsx"))
    book = openpyxl.load_workbook(tmp_path / "returns.xlsx")
    sheet = book["Returns"]
    for number, row in enumerate(sheet.iter_rows(min_row=2), start=1):
        if row[1].value == "confidence_score":
            row[5].value, row[6].value = 7.5 * number, number
        else:
            row[3].value, row[4].value = number, 2 * number
    book.save(tmp_path / "filled.xlsx")
    table = read_excel_text(tmp_path / "filled.xlsx", "filled.xlsx")
    frame, findings = typed(table)
    assert table.findings == [] and findings == []
    assert frame is not None
    filled = frame.collect()
    assert filled.height == sheet.max_row - 1
    first = filled.row(0, named=True)
    assert (first["numerator"], first["denominator"]) == (1, 2)


def test_an_existing_workbook_the_contract_and_a_period_outside_the_term_are_refused(tmp_path: Path) -> None:
    (tmp_path / "returns.xlsx").write_bytes(b"mine")
    code, _, stderr = template("--out", str(tmp_path / "returns.xlsx"))
    assert code == 5
    assert "O001 the file exists; use --force to replace it" in stderr
    assert (tmp_path / "returns.xlsx").read_bytes() == b"mine"
    assert template("--out", str(tmp_path / "returns.xlsx"), "--force")[0] == 0
    result = runner.invoke(
        app, ["template", str(DIABETES), "--period", "2040-41", "--out", str(tmp_path / "x.xlsx")]
    )
    assert result.exit_code == 2
    assert "R001" in result.stderr
    code, _, stderr = template("--out", str(tmp_path / "returns.csv"))
    assert code == 5 and "must end in .xlsx" in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["returns.xlsx"]
