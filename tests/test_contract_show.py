"""`obc-settle contract show`: what a contract asks of the data, one indicator a line."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from engine_support import contract_dict, dump, indicator
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app

runner = CliRunner()
DIABETES = ROOT / "contracts" / "diabetes-alliance.yaml"


def show(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["contract", "show", *args])
    return result.exit_code, result.stdout, result.stderr


def test_every_indicator_is_listed_with_the_columns_it_needs_and_weights_adding_to_one() -> None:
    code, stdout, _ = show(str(DIABETES), "--json")
    assert code == 0
    view = json.loads(stdout)
    by_id = {row["id"]: row for row in view["indicators"]}
    assert by_id["hba1c_control"]["aggregated_columns"] == ["numerator", "denominator"]
    assert by_id["confidence_score"]["aggregated_columns"] == ["value_sum", "value_count"]
    assert by_id["confidence_score"]["record_level_columns"][-1] == "value"
    assert "value" not in by_id["hba1c_control"]["record_level_columns"]
    assert by_id["foot_ulcer_admissions"]["window"] == "rolling 12 months"
    assert sum(Decimal(row["weight"]) for row in view["indicators"]) == 1
    assert view["key_columns"] == ["provider_id", "indicator_id", "period"]


def test_the_terminal_table_names_each_indicator() -> None:
    code, stdout, _ = show(str(DIABETES))
    assert code == 0
    for name in ("hba1c_control", "eight_care_processes", "confidence_score", "value_sum"):
        assert name in stdout


def test_quantities_the_money_depends_on_are_listed() -> None:
    code, stdout, _ = show(str(ROOT / "contracts" / "templates" / "qof.yaml"), "--json")
    assert code == 0
    view = json.loads(stdout)
    assert {"list_size", "af_register", "dm_register"} <= {q["id"] for q in view["quantities"]}
    assert all(row["weight"].endswith("points") for row in view["indicators"])


def test_levels_are_those_of_the_year_asked_for(tmp_path: Path) -> None:
    body = contract_dict(
        years=(("2025-26", "100000.00", "0.1"), ("2026-27", "100000.00", "0.1")),
        indicators=[indicator(by_year={"2026-27": {"threshold": 0.65, "target": 0.75}})],
    )
    path = tmp_path / "c.yaml"
    path.write_text(dump(body), encoding="utf-8")
    first = json.loads(show(str(path), "--json")[1])["indicators"][0]
    second = json.loads(show(str(path), "--json", "--year", "2026-27")[1])["indicators"][0]
    assert (first["threshold"], first["target"]) == ("0.6", "0.7")
    assert (second["threshold"], second["target"]) == ("0.65", "0.75")


def test_names_are_printed_as_written_never_as_markup_or_emoji(tmp_path: Path) -> None:
    body = contract_dict(indicators=[indicator(name="[bold]Seen:100: times[/bold]")])
    path = tmp_path / "c.yaml"
    path.write_text(dump(body), encoding="utf-8")
    code, stdout, _ = show(str(path))
    assert code == 0
    assert "[bold]Seen:100: times[/bold]" in stdout


def test_a_year_not_in_the_contract_and_an_invalid_contract_are_refused(tmp_path: Path) -> None:
    code, _, stderr = show(str(DIABETES), "--year", "2040-41")
    assert code == 2
    assert "2040-41 is not a contract year" in stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [\n", encoding="utf-8")
    code, _, stderr = show(str(broken))
    assert code == 1
    assert "broken.yaml:" in stderr


def test_an_indicator_that_states_its_value_shows_its_money_and_share_of_the_pool(tmp_path: Path) -> None:
    """CQUIN: five indicators of £600,000 each; one changed to £1,200,000 (the pool grows with it)."""
    cquin = ROOT / "contracts" / "templates" / "cquin.yaml"
    text = cquin.read_text(encoding="utf-8").replace("currency: GBP", "currency: USD")
    text = text.replace("value: 600000.00, window", "value: 1200000.00, window", 1)
    text = text.replace("withheld_proportion: 0.0125", "withheld_proportion: 0.015")
    path = tmp_path / "cquin.yaml"
    path.write_text(text, encoding="utf-8")
    code, stdout, stderr = show(str(path), "--json")
    assert code == 0, stderr
    rows = json.loads(stdout)["indicators"]
    assert [row["value"] for row in rows] == ["$1,200,000.00"] + ["$600,000.00"] * 4
    assert [row["value_pence"] for row in rows] == [120_000_000] + [60_000_000] * 4
    assert [row["weight"] for row in rows] == ["1/3"] + ["1/6"] * 4
    assert sum(Fraction(row["weight"]) for row in rows) == 1
    code, stdout, _ = show(str(path))
    assert code == 0
    assert "$1,200,000.00" in stdout and "(1/3 of the" in stdout and "—" not in stdout


def test_a_weighted_indicator_shows_no_value() -> None:
    code, stdout, _ = show(str(DIABETES), "--json")
    assert code == 0
    assert all(row["value"] == "" and row["value_pence"] is None for row in json.loads(stdout)["indicators"])
