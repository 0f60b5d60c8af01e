"""Paths, ids, names and messages reach the terminal as written: no Rich markup, no emoji codes.

Rich reads `:100:` as an emoji code and `[bold]` as markup; a finding on line 100 once printed as
`typo.yaml💯17`. Every console the command line prints through is made plain (cli.base.consoles).
"""

from __future__ import annotations

from pathlib import Path

from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app

runner = CliRunner()


def test_a_finding_on_line_100_in_a_folder_named_like_markup_prints_as_written(tmp_path: Path) -> None:
    folder = tmp_path / ":100:" / "[bold]"
    folder.mkdir(parents=True)
    contract = folder / "[red]typo.yaml"
    contract.write_text("schema_version: 1\n" + "# padding\n" * 98 + "id: x\nbogus: 1\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(contract)])
    assert result.exit_code == 1
    assert f"{contract}:101:1: C010 unknown key 'bogus'" in result.stderr
    assert "💯" not in result.stderr


def test_a_contract_name_with_markup_and_emoji_codes_prints_as_written_above_the_table(
    tmp_path: Path,
) -> None:
    text = (ROOT / "contracts" / "diabetes-alliance.yaml").read_text(encoding="utf-8")
    name = "[bold]Alliance :100: of :hospital: care[/bold]"
    start = text.index("\nname: ") + 1
    end = text.index("\n", start)
    contract = tmp_path / "c.yaml"
    contract.write_text(text[:start] + f"name: '{name}'" + text[end:], encoding="utf-8")
    args = ["run", str(contract), "--data", str(ROOT / "sample_data" / "diabetes-alliance")]
    result = runner.invoke(
        app, [*args, "--period", "2025-26-Q3", "--out", str(tmp_path / "out"), "--format", "html"]
    )
    assert result.exit_code == 0, result.stderr
    assert name in result.stdout
