"""The document formats a run can write, and how `--format` values are read.

Kept apart from the renderers so that the command line can name the formats without importing
the PDF and Excel libraries (start-up time).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

FORMATS = ("html", "pdf", "xlsx")

Progress = Callable[[str, int, int], None]
"""`on_progress(stage, done, total)`, called as extracts are read and documents written."""


def parse_formats(values: Iterable[str]) -> tuple[str, ...]:
    """`["pdf,html"]` or `["pdf", "html"]` -> `("html", "pdf")` (the fixed order); unknown names are refused."""
    names = {part.strip().lower() for value in values for part in value.split(",") if part.strip()}
    unknown = sorted(names - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown format {', '.join(map(repr, unknown))}: choose from {', '.join(FORMATS)}")
    if not names:
        raise ValueError(f"no format given: choose from {', '.join(FORMATS)}")
    return tuple(name for name in FORMATS if name in names)
