"""Signed runs: `keys new`, `run --sign`, `verify --trust`. A signature shows who produced a run
and that nothing has changed since; without one, verify shows consistency only."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app

runner = CliRunner()
CONTRACT = ROOT / "contracts" / "diabetes-alliance.yaml"
DATA = ROOT / "sample_data" / "diabetes-alliance"
PERIOD = "2025-26-Q3"


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def settle(out: Path, *options: str, contract: Path = CONTRACT, data: Path = DATA) -> None:
    code, stdout, stderr = invoke(
        "run", str(contract), "--data", str(data), "--period", PERIOD, "--out", str(out), "--quiet", *options
    )
    assert code == 0, stdout + stderr


def verify_json(folder: Path, *options: str) -> tuple[int, dict[str, Any], str]:
    code, stdout, stderr = invoke("verify", str(folder), "--json", *options)
    return code, json.loads(stdout) if stdout.strip() else {}, stderr


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("keys")
    for name in ("finance", "someone-else"):
        code, stdout, stderr = invoke("keys", "new", str(folder / name))
        assert code == 0, stdout + stderr
    return folder


@pytest.fixture(scope="module")
def signed_run(keys: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("signed") / "run"
    settle(out, "--sign", str(keys / "finance.key"))
    return out


def fingerprint(public_pem: Path) -> str:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_public_key(public_pem.read_bytes())
    return hashlib.sha256(
        key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    ).hexdigest()


def test_keys_new_writes_a_pem_pair_the_private_key_readable_by_its_owner_only(tmp_path: Path) -> None:
    code, stdout, _ = invoke("keys", "new", str(tmp_path / "k"))
    assert code == 0
    private, public = tmp_path / "k.key", tmp_path / "k.pub"
    assert private.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert f"fingerprint {fingerprint(public)}" in stdout


def test_keys_new_never_overwrites_a_key_file(tmp_path: Path) -> None:
    (tmp_path / "k.pub").write_text("someone's public key")
    code, _, stderr = invoke("keys", "new", str(tmp_path / "k"))
    assert code == 5
    assert f"{tmp_path / 'k.pub'}: A023" in stderr
    assert (tmp_path / "k.pub").read_text() == "someone's public key"
    assert not (tmp_path / "k.key").exists()


def test_a_signed_run_verifies_against_its_key_and_names_the_signer(signed_run: Path, keys: Path) -> None:
    signature = json.loads((signed_run / "manifest.sig").read_text())
    manifest = (signed_run / "manifest.json").read_bytes()
    assert signature["manifest_sha256"] == hashlib.sha256(manifest).hexdigest()  # the exact bytes
    code, report, stderr = verify_json(signed_run, "--trust", str(keys / "finance.pub"))
    assert code == 0, stderr
    assert report["signature"]["status"] == "valid"
    assert (
        report["signature"]["signer"]
        == report["signature"]["trusted_key"]
        == fingerprint(keys / "finance.pub")
    )
    assert report["failed_steps"] == []
    code, stdout, _ = invoke("verify", str(signed_run), "--trust", str(keys / "finance.pub"))
    assert "verified: signed by the trusted key" in stdout


def test_without_a_key_verify_says_it_does_not_show_who_produced_the_run(signed_run: Path) -> None:
    code, stdout, _ = invoke("verify", str(signed_run))
    assert code == 0
    assert "not checked against a trusted key" in stdout


def forge(signed_run: Path, tmp_path: Path, *options: str, copy_signature: bool = True) -> Path:
    """Copy a signed run, change an archived extract, settle again from the changed archive into
    a new folder, and (unless told not to) put the old signature beside the new manifest."""
    copy = tmp_path / "copy"
    shutil.copytree(signed_run, copy)
    extract = copy / "inputs" / "extracts" / f"{PERIOD}.parquet"
    frame = pl.read_parquet(extract).with_row_index()
    first = frame.filter(pl.col("numerator") > 1)["index"][0]
    changed = frame.with_columns(
        pl.when(pl.col("index") == first)
        .then(pl.col("numerator") - 1)
        .otherwise(pl.col("numerator"))
        .alias("numerator")
    ).drop("index")
    changed.write_parquet(extract)
    forged = tmp_path / "forged"
    contract = next((copy / "inputs" / "contract").iterdir())
    settle(forged, *options, contract=contract, data=copy / "inputs" / "extracts")
    assert (
        json.loads((forged / "manifest.json").read_text())["run_id"]
        != json.loads((signed_run / "manifest.json").read_text())["run_id"]
    )
    if copy_signature:
        shutil.copy(signed_run / "manifest.sig", forged / "manifest.sig")
    return forged


def test_a_re_settled_forgery_verifies_without_a_key_but_fails_the_signature(
    signed_run: Path, keys: Path, tmp_path: Path
) -> None:
    forged = forge(signed_run, tmp_path)
    code, report, stderr = verify_json(forged, "--trust", str(keys / "finance.pub"))
    assert code == 4
    assert report["failed_steps"] == ["signature"]  # consistent and reproducible all the same
    assert report["signature"]["status"] == "invalid"
    assert f"{forged / 'manifest.sig'}: A014 signature invalid" in stderr
    code, stdout, _ = invoke("verify", str(forged), "--trust", str(keys / "finance.pub"))
    assert "NOT verified: signature invalid" in stdout and "failed steps: signature" in stdout


def test_a_forgery_signed_with_another_key_fails_the_trust(
    signed_run: Path, keys: Path, tmp_path: Path
) -> None:
    forged = forge(signed_run, tmp_path, "--sign", str(keys / "someone-else.key"), copy_signature=False)
    assert verify_json(forged)[0] == 0  # consistent, reproducible and validly signed: by someone
    code, report, stderr = verify_json(forged, "--trust", str(keys / "finance.pub"))
    assert code == 4
    assert report["signature"]["status"] == "untrusted"
    assert report["signature"]["signer"] == fingerprint(keys / "someone-else.pub")
    assert f"{forged / 'manifest.sig'}: A015" in stderr


def test_a_run_signed_by_another_key_fails_the_trust(keys: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    settle(out, "--sign", str(keys / "someone-else.key"))
    code, report, stderr = verify_json(out, "--trust", str(keys / "finance.pub"))
    assert code == 4
    assert report["failed_steps"] == ["signature"]
    assert report["signature"]["status"] == "untrusted"
    assert f"{out / 'manifest.sig'}: A015" in stderr
    assert verify_json(out, "--trust", str(keys / "someone-else.pub"))[0] == 0


def test_an_unsigned_run_fails_the_trust(keys: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    settle(out)
    assert not (out / "manifest.sig").exists()
    code, report, stderr = verify_json(out, "--trust", str(keys / "finance.pub"))
    assert code == 4
    assert report["signature"]["status"] == "not signed"
    assert f"{out / 'manifest.sig'}: A013" in stderr


def test_deleted_documents_with_an_edited_manifest_fail_only_the_signature(
    signed_run: Path, keys: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(signed_run, copy)
    for document in [*copy.glob("*/*.pdf"), *copy.glob("*/*.xlsx")]:
        document.unlink()
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["formats"] = manifest["parameters"]["formats"] = ["html"]
    manifest["outputs"] = [o for o in manifest["outputs"] if not o["path"].endswith((".pdf", ".xlsx"))]
    (copy / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    assert (
        verify_json(copy)[1]["signature"]["status"] == "invalid"
    )  # the signature is checked even without a key
    code, report, stderr = verify_json(copy, "--trust", str(keys / "finance.pub"))
    assert code == 4
    assert report["failed_steps"][0] == "signature"
    assert " A014 " in stderr


def test_a_missing_or_wrong_key_file_is_a_usage_error_and_nothing_is_written(
    signed_run: Path, keys: Path, tmp_path: Path
) -> None:
    code, _, stderr = invoke(
        "run",
        str(CONTRACT),
        "--data",
        str(DATA),
        "--period",
        PERIOD,
        "--out",
        str(tmp_path / "run"),
        "--sign",
        str(tmp_path / "missing.key"),
    )
    assert code == 2
    assert f"{tmp_path / 'missing.key'}: A021" in stderr
    assert not (tmp_path / "run").exists()
    code, _, stderr = invoke("verify", str(signed_run), "--trust", str(keys / "finance.key"))
    assert code == 2
    assert "A021 not a PEM public key" in stderr
    code, _, stderr = invoke(
        "run",
        str(CONTRACT),
        "--data",
        str(DATA),
        "--period",
        PERIOD,
        "--out",
        str(tmp_path / "run"),
        "--sign",
        str(keys / "finance.pub"),
    )
    assert code == 2 and "A021" in stderr


def test_the_command_line_does_not_import_cryptography_until_it_signs_or_checks() -> None:
    script = "import sys\nimport obc_settle.cli\nprint('cryptography' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
