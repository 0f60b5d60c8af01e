"""The bad-input corpus: every case gets its findings, where they are, its exit status, and no output.

Each folder under tests/bad_inputs/ is a case (see make_cases.py there): the inputs that differ
from `_base/`, and `expected.txt`: the exit status (`exit 3`), then each finding `obc-settle run`
prints on standard error, in order, as its place and code without the wording:

    contract.yaml:20:70: C012                       a contract: file:line:column
    data/extract.parquet row 7, column indicator_id: D008   data: the file, the row, the column
    --period: R001                                  a run argument

Messages can improve without touching the corpus. Where the wording is the point (a message that
tells the user what to do next, and one whole report of each kind) the case is in EXACT_TEXT and
its `stderr.txt` holds standard error exactly. Contract mistakes the loader already meets in
tests/bad_contracts/ (test_contract_cases.py, by code, line and column) are not repeated here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app

CORPUS = ROOT / "tests" / "bad_inputs"

# The cases whose exact standard error is asserted (stderr.txt), and why the wording matters there.
EXACT_TEXT = {
    "several_mistakes_at_once": "a whole contract report: every problem in one pass, in file order, then the count",
    "extract_many_problems_in_one_file": "a whole data report: file, column, example row, and the count",
    "corrected_file_beside_original": "says to settle with the corrected file or name it with --restated",
    "missing_provider_month_in_a_final_settlement": "names the missing cells and the two ways to settle",
    "rate_from_registers_in_a_final_settlement": "asks about units and names how to accept the value",
    "year_end_without_payments_on_account": "names --paid, --payments and --nothing-paid-on-account",
    "output_folder_exists": "says to use --force",
    "output_is_the_data_folder_with_force": "says to choose an output folder apart from the inputs",
    "output_not_a_run_folder_with_force": "says to remove it by hand or choose another folder",
}

# `place: [warning ]CODE message`; the place of a contract finding is file:line:column.
FINDING = re.compile(r"^(?P<place>\S(?:.*?\S)?): (?P<warning>warning )?(?P<code>[A-Z]\d{3}) (?P<message>.*)$")
# A data finding names the column and an example row in its message: "column numerator: 1 row
# negative, e.g. row 4"; "required column 'period' is missing".
COLUMN = re.compile(r"\bcolumn '?([A-Za-z_]\w*)'?")
ROW = re.compile(r"\brow (\d+)\b")


def findings_of(stderr: str) -> list[str]:
    """Each finding on standard error as `place: CODE` (data: `file row N, column C: CODE`)."""
    found = []
    for line in stderr.splitlines():
        match = FINDING.match(line)
        if match is None:
            continue
        place, message = match["place"], match["message"]
        where = [f"row {row[1]}" for row in [ROW.search(message)] if row]
        where += [f"column {column[1]}" for column in [COLUMN.search(message)] if column]
        if where and not re.search(r":\d+(:\d+)?$", place):
            place = f"{place} {', '.join(where)}"
        found.append(f"{place}: {match['warning'] or ''}{match['code']}")
    return found


def expectation(exit_code: int, stderr: str) -> str:
    """What expected.txt holds for a case: its exit status, then its findings, one a line."""
    return "".join(f"{line}\n" for line in [f"exit {exit_code}", *findings_of(stderr)])


def case_names() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def run_case(case: Path, workdir: Path) -> tuple[int, str, Path]:
    """Lay out the case in `workdir`, run `obc-settle run` there, return (exit, stderr, out)."""
    args = lay_out_case(case, workdir)
    code, stderr = run_in(workdir, args)
    return code, stderr, workdir / args[args.index("--out") + 1]


def lay_out_case(case: Path, workdir: Path) -> list[str]:
    """Lay out the case in `workdir`; the arguments of its `obc-settle run`."""
    shutil.copy(CORPUS / "_base" / "contract.yaml", workdir / "contract.yaml")
    shutil.copytree(CORPUS / "_base" / "data", workdir / "data")
    if (case / "contract.yaml").exists():
        shutil.copy(case / "contract.yaml", workdir / "contract.yaml")
    if (case / "data").exists():
        shutil.rmtree(workdir / "data")
        shutil.copytree(case / "data", workdir / "data")
    options = {"--period": "2025-26-Q3", "--data": "data", "--contract": "contract.yaml", "--out": "out"}
    extra = (case / "args.txt").read_text().split() if (case / "args.txt").exists() else []
    switches = [flag for flag in ("--nothing-paid-on-account", "--force") if flag in extra]
    extra = [word for word in extra if word not in switches]
    if "--existing-out" in extra:
        extra.remove("--existing-out")
        (workdir / "out").mkdir()
        (workdir / "out" / "keep.txt").write_text("an earlier settlement")
    if "--existing-run" in extra:  # a run folder written earlier, runs/q3: its manifest lists its files
        extra.remove("--existing-run")
        (workdir / "runs" / "q3" / "inputs").mkdir(parents=True)
        (workdir / "runs" / "q3" / "ledger.csv").write_text("an earlier settlement")
        manifest = {"schema_version": 2, "run_id": "0123456789abcdef", "outputs": [{"path": "ledger.csv"}]}
        (workdir / "runs" / "q3" / "manifest.json").write_text(json.dumps(manifest))
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
        options["--out"],
        *switches,
    ]
    return args


def run_in(workdir: Path, args: list[str]) -> tuple[int, str]:
    """`obc-settle` with `args`, in `workdir`: (exit, stderr)."""
    here = Path.cwd()
    os.chdir(workdir)
    try:
        result = CliRunner().invoke(app, args, env={"NO_COLOR": "1", "COLUMNS": "200"})
    finally:
        os.chdir(here)
    return result.exit_code, result.stderr


def tree(folder: Path) -> dict[str, str | bytes]:
    """Every folder, file and symbolic link below `folder`, with the bytes or the link's target."""
    found: dict[str, str | bytes] = {}
    for path in folder.rglob("*"):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[name] = f"-> {os.readlink(path)}"
        else:
            found[name] = "folder" if path.is_dir() else path.read_bytes()
    return found


