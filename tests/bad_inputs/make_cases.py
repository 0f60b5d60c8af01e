"""Write the bad-input corpus: one folder per case, each with the inputs a user might get wrong.

Run `python tests/bad_inputs/make_cases.py` to rewrite the inputs (deterministic). Each case folder
holds what differs from `_base/` (a contract, a data folder, run arguments) and `expected.txt`:
the exit status and, one a line, the place and code of each finding `obc-settle run` prints on
standard error (tests/test_bad_inputs.py describes the form), reviewed by hand. The cases named in
test_bad_inputs.EXACT_TEXT also keep `stderr.txt`, standard error exactly.
`python tests/bad_inputs/make_cases.py --expect` rewrites every expected.txt (and those stderr.txt)
from the current output, for review in the diff.

A contract mistake that tests/bad_contracts/ already has (checked by code, line and column in
test_contract_cases.py, without the command line around it) is not repeated here: the cases below
are the contract mistakes only this corpus has, every data and argument mistake, and a few
contracts with several mistakes at once.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import polars as pl

from obc_settle.extracts.schema import AGGREGATED_EXTRACT_SCHEMA

HERE = Path(__file__).resolve().parent
BASE = HERE / "_base"

BASE_CONTRACT = """\
schema_version: 1
id: corpus-alliance
name: Corpus Alliance
commissioners: [Corpus CCG]
population_segment: Adults with long-term conditions
model: alliance
term:
  start: 2025-04-01
  end: 2027-03-31
providers:
  - id: ACUTE
    name: Corpus Acute Trust
    role: lead
    base_share: 0.6
  - id: GPFED
    name: Corpus GP Federation
    role: member
    base_share: 0.4
contract_years:
  - {year: 2025-26, contract_value: 1000000.00, withheld_proportion: 0.1}
  - {year: 2026-27, contract_value: 1020000.00, withheld_proportion: 0.1}
outcome_framework:
  domains:
    - id: clinical
      name: Clinical outcomes
      weight: 0.7
      indicators:
        - id: reviews
          name: Annual reviews completed
          kind: proportion
          direction: higher_is_better
          threshold: 0.6
          target: 0.8
          weight: 0.5
        - id: admissions
          name: Emergency admissions per 1,000
          kind: rate_per_1000
          rate_denominator: person_years
          direction: lower_is_better
          threshold: 30
          target: 20
          weight: 0.5
    - id: experience
      name: Experience
      weight: 0.3
      indicators:
        - id: confidence
          name: Confidence to self-manage
          kind: mean
          direction: higher_is_better
          threshold: 6
          target: 8
          weight: 0.6
        - id: education
          name: Structured education offered
          kind: proportion
          direction: higher_is_better
          threshold: 0.5
          target: 0.9
          weight: 0.4
          attribution: individual
          provider: GPFED
