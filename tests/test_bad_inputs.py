"""The bad-input corpus: every case gets its exact messages and exit status, and no output.

Each folder under tests/bad_inputs/ is a case (see make_cases.py there): the inputs that differ
from `_base/`, and `expected.txt` with the exit status and the exact lines on standard error.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app

CORPUS = ROOT / "tests" / "bad_inputs"


def case_names() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def run_case(case: Path, workdir: Path) -> tuple[int, str, Path]:
    """Lay out the case in `workdir`, run `obc-settle run` there, return (exit, stderr, out)."""
    shutil.copy(CORPUS / "_base" / "contract.yaml", workdir / "contract.yaml")
    shutil.copytree(CORPUS / "_base" / "data", workdir / "data")
    if (case / "contract.yaml").exists():
        shutil.copy(case / "contract.yaml", workdir / "contract.yaml")
    if (case / "data").exists():
        shutil.rmtree(workdir / "data")
        shutil.copytree(case / "data", workdir / "data")
    options = {"--period": "2025-26-Q3", "--data": "data", "--contract": "contract.yaml"}
    extra = (case / "args.txt").read_text().split() if (case / "args.txt").exists() else []
    switches = [flag for flag in ("--nothing-paid-on-account",) if flag in extra]
    extra = [word for word in extra if word not in switches]
    if "--existing-out" in extra:
        extra.remove("--existing-out")
        (workdir / "out").mkdir()
        (workdir / "out" / "keep.txt").write_text("an earlier settlement")
    for flag, value in zip(extra[::2], extra[1::2], strict=True):
        options[flag] = value
    args = [
        "run",
        options["--contract"],
        "--data",
        options["--data"],
        "--period",
        options["--period"],
        "--out",
        "out",
        *switches,
    ]
    here = Path.cwd()
    os.chdir(workdir)
    try:
        result = CliRunner().invoke(app, args, env={"NO_COLOR": "1", "COLUMNS": "200"})
    finally:
        os.chdir(here)
    return result.exit_code, result.stderr, workdir / "out"


def test_the_corpus_has_at_least_sixty_cases() -> None:
    assert len(case_names()) >= 60


@pytest.mark.parametrize("name", case_names())
def test_bad_input_gets_its_exact_answer_and_writes_nothing(name: str, tmp_path: Path) -> None:
    expected = (CORPUS / name / "expected.txt").read_text(encoding="utf-8")
    status_line, _, messages = expected.partition("\n")
    code, stderr, out = run_case(CORPUS / name, tmp_path)
    assert f"exit {code}" == status_line
    assert stderr == messages
    assert "Traceback" not in stderr
    if name == "output_folder_exists":
        assert [p.name for p in out.iterdir()] == ["keep.txt"]
    else:
        assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".") and not p.name.endswith(".lock")]
