"""An output folder can never destroy or corrupt what the user has (issue 16).

`--out` that is, is inside or contains an input (O005), lies in or holds another run's folder
(O006), is a folder of the user's that `--force` would delete (O007) or is a symbolic link (O008)
is refused with exit status 5 before anything is read, and nothing is written or deleted. What a
killed run leaves beside its folder (staging names that are folders, files or symbolic links; its
lock) is gone after the next run. The cases with plain paths are also in the bad-input corpus
(tests/bad_inputs, `output_*`); these are the ones it cannot lay out: symbolic links, --paid,
--payments, --claims, `estimate`, `simulate`, and the folder changing while the run works.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from paths import ROOT
from test_bad_inputs import tree
from typer.testing import CliRunner

from obc_settle.app import settlement, simulate, whatif
from obc_settle.app.settlement import RunRequest, run_settlement
from obc_settle.app.whatif import EstimateRequest, run_estimate
from obc_settle.cli import app
from obc_settle.errors import ExitCode, SettlementError
from obc_settle.run_folder.atomic import OutputFolderError, reserve_folder, write_folder_atomically
from obc_settle.run_folder.guard import is_complete_run_folder

CONTRACT = ROOT / "contracts" / "diabetes-alliance.yaml"
DATA = ROOT / "sample_data" / "diabetes-alliance"
SCENARIO = ROOT / "contracts" / "scenarios" / "hba1c-improves.yaml"


def _not_reached(*_: Any, **__: Any) -> Any:
    raise AssertionError("an input was read although the output folder is refused")


@pytest.fixture
def nothing_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading the contract or the extracts, in any command, fails the test."""
    for module in (settlement, whatif):
        monkeypatch.setattr(module, "load_contract", _not_reached)
        monkeypatch.setattr(module, "read_extracts", _not_reached)
    monkeypatch.setattr(whatif, "load_inputs", _not_reached)
    monkeypatch.setattr(simulate, "design", _not_reached)


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A working folder with a copy of the contract (`c.yaml`) and extracts (`D/`)."""
    shutil.copy(CONTRACT, tmp_path / "c.yaml")
    shutil.copytree(DATA, tmp_path / "D")
    return tmp_path


def write_run_folder(folder: Path, *extra: str) -> None:
    """A complete run folder as far as the guard is concerned: a manifest listing its files."""
    folder.mkdir(parents=True)
    (folder / "ledger.csv").write_text("an earlier settlement")
    manifest = {"schema_version": 2, "run_id": "0123456789abcdef", "outputs": [{"path": "ledger.csv"}]}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    for name in extra:
        (folder / name).write_text("the user's")


def write_new(folder: Path) -> None:
    (folder / "new.txt").write_text("new")


def refusal(run: Any, request: Any) -> list[str]:
    """The codes of the findings of a refused command (exit status 5)."""
    with pytest.raises(SettlementError) as raised:
        run(request)
    assert raised.value.exit_code == ExitCode.OUTPUT_ERROR
    return [finding.code for finding in raised.value.diagnostics]


def cli(workdir: Path, *args: str) -> tuple[int, str]:
    here = Path.cwd()
    os.chdir(workdir)
    try:
        result = CliRunner().invoke(app, list(args), env={"NO_COLOR": "1", "COLUMNS": "200"})
    finally:
        os.chdir(here)
    return result.exit_code, result.stderr


# --- symbolic links -------------------------------------------------------------------------------


def test_a_symlinked_output_folder_is_refused_naming_where_it_points(inputs: Path) -> None:
    (inputs / "real").mkdir()
    (inputs / "real" / "keep.txt").write_text("mine")
    (inputs / "link").symlink_to("real")
    before = tree(inputs)
    for force in ([], ["--force"]):
        status, stderr = cli(
            inputs, "run", "c.yaml", "--data", "D", "--period", "2025-26-Q3", "--out", "link", *force
        )
        assert status == 5
        assert "link: O008 is a symbolic link to real: give that folder as --out instead" in stderr
        assert tree(inputs) == before  # the link, its folder and nothing beside them


def test_a_dangling_symlink_is_refused_too(inputs: Path, nothing_is_read: None) -> None:
    (inputs / "link").symlink_to("nowhere")
    request = RunRequest(inputs / "c.yaml", inputs / "D", "2025-26-Q3", inputs / "link")
    assert refusal(run_settlement, request) == ["O008"]
    assert (inputs / "link").is_symlink() and not (inputs / "nowhere").exists()


def test_a_symlink_into_the_data_gives_both_findings_in_one_pass(inputs: Path, nothing_is_read: None) -> None:
    (inputs / "link").symlink_to("D")
    request = RunRequest(inputs / "c.yaml", inputs / "D", "2025-26-Q3", inputs / "link", force=True)
    assert refusal(run_settlement, request) == ["O008", "O005"]


def test_symlinked_parents_are_resolved_so_the_data_is_still_found(
    inputs: Path, nothing_is_read: None
) -> None:
    (inputs / "data-link").symlink_to("D")
    for out in (inputs / "data-link" / "run", inputs / "elsewhere" / ".." / "D"):
        request = RunRequest(inputs / "c.yaml", inputs / "D", "2025-26-Q3", out, force=True)
        assert refusal(run_settlement, request) == ["O005"]
    assert not (inputs / "D" / "run").exists() and not (inputs / "elsewhere").exists()


def test_an_output_below_a_symlinked_parent_is_written_in_the_real_folder(inputs: Path) -> None:
    (inputs / "runs").mkdir()
    (inputs / "runs-link").symlink_to("runs")
    request = RunRequest(
        inputs / "c.yaml", inputs / "D", "2025-26-Q3", inputs / "runs-link" / "q3", formats=("html",)
    )
    run_settlement(request)
    assert (inputs / "runs" / "q3" / "manifest.json").is_file()
    assert sorted(p.name for p in (inputs / "runs").iterdir()) == ["q3"]  # no lock, no partial


# --- every input of every command ------------------------------------------------------------------


def test_paid_folders_payments_and_claims_are_protected(inputs: Path, nothing_is_read: None) -> None:
    write_run_folder(inputs / "runs" / "q1")
    (inputs / "money").mkdir()
    (inputs / "money" / "payments.parquet").write_bytes(b"PAR1")
    (inputs / "claims.parquet").write_bytes(b"PAR1")
    base = RunRequest(inputs / "c.yaml", inputs / "D", "2025-26", inputs / "out", force=True)
    paid = (inputs / "runs" / "q1",)
    cases: dict[Path, tuple[dict[str, Any], list[str]]] = {
        inputs / "runs" / "q1": ({"paid": paid}, ["O005"]),  # a run folder, but an input of this run
        inputs / "runs" / "q1" / "x": ({"paid": paid}, ["O005", "O006"]),
        inputs / "runs": ({"paid": paid}, ["O005"]),
        inputs / "money": ({"payments": inputs / "money" / "payments.parquet"}, ["O005"]),
        inputs / "claims.parquet": ({"claims": inputs / "claims.parquet"}, ["O005"]),
    }
    before = tree(inputs)
    for out, (fields, codes) in cases.items():
        request = dataclasses.replace(base, out_dir=out, **fields)
        assert refusal(run_settlement, request) == codes, out
    assert tree(inputs) == before


def test_a_data_glob_protects_its_folder(inputs: Path, nothing_is_read: None) -> None:
    request = RunRequest(inputs / "c.yaml", inputs / "D" / "*.parquet", "2025-26-Q3", inputs / "D" / "run")
    assert refusal(run_settlement, request) == ["O005"]


def test_an_estimate_into_its_data_is_refused(inputs: Path, nothing_is_read: None) -> None:
    request = EstimateRequest(inputs / "c.yaml", inputs / "D", "2025-26", inputs / "D", force=True)
    assert refusal(run_estimate, request) == ["O005"]


def test_a_simulation_into_the_folder_of_its_scenario_or_draft_is_refused(
    inputs: Path, nothing_is_read: None
) -> None:
    (inputs / "scenarios").mkdir()
    shutil.copy(SCENARIO, inputs / "scenarios" / "s.yaml")
    before = tree(inputs)
    commands = [
        ["scenario", "c.yaml", "--data", "D", "--period", "2025-26", "--scenario", "scenarios/s.yaml"],
        ["design", "c.yaml", "--data", "D"],
    ]
    for command, out in zip(commands, ["scenarios", "."], strict=True):
        status, stderr = cli(inputs, "simulate", *command, "--out", out, "--force")
        assert status == 5, stderr
        assert f"{out}: O005 contains the input" in stderr
    assert tree(inputs) == before


# --- what --force may replace ---------------------------------------------------------------------


def test_force_replaces_an_empty_folder_and_a_complete_run_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write_run_folder(tmp_path / "run")
    (tmp_path / "run" / "manifest.sig").write_text("a signature")  # beside the manifest, not in it
    for name in ("empty", "run"):
        write_folder_atomically(tmp_path / name, write_new, force=True)
        assert sorted(p.name for p in (tmp_path / name).iterdir()) == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "run"]


def test_force_refuses_a_run_folder_holding_a_file_its_manifest_does_not_list(tmp_path: Path) -> None:
    write_run_folder(tmp_path / "run", "my-notes.txt")
    assert not is_complete_run_folder(tmp_path / "run")
    before = tree(tmp_path)
    with pytest.raises(OutputFolderError) as raised:
        write_folder_atomically(tmp_path / "run", lambda folder: None, force=True)
    assert raised.value.code == "O007" and "remove it by hand or choose another folder" in str(raised.value)
    assert tree(tmp_path) == before


def test_a_manifest_that_is_not_a_run_manifest_does_not_make_a_run_folder(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "manifest.json").write_text('{"name": "a web app manifest"}')
    with pytest.raises(OutputFolderError) as raised:
        write_folder_atomically(tmp_path / "site", lambda folder: None, force=True)
    assert raised.value.code == "O007"
    write_folder_atomically(tmp_path / "site" / "run", lambda folder: None, force=False)  # not inside a run
    assert (tmp_path / "site" / "run").is_dir()


def test_a_folder_made_a_symlink_while_the_run_works_is_still_refused(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "keep.txt").write_text("mine")
    target = tmp_path / "run"
    with reserve_folder(target, force=True) as reserved:
        target.symlink_to("real")  # made by hand after the reservation, before the swap
        with pytest.raises(OutputFolderError) as raised:
            reserved.write(write_new)
    assert raised.value.code == "O008"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real", "run"]
    assert [p.name for p in (tmp_path / "real").iterdir()] == ["keep.txt"]


# --- what killed runs leave behind ----------------------------------------------------------------


def test_what_killed_runs_left_beside_the_folder_is_gone_after_the_next_run(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "keep.txt").write_text("mine")
    (tmp_path / ".run.partial-link").symlink_to("elsewhere")  # an exchange with a symlinked target
    (tmp_path / ".run.partial-file").write_text("x")
    (tmp_path / ".run.partial-folder" / "statements").mkdir(parents=True)
    (tmp_path / ".run.old-folder").mkdir()
    (tmp_path / ".run.lock").write_text("")  # the lock of a killed run
    write_folder_atomically(tmp_path / "run", write_new, force=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "run"]
    assert [p.name for p in (tmp_path / "elsewhere").iterdir()] == ["keep.txt"]  # a link is not followed


def test_a_refused_run_touches_nothing_beside_the_folder(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "mine.txt").write_text("mine")
    (tmp_path / ".run.partial-left").mkdir()
    before = tree(tmp_path)
    with pytest.raises(OutputFolderError):
        write_folder_atomically(tmp_path / "run", lambda folder: None, force=True)
    assert tree(tmp_path) == before
