"""The registry of data checks: one list per extract kind, run by the readers and documented from
the same records (obc_settle.extracts.registry).

A toy check registered for aggregated extracts is run by the reader and reported by
`obc-settle check` like any other; while it is registered the docs no longer match the registry,
and the docs check says which check is missing. Every toy check is unregistered after its test.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from data_checks_docs import DOCS
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app
from obc_settle.contract import load_contract
from obc_settle.errors import CODES, Diagnostic, Severity
from obc_settle.extracts import read_extracts
from obc_settle.extracts.registry import (
    KINDS,
    FileContext,
    RegistryError,
    RowCheck,
    ScanCheck,
    SchemaCheck,
    SumsCheck,
    all_checks,
    documentation_problems,
    register,
    unregister,
)

BASE = ROOT / "tests" / "bad_inputs" / "_base"
TOY_EXAMPLE = "extract.parquet: D005 column numerator: 1 row equal to 13 (a toy check), e.g. row 2"


def thirteen(context: FileContext) -> list[RowCheck]:
    return [
        RowCheck("toy_thirteen", "D005", "numerator", "equal to 13 (a toy check)", pl.col("numerator") == 13)
    ]


TOY = ScanCheck(
    kind="aggregated",
    codes=("D005",),
    checks="A toy: `numerator` is never 13.",
    example=TOY_EXAMPLE,
    function=thirteen,
)


@pytest.fixture
def toy_check() -> Iterator[ScanCheck]:
    check = register(TOY)
    yield check
    unregister(check)


def assert_documented(text: str) -> None:
    problems = documentation_problems(text)
    assert not problems, (
        "docs/extracts.md does not match the registered data checks; run "
        "`.venv/bin/python tests/data_checks_docs.py` and review the diff:\n" + "\n".join(problems)
    )


def base_copy(tmp_path: Path, numerator_13_in_row: int | None = None) -> tuple[Path, Path]:
    contract = tmp_path / "contract.yaml"
    shutil.copy(BASE / "contract.yaml", contract)
    data = tmp_path / "data"
    shutil.copytree(BASE / "data", data)
    if numerator_13_in_row is not None:
        path = data / "extract.parquet"
        frame = pl.read_parquet(path).with_row_index("__row", offset=1)
        frame = frame.with_columns(
            numerator=pl.when(pl.col("__row") == numerator_13_in_row).then(13).otherwise(pl.col("numerator"))
        )
        frame.drop("__row").write_parquet(path)
    return contract, data


def test_the_docs_tables_are_those_of_the_registered_checks() -> None:
    assert_documented(DOCS.read_text(encoding="utf-8"))


def test_every_kind_has_checks_and_every_code_is_in_the_catalogue() -> None:
    for kind in KINDS:
        checks = all_checks(kind)
        assert checks, kind
        assert all(code in CODES for check in checks for code in check.codes)


def test_a_toy_check_is_run_by_the_reader_for_its_kind(tmp_path: Path, toy_check: ScanCheck) -> None:
    contract, data = base_copy(tmp_path, numerator_13_in_row=2)
    loaded, _ = load_contract(contract)
    assert loaded is not None
    extracts, findings = read_extracts(data, loaded.contract, display_root=tmp_path)
    assert extracts is None
    toy_findings = [f for f in findings if "toy" in f.message]
    assert [f.render() for f in toy_findings] == [f"data/{TOY_EXAMPLE}"]


def test_a_toy_check_finds_nothing_in_a_file_that_does_not_trip_it(
    tmp_path: Path, toy_check: ScanCheck
) -> None:
    contract, data = base_copy(tmp_path)
    loaded, _ = load_contract(contract)
    assert loaded is not None
    extracts, findings = read_extracts(data, loaded.contract)
    assert extracts is not None
    assert not [f for f in findings if f.severity is Severity.ERROR]


def test_obc_settle_check_reports_a_toy_checks_finding(tmp_path: Path, toy_check: ScanCheck) -> None:
    contract, data = base_copy(tmp_path, numerator_13_in_row=2)
    result = CliRunner().invoke(
        app,
        ["check", str(contract), "--data", str(data / "extract.parquet"), "--period", "2025-26-Q3"],
        env={"NO_COLOR": "1", "COLUMNS": "200"},
    )
    assert result.exit_code == 3
    assert (
        f"{data / 'extract.parquet'}: D005 column numerator: 1 row equal to 13 (a toy check), e.g. row 2"
        in (result.stderr.splitlines())
    )


def test_the_docs_check_fails_loudly_for_an_undocumented_check(toy_check: ScanCheck) -> None:
    with pytest.raises(AssertionError, match=r"aggregated check thirteen \(D005\) is not documented"):
        assert_documented(DOCS.read_text(encoding="utf-8"))


def test_the_toy_check_is_gone_once_unregistered(toy_check: ScanCheck) -> None:
    unregister(toy_check)
    try:
        assert toy_check not in all_checks("aggregated")
    finally:
        register(toy_check)  # the fixture unregisters it


def test_a_check_with_a_code_not_in_the_catalogue_is_refused() -> None:
    with pytest.raises(RegistryError, match="'D999' is not in the catalogue"):
        register(replace(TOY, codes=("D999",)))
    assert not [check for check in all_checks("aggregated") if check.function is thirteen]


def test_a_check_for_a_kind_not_known_is_refused() -> None:
    with pytest.raises(
        RegistryError, match="unknown extract kind 'agregated' \\(did you mean 'aggregated'\\?\\)"
    ):
        register(replace(TOY, kind="agregated"))


def test_a_check_at_a_stage_its_kind_does_not_run_is_refused() -> None:
    sums = SumsCheck(
        kind="payments", codes=("P007",), checks="x", example="x", function=lambda context, sums: []
    )
    with pytest.raises(RegistryError, match="a payments extract has no SumsCheck stage"):
        register(sums)


def test_a_check_registered_twice_is_refused(toy_check: ScanCheck) -> None:
    with pytest.raises(RegistryError, match="already registered"):
        register(replace(TOY, checks="The same function again."))


def test_a_finding_with_a_code_its_check_did_not_register_is_an_error(tmp_path: Path) -> None:
    def wrong_code(context: FileContext) -> list[Diagnostic]:
        return [Diagnostic("D013", "a toy finding", context.where, Severity.WARNING)]

    check = register(
        SchemaCheck(kind="aggregated", codes=("D002",), checks="A toy.", example="x", function=wrong_code)
    )
    try:
        contract, data = base_copy(tmp_path)
        loaded, _ = load_contract(contract)
        assert loaded is not None
        with pytest.raises(RegistryError, match="wrong_code gave D013, not one of its codes"):
            read_extracts(data, loaded.contract)
    finally:
        unregister(check)


def test_a_check_that_fails_stops_the_schema_stage_only_when_it_says_so() -> None:
    stopping = [
        check for check in all_checks("payments") if isinstance(check, SchemaCheck) and check.stop_on_error
    ]
    assert [check.name for check in stopping] == ["payment_columns_present", "payment_column_types"]
    assert not any(
        isinstance(check, SchemaCheck) and check.stop_on_error for check in all_checks("aggregated")
    )