"""

SCHEMA = AGGREGATED_EXTRACT_SCHEMA


def base_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for month in ("2025-10", "2025-11", "2025-12"):
        for provider, scale in (("ACUTE", 3), ("GPFED", 2)):
            rows.append(
                {
                    "provider_id": provider,
                    "indicator_id": "reviews",
                    "period": month,
                    "numerator": 70 * scale,
                    "denominator": 100 * scale,
                    "value_sum": None,
                    "value_count": None,
                }
            )
            rows.append(
                {
                    "provider_id": provider,
                    "indicator_id": "admissions",
                    "period": month,
                    "numerator": 2 * scale,
                    "denominator": 1000 * scale,
                    "value_sum": None,
                    "value_count": None,
                }
            )
            rows.append(
                {
                    "provider_id": provider,
                    "indicator_id": "confidence",
                    "period": month,
                    "numerator": None,
                    "denominator": None,
                    "value_sum": 7.25 * 40 * scale,
                    "value_count": 40 * scale,
                }
            )
        rows.append(
            {
                "provider_id": "GPFED",
                "indicator_id": "education",
                "period": month,
                "numerator": 30,
                "denominator": 40,
                "value_sum": None,
                "value_count": None,
            }
        )
    return rows


def frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA)


def write_parquet(path: Path, data: pl.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data.write_parquet(path, compression="zstd", statistics=True)


def changed(**changes: object) -> Callable[[dict[str, object]], dict[str, object]]:
    return lambda row: {**row, **changes}


# --- the cases -----------------------------------------------------------------------------------
# Each case: name -> (contract text or None, data writer or None, run arguments or None).

ContractCase = str
DataWriter = Callable[[Path], None]
CASES: dict[str, tuple[ContractCase | None, DataWriter | None, list[str] | None]] = {}


def contract_case(name: str, text: str) -> None:
    CASES[name] = (text, None, None)


def data_case(name: str, writer: DataWriter | None, args: list[str] | None = None) -> None:
    CASES[name] = (None, writer, args)


def replace(old: str, new: str, count: int = 1) -> str:
    assert old in BASE_CONTRACT, old
    return BASE_CONTRACT.replace(old, new, count)


# YAML itself
contract_case("yaml_control_character", replace("name: Corpus Alliance", "name: Corpus\x07Alliance"))
contract_case("yaml_only_comments", "# nothing here yet\n")
contract_case(
    "yaml_very_large_file",
    BASE_CONTRACT + ("# padding padding padding padding padding padding padding\n" * 40000),
)
contract_case(
    "yaml_list_where_mapping_belongs",
    replace("term:\n  start: 2025-04-01\n  end: 2027-03-31", "term: [2025-04-01, 2027-03-31]"),
)
contract_case(
    "yaml_mapping_where_list_belongs",
    replace("commissioners: [Corpus CCG]", "commissioners: {name: Corpus CCG}"),
)
contract_case("value_number_as_text", replace("base_share: 0.6", 'base_share: "0.6"'))
contract_case("value_infinity", replace("target: 0.8", "target: .inf"))
contract_case("value_date_and_time", replace("end: 2027-03-31", "end: 2027-03-31T12:00:00"))
contract_case(
    "value_pounds_with_three_decimals", replace("contract_value: 1000000.00", "contract_value: 1000000.005")
)
contract_case(
    "value_negative_contract_value", replace("contract_value: 1000000.00", "contract_value: -1000000.00")
)
contract_case("value_proportion_above_one", replace("withheld_proportion: 0.1}", "withheld_proportion: 1.5}"))
contract_case("value_unknown_word", replace("model: alliance", "model: aliance"))
contract_case("key_required_missing", replace("population_segment: Adults with long-term conditions\n", ""))
# Meaning
contract_case("term_ends_before_it_starts", replace("end: 2027-03-31", "end: 2024-03-31"))
contract_case(
    "collective_indicator_naming_a_provider",
    replace("          weight: 0.6\n", "          weight: 0.6\n          provider: ACUTE\n"),
)
contract_case("duplicate_domain_id", replace("    - id: experience", "    - id: clinical"))
contract_case("provider_id_with_control_character", replace("  - id: GPFED\n", '  - id: "GP\\x07FED"\n'))
contract_case(
    "provider_id_reserved_for_the_commissioner", replace("  - id: GPFED\n", "  - id: commissioner\n")
)
contract_case(
    "bands_out_of_order",
    replace(
        "          target: 8\n",
        "          target: 8\n          scoring:\n            method: banded\n"
        "            bands: [{level: 7, score: 0.5}, {level: 6.5, score: 1}]\n",
    ),
)
contract_case(
    "value_range_upside_down",
    replace("          target: 8\n", "          target: 8\n          value_range: {min: 10, max: 0}\n"),
)
contract_case(
    "value_range_on_a_proportion",
    replace("          target: 0.8\n", "          target: 0.8\n          value_range: {min: 0, max: 1}\n"),
)
contract_case(
    "several_mistakes_at_once",
    replace("base_share: 0.4", "base_share: 0.5")
    .replace("      weight: 0.3\n", "      weight: 0.4\n")
    .replace("provider: GPFED", "provider: GPFEDD")
    .replace("withheld_proportion: 0.1}", 'withheld_proportion: "10%"}', 1),
)
# Bounds (issue 16): each was an internal error, minutes of work, or a settlement that failed later.
contract_case("nesting_500_deep", replace("name: Corpus Alliance", "name: " + "[" * 500 + "]" * 500))
contract_case("nesting_10000_deep", replace("name: Corpus Alliance", "name: " + "[" * 10_000))
contract_case(
    "contract_value_beyond_decimal_arithmetic",
    replace("contract_value: 1000000.00", "contract_value: 10000000000000000000000000000.00"),
)
contract_case(
    "contract_value_beyond_64_bit_pence",
    replace("contract_value: 1000000.00", "contract_value: 100000000000000000.00"),
)
contract_case(
    "contract_value_the_limit_plus_a_penny",
    replace("contract_value: 1000000.00", "contract_value: 1000000000000.01"),
)
contract_case(
    "providers_more_than_the_limit",
    replace(
        "providers:\n",
        "providers:\n"
        + "".join(f"  - {{id: P{i}, name: P{i}, role: member, base_share: 0}}\n" for i in range(999)),
    ),
)
contract_case(
    "provider_ids_differing_only_in_case",
    replace("  - id: GPFED\n", "  - id: acute\n").replace("provider: GPFED", "provider: acute"),
)
contract_case(
    "exchange_slope_beyond_its_maximum",
    replace("outcome_framework:\n", "outcome_framework:\n  exchange_slope: 1000000000.0\n"),
)


# Extracts
def rows_with(
    change: Callable[[dict[str, object]], dict[str, object]], where: Callable[[dict[str, object]], bool]
) -> DataWriter:
    def write(folder: Path) -> None:
        rows = [change(row) if where(row) else row for row in base_rows()]
        write_parquet(folder / "extract.parquet", frame(rows))

    return write


def row_number(n: int) -> Callable[[dict[str, object]], bool]:
    """Select the n-th base row (1-based), which is also its row number in the extract."""
    counter = {"seen": 0}

    def where(_: dict[str, object]) -> bool:
        counter["seen"] += 1
        return counter["seen"] == n

    return where


def write_bytes(content: bytes) -> DataWriter:
    def write(folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "extract.parquet").write_bytes(content)

    return write


def truncated(folder: Path) -> None:
    write_parquet(folder / "full.parquet", frame(base_rows()))
    content = (folder / "full.parquet").read_bytes()
    (folder / "full.parquet").unlink()
    (folder / "extract.parquet").write_bytes(content[: len(content) // 2])


def columns_dropped(*names: str) -> DataWriter:
    return lambda folder: write_parquet(folder / "extract.parquet", frame(base_rows()).drop(*names))


def column_retyped(name: str, dtype: pl.DataType) -> DataWriter:
    return lambda folder: write_parquet(
        folder / "extract.parquet", frame(base_rows()).with_columns(pl.col(name).cast(dtype))
    )


def empty_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "README.txt").write_text("the extract has not arrived yet\n")


def other_contract(folder: Path) -> None:
    rows = [
        {
            **row,
            "provider_id": {"ACUTE": "MKRP", "GPFED": "CLIN"}[str(row["provider_id"])],
            "indicator_id": "opiate_completions",
        }
        for row in base_rows()
        if row["indicator_id"] == "reviews"
    ]
    write_parquet(folder / "mk-extract.parquet", frame(rows))


def two_files_one_bad(folder: Path) -> None:
    rows = base_rows()
    write_parquet(folder / "a-good.parquet", frame(rows[:10]))
    write_parquet(folder / "b-bad.parquet", frame([changed(denominator=-5)(row) for row in rows[10:]]))


def many_problems_in_one_file(folder: Path) -> None:
    rows = base_rows()
    rows[0] = changed(provider_id=None)(rows[0])
    rows[3] = changed(numerator=-1)(rows[3])
    rows[6] = changed(indicator_id="reveiws")(rows[6])
    rows[9] = changed(period="2025-13")(rows[9])
    write_parquet(folder / "extract.parquet", frame(rows))


def only_other_months(folder: Path) -> None:
    later = {"2025-10": "2026-01", "2025-11": "2026-02", "2025-12": "2026-03"}
    rows = [changed(period=later[str(row["period"])])(row) for row in base_rows()]
    write_parquet(folder / "extract.parquet", frame(rows))


def loaded_twice(folder: Path) -> None:
    rows = base_rows()
    write_parquet(folder / "extract.parquet", frame(rows + rows[:4]))


def corrected_beside_original(folder: Path) -> None:
    """GPFED's reviews restated in a second file, left beside the original."""
    write_parquet(folder / "extract.parquet", frame(base_rows()))
    corrected = [
        changed(numerator=65)(row)
        for row in base_rows()
        if row["indicator_id"] == "reviews" and row["provider_id"] == "GPFED"
    ]
    write_parquet(folder / "extract-restated.parquet", frame(corrected))


