"""The committed sample extracts are exactly what the deterministic generator makes."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from paths import ROOT


def hashes(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*.parquet"))
    }


def test_the_generator_reproduces_the_committed_sample_extracts_byte_for_byte(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "sample_data" / "generate.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    generated = hashes(tmp_path)
    assert generated, "the generator wrote no files"
    assert generated == hashes(ROOT / "sample_data")
