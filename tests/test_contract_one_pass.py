"""A wrongly typed value must not hide the other mistakes in the same file."""

from __future__ import annotations

from pathlib import Path

from paths import ROOT

from obc_settle.contract import load_contract


def test_weights_that_do_not_add_up_are_reported_beside_a_type_error(tmp_path: Path) -> None:
    text = (ROOT / "contracts" / "diabetes-alliance.yaml").read_text()
    text = text.replace("threshold: 0.60", 'threshold: "60%"').replace("base_share: 0.05", "base_share: 0.06")
    text = text.replace("    - id: clinical\n      name: Living well with diabetes\n      weight: 0.6", "    - id: clinical\n      name: Living well with diabetes\n      weight: 0.7")
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