data_case("extract_rows_loaded_twice", loaded_twice)
data_case("extract_without_denominator_column", columns_dropped("denominator"))
data_case("corrected_file_beside_original", corrected_beside_original)
data_case(
    "measure_null_on_needed_rows",
    rows_with(
        changed(denominator=None),
        lambda row: row["indicator_id"] == "admissions" and row["provider_id"] == "ACUTE",
    ),
)
data_case("extract_not_parquet", write_bytes(b"provider_id,indicator_id,period\nACUTE,reviews,2025-10\n"))
data_case("extract_empty_file", write_bytes(b""))
data_case("extract_truncated", truncated)
data_case("extract_missing_key_column", columns_dropped("period"))
data_case(
    "extract_missing_measure_columns", columns_dropped("numerator", "denominator", "value_sum", "value_count")
)
data_case("extract_numerator_as_text", column_retyped("numerator", pl.String))
data_case(
    "extract_period_as_number",
    lambda folder: write_parquet(
        folder / "extract.parquet", frame(base_rows()).with_columns(pl.lit(202510).alias("period"))
    ),
)
data_case("extract_value_count_as_float", column_retyped("value_count", pl.Float64))
data_case("extract_null_provider", rows_with(changed(provider_id=None), row_number(2)))
data_case("extract_null_period", rows_with(changed(period=None), row_number(5)))
data_case("extract_negative_numerator", rows_with(changed(numerator=-3), row_number(4)))
data_case(
    "extract_negative_denominator",
    rows_with(changed(denominator=-100), lambda row: row["indicator_id"] == "reviews"),
)
data_case("extract_numerator_above_denominator", rows_with(changed(numerator=500), row_number(1)))
data_case("extract_unknown_provider", rows_with(changed(provider_id="P-77"), row_number(3)))
data_case(
    "extract_unknown_indicator",
    rows_with(changed(indicator_id="hba1c"), lambda row: row["provider_id"] == "GPFED"),
)
data_case("extract_period_outside_the_term", rows_with(changed(period="2024-12"), row_number(7)))
data_case("extract_period_not_a_month", rows_with(changed(period="2025-Q3"), row_number(1)))
data_case(
    "extract_nan_value",
    rows_with(changed(value_sum=float("nan")), lambda row: row["indicator_id"] == "confidence"),
)
data_case("extract_values_without_count", rows_with(changed(value_count=0), row_number(3)))
data_case("extract_of_another_contract", other_contract)
data_case("extract_folder_with_no_parquet", empty_folder)
data_case("extract_no_rows_for_the_period", only_other_months)
data_case("extract_two_files_one_bad", two_files_one_bad)
data_case("extract_many_problems_in_one_file", many_problems_in_one_file)
CASES["extract_mixed_units"] = (
    replace("          target: 8\n", "          target: 8\n          value_range: {min: 0, max: 10}\n"),
    # One provider reports the 0-10 confidence score on a 0-100 scale.
    rows_with(
        lambda row: {**row, "value_sum": float(row["value_sum"]) * 10},
        lambda row: row["indicator_id"] == "confidence" and row["provider_id"] == "GPFED",
    ),
    None,
)


