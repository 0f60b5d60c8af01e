"""The documentation of the scoring methods and output formats, checked against their registries.

Each record renders its own rows (`MethodDocs.reference_row`, `MethodDocs.methodology_row`,
`OutputFormat.docs_row`); this module finds where docs/ lists them and says how the two differ:

- docs/contract-reference.md, `scoring`: the values of the `method` key, and the table of methods
  (`| method | score | levels used |`);
- docs/methodology.md, section 8: the table of formulas (`| method | score |`);
- docs/outputs.md: the ledger's `scoring_method` column, and the table of formats
  (`| `--format` | file | format | what it is |`, in the registry's order);
- docs/cli.md: the values of `run --format`.

`documentation_problems()` is empty when docs/ lists exactly the registered methods and formats,
each with its row; otherwise each problem names the file and what to write there.
"""

from __future__ import annotations

import re
from pathlib import Path

from paths import ROOT

from obc_settle import scoring_methods
from obc_settle.render import document_formats

DOCS = ROOT / "docs"
REFERENCE, METHODOLOGY, OUTPUTS, CLI = (
    Path("contract-reference.md"),
    Path("methodology.md"),
    Path("outputs.md"),
    Path("cli.md"),
)
METHODS_TABLE = "| method | score | levels used |"
FORMULAS_TABLE = "| method | score |"
FORMATS_TABLE = "| `--format` | file | format | what it is |"


def table_rows(text: str, header: str) -> list[str] | None:
    """The rows of the Markdown table whose header line is `header` (None when there is none)."""
    lines = text.splitlines()
    if header not in lines:
        return None
    start = lines.index(header) + 2  # after the header and its |---| line
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def line_starting(text: str, start: str, after: str = "") -> str | None:
    """The first line beginning with `start` below the first line beginning with `after`."""
    lines = text.splitlines()
    begin = next((i for i, line in enumerate(lines) if line.startswith(after)), None) if after else 0
    if begin is None:
        return None
    return next((line for line in lines[begin:] if line.startswith(start)), None)


def named(text: str) -> set[str]:
    """The `code` names in a piece of Markdown that could be method or format names."""
    return set(re.findall(r"`([a-z][a-z0-9_]*)`", text))


def _rows_problems(
    where: Path, what: str, expected: dict[str, str], written: list[str] | None, header: str
) -> list[str]:
    if written is None:
        return [f"{where}: no table of {what}s (its header line: {header})"]
    missing = [
        f"{where}: the {what} {name!r} is not documented; add the row: {row}"
        for name, row in expected.items()
        if row not in written
    ]
    stale = [
        f"{where}: a row that no registered {what} has (remove it, or correct it): {line}"
        for line in written
        if line not in expected.values()
    ]
    return missing + stale


def _names_problems(
    where: Path, what: str, expected: tuple[str, ...], line: str | None, start: str
) -> list[str]:
    if line is None:
        return [f"{where}: no line beginning {start!r} listing the {what}s"]
    written = named(line.removeprefix(start))
    missing = [
        f"{where}: {start!r} does not name the {what} {name!r}" for name in expected if name not in written
    ]
    stale = [
        f"{where}: {start!r} names {name!r}, which is not a registered {what}"
        for name in sorted(written - set(expected))
    ]
    return missing + stale


def documentation_problems(docs: Path = DOCS) -> list[str]:
    """Every difference between docs/ and the registered scoring methods and output formats."""
    text = {
        path: (docs / path).read_text(encoding="utf-8") for path in (REFERENCE, METHODOLOGY, OUTPUTS, CLI)
    }
    methods = scoring_methods.methods()
    names = scoring_methods.names()
    problems = _names_problems(
        REFERENCE,
        "scoring method",
        names,
        line_starting(text[REFERENCE], "| `method` |", "##### `scoring`"),
        "| `method` |",
    )
    problems += _rows_problems(
        REFERENCE,
        "scoring method",
        {m.name: m.docs.reference_row(m.name) for m in methods},
        table_rows(text[REFERENCE], METHODS_TABLE),
        METHODS_TABLE,
    )
    problems += _rows_problems(
        METHODOLOGY,
        "scoring method",
        {m.name: m.docs.methodology_row(m.name) for m in methods},
        table_rows(text[METHODOLOGY], FORMULAS_TABLE),
        FORMULAS_TABLE,
    )
    problems += _names_problems(
        OUTPUTS,
        "scoring method",
        names,
        line_starting(text[OUTPUTS], "| `scoring_method` |"),
        "| `scoring_method` |",
    )
    formats = document_formats.output_formats()
    expected_formats = {f.name: f.docs_row() for f in formats}
    written_formats = table_rows(text[OUTPUTS], FORMATS_TABLE)
    problems += _rows_problems(OUTPUTS, "output format", expected_formats, written_formats, FORMATS_TABLE)
    in_order = list(expected_formats.values())
    if written_formats is not None and set(written_formats) == set(in_order) and written_formats != in_order:
        problems.append(
            f"{OUTPUTS}: the formats are not in the registry's order ({', '.join(expected_formats)})"
        )
    cli_start = "- `--format`:"
    problems += _names_problems(
        CLI, "output format", document_formats.names(), line_starting(text[CLI], cli_start), cli_start
    )
    return problems
