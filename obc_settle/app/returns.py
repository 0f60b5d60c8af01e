"""`obc-settle template`: data-collection workbooks for a period, one for all providers or one each.

Each workbook is written beside its final name and renamed into place, so a reader never sees half
a workbook; an existing file is replaced only with `--force`, and never the contract itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from obc_settle.app.settlement import parse_period
from obc_settle.contract import load_contract
from obc_settle.errors import Diagnostic, ExitCode, Location, SettlementError, has_errors
from obc_settle.render.return_workbook import write_return_workbook
from obc_settle.run_folder.together import write_together


@dataclass(frozen=True)
class WrittenReturn:
    path: Path
    provider_id: str | None
    rows: int


def write_returns(
    contract_path: Path, period_text: str, out: Path, per_provider: bool, force: bool
) -> list[WrittenReturn]:
    """Write the return workbook(s); every refusal a `SettlementError` (1 contract, 2 period, 5 output)."""
    loaded, findings = load_contract(contract_path)
    if loaded is None or has_errors(findings):
        raise SettlementError(ExitCode.INVALID_CONTRACT, findings)
    period = parse_period(period_text, loaded)
    providers = [p.id for p in loaded.contract.in_force(period.contract_year.name).providers]
    targets = (
        [(out / f"{provider}.xlsx", provider) for provider in providers] if per_provider else [(out, None)]
    )
    problems = [problem for target, _ in targets if (problem := _refusal(target, contract_path, force))]
    if per_provider and out.exists() and not out.is_dir():
        problems.insert(
            0,
            Diagnostic(
                "O002", "exists and is not a folder (--per-provider writes a folder)", Location(str(out))
            ),
        )
    if problems:
        raise SettlementError(ExitCode.OUTPUT_ERROR, problems)

    def write(staging: Path, index: int) -> int:
        return write_return_workbook(staging, loaded.contract, loaded.sha256, period, targets[index][1])

    try:  # every workbook, or none: a failure at the fifth provider leaves no four behind
        rows = write_together([target for target, _ in targets], write)
    except OSError as error:
        raise SettlementError(
            ExitCode.OUTPUT_ERROR,
            [
                Diagnostic(
                    "O002", f"cannot write the workbook ({error.strerror or error})", Location(str(out))
                )
            ],
        ) from error
    return [
        WrittenReturn(target, provider, count)
        for (target, provider), count in zip(targets, rows, strict=True)
    ]


def _refusal(target: Path, contract_path: Path, force: bool) -> Diagnostic | None:
    where = Location(str(target))
    if target.suffix.lower() != ".xlsx":
        return Diagnostic("O002", "a return workbook's name must end in .xlsx", where)
    if target.exists() and target.resolve() == contract_path.resolve():
        return Diagnostic("O005", "this is the contract file: give another name for the workbook", where)
    if target.exists() and not target.is_file():
        return Diagnostic("O002", "exists and is not a file", where)
    if target.exists() and not force:
        return Diagnostic("O001", "the file exists; use --force to replace it", where)
    return None
