"""`obc-settle init`: every scheme has a template, listed, created, and valid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app
from obc_settle.contract import load_contract

runner = CliRunner()
SCHEMES = ["cquin", "hvbp", "mssp", "qof", "rate-card"]


def test_init_lists_a_template_for_every_scheme() -> None:
    result = runner.invoke(app, ["init", "--list", "--json"])
    assert result.exit_code == 0
    listed = {item["name"]: item["summary"] for item in json.loads(result.stdout)}
    assert set(SCHEMES) <= set(listed)
    assert "Quality and Outcomes Framework" in listed["qof"]
    text = runner.invoke(app, ["init", "--list"]).stdout
    assert all(name in text for name in SCHEMES)


@pytest.mark.parametrize("name", SCHEMES)
def test_init_creates_a_valid_contract_from_each_template(tmp_path: Path, name: str) -> None:
    target = tmp_path / "mine.yaml"
    result = runner.invoke(app, ["init", "--template", name, "--out", str(target)])
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes() == (ROOT / "contracts" / "templates" / f"{name}.yaml").read_bytes()
    loaded, findings = load_contract(target)
    assert loaded is not None and findings == []


def test_init_keeps_an_existing_file_and_refuses_an_unknown_template(tmp_path: Path) -> None:
    target = tmp_path / "qof.yaml"
    target.write_text("mine")
    result = runner.invoke(app, ["init", "--template", "qof", "--out", str(target)])
    assert result.exit_code == 5 and "O001" in result.stderr and target.read_text() == "mine"
    result = runner.invoke(app, ["init", "--template", "qof", "--out", str(target), "--force"])
    assert result.exit_code == 0 and target.read_text() != "mine"
    result = runner.invoke(app, ["init", "--template", "nope", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "R003 no template 'nope'" in result.stderr
    result = runner.invoke(app, ["init", "--template", "cquin", "--out", str(tmp_path)])
    assert result.exit_code == 0 and (tmp_path / "cquin.yaml").is_file()