def year_of_rows(
    folder: Path,
    *,
    drop: Callable[[dict[str, object]], bool] = lambda row: False,
    change: Callable[[dict[str, object]], dict[str, object]] = lambda row: row,
) -> None:
    """The base rows for every month of 2025-26, less the rows `drop` selects, `change` applied."""
    months = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 4)]
    quarter = {"2025-10", "2025-11", "2025-12"}
    rows = [
        change({**row, "period": month})
        for month in months
        for row in base_rows()
        if row["period"] == "2025-10"
    ]
    write_parquet(folder / "extract.parquet", frame([row for row in rows if not drop(row)]))
    assert quarter <= {str(row["period"]) for row in rows}


def registers_as_person_years(row: dict[str, object]) -> dict[str, object]:
    """The monthly register size given where the contract says person-years: twelve times too many."""
    if row["indicator_id"] != "admissions":
        return row
    return {**row, "denominator": int(row["denominator"]) * 12}  # type: ignore[call-overload]


data_case("year_end_without_payments_on_account", None, ["--period", "2025-26"])
data_case(
    "missing_provider_month_in_a_final_settlement",
    lambda folder: year_of_rows(
        folder,
        drop=lambda row: (
            row["provider_id"] == "GPFED"
            and row["indicator_id"] == "reviews"
            and row["period"] in ("2026-01", "2026-02")
        ),
    ),
    ["--period", "2025-26", "--nothing-paid-on-account"],
)
CASES["rate_from_registers_in_a_final_settlement"] = (
    replace("          threshold: 30\n", "          baseline: 2.4\n          threshold: 30\n"),
    lambda folder: year_of_rows(folder, change=registers_as_person_years),
    ["--period", "2025-26", "--nothing-paid-on-account"],
)
# Run arguments
data_case("period_not_understood", None, ["--period", "Q3-2025"])
data_case("period_outside_the_term", None, ["--period", "2031-32-Q1"])
data_case("data_path_missing", None, ["--data", "no-such-folder"])
data_case("contract_file_missing", None, ["--contract", "no-such-contract.yaml"])
data_case("output_folder_exists", None, ["--existing-out"])
# Output folders that would destroy or corrupt what the user has (issue 16)
OUTPUT_FOLDER_CASES = {
    "output_is_the_data_folder_with_force": ["--out", "data", "--force"],
    "output_is_the_data_folder_by_another_path": ["--out", "./data/../data", "--force"],
    "output_inside_the_data_folder": ["--out", "data/run"],
    "output_contains_the_inputs_with_force": ["--out", ".", "--force"],
    "output_is_the_contract_file_with_force": ["--out", "contract.yaml", "--force"],
    "output_inside_another_run": ["--existing-run", "--out", "runs/q3/inputs/x"],
    "output_contains_another_run_with_force": ["--existing-run", "--out", "runs", "--force"],
    "output_not_a_run_folder_with_force": ["--existing-out", "--force"],
}
for _name, _args in OUTPUT_FOLDER_CASES.items():
    data_case(_name, None, _args)


