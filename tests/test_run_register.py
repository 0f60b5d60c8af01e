"""The run register: append-only, hash-chained, one JSON line per run; `register check` finds a
line edited, deleted or moved, a run folder that no longer matches, and a settlement redone."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.audit.register import GENESIS, RegisterEntry, RegisterError, append_entry
from obc_settle.cli import app

runner = CliRunner()
CONTRACT = ROOT / "contracts" / "diabetes-alliance.yaml"
DATA = ROOT / "sample_data" / "diabetes-alliance"


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def entry(run_id: str, period: str = "2025-26-Q1", run_dir: str = "nowhere") -> RegisterEntry:
    return RegisterEntry(run_id, "ih-diabetes-alliance", "1", period, None, "ab" * 32, run_dir)


@pytest.fixture
def register(tmp_path: Path) -> Path:
    path = tmp_path / "register.jsonl"
    for number, period in enumerate(("2025-26-Q1", "2025-26-Q2", "2025-26-Q3", "2025-26-Q4"), start=1):
        append_entry(path, entry(f"run{number}", period))
    return path


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def check(path: Path, *options: str) -> tuple[int, dict[str, Any], str]:
    code, stdout, stderr = invoke("register", "check", str(path), "--json", *options)
    return code, json.loads(stdout) if stdout.strip() else {}, stderr


def test_each_line_carries_the_hash_of_the_one_before(register: Path) -> None:
    written = lines(register)
    items = [json.loads(line) for line in written]
    assert items[0]["previous"] == GENESIS
    for before, item in zip(written, items[1:], strict=False):
        assert item["previous"] == hashlib.sha256(before.encode()).hexdigest()
    assert [item["line"] for item in items] == [1, 2, 3, 4]
    code, report, _ = check(register)
    assert code == 0 and report["ok"]
    assert report["head"] == hashlib.sha256(written[-1].encode()).hexdigest()


def test_appending_never_rewrites_earlier_lines(register: Path) -> None:
    before = register.read_bytes()
    append_entry(register, entry("run5"))
    assert register.read_bytes().startswith(before)


def test_an_edited_line_breaks_the_chain(register: Path) -> None:
    written = lines(register)
    written[1] = written[1].replace("2025-26-Q2", "2025-26-Q1")
    register.write_text("\n".join(written) + "\n")
    code, report, stderr = check(register)
    assert code == 4
    assert [line["line"] for line in report["lines"] if line["chain"] != "ok"] == [3]
    assert f"{register}:3: A018" in stderr


def test_a_deleted_line_breaks_the_chain(register: Path) -> None:
    written = lines(register)
    del written[1]
    register.write_text("\n".join(written) + "\n")
    code, report, stderr = check(register)
    assert code == 4
    assert [line["line"] for line in report["lines"] if line["chain"] != "ok"] == [2, 3]
    assert f"{register}:2: A018" in stderr


def test_a_deleted_first_line_breaks_the_chain(register: Path) -> None:
    register.write_text("\n".join(lines(register)[1:]) + "\n")
    code, _, stderr = check(register)
    assert code == 4 and f"{register}:1: A018" in stderr


def test_re_ordered_lines_break_the_chain(register: Path) -> None:
    written = lines(register)
    written[1], written[2] = written[2], written[1]
    register.write_text("\n".join(written) + "\n")
    code, report, _ = check(register)
    assert code == 4
    assert {line["line"] for line in report["lines"] if line["chain"] != "ok"} >= {2, 3}


def test_a_head_kept_elsewhere_guards_the_last_line(register: Path) -> None:
    _, report, _ = check(register)
    head = report["head"]
    append_entry(register, entry("run5"))
    assert check(register, "--head", head)[0] == 0  # only appended to since
    written = lines(register)
    written[3] = written[3].replace("run4", "run9")  # the last line but one: the chain says so
    written[4] = written[4].replace("run5", "run8")  # the last line: only the head says so
    register.write_text("\n".join(written[:4]) + "\n")
    code, report, stderr = check(register, "--head", head)
    assert code == 4 and not report["head_found"]
    assert f"no line has the head {head}" in stderr


def test_a_second_different_run_of_the_same_contract_and_period_is_visible(register: Path) -> None:
    _, _, others = append_entry(register, entry("run-again", "2025-26-Q2"))
    assert others == [(2, "run2")]
    code, report, stderr = check(register)
    assert code == 0  # a warning: a settlement may be redone, but not unseen
    assert report["redone"] == [{"contract": "ih-diabetes-alliance", "period": "2025-26-Q2", "lines": [2, 5]}]
    assert "warning A020 ih-diabetes-alliance 2025-26-Q2 was settled by different runs (lines 2, 5)" in stderr


def test_two_runs_appending_at_once_take_turns(tmp_path: Path) -> None:
    path = tmp_path / "register.jsonl"

    def append_many(worker: int) -> None:
        for number in range(10):
            append_entry(path, entry(f"w{worker}-{number}"))

    threads = [threading.Thread(target=append_many, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(lines(path)) == 40
    code, report, _ = check(path)
    assert code == 0 and report["ok"]


def test_a_register_whose_last_line_was_cut_short_is_not_appended_to(register: Path) -> None:
    register.write_bytes(register.read_bytes()[:-10])
    with pytest.raises(RegisterError):
        append_entry(register, entry("run5"))
    assert check(register)[0] == 4


def test_a_missing_register_is_a_usage_error(tmp_path: Path) -> None:
    code, _, stderr = invoke("register", "check", str(tmp_path / "none.jsonl"))
    assert code == 2 and "A022 no such register file" in stderr


def test_run_register_records_the_run_and_check_compares_its_folder(tmp_path: Path) -> None:
    invoke("keys", "new", str(tmp_path / "finance"))
    register, out = tmp_path / "runs" / "register.jsonl", tmp_path / "runs" / "q3"
    code, stdout, stderr = invoke(
        "run", str(CONTRACT), "--data", str(DATA), "--period", "2025-26-Q3", "--out", str(out),
        "--sign", str(tmp_path / "finance.key"), "--register", str(register),
    )  # fmt: skip
    assert code == 0, stdout + stderr
    item = json.loads(lines(register)[0])
    manifest = (out / "manifest.json").read_bytes()
    signer = json.loads((out / "manifest.sig").read_text())["signer"]
    assert item == {
        "contract": "ih-diabetes-alliance",
        "contract_version": item["contract_version"],
        "line": 1,
        "manifest_sha256": hashlib.sha256(manifest).hexdigest(),
        "period": "2025-26-Q3",
        "previous": GENESIS,
        "run_dir": "q3",
        "run_id": json.loads(manifest)["run_id"],
        "signer": signer,
    }
    assert "registered as line 1 of" in stdout
    code, report, _ = check(register)
    assert code == 0 and report["lines"][0]["folder"] == "matches"
    (out / "manifest.json").write_bytes(manifest.replace(b'"2025-26-Q3"', b'"2025-26-Q2"', 1))
    code, report, stderr = check(register)
    assert code == 4
    assert f"{register}:1: A019 run folder q3: its manifest does not have the recorded SHA-256" in stderr
