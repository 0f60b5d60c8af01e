"""Shared fixtures: the repository root and the sample contracts and extracts; hypothesis profiles.

Hypothesis profiles (docs/reliability.md "Property tests"):

- `quick` (the default, `make test`): derandomised, so every run tries the same examples and a
  failure is reproducible on every machine; 100 examples per test unless the test asks for a
  fraction of that (`settings.default.max_examples // 5` where one example is a year of
  settlements); no shrinking, so a failure is reported at once with the example that failed (a
  settlement example can take minutes to shrink).
- `long` (`HYPOTHESIS_PROFILE=long`, for a nightly job): random examples, twenty times as many, no
  deadline, failures shrunk to a small example and printed with `@reproduce_failure` to replay.

Tests take their example counts from the loaded profile, never a fixed `derandomize`, seed or
database of their own (tests/test_hypothesis_profiles.py checks).

Markers (declared in pyproject.toml, `--strict-markers`): `slow`, `browser`, `pdf`; `make test-fast`
leaves them out, `make test` runs everything.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from paths import ROOT

_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large]
_NO_SHRINKING = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
settings.register_profile(
    "quick",
    derandomize=True,
    max_examples=100,
    deadline=None,
    suppress_health_check=_SLOW_IS_FINE,
    phases=_NO_SHRINKING,
)
settings.register_profile(
    "long",
    derandomize=False,
    max_examples=2000,
    deadline=None,
    suppress_health_check=_SLOW_IS_FINE,
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))


@pytest.fixture
def repo_root() -> Path:
    return ROOT


@pytest.fixture(autouse=True)
def _no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
