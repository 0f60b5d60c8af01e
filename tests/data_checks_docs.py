"""The tables of data checks in docs/extracts.md, generated from the registry of data checks
(obc_settle.extracts.registry). `python tests/data_checks_docs.py` rewrites them; the tests in
tests/test_extension_points_checks.py fail while they differ from the registered checks."""

from __future__ import annotations

from pathlib import Path

from obc_settle.extracts.registry import with_generated_tables

DOCS = Path(__file__).resolve().parents[1] / "docs" / "extracts.md"


def regenerate(path: Path = DOCS) -> bool:
    """Rewrite the generated tables of `path`; whether anything changed."""
    text = path.read_text(encoding="utf-8")
    updated = with_generated_tables(text)
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return updated != text


if __name__ == "__main__":
    print(f"{DOCS}: {'rewritten' if regenerate() else 'already up to date'}")
