"""Terminal views of `verify` and `diff`: a line per file, a table per kind of change.

They lay out the reports only; amounts are ledger amounts formatted as pounds. Machines read the
same reports with `--json`.
"""

from __future__ import annotations

from typing import Any

from rich.console import JustifyMethod, RenderableType
from rich.table import Table
from rich.text import Text

from obc_settle.audit.diff import DiffReport
from obc_settle.audit.explain import plain
from obc_settle.audit.verify import FileCheck, VerifyReport
from obc_settle.money import format_pounds
from obc_settle.run_folder.layout import SIGNATURE


def _check_line(check: FileCheck) -> Text:
    style = "green" if check.ok else "red bold"
    line = Text(f"  {check.status:<10} ", style=style)
    line.append(check.path)
    if check.detail:
        line.append(f"  ({check.detail})", style="dim" if check.ok else "")
    return line


def _signature_lines(report: VerifyReport) -> list[RenderableType]:
    check = report.signature
    if check is None:
        return []
    line = Text(f"  {check.status:<10} ", style="green" if check.ok else "red bold")
    line.append(SIGNATURE)
    if check.signer:
        line.append(f"  signer {check.signer}")
    if check.detail:
        line.append(f"  ({check.detail})", style="dim" if check.ok else "")
    lines: list[RenderableType] = [Text("signature"), line]
    if check.trusted and check.trusted != check.signer:
        lines.append(Text(f"             trusted key {check.trusted}"))
    return lines


def _listed_lines(report: VerifyReport) -> list[RenderableType]:
    if not report.listed:
        return []
    intact = sum(1 for check in report.listed if check.ok)
    lines: list[RenderableType] = [Text("files the manifest lists")]
    if intact:
        lines.append(Text(f"  {'intact':<10} {intact} file{'s' if intact != 1 else ''}", style="green"))
    return lines + [_check_line(check) for check in report.listed if not check.ok]


def _proven(report: VerifyReport) -> str:
    """What a passing verify has shown: with a trusted key, who and unchanged; else consistency."""
    check = report.signature
    files = f"every output matches, byte for byte ({len(report.outputs)} files)"
    if check is not None and check.trusted and check.ok:
        return f"verified: signed by the trusted key {check.trusted[:16]}… and unchanged since; {files}"
    return f"verified (consistent and reproducible; who produced it is not checked without --trust): {files}"


def verify_view(report: VerifyReport) -> list[RenderableType]:
    run = report.run
    lines: list[RenderableType] = [Text(f"run {run.run_id}, settlement period {run.period}, in {run.folder}")]
    lines += _signature_lines(report)
    lines.append(Text("archived inputs"))
    lines += [_check_line(check) for check in report.inputs]
    lines += _listed_lines(report)
    if report.failure:
        lines.append(
            Text("the settlement could not be recomputed from the archived inputs:", style="red bold")
        )
        lines += [Text(f"  {d.render()}") for d in report.failure]
    else:
        lines.append(Text("outputs recomputed from the archived inputs"))
        lines += [_check_line(check) for check in report.outputs]
    if report.ok:
        lines.append(Text(_proven(report), style="green bold"))
    else:
        bad_inputs = sum(1 for c in report.inputs if not c.ok)
        bad_listed = sum(1 for c in report.listed if not c.ok)
        bad_outputs = sum(1 for c in report.outputs if not c.ok)
        signature = report.signature
        parts = [f"signature {signature.status}"] if signature is not None and not signature.ok else []
        parts += (
            [f"{bad_inputs} archived input{'s' if bad_inputs != 1 else ''} not intact"] if bad_inputs else []
        )
        parts += (
            [f"{bad_listed} listed file{'s' if bad_listed != 1 else ''} missing or not matching the manifest"]
            if bad_listed
            else []
        )
        parts += (
            [f"{bad_outputs} output{'s' if bad_outputs != 1 else ''} differ{'s' if bad_outputs == 1 else ''}"]
            if bad_outputs
            else []
        )
        parts += ["the settlement could not be recomputed"] if report.failure else []
        lines.append(Text(f"NOT verified: {'; '.join(parts)}", style="red bold"))
        lines.append(Text(f"failed steps: {', '.join(report.failed_steps())}", style="red"))
    return lines


