"""The command line as a finished tool: choosing formats, help with examples, exit statuses, progress."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from paths import ROOT
from rich.console import Console
from typer.testing import CliRunner

from obc_settle.cli import app
from obc_settle.cli.base import EXIT_STATUSES, consoles
from obc_settle.errors import ExitCode
from obc_settle.render.terminal import ProgressBar

runner = CliRunner()
CONTRACT = ROOT / "contracts" / "diabetes-alliance.yaml"
DATA = ROOT / "sample_data" / "diabetes-alliance"
PROVIDERS = ("WHIT", "ISLGP", "HARGP", "DSN")


def run(out: Path, *extra: str) -> tuple[int, str, str]:
    result = runner.invoke(
        app, ["run", str(CONTRACT), "--data", str(DATA), "--period", "2025-26-Q3", "--out", str(out), *extra]
    )
    return result.exit_code, result.stdout, result.stderr


def documents(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix() for sub in ("statements", "report") for p in (folder / sub).glob("*")
    )


def test_run_writes_every_statement_and_the_report_in_every_format_by_default(tmp_path: Path) -> None:
    code, stdout, stderr = run(tmp_path / "run")
    assert code == 0, stderr
    expected = [f"report/commissioner.{kind}" for kind in ("html", "pdf", "xlsx")]
    expected += [f"statements/{p}.{kind}" for p in PROVIDERS for kind in ("html", "pdf", "xlsx")]
    assert documents(tmp_path / "run") == sorted(expected)
    assert "statements/<provider>.{html,pdf,xlsx}" in stdout
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert "formats" not in manifest["parameters"]
    assert {"statements/WHIT.pdf", "report/commissioner.xlsx"} <= {
        item["path"] for item in manifest["outputs"]
    }


def test_format_chooses_the_documents_and_is_recorded_in_the_manifest(tmp_path: Path) -> None:
    code, _, stderr = run(tmp_path / "run", "--format", "pdf", "--quiet")
    assert code == 0, stderr
    assert documents(tmp_path / "run") == sorted(
        ["report/commissioner.pdf", *(f"statements/{p}.pdf" for p in PROVIDERS)]
    )
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["parameters"]["formats"] == ["pdf"]


def test_an_unknown_format_is_a_usage_error_before_anything_runs(tmp_path: Path) -> None:
    code, _, stderr = run(tmp_path / "run", "--format", "pdf,docx")
    assert code == ExitCode.USAGE
    assert "unknown format 'docx'" in stderr
    assert not (tmp_path / "run").exists()


def test_help_lists_every_exit_status_and_every_command_has_an_example() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for code in ExitCode:
        assert re.search(rf"^\s+{int(code)}\s+\S", result.stdout, re.MULTILINE), code
    assert "Examples:" in result.stdout
    commands = re.findall(r"^  (\w+)\s{2,}", result.stdout.split("Commands:")[1], re.MULTILINE)
    assert {"validate", "run", "schema"} <= set(commands)
    for command in commands:
        text = runner.invoke(app, [command, "--help"]).stdout
        assert "Example" in text and f"obc-settle {command}" in text, command


def test_docs_list_the_same_exit_statuses_as_the_help() -> None:
    table = (
        (ROOT / "docs" / "cli.md").read_text(encoding="utf-8").split("## Exit status")[1].split("\n## ")[0]
    )
    documented = {int(number) for number in re.findall(r"^\| (\d+) \|", table, re.MULTILINE)}
    assert documented == {int(code) for code in ExitCode} == {int(code) for code in EXIT_STATUSES}


def test_the_progress_bar_shows_on_a_terminal_only_and_not_when_quiet() -> None:
    shown = Console(file=io.StringIO(), force_terminal=True, width=100)
    with ProgressBar(shown) as progress:
        progress("Writing statements", 3, 15)
        shown.file.flush()
    assert progress.active
    assert "Writing statements" in shown.file.getvalue()  # type: ignore[attr-defined]
    for console, enabled in (
        (Console(file=io.StringIO(), force_terminal=False), True),
        (Console(file=io.StringIO(), force_terminal=True), False),
    ):
        with ProgressBar(console, enabled=enabled) as progress:
            progress("Writing statements", 3, 15)
        assert not progress.active
        assert console.file.getvalue() == ""  # type: ignore[attr-defined]


def test_piped_output_has_no_progress_bar_and_no_colour(tmp_path: Path) -> None:
    code, stdout, stderr = run(tmp_path / "run", "--format", "html", "--json")
    assert code == 0
    json.loads(stdout)
    assert "Writing statements" not in stderr and "\x1b[" not in stderr + stdout


def test_no_color_turns_colour_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert all(console.no_color for console in consoles())
    monkeypatch.delenv("NO_COLOR")
    assert not any(console.no_color for console in consoles())


def test_the_summary_table_grows_columns_only_for_what_the_settlement_has() -> None:
    from obc_settle.render.terminal import settlement_table

    provider = {
        "provider_id": "A",
        "role": "lead",
        "base_pence": 100,
        "withheld_pence": 10,
        "earned_pence": 5,
        "unearned_pence": 5,
        "redistributed_pence": 0,
        "net_payable_pence": 105,
    }
    summary = {
        "contract_name": "C",
        "settlement_period": "2025-26",
        "status": "final",
        "contract_value_pence": 110,
        "outcome_pool_pence": 10,
        "paid_to_providers_pence": 105,
        "retained_pence": 5,
        "providers": [provider],
    }
    headings = [column.header for column in settlement_table(summary).columns]
    assert headings == [
        "provider",
        "role",
        "base",
        "withheld",
        "earned",
        "unearned",
        "net payable",
    ]  # nothing redistributed: no column for it
    richer = {
        **summary,
        "reconciled": True,
        "providers": [{**provider, "points_pence": 7, "paid_to_date_pence": 90, "due_now_pence": 15}],
    }
    headings = [column.header for column in settlement_table(richer).columns]
    assert headings[-5:] == ["points", "net payable", "restated", "paid to date", "due now"]
