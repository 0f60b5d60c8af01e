"""The Excel statements and report, read back with openpyxl and compared with the ledger to the penny."""

from __future__ import annotations

import dataclasses
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from document_support import RUN_ID, amount, sample_settlement, write_sample_documents

from obc_settle.render.commissioner_report import report_context, report_view
from obc_settle.render.statement_view import statement_context, statement_view
from obc_settle.render.xlsx_commissioner import write_report_xlsx
from obc_settle.render.xlsx_statement import write_statement_xlsx

HOSTILE = ('=HYPERLINK("http://example.com","click")', "+1+1", "-2-2", "@SUM(A1:A9)")


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_documents(tmp_path_factory.mktemp("documents"), formats=("xlsx",))


def table(sheet: openpyxl.worksheet.worksheet.Worksheet) -> list[dict[str, object]]:
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(name) for name in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def exact_pence(pounds: object) -> int:
    """A pounds cell back to pence, with no rounding: it must be a whole number of pence."""
    pence = Decimal(repr(pounds)) * 100
    assert pence == pence.to_integral_value(), pounds
    return int(pence)


def test_every_statement_line_is_the_ledger_line_in_pence_and_pounds(documents: Path) -> None:
    contract, ledger = sample_settlement()
    for provider in contract.providers:
        book = openpyxl.load_workbook(documents / "statements" / f"{provider.id}.xlsx")
        assert book.sheetnames == ["Summary", "Lines", "Ledger"]
        expected = ledger.filter(pl.col("party_id") == provider.id).sort("line_no").to_dicts()
        lines = table(book["Lines"])
        assert len(lines) == len(expected)
        for row, line in zip(lines, expected, strict=True):
            assert row["Line no"] == line["line_no"]
            assert row["Kind"] == line["kind"]
            assert row["Amount (pence)"] == line["amount_pence"]
            assert exact_pence(row["Amount (£)"]) == line["amount_pence"]
            if line["available_pence"] is not None:
                assert exact_pence(row["Available (£)"]) == line["available_pence"]
        payments = sum(int(row["Amount (pence)"]) for row in lines if row["Kind"] == "payment")  # type: ignore[call-overload]
        assert payments == amount(ledger, provider.id, "net_payable")


def test_the_ledger_sheet_holds_every_column_of_the_ledger(documents: Path) -> None:
    contract, ledger = sample_settlement()
    provider = contract.providers[0]
    sheet = openpyxl.load_workbook(documents / "statements" / f"{provider.id}.xlsx")["Ledger"]
    rows = table(sheet)
    expected = ledger.filter(pl.col("party_id") == provider.id).sort("line_no").to_dicts()
    for row, line in zip(rows, expected, strict=True):
        for column, value in line.items():
            if value is None:
                assert row[column] is None, column
            elif isinstance(value, Decimal):
                assert Decimal(repr(row[column])) == value.normalize() or float(value) == row[column], column
            else:
                assert row[column] == value, column
            if column.endswith("_pence") and value is not None:
                assert exact_pence(row[column.removesuffix("_pence") + "_pounds"]) == value


def test_sheets_are_filterable_with_frozen_headers_widths_and_pound_formats(documents: Path) -> None:
    contract, _ = sample_settlement()
    book = openpyxl.load_workbook(documents / "statements" / f"{contract.providers[0].id}.xlsx")
    for name in ("Lines", "Ledger"):
        sheet = book[name]
        assert sheet.freeze_panes == "B2"
        assert sheet.auto_filter.ref == sheet.dimensions
        assert all(cell.font.b for cell in sheet[1])
        assert min(dimension.width for dimension in sheet.column_dimensions.values()) >= 8
    lines = book["Lines"]
    header = [cell.value for cell in lines[1]]
    pounds_cell = lines.cell(row=2, column=header.index("Amount (£)") + 1)
    assert "£" in pounds_cell.number_format and "0.00" in pounds_cell.number_format
    assert lines.cell(row=2, column=header.index("Amount (pence)") + 1).number_format == "#,##0"
    summary = book["Summary"]
    values = [cell.value for row in summary.iter_rows() for cell in row]
    assert RUN_ID in values and "Net payable to you" in values


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path: Path) -> None:
    contract, ledger = sample_settlement()
    provider = contract.providers[0]
    context = statement_context(contract, provider.id, RUN_ID)
    hostile = dataclasses.replace(
        context,
        provider_name=HOSTILE[0],
        contract_name=HOSTILE[1],
        indicator_names=dict.fromkeys(context.indicator_names, HOSTILE[2]),
        domain_names=dict.fromkeys(context.domain_names, HOSTILE[3]),
    )
    noted = ledger.with_columns(note=pl.lit(HOSTILE[0]))
    path = tmp_path / "hostile.xlsx"
    write_statement_xlsx(statement_view(noted, provider.id, hostile), path)
    with zipfile.ZipFile(path) as archive:
        sheets = [
            archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/")
        ]
    assert sheets and not any("<f>" in sheet or "<f " in sheet for sheet in sheets)
    book = openpyxl.load_workbook(path)
    seen = {
        cell.value for sheet in book for row in sheet.iter_rows() for cell in row if cell.data_type == "s"
    }
    assert not any(cell.data_type == "f" for sheet in book for row in sheet.iter_rows() for cell in row)
    for text in HOSTILE:
        assert any(isinstance(value, str) and value.startswith(text) for value in seen), text


