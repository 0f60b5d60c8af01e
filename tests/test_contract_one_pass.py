"""A wrongly typed value must not hide the other mistakes in the same file."""

from __future__ import annotations

from pathlib import Path

from paths import ROOT

from obc_settle.contract import load_contract


def test_weights_that_do_not_add_up_are_reported_beside_a_type_error(tmp_path: Path) -> None:
    text = (ROOT / "contracts" / "diabetes-alliance.yaml").read_text()
    text = text.replace("threshold: 0.60", 'threshold: "60%"').replace("base_share: 0.05", "base_share: 0.06")
    text = text.replace(
        "    - id: clinical\n      name: Living well with diabetes\n      weight: 0.6",
        "    - id: clinical\n      name: Living well with diabetes\n      weight: 0.7",
    )
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    loaded, findings = load_contract(path)
    assert loaded is None
    lines = text.splitlines()
    providers_line = lines.index("providers:") + 2
    domains_line = next(i for i, line in enumerate(lines, 1) if line.strip() == "domains:") + 1
    threshold_line = next(i for i, line in enumerate(lines, 1) if '"60%"' in line)
    assert {(f.code, f.location.line) for f in findings} == {
        ("C012", threshold_line),
        ("C021", providers_line),
        ("C020", domains_line),
    }


def test_every_whole_file_rule_runs_beside_a_type_error(tmp_path: Path) -> None:
    text = (ROOT / "contracts" / "diabetes-alliance.yaml").read_text()
    text = text.replace("threshold: 0.60", 'threshold: "60%"')  # C012 on hba1c_control
    text = text.replace(
        "threshold: 0.55", "threshold: 0.75"
    )  # C022: eight_care_processes threshold above target
    text = text.replace("provider: DSN", "provider: DSNN")  # C024: unknown provider
    text = text.replace(
        "  - {year: 2029-30, contract_value: 15370536.67, withheld_proportion: 0.10}\n", ""
    )  # C023
    text = text.replace(
        "caps: {WHIT: 0.6}", "caps: {WHIT: 0.6, WHITT: 0.5}"
    )  # C024: cap for unknown provider
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    loaded, findings = load_contract(path)
    assert loaded is None
    assert sorted(f.code for f in findings) == ["C012", "C022", "C023", "C024", "C024"]


def test_a_wrongly_typed_value_only_silences_the_rules_that_need_it(tmp_path: Path) -> None:
    text = (ROOT / "contracts" / "diabetes-alliance.yaml").read_text()
    # A base share written as text: the base-share sum cannot be judged, so no C021 is invented.
    text = text.replace("base_share: 0.05", 'base_share: "5%"')
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    loaded, findings = load_contract(path)
    assert loaded is None
    assert [f.code for f in findings] == ["C012"]
