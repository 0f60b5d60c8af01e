"""The layout of a run folder: the name of every file and folder in it, in one place.

A run folder (`run`, `estimate`; `simulate --out` writes its own results beside the same archive
and manifest) holds:

    ledger.parquet, ledger.csv          the ledger (obc_settle.run_folder.ledger_files)
    summary.json                        the totals in pence, for CI
    estimate.json                       `estimate` only: the range of the estimate
    statements/<provider>.html|pdf|xlsx one statement per provider
    report/commissioner.html|pdf|xlsx   the commissioner's report
    manifest.json                       SHA-256 of every input and output (obc_settle.run_folder.manifest)
    manifest.sig                        `run --sign` only: the signature of manifest.json (obc_settle.run_folder.signing)
    inputs/...                          the archive of the inputs (obc_settle.run_folder.archive)

and beside it, in its parent folder, while a run writes it: the lock `.NAME.lock` and the staging
folder `.NAME.partial-*` (obc_settle.run_folder.atomic). Paths inside a folder are written with `/`.
No other module spells these names: a file renamed here is renamed everywhere.
"""

from __future__ import annotations

from pathlib import Path

LEDGER_PARQUET = "ledger.parquet"
LEDGER_CSV = "ledger.csv"
SUMMARY = "summary.json"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
"""The Ed25519 signature of the exact bytes of `manifest.json`, written after it (`run --sign`)."""
ESTIMATE = "estimate.json"
STATEMENTS_FOLDER = "statements"
REPORT_FOLDER = "report"
REPORT_FILE_STEM = "commissioner"
"""The commissioner's report is `report/commissioner.<format>`."""

ARCHIVE_FOLDER = "inputs"
CONTRACT_FOLDER = f"{ARCHIVE_FOLDER}/contract"
EXTRACTS_FOLDER = f"{ARCHIVE_FOLDER}/extracts"
LOCK_PATH = f"{ARCHIVE_FOLDER}/requirements.lock"

# The results of `simulate --out`, beside the archive and the manifest.
SENSITIVITY_JSON = "sensitivity.json"
SENSITIVITY_CSV = "sensitivity.csv"
SENSITIVITY_HTML = "sensitivity.html"
SCENARIO_DIFF = "diff.json"
BASELINE_LEDGER_CSV = f"baseline/{LEDGER_CSV}"
SCENARIO_LEDGER_CSV = f"scenario/{LEDGER_CSV}"
DESIGN = "design.json"


def contract_copy(name: str) -> str:
    """`inputs/contract/<file name>`: the contract file the run read."""
    return f"{CONTRACT_FOLDER}/{name}"


def extract_copy(relative: str) -> str:
    """`inputs/extracts/<path below --data>`: an extract file, partition folders and all."""
    return f"{EXTRACTS_FOLDER}/{relative}"


def mapping_copy(name: str) -> str:
    """`inputs/mapping/<file name>`: the extract mapping the CSV and Excel extracts were read through."""
    return f"{ARCHIVE_FOLDER}/mapping/{name}"


def paid_run_copy(period: str) -> str:
    """`inputs/paid/<period>/ledger.parquet`: the ledger of an earlier run netted off (--paid)."""
    return f"{ARCHIVE_FOLDER}/paid/{period}/{LEDGER_PARQUET}"


def previous_year_copy(year: str, name: str) -> str:
    """`inputs/previous_year/<year>/<ledger.parquet | manifest.json>`: the previous contract year's
    run that aspiration payments are based on (--previous-year): its ledger and its manifest."""
    return f"{ARCHIVE_FOLDER}/previous_year/{year}/{name}"


def payments_copy(name: str) -> str:
    """`inputs/payments/<file name>`: a payments-made extract netted off (--payments)."""
    return f"{ARCHIVE_FOLDER}/payments/{name}"


def claims_copy(name: str) -> str:
    """`inputs/claims/<file name>`: rate-card outcome claims (--claims)."""
    return f"{ARCHIVE_FOLDER}/claims/{name}"


def scenario_copy(name: str) -> str:
    """`inputs/scenario/<file name>`: the scenario of `simulate scenario`."""
    return f"{ARCHIVE_FOLDER}/scenario/{name}"


def draft_contract_copy(number: int, name: str) -> str:
    """`inputs/contracts/<n>/<file name>`: the n-th draft contract of `simulate design` (from 1)."""
    return f"{ARCHIVE_FOLDER}/contracts/{number}/{name}"


def is_archived(path: str) -> bool:
    """Whether a path in the folder is one of the archived copies under `inputs/`."""
    return path.startswith(f"{ARCHIVE_FOLDER}/")


def lock_file(target: Path) -> Path:
    """`.NAME.lock` beside the folder: held by the run writing it."""
    return target.parent / f".{target.name}.lock"


def staging_prefix(target: Path) -> str:
    """`.NAME.partial-*` beside the folder: what a run writes before swapping it into place."""
    return f".{target.name}.partial-"


def retired_prefix(target: Path) -> str:
    """`.NAME.old-*` beside the folder: the folder replaced, until it is deleted."""
    return f".{target.name}.old-"
