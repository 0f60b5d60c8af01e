"""Regenerate the golden ledgers (`make golden`), only after an intended change of results.

Each case settles a sample contract on the sample extracts and keeps the ledger as CSV, which a
reviewer can read line by line in the diff, and beside it `inputs.sha256` (see golden_cases.py):
the SHA-256 of what was settled and of the ledger written from it.

Nothing is overwritten silently. For each case this prints which inputs changed, how many lines
of ledger.csv go and come, and the money that moved: each party's amounts by line type and
indicator, before and after. Changes that move no money (a note reworded, a column added, a
comment in a contract) are written at once. When money moves, nothing at all is written until
the summary has been reviewed and the command is run again with --accept:

    .venv/bin/python tests/golden/regenerate.py            # make golden
    .venv/bin/python tests/golden/regenerate.py --accept   # make golden ACCEPT=1
"""

from __future__ import annotations

import argparse
import difflib
import io
import sys
from decimal import Decimal
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from golden_cases import (  # noqa: E402
    CASES,
    DIGESTS,
    GoldenCase,
    changed_inputs,
    digests_text,
    ledger_csv,
    read_digests,
    settle_case,
)

MONEY_KEY = ("party_id", "line_type", "indicator_id", "adjusts_period")
"""Amounts are compared summed by these columns: who, what for, and for which earlier period."""
SHOWN = 20
"""Lines of moved money printed per case; the rest are counted."""


def amounts(ledger: str) -> dict[tuple[str, ...], int]:
    """The ledger's amount_pence summed by MONEY_KEY (empty for no ledger)."""
    if not ledger:
        return {}
    frame = pl.read_csv(io.StringIO(ledger), infer_schema_length=0).with_columns(
        pl.col(*MONEY_KEY).fill_null(""), pl.col("amount_pence").cast(pl.Int64).fill_null(0)
    )
    summed = frame.group_by(MONEY_KEY).agg(pl.col("amount_pence").sum())
    return {tuple(row[:-1]): int(row[-1]) for row in summed.iter_rows()}


def pounds(pence: int) -> str:
    return f"£{Decimal(pence) / 100:,.2f}"


def money_moved(old: str, new: str) -> list[str]:
    """One line per MONEY_KEY whose amount differs between the two ledgers, in key order."""
    before, after = amounts(old), amounts(new)
    moved = []
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        if was == now:
            continue
        what = " ".join(part for part in key if part)
        change = f"{pounds(was) if was is not None else '(no line)'} -> {pounds(now) if now is not None else '(no line)'}"
        delta = f" ({'+' if (now or 0) >= (was or 0) else '-'}{pounds(abs((now or 0) - (was or 0)))})"
        moved.append(f"{what}: {change}{delta}")
    return moved


def review(case: GoldenCase, old: str, new: str, stored: dict[str, str]) -> bool:
    """Print what regenerating the case changes; True when money moves."""
    inputs = changed_inputs(case, stored)
    diff = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0))
    gone = sum(1 for line in diff if line.startswith("-") and not line.startswith("---"))
    come = sum(1 for line in diff if line.startswith("+") and not line.startswith("+++"))
    moved = money_moved(old, new)
    print(f"{case.name}:")
    print(f"  inputs changed: {', '.join(inputs)}" if inputs else "  inputs unchanged")
    if not diff:
        print("  ledger.csv unchanged")
        return False
    print(f"  ledger.csv: {gone} lines out, {come} in")
    if not moved:
        print("  no money moves")
        return False
    print(f"  money moves on {len(moved)} party x line type x indicator:")
    for line in moved[:SHOWN]:
        print(f"    {line}")
    if len(moved) > SHOWN:
        print(f"    ... and {len(moved) - SHOWN} more")
    return True


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accept", action="store_true", help="write the ledgers even where money moves")
    accept = parser.parse_args(argv).accept
    planned: list[tuple[Path, str, str]] = []
    moves = []
    for case in CASES:
        folder = HERE / case.name
        old = (folder / "ledger.csv").read_text(encoding="utf-8") if (folder / "ledger.csv").exists() else ""
        digests = folder / DIGESTS
        stored = read_digests(digests.read_text(encoding="utf-8")) if digests.exists() else {}
        new = ledger_csv(settle_case(case))
        if review(case, old, new, stored):
            moves.append(case.name)
        planned.append((folder, new, digests_text(case, new)))
    if moves and not accept:
        print(
            f"\nMoney moves in {len(moves)} golden ledger(s) ({', '.join(moves)}): nothing was written.\n"
            "Review the changes above; if they are what you intended, run again with --accept\n"
            "(make golden ACCEPT=1) and commit the ledgers with the change that moved the money, saying why."
        )
        return 1
    for folder, ledger, digests in planned:
        folder.mkdir(exist_ok=True)
        for name, text in (("ledger.csv", ledger), (DIGESTS, digests)):
            path = folder / name
            if not path.exists() or path.read_bytes() != text.encode():
                path.write_bytes(text.encode())
                print(f"wrote {path.relative_to(HERE.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
