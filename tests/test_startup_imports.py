"""The command line starts light: heavy libraries are imported by the commands that use them.

Not a timing test: it checks which modules a bare `--help` and a `validate` load.
"""

from __future__ import annotations

import subprocess
import sys

from paths import ROOT

HEAVY = ("polars", "pyarrow", "reportlab", "xlsxwriter", "jinja2", "obc_settle.engine")


def loaded_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def test_loading_the_command_line_imports_no_heavy_library() -> None:
    modules = loaded_after("import obc_settle.cli")
    assert not [name for name in HEAVY if name in modules]


def test_validating_a_contract_imports_the_contract_language_only() -> None:
    modules = loaded_after(
        "from pathlib import Path\nfrom obc_settle.app import validate_contract\n"
        f"validate_contract(Path({str(ROOT / 'contracts' / 'diabetes-alliance.yaml')!r}))"
    )
    assert "obc_settle.contract.loader" in modules
    assert not [name for name in HEAVY if name in modules]
