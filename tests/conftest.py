"""Shared fixtures: the repository root and the sample contracts and extracts."""

from __future__ import annotations

from pathlib import Path

import pytest

from paths import ROOT


@pytest.fixture
def repo_root() -> Path:
    return ROOT


@pytest.fixture(autouse=True)
def _no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
