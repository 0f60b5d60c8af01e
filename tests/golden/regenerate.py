"""Regenerate the golden ledgers (`make golden`), only after an intended change of results.

Each case settles a sample contract on the sample extracts and keeps the ledger as CSV, which a
reviewer can read line by line in the diff.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from golden_cases import CASES, settle_case  # noqa: E402

for case in CASES:
    folder = HERE / case.name
    folder.mkdir(exist_ok=True)
    settle_case(case).write_csv(folder / "ledger.csv", line_terminator="\n")
    print(f"wrote {folder / 'ledger.csv'}")
