"""An auditor gets a run folder, perhaps years later and elsewhere, and checks every byte of it."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app

runner = CliRunner()
CONTRACT = ROOT / "contracts" / "diabetes-alliance.yaml"
DATA = ROOT / "sample_data" / "diabetes-alliance"


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def archived_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("archived") / "run"
    code, _, stderr = invoke(
        "run", str(CONTRACT), "--data", str(DATA), "--period", "2025-26-Q3", "--out", str(out), "--quiet"
    )
    assert code == 0, stderr
    return out


@pytest.fixture
def run_copy(archived_run: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(archived_run, copy)
    return copy


def edit_manifest(folder: Path, change: object) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)  # type: ignore[operator]
    path.write_text(json.dumps(manifest, indent=2))


def test_every_run_folder_archives_its_inputs_with_their_hashes(archived_run: Path) -> None:
    manifest = json.loads((archived_run / "manifest.json").read_text())
    assert manifest["schema_version"] == 2
    inputs = {item["path"]: item for item in manifest["inputs"]}
    assert set(inputs) == {"inputs/contract/diabetes-alliance.yaml"} | {
        f"inputs/extracts/{p.name}" for p in DATA.glob("*.parquet")
    }
    for path, item in inputs.items():
        assert sha256(archived_run / path) == item["sha256"] == sha256(Path(item["source"]))
        assert (archived_run / path).stat().st_size == item["bytes"]
    assert manifest["lock"]["path"] == "inputs/requirements.lock"
    assert (
        sha256(archived_run / "inputs" / "requirements.lock")
        == manifest["lock"]["sha256"]
        == sha256(ROOT / "requirements.lock")
    )
    roles = {item["path"]: item["role"] for item in manifest["outputs"]}
    assert roles["inputs/extracts/2025-26-Q3.parquet"] == "archive"
    assert roles["ledger.parquet"] == "output"


def test_a_moved_and_zipped_run_folder_verifies_byte_for_byte(archived_run: Path, tmp_path: Path) -> None:
    zipped = shutil.make_archive(str(tmp_path / "run"), "zip", root_dir=archived_run)
    restored = tmp_path / "elsewhere" / "restored-run"
    shutil.unpack_archive(zipped, restored)
    code, stdout, stderr = invoke("verify", str(restored))
    assert code == 0, stdout + stderr
    for name in ("ledger.parquet", "ledger.csv", "summary.json", "statements/WHIT.html", "manifest.json"):
        assert any(line.split()[:2] == ["matches", name] for line in stdout.splitlines()), name
    assert "intact" in stdout and "verified" in stdout


def test_a_flipped_byte_in_an_archived_extract_is_named_and_verify_fails(run_copy: Path) -> None:
    extract = run_copy / "inputs" / "extracts" / "2025-26-Q3.parquet"
    data = bytearray(extract.read_bytes())
    data[len(data) // 2] ^= 0x01
    extract.write_bytes(bytes(data))
    code, stdout, stderr = invoke("verify", str(run_copy))
    assert code == 4
    assert f"{extract}: A004" in stderr
    assert "altered    inputs/extracts/2025-26-Q3.parquet" in stdout
    assert "NOT verified" in stdout


def test_a_changed_output_is_reported_as_differing(run_copy: Path) -> None:
    csv = run_copy / "ledger.csv"
    csv.write_text(csv.read_text().replace("16862500", "16862501", 1))
    code, stdout, stderr = invoke("verify", str(run_copy))
    assert code == 4
    assert f"{csv}: A006 output differs" in stderr
    assert "the archived file no longer has its recorded sha256" in stdout


def test_a_missing_contract_is_named_and_the_settlement_cannot_be_recomputed(run_copy: Path) -> None:
    (run_copy / "inputs" / "contract" / "diabetes-alliance.yaml").unlink()
    code, _, stderr = invoke("verify", str(run_copy))
    assert code == 4
    assert " A003 " in stderr and " A007 " in stderr


def test_a_file_slipped_into_the_archive_is_named(run_copy: Path) -> None:
    shutil.copy(DATA / "2025-26-Q3.parquet", run_copy / "inputs" / "extracts" / "extra.parquet")
    code, stdout, stderr = invoke("verify", str(run_copy))
    assert code == 4
    assert "A005" in stderr and "unrecorded inputs/extracts/extra.parquet" in stdout


def test_other_versions_are_reported_and_the_comparison_still_runs(run_copy: Path) -> None:
    def older(manifest: dict) -> None:  # type: ignore[type-arg]
        manifest["obc_settle_version"] = "0.0.9"
        manifest["dependencies"]["polars"] = "1.0.0"

    edit_manifest(run_copy, older)
    code, stdout, stderr = invoke("verify", str(run_copy))
    assert code == 0, stdout + stderr
    assert "warning A008 obc-settle 0.0.9 wrote this run" in stderr
    assert "warning A008 polars 1.0.0 wrote this run" in stderr
    assert "matches    ledger.parquet" in stdout


def test_an_archived_lock_that_differs_from_the_installed_one_is_reported(run_copy: Path) -> None:
    lock = run_copy / "inputs" / "requirements.lock"
    lock.write_text(lock.read_text() + "# another lock\n")
    recorded = {"sha256": sha256(lock), "bytes": lock.stat().st_size}

    def another_lock(manifest: dict) -> None:  # type: ignore[type-arg]
        manifest["lock"].update(recorded)  # and among the files it lists: a consistent manifest
        next(o for o in manifest["outputs"] if o["path"] == "inputs/requirements.lock").update(recorded)

    edit_manifest(run_copy, another_lock)
    code, _, stderr = invoke("verify", str(run_copy))
    assert code == 0
    assert "A008 the run archived its dependency lock; the installed requirements.lock differs" in stderr


def test_a_manifest_of_schema_version_1_is_refused_clearly(run_copy: Path) -> None:
    edit_manifest(run_copy, lambda m: m.update(schema_version=1))
    code, _, stderr = invoke("verify", str(run_copy))
    assert code == 2
    assert "A002 manifest schema version 1 cannot be replayed" in stderr


def test_a_manifest_pointing_outside_its_archive_is_refused(run_copy: Path) -> None:
    edit_manifest(run_copy, lambda m: m["inputs"][0].update(path="../../etc/passwd"))
    code, _, stderr = invoke("verify", str(run_copy))
    assert code == 2
    assert "A002 archived input path '../../etc/passwd' is not below inputs/" in stderr


def test_a_folder_without_a_manifest_is_not_a_run_folder(tmp_path: Path) -> None:
    code, _, stderr = invoke("verify", str(tmp_path))
    assert code == 2
    assert f"{tmp_path}: A001 not a run folder" in stderr


def test_verify_json_gives_ci_the_verdict_per_file(archived_run: Path) -> None:
    code, stdout, _ = invoke("verify", str(archived_run), "--json")
    assert code == 0
    report = json.loads(stdout)
    assert report["verified"] is True
    assert {c["status"] for c in report["inputs"]} == {"intact"}
    assert {c["path"] for c in report["outputs"]} >= {"ledger.parquet", "summary.json", "manifest.json"}


def test_an_input_that_changes_while_the_run_reads_it_is_not_archived(tmp_path: Path) -> None:
    from obc_settle.run_folder.archive import ArchivedInput, ArchiveError, copy_into

    source = tmp_path / "extract.parquet"
    source.write_bytes(b"the bytes as they are now")
    read_earlier = ArchivedInput("extract", source, "inputs/extracts/extract.parquet", "0" * 64, 25)
    with pytest.raises(ArchiveError) as raised:
        copy_into(tmp_path / "run", [read_earlier])
    assert raised.value.code == "O004"


@pytest.fixture(scope="module")
def year_end_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A year-end settlement that nets off the four quarterly runs it was given (`--paid`)."""
    folder = tmp_path_factory.mktemp("year-end")
    paid = []
    for quarter in (1, 2, 3, 4):
        out = folder / f"q{quarter}"
        code, _, stderr = invoke(
            "run",
            str(CONTRACT),
            "--data",
            str(DATA),
            "--period",
            f"2025-26-Q{quarter}",
            "--out",
            str(out),
            "--format",
            "html",
            "-q",
        )
        assert code == 0, stderr
        paid += ["--paid", str(out)]
    out = folder / "year"
    code, _, stderr = invoke(
        "run",
        str(CONTRACT),
        "--data",
        str(DATA),
        "--period",
        "2025-26",
        "--out",
        str(out),
        "--format",
        "html",
        "-q",
        *paid,
    )
    assert code == 0, stderr
    return out


