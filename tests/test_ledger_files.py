"""The ledger as CSV cannot smuggle a formula into a spreadsheet."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from obc_settle.run_folder.ledger_files import write_ledger_csv


def test_text_that_a_spreadsheet_would_run_is_written_as_text(tmp_path: Path) -> None:
    ledger = pl.DataFrame(
        {
            "party_id": ["ACME", "ACME", "ACME", "ACME", "ACME", "ACME"],
            "note": ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "plain note"],
            "amount_pence": [-100, 0, 1, 2, 3, 4],
        }
    )
    path = tmp_path / "ledger.csv"
    write_ledger_csv(ledger, path)
    lines = path.read_text().splitlines()
    notes = [line.split(",", 1)[1].rsplit(",", 1)[0] for line in lines[1:]]
    assert notes == ['"\'=HYPERLINK(""http://x"")"', "'+1+1", "'-2+3", "'@SUM(A1)", "'\tcmd", "plain note"]
    assert lines[1].endswith(",-100"), "numbers are numbers, negative ones included"
