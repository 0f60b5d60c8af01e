"""A provider's finance team challenges its statement: every pound is shown with its derivation."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app
from obc_settle.money import format_pounds, round_half_up

runner = CliRunner()
CONTRACT = ROOT / "contracts" / "diabetes-alliance.yaml"
DATA = ROOT / "sample_data" / "diabetes-alliance"

# The worked example of docs/methodology.md: every figure in it was worked out by hand.
WORKED_CONTRACT = """\
schema_version: 1
id: worked-example
name: Worked example alliance
version: "1"
commissioners: [Example ICB]
population_segment: Adults with diabetes
model: alliance
currency: GBP
term: {start: 2025-04-01, end: 2026-03-31}
providers:
  - {id: A, name: Provider A, role: lead, base_share: 0.6}
  - {id: B, name: Provider B, role: member, base_share: 0.4}
contract_years:
  - {year: 2025-26, contract_value: 10000.21, withheld_proportion: 0.1}
outcome_framework:
  domains:
    - id: clinical
      name: Clinical
      weight: 0.6
      indicators:
        - {id: i1, name: HbA1c controlled, kind: proportion, direction: higher_is_better, threshold: 0.60,
           target: 0.80, weight: 0.5, minimum_denominator: 100}
        - {id: i2, name: Foot admissions per 1000, kind: rate_per_1000, rate_denominator: person_years, direction: lower_is_better, baseline: 6.0,
           threshold: 5.0, target: 3.0, scoring: {method: best_of}, weight: 0.3, minimum_denominator: 1000,
           window: year_to_date}
        - {id: i5, name: Amputations observed / expected, kind: observed_expected, direction: lower_is_better,
           threshold: 1.1, target: 0.9, weight: 0.2, minimum_denominator: 10, small_numbers: reassign_weight}
    - id: experience
      name: Experience
      weight: 0.4
      indicators:
        - id: i3
          name: Confidence score
          kind: mean
          direction: higher_is_better
          threshold: 6.0
          target: 7.0
          scoring: {method: banded, bands: [{level: 6.0, score: 0.5}, {level: 7.0, score: 1}]}
          weight: 0.5
          minimum_denominator: 50
        - {id: i4, name: Structured education offered, kind: proportion, direction: higher_is_better, threshold: 0.8,
           target: 0.9, weight: 0.5, attribution: individual, provider: B, minimum_denominator: 30}
