"""Several files written as one (`template --per-provider`, `extracts convert`): all of them, or
none, and no staging file or folder left behind (obc_settle.run_folder.together)."""

from __future__ import annotations

from pathlib import Path

import pytest

from obc_settle.run_folder.together import write_together


def test_every_file_appears_only_when_all_are_written(tmp_path: Path) -> None:
    targets = [tmp_path / "out" / f"{name}.txt" for name in "abc"]
    seen_before_the_end: list[bool] = []

    def write(staging: Path, index: int) -> int:
        seen_before_the_end.append(any(target.exists() for target in targets))
        staging.write_text(f"file {index}\n", encoding="utf-8")
        return index

    assert write_together(targets, write) == [0, 1, 2]
    assert seen_before_the_end == [False, False, False]
    assert [target.read_text(encoding="utf-8") for target in targets] == ["file 0\n", "file 1\n", "file 2\n"]
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["a.txt", "b.txt", "c.txt"]
    assert all(target.stat().st_mode & 0o777 == 0o644 for target in targets)


def test_a_failure_midway_leaves_the_targets_as_they_were(tmp_path: Path) -> None:
    kept = tmp_path / "kept.txt"
    kept.write_text("the old file\n", encoding="utf-8")
    targets = [kept, tmp_path / "new" / "deeper" / "b.txt", tmp_path / "new" / "deeper" / "c.txt"]

    def write(staging: Path, index: int) -> None:
        if index == 2:
            raise OSError(28, "No space left on device")
        staging.write_text("new\n", encoding="utf-8")

    with pytest.raises(OSError, match="No space left"):
        write_together(targets, write)
    assert kept.read_text(encoding="utf-8") == "the old file\n"  # not replaced by half a set
    assert sorted(path.name for path in tmp_path.iterdir()) == ["kept.txt"]  # no staging, no folders made