def test_two_workbooks_of_the_same_ledger_are_byte_identical_and_dated_by_the_period(tmp_path: Path) -> None:
    contract, ledger = sample_settlement()
    provider = contract.providers[0]
    paths = [tmp_path / "one.xlsx", tmp_path / "two.xlsx"]
    for path in paths:
        write_statement_xlsx(
            statement_view(ledger, provider.id, statement_context(contract, provider.id, RUN_ID)), path
        )
    assert paths[0].read_bytes() == paths[1].read_bytes()
    properties = openpyxl.load_workbook(paths[0]).properties
    assert properties.created is not None and properties.created.isoformat().startswith("2025-12-31")
    with zipfile.ZipFile(paths[0]) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    reports = [tmp_path / "r1.xlsx", tmp_path / "r2.xlsx"]
    for path in reports:
        write_report_xlsx(report_view(ledger, report_context(contract, RUN_ID)), path)
    assert reports[0].read_bytes() == reports[1].read_bytes()


def test_the_commissioner_workbook_adds_up_to_the_ledger(documents: Path) -> None:
    contract, ledger = sample_settlement()
    book = openpyxl.load_workbook(documents / "report" / "commissioner.xlsx")
    assert book.sheetnames == [
        "Summary",
        "Providers",
        "Indicators",
        "Ledger",
        *(p.id for p in contract.providers),
    ]
    providers = table(book["Providers"])
    assert [row["Provider id"] for row in providers] == [p.id for p in contract.providers]
    for row in providers:
        provider_id = str(row["Provider id"])
        for header, line_type in (
            ("Base payment", "base_payment"),
            ("Withheld", "withheld"),
            ("Earned", "outcome"),
            ("Net payable", "net_payable"),
        ):
            assert row[f"{header} (pence)"] == amount(ledger, provider_id, line_type)
            assert exact_pence(row[f"{header} (£)"]) == amount(ledger, provider_id, line_type)
    assert sum(float(row["Share of earned"]) for row in providers) == pytest.approx(1.0)  # type: ignore[arg-type]
    indicators = table(book["Indicators"])
    retained = ledger.filter(pl.col("line_type") == "retained").to_dicts()
    assert [row["Indicator id"] for row in indicators] == [line["indicator_id"] for line in retained]
    for row, line in zip(indicators, retained, strict=True):
        assert row["Retained (pence)"] == line["amount_pence"] and row["Pool (pence)"] == line["pool_pence"]
        earned = ledger.filter(
            (pl.col("line_type") == "outcome") & (pl.col("indicator_id") == line["indicator_id"])
        )
        assert row["Earned by providers (pence)"] == int(earned["amount_pence"].sum())
        for provider in contract.providers:
            mine = earned.filter(pl.col("party_id") == provider.id)["amount_pence"].to_list()
            cell = row[f"Earned: {provider.id} (£)"]
            assert (cell is None and not mine) or exact_pence(cell) == sum(mine)
    assert len(table(book["Ledger"])) == ledger.height
    for provider in contract.providers:
        assert len(table(book[provider.id])) == ledger.filter(pl.col("party_id") == provider.id).height
