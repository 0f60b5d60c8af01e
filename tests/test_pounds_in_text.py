"""Documents never show raw pence in text: ledger notes are shown with amounts in pounds and pence,
and a risk/gain share line says the provider's share of the providers' part (issue 14)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from document_support import write_sample_documents

from obc_settle.ledger.schema import LineKind, LineType
from obc_settle.render.labels import in_pounds, sentence
from obc_settle.render.statement_view import _explanation


def test_pence_and_pounds_in_notes_are_written_as_money() -> None:
    note = "budget 1200000000 pence, spend 1137412900 pence; 0 of 120,000.00 pounds in the band; -662587 pence to recover"
    assert in_pounds(note) == (
        "budget £12,000,000.00, spend £11,374,129.00; 0 of £120,000.00 in the band; -£6,625.87 to recover"
    )
    assert sentence("662587 pence to recover from the provider") == "£6,625.87 to recover from the provider."
    assert in_pounds("a score of 0.5 and 3 providers") == "a score of 0.5 and 3 providers"


def test_a_risk_share_line_gives_the_providers_share_of_the_providers_part() -> None:
    row = {
        "line_type": LineType.RISK_SHARE,
        "kind": LineKind.PAYMENT,
        "amount_pence": 26369342,
        "share": Decimal("0.15"),
        "pool_pence": 175795612,
        "note": "saving 1058308500 pence; providers' part 175795612 pence",
    }
    text = _explanation(row, [row])
    assert text.startswith(
        "Your share of 15.0% of the providers' part of the saving, £1,757,956.12: £263,693.42."
    )
    assert "found: Saving £10,583,085.00; providers' part £1,757,956.12." in text
    overspend = {**row, "amount_pence": -6625, "pool_pence": -44167}
    assert "part of the overspend, -£441.67: -£66.25" in _explanation(overspend, [overspend])


def test_no_statement_or_report_shows_raw_pence(tmp_path: Path) -> None:
    folder = write_sample_documents(tmp_path, formats=("html",))
    for page in [*folder.glob("statements/*.html"), *folder.glob("report/*.html")]:
        text = re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))
        assert not re.search(r"\d pence\b", text), (page.name, re.search(r".{60}\d pence.{20}", text))
