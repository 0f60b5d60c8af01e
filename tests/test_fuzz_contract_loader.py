"""Hostile contract files and extracts get findings, never a traceback (hypothesis-driven fuzzing)."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import ROOT

sys.path.insert(0, str(ROOT / "fuzz"))

from contract_loader import check_one

from obc_settle.contract import load_contract
from obc_settle.extracts import read_extracts

VALID = (ROOT / "tests" / "bad_inputs" / "_base" / "contract.yaml").read_text()
LINES = VALID.splitlines(keepends=True)
FUZZ = settings(
    max_examples=settings.default.max_examples * 3 // 2
)  # loading a contract is quick: half as many again
TOKENS = [
    "",
    "-",
    ":",
    "&a",
    "*a",
    "!!python/object:os.system",
    "<<: {}",
    "\t",
    "'",
    '"',
    "[",
    "]",
    "{",
    "}",
    ".nan",
    "1e309",
    "2025-02-30",
    "null",
    "~",
    "yes",
    "0x10",
    "%",
    "\x00",
    "é",
    "  ",
    "\n",
    "?",
    "|",
    ">",
]


@st.composite
def mutated_contract(draw: st.DrawFn) -> bytes:
    """A valid contract with a few random edits: lines dropped, repeated or swapped, text spliced in."""
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["drop", "repeat", "swap", "splice"]))
        index = draw(st.integers(0, len(lines) - 1))
        if kind == "drop" and len(lines) > 1:
            del lines[index]
        elif kind == "repeat":
            lines.insert(index, lines[index])
        elif kind == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        else:
            line = lines[index]
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(st.sampled_from(TOKENS)) + line[at:]
    return "".join(lines).encode("utf-8", errors="surrogatepass")


@FUZZ
@given(mutated_contract())
def test_an_edited_contract_is_loaded_or_refused_with_findings(data: bytes) -> None:
    check_one(data)


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes_are_refused_with_findings(data: bytes) -> None:
    check_one(data)


BASE_ROWS = pl.read_parquet(ROOT / "tests" / "bad_inputs" / "_base" / "data" / "extract.parquet")


@st.composite
def damaged_extract(draw: st.DrawFn) -> pl.DataFrame:
    """The valid base extract with random cells replaced by nulls, negatives, strangers and NaN."""
    frame = BASE_ROWS.clone()
    for _ in range(draw(st.integers(1, 5))):
        column = draw(st.sampled_from(frame.columns))
        row = draw(st.integers(0, frame.height - 1))
        dtype = frame.schema[column]
        if dtype == pl.String:
            value = draw(st.sampled_from([None, "", "P-77", "2025-13", "2019-01", "reveiws", "=1+1"]))
        elif dtype == pl.Float64:
            value = draw(st.sampled_from([None, float("nan"), float("inf"), -1.0, 1e12]))
        else:
            value = draw(st.sampled_from([None, -1, 0, 10**9]))
        frame = frame.with_columns(
            pl.when(pl.int_range(pl.len()) == row)
            .then(pl.lit(value, dtype=dtype))
            .otherwise(pl.col(column))
            .alias(column)
        )
    return frame


@settings(
    max_examples=settings.default.max_examples * 3 // 5,
    suppress_health_check=[*settings.default.suppress_health_check, HealthCheck.function_scoped_fixture],
)
@given(damaged_extract())
def test_a_damaged_extract_is_read_or_refused_with_findings(tmp_path: Path, frame: pl.DataFrame) -> None:
    contract, findings = load_contract(ROOT / "tests" / "bad_inputs" / "_base" / "contract.yaml")
    assert contract is not None, findings
    path = tmp_path / "extract.parquet"
    frame.write_parquet(path)
    extracts, problems = read_extracts(path, contract.contract)
    if extracts is None:
        assert problems and all(p.location.file == str(path) and "\n" not in p.message for p in problems)