share_rule: {method: base_share, caps: {A: 0.55}}
unearned: redistributed
"""
WORKED_ROWS = [
    ("A", "i1", "2025-09", 60, 60, None, None),
    ("A", "i1", "2025-10", 50, 70, None, None),
    ("A", "i1", "2025-11", 48, 65, None, None),
    ("B", "i1", "2025-12", 49, 65, None, None),
    ("A", "i2", "2025-06", 4, 1200, None, None),
    ("B", "i2", "2025-11", 5, 1200, None, None),
    ("A", "i5", "2025-11", 3, 4, None, None),
    ("A", "i3", "2025-10", None, None, 330.0, 50),
    ("B", "i3", "2025-11", None, None, 345.0, 50),
    ("A", "i4", "2025-12", 10, 10, None, None),
    ("B", "i4", "2025-12", 27, 30, None, None),
]


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def diabetes_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("diabetes") / "run"
    code, _, stderr = invoke(
        "run", str(CONTRACT), "--data", str(DATA), "--period", "2025-26-Q3", "--out", str(out), "-q"
    )
    assert code == 0, stderr
    return out


@pytest.fixture(scope="module")
def worked_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("worked")
    (folder / "contract.yaml").write_text(WORKED_CONTRACT)
    columns = [
        "provider_id",
        "indicator_id",
        "period",
        "numerator",
        "denominator",
        "value_sum",
        "value_count",
    ]
    schema = dict(
        zip(columns, [pl.String, pl.String, pl.String, pl.Int64, pl.Int64, pl.Float64, pl.Int64], strict=True)
    )
    pl.DataFrame(WORKED_ROWS, schema=schema, orient="row").write_parquet(folder / "extract.parquet")
    out = folder / "run"
    code, _, stderr = invoke(
        "run",
        str(folder / "contract.yaml"),
        "--data",
        str(folder / "extract.parquet"),
        "--period",
        "2025-26-Q3",
        "--out",
        str(out),
        "-q",
    )
    assert code == 0, stderr
    return out


def explain_json(run: Path, provider: str, *extra: str) -> dict:  # type: ignore[type-arg]
    code, stdout, stderr = invoke("explain", str(run), "--provider", provider, "--json", *extra)
    assert code == 0, stderr
    return json.loads(stdout)  # type: ignore[no-any-return]


def test_explain_figures_add_up_to_every_providers_statement(diabetes_run: Path) -> None:
    summary = json.loads((diabetes_run / "summary.json").read_text())["settlements"][0]
    for provider in summary["providers"]:
        document = explain_json(diabetes_run, provider["provider_id"])
        totals = document["totals"]
        earned = [item["earned_pence"] for item in document["indicators"]]
        assert totals["adds_up"] is True
        assert document["base_payment"]["amount_pence"] == provider["base_pence"]
        assert sum(earned) == totals["earned_pence"] == provider["earned_pence"]
        assert sum(item["available_pence"] for item in document["indicators"]) == provider["withheld_pence"]
        net = document["base_payment"]["amount_pence"] + sum(earned) + (totals["redistributed_pence"] or 0)
        assert net == totals["net_payable_pence"] == provider["net_payable_pence"]
        statement = (diabetes_run / "statements" / f"{provider['provider_id']}.html").read_text()
        assert format_pounds(net).replace("£", "") in statement
        for item in document["indicators"]:
            if item["score"] is not None:
                # exact figures, as text a Fraction reads (`0.675`, or `141/194` when the decimal does not end)
                assert round_half_up(Fraction(item["earned_exact"])) == item["earned_pence"]
                assert Fraction(item["earned_exact"]) == item["available_pence"] * Fraction(item["score"])


def test_explain_reproduces_the_worked_example_step_by_step(worked_run: Path) -> None:
    a = explain_json(worked_run, "A")
    assert a["period_value"]["outcome_pool_formula"] == "round(250005 × 0.1) = round(25000.5) = 25001"
    assert a["base_payment"]["formula"].startswith("225004 × 0.6 = 135002.4 → 135002")
    i1, i2, i5, i3 = a["indicators"]
    assert i1["achieved_formula"] == "N / D = 147 / 200 = 0.735 (exact)"
    assert i1["rows"] == {
        "counted": 3,
        "excluded": 0,
        "files": [{"file": "inputs/extracts/extract.parquet", "rows": 3}],
    }
    assert "clip((0.735 − 0.6) / (0.8 − 0.6), 0, 1) = 0.675" in i1["scoring"]["steps"][0]
    assert i1["pool_formula"] == "25001 × 0.375 = 9375.375 → 9376"
    assert (i1["available_exact"], i1["available_pence"]) == ("5156.8", 5157)
    assert i1["earned_formula"] == "round(5157 × 0.675) = round(3480.975) = 3481"
    assert i2["earned_formula"] == "round(3094 × 0.75) = round(2320.5) = 2321"
    assert any(
        s.startswith("improvement = ") and s.endswith("clip(((-3.75) − (-6)) / ((-3) − (-6)), 0, 1) = 0.75")
        for s in i2["scoring"]["steps"]
    )
    assert i5["score"] is None and i5["scorable"] is False and i5["pool_pence"] == 0
    assert i3["score"] == "0.5" and i3["earned_pence"] == 1375
    totals = a["totals"]
    assert totals["redistributed_formula"].endswith(
        "= 6953 × 7177 / 18048 = 2764.942431 → 2765 (largest remainder)"
    )
    assert totals["net_payable_formula"] == "base + earned + redistributed = 135002 + 7177 + 2765 = 144944"
    b = explain_json(worked_run, "B", "--indicator", "i4")
    assert [item["indicator_id"] for item in b["indicators"]] == ["i4"]
    assert b["indicators"][0]["rows"]["counted"] == 1  # A's i4 row is not B's
    assert b["totals"]["net_payable_pence"] == 105061


def test_explain_in_the_terminal_reads_as_numbered_steps(worked_run: Path) -> None:
    code, stdout, _ = invoke("explain", str(worked_run), "--provider", "A", "--indicator", "i2")
    assert code == 0
    assert "3. i2: Foot admissions per 1000" in stdout
    assert "lower is better: a, T, G, B and band levels are negated" in stdout
    assert (
        "net payable = base + earned + redistributed = 135002 + 7177 + 2765 = 144944 pence = £1,449.44"
        in stdout
    )
    assert "the parts add up to the net payable on the statement" in stdout


def test_an_unknown_provider_or_indicator_is_a_usage_error_with_a_suggestion(worked_run: Path) -> None:
    code, _, stderr = invoke("explain", str(worked_run), "--provider", "a")
    assert code == 2
    assert "--provider: A009 no provider 'a' in this run (providers: A, B)" in stderr
    code, _, stderr = invoke("explain", str(worked_run), "--provider", "A", "--indicator", "i4")
    assert code == 2
    assert "A009 provider 'A' has no line for indicator 'i4'" in stderr


def test_records_needs_a_record_level_extract_and_one_indicator(worked_run: Path) -> None:
    code, _, stderr = invoke("explain", str(worked_run), "--provider", "A", "--indicator", "i1", "--records")
    assert code == 2
    assert "A010 --records needs a record-level extract" in stderr
    code, _, stderr = invoke("explain", str(worked_run), "--provider", "A", "--records")
    assert code == 2
    assert "A012 --records lists the people of one indicator: give --indicator" in stderr


def record_rows() -> list[dict]:  # type: ignore[type-arg]
    """The worked example's extract as one row per person, plus two people excluded from i1."""
    rows = []
    for provider, indicator, month, numerator, denominator, value_sum, value_count in WORKED_ROWS:
        people = denominator if value_count is None else value_count
        for n in range(people):
            row = {
                "patient_id": f"{provider}{indicator}{month}-{n:03d}",
                "provider_id": provider,
                "indicator_id": indicator,
                "period": month,
                "in_denominator": True,
                "in_numerator": numerator is not None and n < numerator,
                "excluded": False,
                "value": None if value_count is None else value_sum / value_count,
            }
            rows.append(row)
    rows += [
        {**rows[70], "patient_id": f"X{n}", "in_numerator": False, "excluded": True} for n in (1, 2)
    ]  # A, i1, 2025-10
    return rows


