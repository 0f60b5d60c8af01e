"""Fuzzing target for the contract loader: any bytes in, findings or a contract out, never a crash.

Run it with atheris (coverage-guided; `pip install atheris`, not a dependency of obc-settle):

    .venv/bin/python fuzz/contract_loader.py -max_total_time=300 tests/bad_inputs/*/contract.yaml tests/bad_contracts/*.yaml

Without atheris it replays the files given as arguments through the same target. The test suite
drives `check_one` with hypothesis (tests/test_fuzz_contract_loader.py), so the target runs in CI.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from obc_settle.contract import load_contract
from obc_settle.errors import Severity


def check_one(data: bytes) -> None:
    """Load `data` as a contract file; fail loudly if the loader breaks its promise."""
    with tempfile.TemporaryDirectory(prefix="obc-fuzz-") as folder:
        path = Path(folder) / "contract.yaml"
        path.write_bytes(data)
        loaded, findings = load_contract(path)
    if loaded is None and not any(f.severity is Severity.ERROR for f in findings):
        raise AssertionError("a rejected contract must come with at least one error finding")
    for finding in findings:
        rendered = finding.render()
        if not rendered.startswith(str(path)) or "\n" in finding.message:
            raise AssertionError(f"a finding must be one line naming the file: {rendered!r}")


def main(argv: list[str]) -> None:
    try:
        import atheris  # type: ignore[import-not-found]
    except ImportError:
        for name in argv[1:]:
            check_one(Path(name).read_bytes())
        print(f"atheris is not installed: replayed {len(argv) - 1} file(s) through the target")
        return
    atheris.Setup(argv, check_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