def test_a_year_end_run_archives_the_runs_it_netted_off_and_replays_them(year_end_run: Path) -> None:
    from obc_settle.app.audit import replay_request
    from obc_settle.run_folder.reader import open_archive

    manifest = json.loads((year_end_run / "manifest.json").read_text())
    paid = sorted(item["path"] for item in manifest["inputs"] if item["role"] == "paid_run")
    assert paid == [f"inputs/paid/2025-26-Q{q}/ledger.parquet" for q in (1, 2, 3, 4)]
    request = replay_request(open_archive(year_end_run), year_end_run.parent / "replay")
    assert request.paid == tuple(year_end_run / f"inputs/paid/2025-26-Q{q}" for q in (1, 2, 3, 4))
    assert request.formats == ("html",)
    assert request.data_path == year_end_run / "inputs" / "extracts"


def test_a_year_end_run_that_netted_off_earlier_runs_verifies(year_end_run: Path) -> None:
    code, stdout, stderr = invoke("verify", str(year_end_run))
    assert code == 0, stdout + stderr


def test_an_edited_manifest_hash_of_an_archived_copy_is_named(run_copy: Path) -> None:
    def edit(manifest: dict) -> None:  # type: ignore[type-arg]
        entry = next(o for o in manifest["outputs"] if o["path"] == "inputs/extracts/2025-26-Q3.parquet")
        entry["sha256"] = "0" * 64

    edit_manifest(run_copy, edit)
    code, stdout, stderr = invoke("verify", str(run_copy))
    assert code == 4
    assert f"{run_copy / 'inputs' / 'extracts' / '2025-26-Q3.parquet'}: A017" in stderr
    assert "altered    inputs/extracts/2025-26-Q3.parquet" in stdout