@pytest.fixture(scope="module")
def record_level_run(worked_run: Path) -> Path:
    folder = worked_run.parent
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
    pl.DataFrame(record_rows(), schema=schema).write_parquet(folder / "records.parquet")
    out = folder / "record-run"
    code, _, stderr = invoke(
        "run",
        str(folder / "contract.yaml"),
        "--data",
        str(folder / "records.parquet"),
        "--period",
        "2025-26-Q3",
        "--out",
        str(out),
        "-q",
    )
    assert code == 0, stderr
    return out


def test_record_level_extracts_settle_to_the_same_pennies(worked_run: Path, record_level_run: Path) -> None:
    amounts = [
        pl.read_parquet(run / "ledger.parquet").select(
            "party_id", "line_type", "indicator_id", "amount_pence"
        )
        for run in (worked_run, record_level_run)
    ]
    assert amounts[0].equals(amounts[1])


def test_records_lists_the_providers_own_people_counted_for_one_indicator(record_level_run: Path) -> None:
    code, stdout, stderr = invoke(
        "explain", str(record_level_run), "--provider", "A", "--indicator", "i1", "--records"
    )
    assert code == 0, stderr
    lines = stdout.splitlines()
    assert lines[0] == "list,patient_id,period,file,place"
    listed = [line.split(",")[0] for line in lines[1:]]
    assert (listed.count("numerator"), listed.count("denominator"), listed.count("excluded")) == (98, 135, 2)
    assert (
        "Ai12025-10-000,2025-10,inputs/extracts/records.parquet,inputs/extracts/records.parquet row "
        in stdout
    )
    assert not any(",2025-09," in line for line in lines)  # September is outside the window
    assert not any(line.split(",")[1].startswith("B") for line in lines[1:])  # only A's own people
    assert "A i1, 2025-10 to 2025-12: 98 in the numerator, 135 in the denominator, 2 excluded" in stderr
    assert "other providers, counts only: B 49/65" in stderr


def test_records_as_json_add_up_to_the_ledger(record_level_run: Path) -> None:
    people = explain_json(record_level_run, "B", "--indicator", "i3", "--records")
    assert people["mean"] is True and people["matches_ledger"] is True
    assert people["counts"] == {"numerator": 0, "denominator": 50, "excluded": 0}
    assert people["all_providers_counts"]["denominator"] == 100
    first = people["lists"]["denominator"][0]
    place = first.pop("place")
    assert first == {
        "patient_id": "Bi32025-11-000",
        "period": "2025-11",
        "file": "inputs/extracts/records.parquet",
        "value": 6.9,
    }
    # The place names the row of the file as received: row N (from 1) holds that very person.
    row = int(place.removeprefix("inputs/extracts/records.parquet row "))
    archived = pl.read_parquet(record_level_run / "inputs" / "extracts" / "records.parquet")
    assert archived.row(row - 1, named=True)["patient_id"] == "Bi32025-11-000"


def test_records_from_a_csv_extract_name_the_line_of_each_person(record_level_run: Path) -> None:
    """explain --records points at the line of the file as received, not at a converted copy."""
    folder = record_level_run.parent
    records = pl.read_parquet(record_level_run / "inputs" / "extracts" / "records.parquet")
    records.write_csv(folder / "records.csv")
    out = folder / "record-run-csv"
    args = ["run", str(folder / "contract.yaml"), "--data", str(folder / "records.csv")]
    code, _, stderr = invoke(*args, "--period", "2025-26-Q3", "--out", str(out), "-q")
    assert code == 0, stderr
    people = explain_json(out, "B", "--indicator", "i3", "--records")
    first = people["lists"]["denominator"][0]
    assert first["file"] == "inputs/extracts/records.csv"
    line = int(first["place"].removeprefix("inputs/extracts/records.csv:"))
    text = (out / "inputs" / "extracts" / "records.csv").read_text(encoding="utf-8").splitlines()
    assert text[line - 1].startswith(first["patient_id"] + ",")
    assert people["matches_ledger"] is True