def write_cases() -> None:
    shutil.rmtree(BASE, ignore_errors=True)
    BASE.mkdir()
    (BASE / "contract.yaml").write_text(BASE_CONTRACT)
    write_parquet(BASE / "data" / "extract.parquet", frame(base_rows()))
    for name, (contract, writer, args) in CASES.items():
        folder = HERE / name
        for child in folder.glob("*"):
            if child.name not in ("expected.txt", "stderr.txt"):
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        folder.mkdir(exist_ok=True)
        if contract is not None:
            (folder / "contract.yaml").write_text(contract, encoding="utf-8")
        if writer is not None:
            writer(folder / "data")
        if args:
            (folder / "args.txt").write_text("\n".join(args) + "\n")
    bom16 = HERE / "yaml_utf16"
    bom16.mkdir(exist_ok=True)
    (bom16 / "contract.yaml").write_bytes(BASE_CONTRACT.encode("utf-16"))


def expect_all() -> None:
    sys.path.insert(0, str(HERE.parent))
    from test_bad_inputs import EXACT_TEXT, case_names, expectation, run_case

    for name in case_names():
        with tempfile.TemporaryDirectory() as workdir:
            code, stderr, _ = run_case(HERE / name, Path(workdir))
        (HERE / name / "expected.txt").write_text(expectation(code, stderr), encoding="utf-8")
        exact = HERE / name / "stderr.txt"
        if name in EXACT_TEXT:
            exact.write_text(stderr, encoding="utf-8")
        else:
            exact.unlink(missing_ok=True)


if __name__ == "__main__":
    write_cases()
    if "--expect" in sys.argv:
        expect_all()