def test_an_archived_input_replaced_by_a_link_out_of_the_folder_is_named(
    run_copy: Path, tmp_path: Path
) -> None:
    extract = run_copy / "inputs" / "extracts" / "2025-26-Q3.parquet"
    outside = tmp_path / "outside.parquet"
    shutil.copy(extract, outside)  # the very same bytes: only where they are is wrong
    extract.unlink()
    extract.symlink_to(outside)
    code, stdout, stderr = invoke("verify", str(run_copy), "--json")
    assert code == 4
    assert f"{extract}: A016" in stderr
    report = json.loads(stdout)
    linked = [c for c in report["inputs"] if c["path"] == "inputs/extracts/2025-26-Q3.parquet"]
    assert linked[0]["status"] == "linked" and str(outside) in linked[0]["detail"]
    assert report["failed_steps"] == ["hashes"]


def test_an_output_replaced_by_a_link_is_named(run_copy: Path, tmp_path: Path) -> None:
    ledger = run_copy / "ledger.csv"
    outside = tmp_path / "ledger.csv"
    shutil.copy(ledger, outside)
    ledger.unlink()
    ledger.symlink_to(outside)
    code, _, stderr = invoke("verify", str(run_copy))
    assert code == 4
    assert f"{ledger}: A016" in stderr


def test_deleted_documents_are_reported_missing(run_copy: Path) -> None:
    for document in [*run_copy.glob("statements/*.pdf"), *run_copy.glob("report/*.xlsx")]:
        document.unlink()
    code, stdout, stderr = invoke("verify", str(run_copy))
    assert code == 4
    assert f"{run_copy / 'statements' / 'DSN.pdf'}: A017 file missing" in stderr
    assert f"{run_copy / 'report' / 'commissioner.xlsx'}: A017 file missing" in stderr
    assert "failed steps: hashes, replay" in stdout


def test_the_manifest_records_the_formats_and_verify_wants_every_document_of_them(run_copy: Path) -> None:
    assert json.loads((run_copy / "manifest.json").read_text())["formats"] == ["html", "pdf", "xlsx"]
    for document in [*run_copy.glob("statements/*.pdf"), *run_copy.glob("statements/*.xlsx")]:
        document.unlink()

    def unlist(manifest: dict) -> None:  # type: ignore[type-arg]
        manifest["outputs"] = [o for o in manifest["outputs"] if not o["path"].endswith((".pdf", ".xlsx"))]

    edit_manifest(run_copy, unlist)  # the files gone from the list too: each is still missing
    code, _, stderr = invoke("verify", str(run_copy))
    assert code == 4
    assert f"{run_copy / 'statements' / 'WHIT.xlsx'}: A017 file missing: a xlsx document" in stderr
    assert "the manifest records the formats html, pdf, xlsx" in stderr