def _pounds(pence: int | None) -> str:
    return "—" if pence is None else format_pounds(pence)


def _difference(pence: int) -> str:
    return ("+" if pence > 0 else "") + format_pounds(pence) if pence else "0"


def diff_view(report: DiffReport) -> list[RenderableType]:
    old, new = report.old, report.new
    out: list[RenderableType] = [
        Text(
            f"old: {old['run_dir']} (run {old['run_id']}, {old['contract_id']} version {old['contract_version']}, {old['settlement_period']})"
        ),
        Text(
            f"new: {new['run_dir']} (run {new['run_id']}, {new['contract_id']} version {new['contract_version']}, {new['settlement_period']})"
        ),
    ]
    if not report.differs:
        out.append(
            Text("no differences: the same inputs and the same amounts on every line", style="green bold")
        )
        return out
    if report.inputs:
        table = Table(title="inputs that differ", title_justify="left")
        for heading in ("role", "change", "old", "new"):
            table.add_column(heading)
        for item in report.inputs:
            table.add_row(
                item["role"],
                item["status"],
                _file(item["old_path"], item["old_sha256"]),
                _file(item["new_path"], item["new_sha256"]),
            )
        out.append(table)
    if report.parameters:
        table = Table(title="parameters that differ", title_justify="left")
        for heading in ("parameter", "old", "new"):
            table.add_column(heading)
        for item in report.parameters:
            table.add_row(item["parameter"], _value(item["old"]), _value(item["new"]))
        out.append(table)
    if report.terms:
        table = Table(title="contract terms that differ", title_justify="left")
        for heading in ("term", "old", "new"):
            table.add_column(heading)
        for term in report.terms:
            table.add_row(term["term"], _value(term["old"]), _value(term["new"]))
        out.append(table)
    if report.extract_sums:
        out.append(_sums_table(report.extract_sums))
    out.append(_lines_table(report))
    table = Table(title="totals", title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("total", "left"),
        ("old", "right"),
        ("new", "right"),
        ("difference", "right"),
    )
    for heading, justify in columns:
        table.add_column(heading, justify=justify)
    for total in report.totals:
        table.add_row(
            total["total"],
            _pounds(total["old_pence"]),
            _pounds(total["new_pence"]),
            _difference(total["difference_pence"]),
        )
    out.append(table)
    verdict = "amounts differ" if report.amounts_differ else "no amount differs; the inputs or derivations do"
    out.append(Text(verdict, style="bold"))
    return out


def _file(path: str | None, sha256: str | None) -> str:
    return "—" if path is None else f"{path} ({str(sha256)[:12]}…)"


def _value(value: Any) -> str:
    if isinstance(value, float):
        return str(plain(value))
    return "—" if value is None else str(value)


def _sums_table(sums: list[dict[str, Any]]) -> Table:
    table = Table(title="extract sums that differ (provider × indicator × month)", title_justify="left")
    for heading in ("provider", "indicator", "month", "old", "new"):
        table.add_column(heading)
    for row in sums:
        table.add_row(
            row["provider_id"],
            row["indicator_id"],
            row["period"],
            _measures(row["old"]),
            _measures(row["new"]),
        )
    return table


def _measures(side: dict[str, Any] | None) -> str:
    if side is None:
        return "—"
    return ", ".join(f"{k} {v}" for k, v in side.items() if v not in (None, "0", 0) or k == "rows")


def _lines_table(report: DiffReport) -> Table:
    table = Table(title="ledger lines that differ", title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("party", "left"),
        ("line", "left"),
        ("indicator", "left"),
        ("old", "right"),
        ("new", "right"),
        ("difference", "right"),
        ("what changed", "left"),
    )
    for heading, justify in columns:
        table.add_column(heading, justify=justify)
    for line in report.lines:
        changed = "; ".join(
            f"{k} {_value(a)} → {_value(b)}" for k, (a, b) in line["changed"].items() if k != "note"
        )
        if line["old_pence"] is None or line["new_pence"] is None:
            changed = "only in the new run" if line["old_pence"] is None else "only in the old run"
        table.add_row(
            line["party_id"],
            line["line_type"],
            line["indicator_id"] or "",
            _pounds(line["old_pence"]),
            _pounds(line["new_pence"]),
            _difference(line["difference_pence"]),
            changed,
        )
    return table
