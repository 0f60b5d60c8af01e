"""The Hypothesis profile decides how property tests run: no test may override it.

`make test` loads `quick` (derandomised, the same examples everywhere), `HYPOTHESIS_PROFILE=long`
the random nightly profile (tests/conftest.py). A test that fixed its own `derandomize`, seed or
example database would run the same examples under both, and the nightly run would find nothing new.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

from hypothesis import settings

TESTS = Path(__file__).resolve().parent
OVERRIDES = {"derandomize", "database"}


def test_the_loaded_profile_is_the_one_asked_for() -> None:
    profile = os.environ.get("HYPOTHESIS_PROFILE", "quick")
    assert settings.get_current_profile_name() == profile
    assert settings.default.derandomize is (profile == "quick")


def test_no_test_fixes_its_own_seed_or_randomisation() -> None:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        if path.name == "conftest.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                keywords = {k.arg for k in node.keywords} & OVERRIDES
                if name.endswith("settings") and keywords:
                    found.append(
                        f"{path.relative_to(TESTS)}:{node.lineno}: settings({', '.join(sorted(keywords))}=...)"
                    )
                if name in {"seed", "hypothesis.seed"}:
                    found.append(f"{path.relative_to(TESTS)}:{node.lineno}: @seed")
    assert found == []
