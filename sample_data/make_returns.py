"""Write `diabetes-alliance-returns/`: the diabetes alliance's quarterly data as the Excel returns
providers send back, made by `obc-settle template` and filled in from the sample extracts.

`make demo` settles 2025-26-Q3 from these workbooks as well as from the Parquet files, to show
the path a commissioner takes with returns: the ledger is the same. Run from the repository root:

    .venv/bin/python sample_data/make_returns.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "contracts" / "diabetes-alliance.yaml"
SOURCE = ROOT / "sample_data" / "diabetes-alliance"
OUT = ROOT / "sample_data" / "diabetes-alliance-returns"


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for parquet in sorted(SOURCE.glob("*.parquet")):
        period = parquet.stem
        target = OUT / f"{period}.xlsx"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "obc_settle",
                "template",
                str(CONTRACT),
                "--period",
                period,
                "--out",
                str(target),
                "--force",
            ],
            check=True,
        )
        values = {
            (r["provider_id"], r["indicator_id"], r["period"]): r
            for r in pl.read_parquet(parquet).iter_rows(named=True)
        }
        book = openpyxl.load_workbook(target)
        sheet = book["Returns"]
        header = [cell.value for cell in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            filled = values[(row[0].value, row[1].value, row[2].value)]
            for position, name in enumerate(header[3:], start=3):
                if not row[position].protection.locked and filled[name] is not None:
                    row[position].value = filled[name]
        book.save(target)
        print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