def test_the_corpus_has_at_least_sixty_cases() -> None:
    assert len(case_names()) >= 60


@pytest.mark.parametrize("name", case_names())
def test_bad_input_gets_its_findings_and_exit_status_and_writes_nothing(name: str, tmp_path: Path) -> None:
    args = lay_out_case(CORPUS / name, tmp_path)
    before = tree(tmp_path)
    code, stderr = run_in(tmp_path, args)
    expected = (CORPUS / name / "expected.txt").read_text(encoding="utf-8")
    assert expectation(code, stderr) == expected, stderr
    # Standard error is the findings and one closing line that counts them; nothing else.
    lines = stderr.splitlines()
    assert [line for line in lines[:-1] if not FINDING.match(line)] == []
    assert lines[-1].startswith(f"{len(lines) - 1} problem"), lines[-1]
    assert "Traceback" not in stderr
    if name in EXACT_TEXT:
        assert stderr == (CORPUS / name / "stderr.txt").read_text(encoding="utf-8"), EXACT_TEXT[name]
    # Nothing written and nothing deleted: no output, no lock or temporary folder beside it, and
    # every input (and an existing output folder) exactly as it was.
    assert tree(tmp_path) == before


def test_exact_text_is_kept_only_for_the_named_cases() -> None:
    with_text = {p.parent.name for p in CORPUS.glob("*/stderr.txt")}
    assert with_text == set(EXACT_TEXT)
    assert set(EXACT_TEXT) <= set(case_names())


def test_findings_are_read_as_place_and_code_with_the_row_and_column_of_data() -> None:
    stderr = (
        "contract.yaml:20:70: C012 contract_years.0.withheld_proportion: expected a number\n"
        "data/extract.parquet: D008 column indicator_id: 1 row with an indicator ('x'), e.g. row 7\n"
        "data/extract.parquet: D002 required column 'period' is missing\n"
        "data: warning D025 indicator admissions: achieved 0.1667 is implausible\n"
        "--period: R001 settlement period 'Q3-2025' is not a contract year\n"
        "5 problems; nothing was written\n"
    )
    assert findings_of(stderr) == [
        "contract.yaml:20:70: C012",
        "data/extract.parquet row 7, column indicator_id: D008",
        "data/extract.parquet column period: D002",
        "data: warning D025",
        "--period: R001",
    ]
