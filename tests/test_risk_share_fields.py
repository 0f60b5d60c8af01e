"""The risk/gain share shown field by field (issue 14): the provider's statement (HTML, Excel), the
commissioner's report and `explain` read budget, spend, the gate, bands, quality, caps,
adjustments and both parties' parts from the ledger's `derivation`, in pounds, so that a finance
director can check the amount with a calculator from her statement alone."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from engine_support import COMMISSIONER
from schemes_support import settle_rows
from test_risk_share_mssp_rules import TWO_SIDED_LOSSES, mssp, spend_for
from test_schemes_mssp import member_rows

from obc_settle.audit.explain import _other_payments
from obc_settle.render.commissioner_report import report_context, report_html, report_view
from obc_settle.render.html_statement import statement_html
from obc_settle.render.statement_view import statement_context, statement_view
from obc_settle.render.xlsx_statement import write_statement_xlsx

D = Decimal


def sequestered() -> tuple[Any, Any]:
    """$20m saved of $125m; 50% = $10m, under the 10% limit ($12.5m); 2% sequestered: $9.8m."""
    contract = mssp({"minimum_rate_table": None, "quality": None, "sequestration": D("0.02")})
    return contract, settle_rows(contract, member_rows(spend_for(2_000_000_000)))


def fields_of(contract: Any, ledger: Any) -> dict[str, tuple[str, str]]:
    view = statement_view(ledger, "ACO", statement_context(contract, "ACO", "run-1"))
    assert view.risk_share is not None
    return {field.label: (field.value, field.working) for field in view.risk_share.fields}


def test_the_statement_lists_every_figure_of_the_risk_share_in_pounds() -> None:
    fields = fields_of(*sequestered())
    assert fields["Budget"][0] == "£125,000,000.00"
    assert fields["Actual spend"][0] == "£105,000,000.00"
    assert fields["Saving"] == (
        "£20,000,000.00",
        "Budget − spend: £125,000,000.00 − £105,000,000.00, 16.0% of the budget.",
    )
    assert fields["Minimum rate"] == (
        "",
        "Met: the saving, 16.0% of the budget, is at or above the minimum rate 0.0%, set in the contract.",
    )
    assert fields["Band 1"] == (
        "£10,000,000.00",
        "50.0% × £20,000,000.00, the part of the saving inside the band, from £0.00, with no upper end.",
    )
    assert fields["Limit: 10.0% of the budget"] == (
        "",
        "Limit £12,500,000.00 (10.0% of the budget £125,000,000.00), not reached: the part found, "
        "£10,000,000.00, is within it.",
    )
    assert fields["Sequestration"][0] == "£9,800,000.00"
    assert fields["Providers' part"][0] == "£9,800,000.00"
    assert fields["Commissioner's part"] == (
        "£10,200,000.00",
        "Kept of the saving: £20,000,000.00 − £9,800,000.00.",
    )
    assert fields["Your share"][0] == "£9,800,000.00"


def test_a_forgiven_loss_says_why_nothing_is_recovered() -> None:
    losses = TWO_SIDED_LOSSES | {"loss_forgiven": D("1")}
    contract = mssp(losses=losses)
    fields = fields_of(contract, settle_rows(contract, member_rows(spend_for(-250_000_000))))
    assert fields["Overspend"][0] == "£2,500,000.00"
    assert fields["Loss forgiven"] == (
        "£0.00",
        "The whole shared loss, £1,000,000.00, is forgiven (as in a disaster year): nothing is recovered.",
    )
    assert fields["Providers' part"] == ("£0.00", "Nothing is shared: the whole shared loss is forgiven.")
    assert fields["Commissioner's part"][0] == "-£2,500,000.00"
    assert fields["Quality"] == (
        "",
        "The quality score 100.0% from the outcome framework: each band's shared loss rate is "
        "1 − the contract's share × the score, held at least 40.0% and at most 60.0%.",
    )


def test_the_minimum_rate_field_names_the_population_it_was_read_at() -> None:
    contract = mssp()
    fields = fields_of(contract, settle_rows(contract, member_rows(spend_for(371_250_000))))
    value, working = fields["Minimum rate"]
    assert value == "£0.00"
    assert working == (
        "Not met: the saving, 2.97% of the budget, is below the minimum rate 2.975%, read from the "
        "mssp_one_sided table at a population of 10,416.67 (exactly 31,250 / 3), the mean monthly count of "
        "assigned_beneficiaries (person-months / months), so nothing is shared."
    )


def test_the_html_and_excel_statements_show_the_fields(tmp_path: Path) -> None:
    contract, ledger = sequestered()
    view = statement_view(ledger, "ACO", statement_context(contract, "ACO", "run-1"))
    page = statement_html(view)
    assert '<h2 id="risk-share">Risk and gain share</h2>' in page
    assert (
        '<th scope="row">Sequestration</th><td>£10,000,000.00 − 2.0% of it (£200,000.00) withheld.</td>'
        '<td class="num">£9,800,000.00</td>'
    ) in page
    write_statement_xlsx(view, tmp_path / "ACO.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "ACO.xlsx")["Risk share"]
    rows = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Providers' part"] == "£9,800,000.00" and rows["Commissioner's part"] == "£10,200,000.00"


def test_the_report_shows_the_fields_and_the_commissioners_part() -> None:
    contract, ledger = sequestered()
    view = report_view(ledger, report_context(contract, "run-1"))
    assert view.risk_share is not None and view.risk_share.fields is not None
    labels = [field.label for field in view.risk_share.fields.fields]
    assert labels[:3] == ["Budget", "Actual spend", "Saving"]
    assert "Commissioner's part" in labels and "Your share" not in labels
    assert "£10,200,000.00" in report_html(view)


def test_explain_gives_the_steps_with_the_numbers() -> None:
    _, ledger = sequestered()
    rows = ledger.filter(ledger["party_id"] == "ACO").to_dicts()
    (item,) = [i for i in _other_payments(rows) if i["line_type"] == "risk_share"]
    assert item["derivation"]["commissioner_part_pence"] == 1_020_000_000
    assert (
        "saving: |12500000000 − 10500000000| = 2000000000 pence; rate = 2000000000 / 12500000000 = 0.16"
        in item["steps"]
    )
    assert "sequestration: 1000000000 × (1 − 0.02) = 980000000" in item["steps"]
    assert (
        "commissioner's part: 2000000000 − 980000000 = 1020000000 pence kept of the saving" in item["steps"]
    )


@pytest.mark.parametrize("party", ["ACO", COMMISSIONER])
def test_every_risk_share_line_carries_the_same_derivation(party: str) -> None:
    _, ledger = sequestered()
    texts = set(ledger.filter(ledger["line_type"].is_in(["risk_share", "commissioner_share"]))["derivation"])
    assert len(texts) == 1 and None not in texts
    assert ledger.filter((ledger["party_id"] == party) & (ledger["line_type"] == "risk_share")).height == 1
