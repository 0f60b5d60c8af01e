"""Bounds on every input (issue 16): each hostile input is one located finding, found quickly.

Red-team reproductions: 500 nested `[` gave `internal error: RecursionError` (exit 70); 10,000
levels took a minute and then crashed; a megabyte of them ran for over 200 s;
`contract_value: 10000000000000000000000000000.00` gave `internal error: InvalidOperation`; and
`100000000000000000.00` validated, settled a quarter and failed at the year end in a 64-bit column.
Provider ids `abc` and `ABC` were both accepted, and their statements collide on a case-insensitive
file system. A Parquet file with 200 MB of footer metadata was read with 2.4 GB of memory.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import ROOT

from obc_settle.contract import load_contract
from obc_settle.contract.rule_reader import same_id
from obc_settle.contract.yaml_source import MAX_CONTRACT_BYTES, MAX_NESTING
from obc_settle.extracts import footer
from obc_settle.extracts.footer import MAX_FOOTER_BYTES, footer_findings
from obc_settle.money import MAX_AMOUNT_PENCE

BASE = (ROOT / "tests" / "bad_inputs" / "_base" / "contract.yaml").read_text(encoding="utf-8")
VALUE = "contract_value: 1000000.00"  # line 20 of the base, the value at column 37
OTHER_VALUE = "contract_value: 1020000.00"


def _load(tmp_path: Path, text: str) -> tuple[bool, list[tuple[str, int | None, int | None]]]:
    path = tmp_path / "contract.yaml"
    path.write_text(text, encoding="utf-8")
    loaded, findings = load_contract(path)
    return loaded is not None, [(f.code, f.location.line, f.location.column) for f in findings]


def _pounds(pence: int) -> str:
    return f"{pence // 100}.{pence % 100:02d}"


@pytest.mark.parametrize("depth", [MAX_NESTING, 500, 10_000, 1_000_000])
def test_deep_nesting_is_one_located_finding_not_a_recursion_error(tmp_path: Path, depth: int) -> None:
    text = BASE.replace("name: Corpus Alliance", "name: " + "[" * depth + "]" * depth)
    if len(text.encode()) > MAX_CONTRACT_BYTES:
        text = BASE.replace("name: Corpus Alliance", "name: " + "[" * depth)  # unclosed: still refused
        assert len(text.encode()) > MAX_CONTRACT_BYTES
        assert _load(tmp_path, text) == (False, [("C006", None, None)])
        return
    # `name: ` is 6 characters: the first `[` is at column 7 and opens level 2 (the file is level 1).
    assert _load(tmp_path, text) == (False, [("C007", 3, 7 + MAX_NESTING - 1)])


def test_nesting_up_to_the_limit_is_read(tmp_path: Path) -> None:
    inner = MAX_NESTING - 1  # the file's own mapping is the first level
    text = BASE.replace("name: Corpus Alliance", "name: " + "[" * inner + "]" * inner)
    assert ("C007", 3, 7 + MAX_NESTING - 1) not in _load(tmp_path, text)[1]


def test_a_megabyte_contract_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    assert _load(tmp_path, "[" * 1_000_000) == (False, [("C006", None, None)])
    assert _load(tmp_path, BASE + "# padding\n" * 100_000) == (False, [("C006", None, None)])


@pytest.mark.parametrize("value", ["10000000000000000000000000000.00", "100000000000000000.00", "1" * 5000])
def test_huge_contract_values_are_located_findings(tmp_path: Path, value: str) -> None:
    code = "C032" if len(value) > 4300 else "C031"  # beyond the digits Python reads as an integer
    assert _load(tmp_path, BASE.replace(VALUE, f"contract_value: {value}")) == (False, [(code, 20, 37)])


def test_the_limit_is_accepted_and_a_penny_more_is_refused(tmp_path: Path) -> None:
    at_limit = BASE.replace(VALUE, f"contract_value: {_pounds(MAX_AMOUNT_PENCE)}").replace(
        OTHER_VALUE, "contract_value: 0.00"
    )
    assert _load(tmp_path, at_limit) == (True, [])
    above = BASE.replace(VALUE, f"contract_value: {_pounds(MAX_AMOUNT_PENCE + 1)}")
    assert _load(tmp_path, above) == (False, [("C031", 20, 37)])


@settings(max_examples=30, deadline=None)
@given(
    pence=st.integers(min_value=MAX_AMOUNT_PENCE + 1, max_value=10**40),
    where=st.sampled_from(
        [
            (VALUE, "contract_value: {}", 20, 37),
            (OTHER_VALUE, "", 20, 3),
        ]
    ),
)
def test_every_amount_above_the_limit_is_refused_where_it_is(
    tmp_path_factory: pytest.TempPathFactory, pence: int, where: tuple[str, str, int, int]
) -> None:
    old, new, line, column = where
    tmp_path = tmp_path_factory.mktemp("amount")
    if old == VALUE:
        text = BASE.replace(old, new.format(_pounds(pence)))
        assert _load(tmp_path, text) == (False, [("C031", line, column)])
    else:  # an amount where a contract sums its values: the years together above the limit
        half = _pounds(pence // 2 + 1)
        text = BASE.replace(VALUE, f"contract_value: {half}").replace(OTHER_VALUE, f"contract_value: {half}")
        ok, found = _load(tmp_path, text)
        assert not ok
        assert ("C031", 20, 3) in found or ("C031", 20, 37) in found


@pytest.mark.parametrize(
    ("old", "new", "place"),
    [
        ("outcome_framework:\n", "outcome_framework:\n  exchange_slope: 1000000000.0\n", ("C032", 23, 19)),
        ("outcome_framework:\n", "outcome_framework:\n  exchange_slope: 10.01\n", ("C032", 23, 19)),
        ("          target: 0.8\n", "          target: 1.0e+16\n", ("C032", 33, 19)),
    ],
)
def test_multipliers_and_numbers_beyond_their_limits(
    tmp_path: Path, old: str, new: str, place: tuple[str, int, int]
) -> None:
    assert place in _load(tmp_path, BASE.replace(old, new))[1]


def test_too_many_providers_is_one_finding_at_the_list(tmp_path: Path) -> None:
    extra = "".join(f"  - {{id: P{i}, name: P{i}, role: member, base_share: 0}}\n" for i in range(999))
    assert _load(tmp_path, BASE.replace("providers:\n", "providers:\n" + extra)) == (False, [("C030", 11, 3)])


def test_too_many_contract_years_and_indicators(tmp_path: Path) -> None:
    years = "".join(
        f"  - {{year: {y}-{(y + 1) % 100:02d}, contract_value: 1.00, withheld_proportion: 0}}\n"
        for y in range(2030, 2059)
    )
    found = _load(tmp_path, BASE.replace("contract_years:\n", "contract_years:\n" + years))[1]
    assert ("C030", 20, 3) in found
    indicator = (
        "        - {{id: x{0}, name: X, kind: proportion, direction: higher_is_better, "
        "threshold: 0.1, target: 0.2, weight: 0}}\n"
    )
    many = "".join(indicator.format(i) for i in range(200))
    found = _load(tmp_path, BASE.replace("      indicators:\n", "      indicators:\n" + many, 1))[1]
    assert ("C030", 24, 5) in found


@pytest.mark.parametrize(
    ("first", "second"),
    [("abc", "ABC"), ("GP.fed", "gp.FED")],
)
def test_ids_differing_only_in_case_are_the_same_id(tmp_path: Path, first: str, second: str) -> None:
    text = BASE.replace("  - id: ACUTE\n", f"  - id: {first}\n").replace(
        "  - id: GPFED\n", f"  - id: {second}\n"
    )
    found = _load(tmp_path, text)[1]
    assert ("C025", 15, 9) in found
    path = tmp_path / "contract.yaml"
    (finding,) = [f for f in load_contract(path)[1] if f.code == "C025"]
    assert repr(first) in finding.message and "line 11, column 9" in finding.message


def test_ids_equal_after_nfc_normalisation_and_case_folding_are_one_id(tmp_path: Path) -> None:
    composed, decomposed = "caf\u00e9", unicodedata.normalize("NFD", "CAF\u00c9")
    assert composed != decomposed
    assert same_id(composed) == same_id(decomposed)
    # Contract ids are ASCII, so such a pair is refused as not an id at all, in both places.
    text = BASE.replace("  - id: ACUTE\n", f'  - id: "{composed}"\n').replace(
        "  - id: GPFED\n", f'  - id: "{decomposed}"\n'
    )
    found = _load(tmp_path, text)[1]
    assert ("C012", 11, 9) in found and ("C012", 15, 9) in found


def test_indicator_ids_differing_only_in_case(tmp_path: Path) -> None:
    path = tmp_path / "contract.yaml"
    path.write_text(BASE.replace("        - id: education", "        - id: REVIEWS"), encoding="utf-8")
    duplicates = [f for f in load_contract(path)[1] if f.code == "C025"]
    assert [(f.location.line, f.location.column) for f in duplicates] == [(54, 15)]
    assert "'REVIEWS' is the same id as 'reviews' (line 28, column 15)" in duplicates[0].message


def _parquet(path: Path, metadata_bytes: int) -> Path:
    table = pa.table({"provider_id": ["ACUTE"], "indicator_id": ["reviews"], "period": ["2025-10"]})
    pq.write_table(table.replace_schema_metadata({"padding": "x" * metadata_bytes}), path)
    return path


def test_a_parquet_footer_above_the_limit_is_refused_unread(tmp_path: Path) -> None:
    path = _parquet(tmp_path / "huge-footer.parquet", MAX_FOOTER_BYTES)
    findings = footer_findings(path, "data/huge-footer.parquet")
    assert [(f.code, f.location.file) for f in findings] == [("D026", "data/huge-footer.parquet")]
    assert footer_findings(_parquet(tmp_path / "small.parquet", 1000), "small.parquet") == []


def test_a_row_group_above_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _parquet(tmp_path / "rows.parquet", 10)
    assert footer_findings(path, "rows.parquet") == []
    monkeypatch.setattr(footer, "MAX_ROW_GROUP_BYTES", 10)
    assert [f.code for f in footer_findings(path, "rows.parquet")] == ["D027"]


def test_a_file_that_is_not_parquet_is_left_to_the_reader(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    path.write_bytes(b"provider_id,indicator_id\n" * 10)
    assert footer_findings(path, "x.parquet") == []
    path.write_bytes(b"PAR1" + b"\0" * 8 + (2**32 - 1).to_bytes(4, "little") + b"PAR1")
    assert [f.code for f in footer_findings(path, "x.parquet")] == ["D026"]


def test_the_limits_leave_real_contracts_and_extracts_plenty_of_room() -> None:
    for contract in sorted((ROOT / "contracts").rglob("*.yaml")):
        assert contract.stat().st_size * 20 < MAX_CONTRACT_BYTES, contract
    assert Decimal(MAX_AMOUNT_PENCE) / 100 == Decimal("1000000000000")


def test_run_refuses_an_extract_with_a_huge_footer_with_exit_3_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from obc_settle.cli import app

    (tmp_path / "contract.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "data").mkdir()
    _parquet(tmp_path / "data" / "extract.parquet", MAX_FOOTER_BYTES)
    monkeypatch.chdir(tmp_path)
    args = ["run", "contract.yaml", "--data", "data", "--period", "2025-26-Q3", "--out", "out"]
    result = CliRunner().invoke(app, args, env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert result.exit_code == 3, result.stderr
    assert result.stderr.startswith("data/extract.parquet: D026 "), result.stderr
    assert not (tmp_path / "out").exists()


def test_payments_and_claims_extracts_with_a_huge_footer_are_refused_unread(tmp_path: Path) -> None:
    from obc_settle.contract import load_contract
    from obc_settle.extracts.claims import read_claims
    from obc_settle.extracts.payments import read_payments
    from obc_settle.periods import SettlementPeriod

    (tmp_path / "contract.yaml").write_text(BASE, encoding="utf-8")
    loaded, _ = load_contract(tmp_path / "contract.yaml")
    assert loaded is not None
    huge = _parquet(tmp_path / "payments.parquet", MAX_FOOTER_BYTES)
    frame, findings = read_payments(huge, loaded.contract, SettlementPeriod.parse("2025-26"))
    assert frame is None
    assert [f.code for f in findings] == ["D026"]
    rate_card, _ = load_contract(ROOT / "contracts" / "templates" / "rate-card.yaml")
    assert rate_card is not None
    frame, findings = read_claims(huge, rate_card.contract)
    assert frame is None
    assert [f.code for f in findings] == ["D026"]


@pytest.mark.parametrize(("count", "refused"), [(10**10, False), (10**10 + 1, True)])
def test_a_monthly_total_beyond_ten_billion_is_refused(tmp_path: Path, count: int, refused: bool) -> None:
    """Counts that no real population reaches: the data are in the wrong units or corrupt (D028)."""
    from typer.testing import CliRunner

    from obc_settle.cli import app

    source = ROOT / "sample_data" / "diabetes-alliance"
    frame = pl.concat(
        [pl.read_parquet(path) for path in sorted(source.glob("*.parquet"))], how="diagonal_relaxed"
    )
    first = frame.row(0, named=True)
    frame = frame.with_columns(
        pl.when(
            (pl.col("provider_id") == first["provider_id"])
            & (pl.col("indicator_id") == "hba1c_control")
            & (pl.col("period") == "2025-10")
        )
        .then(pl.lit(count, dtype=pl.Int64))
        .otherwise(pl.col(name))
        .alias(name)
        for name in ("numerator", "denominator")
    )
    (tmp_path / "data").mkdir()
    frame.write_parquet(tmp_path / "data" / "extract.parquet")
    args = [
        "check",
        str(ROOT / "contracts" / "diabetes-alliance.yaml"),
        "--data",
        str(tmp_path / "data"),
        "--period",
        "2025-26-Q3",
        "--json",
    ]
    result = CliRunner().invoke(app, args)
    assert ("D028" in result.stdout + result.stderr) is refused, result.stdout + result.stderr


@pytest.mark.parametrize("writer", ["polars", "pyarrow"])
def test_the_footers_row_groups_are_read_as_pyarrow_reads_them(tmp_path: Path, writer: str) -> None:
    """The footer is walked with a few lines of Thrift (no pyarrow import in a run): it must agree
    with pyarrow on every row group of files with several groups, statistics, dictionaries,
    nested and null columns and key-value metadata."""
    from obc_settle.extracts.footer import row_groups

    frame = pl.DataFrame(
        {
            "provider_id": [f"P{i % 7}" for i in range(5000)],
            "value": [None if i % 11 == 0 else i / 3 for i in range(5000)],
            "flag": [i % 2 == 0 for i in range(5000)],
            "tags": [[i, i + 1] for i in range(5000)],
        }
    )
    path = tmp_path / "f.parquet"
    if writer == "polars":
        frame.write_parquet(path, row_group_size=700, statistics=True)
    else:
        table = frame.to_arrow().replace_schema_metadata({"note": "é" * 300})
        pq.write_table(table, path, row_group_size=900, use_dictionary=["provider_id"])
    data = path.read_bytes()
    length = int.from_bytes(data[-8:-4], "little")
    metadata = pq.read_metadata(path)
    expected = [
        (metadata.row_group(i).total_byte_size, metadata.row_group(i).num_rows)
        for i in range(metadata.num_row_groups)
    ]
    assert len(expected) > 3
    assert row_groups(data[-8 - length : -8]) == expected
