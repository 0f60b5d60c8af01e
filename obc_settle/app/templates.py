"""Contract templates: ready contracts for the payment mechanisms of real schemes.

Templates are YAML contracts in `contracts/templates/` of the source tree (or
`obc_settle/templates/` inside an installed wheel that bundles them). Each opens with a comment
whose first line is `# Template: <what it is>.`; `init --list` shows that line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from obc_settle.contract import load_contract
from obc_settle.errors import Diagnostic, ExitCode, Location, SettlementError
from obc_settle.run_folder.together import write_together

_PACKAGE = Path(__file__).resolve().parents[1]
SEARCH = (_PACKAGE / "templates", _PACKAGE.parent / "contracts" / "templates")


@dataclass(frozen=True)
class Template:
    name: str
    path: Path
    summary: str


def templates_folder() -> Path | None:
    return next((folder for folder in SEARCH if folder.is_dir()), None)


def list_templates() -> list[Template]:
    folder = templates_folder()
    if folder is None:
        return []
    found = []
    for path in sorted(folder.glob("*.yaml"), key=lambda path: path.stem):
        first = path.read_text(encoding="utf-8").splitlines()[0] if path.stat().st_size else ""
        summary = first.removeprefix("#").strip().removeprefix("Template:").strip().rstrip(".")
        found.append(Template(path.stem, path, summary))
    return found


def create_from_template(name: str, out: Path, force: bool = False) -> Path:
    """Copy template `name` to `out` (a file, or a folder to put `<name>.yaml` in); check it loads."""
    templates = {t.name: t for t in list_templates()}
    if name not in templates:
        known = ", ".join(sorted(templates)) or "none found"
        raise SettlementError(
            ExitCode.USAGE,
            [Diagnostic("R003", f"no template {name!r} (templates: {known})", Location("--template"))],
        )
    target = out / f"{name}.yaml" if out.is_dir() else out
    if target.exists() and not force:
        raise SettlementError(
            ExitCode.OUTPUT_ERROR,
            [Diagnostic("O001", "the file exists; use --force to replace it", Location(str(target)))],
        )
    loaded, findings = load_contract(templates[name].path)
    if loaded is None:
        raise SettlementError(ExitCode.INTERNAL_ERROR, findings)
    template = templates[name].path.read_bytes()
    try:  # a contract file whole or not at all
        write_together([target], lambda staging, _: staging.write_bytes(template))
    except OSError as error:
        raise SettlementError(
            ExitCode.OUTPUT_ERROR,
            [
                Diagnostic(
                    "O002", f"cannot write the contract ({error.strerror or error})", Location(str(target))
                )
            ],
        ) from error
    return target
