"""Commands of signed runs and the run register: `keys new`, `register check`.

`keys new NAME` writes an Ed25519 key pair to sign runs with (`run --sign NAME.key`) and to give
auditors (`verify --trust NAME.pub`); `register check REGISTER` verifies a run register's hash
chain and the run folders it names. Both import `cryptography` only when run (not for --help).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from obc_settle.cli.base import app, consoles, report_failure
from obc_settle.errors import Diagnostic, ExitCode, Location, SettlementError, Severity
from obc_settle.render.terminal import print_findings

keys_app = typer.Typer(
    name="keys",
    help="Key pairs that sign runs (run --sign) and check them (verify --trust).\n\n"
    "\b\nExample:\n  obc-settle keys new keys/finance",
    no_args_is_help=True,
    rich_markup_mode=None,
)
register_app = typer.Typer(
    name="register",
    help="The run register (run --register): an append-only, hash-chained list of runs.\n\n"
    "\b\nExample:\n  obc-settle register check runs/register.jsonl",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(keys_app)
app.add_typer(register_app)


@keys_app.command("new")
def keys_new(
    name: Annotated[
        Path, typer.Argument(help="Where to write the pair: NAME.key (private) and NAME.pub (public).")
    ],
) -> None:
    """Make an Ed25519 key pair: NAME.key (private, PKCS8 PEM, mode 0600) and NAME.pub (public PEM).

    Existing files are never overwritten. Prints the key's fingerprint (SHA-256 of the raw
    public key), the name `verify` and the register give the signer. Exit status 0; 5 when a key
    file exists or cannot be written.

    \b
    Example:
      obc-settle keys new keys/finance   (then: run ... --sign keys/finance.key;
                                           verify RUN --trust keys/finance.pub)
    """
    from obc_settle.app.trust import new_keys

    out, err = consoles()
    try:
        private_path, public_path, fingerprint = new_keys(name)
    except SettlementError as error:
        report_failure(err, error.diagnostics)
        raise typer.Exit(error.exit_code) from None
    out.print(f"private key {private_path} (keep it secret: it signs runs)", markup=False, soft_wrap=True)
    out.print(
        f"public key  {public_path} (give it to auditors: verify --trust)", markup=False, soft_wrap=True
    )
    out.print(f"fingerprint {fingerprint}", markup=False, soft_wrap=True)


@register_app.command("check")
def register_check(
    register: Annotated[Path, typer.Argument(help="A run register file written by run --register.")],
    head: Annotated[
        str | None,
        typer.Option(
            "--head",
            help="A head printed earlier (SHA-256 of a line), kept elsewhere: it must still be in the chain.",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON to standard output.")
    ] = False,
) -> None:
    """Verify a run register: each line carries the hash of the one before, and each run folder
    it names (if present) has the recorded manifest hash, run id, period and signer.

    A line edited, deleted or moved breaks the chain at the line after it; to guard the last
    lines, keep the head it prints somewhere else and pass it with --head later. Different runs
    of one contract and period are reported (warning A020). Exit status 0 when the chain holds
    and every present folder matches; 4 otherwise; 2 when the register cannot be read.

    \b
    Example:
      obc-settle register check runs/register.jsonl --head 3f1c…
    """
    from obc_settle.app.trust import check_register

    out, err = consoles()
    try:
        report = check_register(register, head)
    except SettlementError as error:
        report_failure(err, error.diagnostics, "nothing was checked")
        raise typer.Exit(error.exit_code) from None
    findings = [
        Diagnostic("A018", f"the chain breaks here: {line.chain}", Location(str(register), line.number))
        for line in report.lines
        if line.chain != "ok"
    ]
    findings += [
        Diagnostic(
            "A019",
            f"run folder {line.item.get('run_dir')}: {line.folder}",
            Location(str(register), line.number),
        )
        for line in report.lines
        if line.folder not in ("matches", "absent")
    ]
    if not report.head_found:
        message = f"no line has the head {head}: a line up to it was edited or deleted"
        findings.append(Diagnostic("A018", message, Location(str(register))))
    findings += [
        Diagnostic(
            "A020",
            f"{contract} {period} was settled by different runs (lines {', '.join(map(str, lines))})",
            Location(str(register), lines[-1]),
            Severity.WARNING,
        )
        for contract, period, lines in report.redone
    ]
    print_findings(err, findings)
    if as_json:
        print(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    else:
        for line in report.lines:
            style = "green" if line.ok else "red bold"
            text = Text(f"  line {line.number:<4} ", style=style)
            item = line.item
            text.append(
                f"run {item.get('run_id')}  {item.get('contract')} {item.get('period')}  "
                f"signer {str(item.get('signer') or 'none')[:16]}  folder {line.folder}"
            )
            if line.chain != "ok":
                text.append(f"  (chain: {line.chain})")
            out.print(text, soft_wrap=True)
        verdict = "register intact" if report.ok else "register NOT intact"
        out.print(
            Text(
                f"{verdict}: {len(report.lines)} lines; head {report.head}",
                style="green bold" if report.ok else "red bold",
            ),
            soft_wrap=True,
        )
    raise typer.Exit(ExitCode.OK if report.ok else ExitCode.VERIFY_MISMATCH)
