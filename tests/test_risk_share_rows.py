"""The risk/gain share reads right on the page (issue 14 review): a score is a percentage with the
decimals the calculation needs, never a fraction of huge terms; a limit that did not bind reads as
a limit, with no figure in the value column; every row of the one- and two-sided MSSP templates
(shared loss rate, the lower of two limits, sequestration, forgiveness) can be followed with a
calculator; a year in which nothing is shared says why; and a contract in dollars shows no pounds
on the statement (HTML, PDF, Excel) or in `explain`."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from page_checks import NEEDS_POPPLER
from schemes_support import settle_rows, varied
from test_currency import POUND_WORDS, html_text, xlsx_text
from test_risk_share_mssp_rules import TWO_SIDED_LOSSES, mssp, spend_for, two_sided
from test_schemes_mssp import member_rows

from obc_settle.audit.explain import explain_provider
from obc_settle.audit.explain_text import explanation_lines
from obc_settle.money import shown_in
from obc_settle.render.html_statement import statement_html
from obc_settle.render.pdf_statement import write_statement_pdf
from obc_settle.render.risk_share_figures import rate_text
from obc_settle.render.risk_share_view import not_settled, risk_share_fields
from obc_settle.render.statement_view import statement_context, statement_view
from obc_settle.render.xlsx_statement import write_statement_xlsx

D = Decimal
HUGE = "553997297079469/847628126436000"  # the herefordshire sample's quality score


def rows_of(contract: Any, ledger: Any) -> dict[str, tuple[str, str]]:
    with shown_in(contract.currency):
        view = statement_view(ledger, "ACO", statement_context(contract, "ACO", "run-1"))
    assert view.risk_share is not None
    return {field.label: (field.value, field.working) for field in view.risk_share.fields}


def test_a_score_is_a_percentage_with_the_decimals_needed_and_a_fraction_only_when_short() -> None:
    assert rate_text("0.4938285") == "49.38285%"
    assert rate_text("141/194") == "72.6804% (141 / 194)"
    assert rate_text(HUGE) == "65.3585%"
    # Times £742,978.00 the four-decimal rate is pennies out: more decimals until it lands on the penny.
    exact = Fraction(HUGE) * 74_297_800
    shown = rate_text(HUGE, amount=74_297_800)
    digits = Fraction(shown.removesuffix("%")) / 100
    assert round(digits * 74_297_800) == round(exact) and len(shown) > len("65.3585%")
    # A gate reads right: a score just below 50% is not shown as 50.0%, the minimum it fails.
    assert rate_text("49999/100000") == "49.999%"
    assert rate_text("49999999/99999999") == "50.0%"
    assert rate_text("49999999/99999999", against="0.5") == "49.999999%"
    assert rate_text("33334/100001", against="1/3") == "33.3337% (33334 / 100001)"


def herefordshire_like() -> dict[str, Any]:
    """The derivation of the demo's alliance year: saving £1,485,956 of £94.3m, gate 0.5%, band
    50% to 2% of the budget, a quality gate at 0.5, a 2% cap that does not bind."""
    return {
        "budget_pence": 9_430_000_000,
        "budget_basis": "the contract value of the year",
        "spend_pence": 9_281_404_400,
        "difference_pence": 148_595_600,
        "what": "saving",
        "side": "gains",
        "rate": "371489/23575000",
        "reason": None,
        "gate": {"minimum_rate": "0.005", "source": "the contract", "met": True},
        "bands": [
            {
                "from_pence": "0",
                "to_pence": "188600000",
                "up_to": "0.02",
                "provider_share": "0.5",
                "share": "0.5",
                "inside_pence": "148595600",
                "part_pence": "74297800",
            },
        ],
        "bands_total_pence": "74297800",
        "quality": {
            "method": "gate",
            "input": "the outcome framework",
            "score": HUGE,
            "scored": True,
            "minimum_score": "0.5",
            "met": True,
            "after_pence": "74297800",
        },
        "caps": [
            {
                "limit": "budget",
                "proportion": "0.02",
                "base_pence": 9_430_000_000,
                "pence": "188600000",
                "applied": False,
            }
        ],
        "capped_pence": "74297800",
        "sequestration": None,
        "loss_forgiven": None,
        "providers_part_exact": "74297800",
        "providers_part_pence": 74_297_800,
        "paid_to_providers_pence": 74_297_800,
        "commissioner_part_pence": 74_297_800,
    }


def test_the_quality_gate_shows_the_score_as_a_percentage_and_the_unreached_cap_as_a_limit() -> None:
    fields = risk_share_fields(herefordshire_like(), "0.48", 35_662_944)
    assert fields is not None
    rows = {field.label: (field.value, field.working) for field in fields.fields}
    assert rows["Quality gate"] == (
        "",
        "Met: the quality score 65.3585% from the outcome framework is at or above the minimum 50.0%; "
        "the amount stays £742,978.00.",
    )
    assert rows["Limit: 2.0% of the budget"] == (
        "",
        "Limit £1,886,000.00 (2.0% of the budget £94,300,000.00), not reached: the part found, "
        "£742,978.00, is within it.",
    )
    assert rows["Band 1"] == (
        "£742,978.00",
        "50.0% × £1,485,956.00, the part of the saving inside the band, from £0.00 to £1,886,000.00 "
        "(2.0% of the budget).",
    )
    assert not any(re.search(r"\d{9,}", field.working) for field in fields.fields)
    values = [field.value for field in fields.fields if field.value]
    assert "£1,886,000.00" not in values  # the limit is not a figure on the way to the share
    assert values == [
        "£94,300,000.00",
        "£92,814,044.00",
        "£1,485,956.00",
        "£742,978.00",
        "£742,978.00",
        "£742,978.00",
        "£356,629.44",
    ]


def test_the_two_sided_losses_side_reads_row_by_row() -> None:
    """A 10% overspend of $125m: shared loss rate 1 − 75% × 100% = 25%, held at the floor 40%, is
    $5m; the loss limit is the lower of 4% of the benchmark ($5m) and 8% of revenue ($3.2m)."""
    contract = two_sided()
    rows = rows_of(contract, settle_rows(contract, member_rows(spend_for(-1_250_000_000))))
    assert rows["Overspend"] == (
        "£12,500,000.00",
        "Spend − budget: £137,500,000.00 − £125,000,000.00, 10.0% of the budget.",
    )
    assert rows["Band 1"] == (
        "£5,000,000.00",
        "The shared loss rate 40.0% (1 − 75.0% × 100.0% = 25.0%, held at the floor 40.0%) × "
        "£12,500,000.00, the part of the overspend inside the band, from £0.00, with no upper end.",
    )
    assert rows["Limit: 4.0% of the budget"] == (
        "",
        "Limit £5,000,000.00 (4.0% of the budget £125,000,000.00).",
    )
    assert rows["Limit: 8.0% of the revenue"][0] == ""
    assert rows["Limit applied"] == (
        "£3,200,000.00",
        "The lower of the two limits, £3,200,000.00 (8.0% of the revenue), is reached: the part found, "
        "£5,000,000.00, is above it, so it is held at the limit.",
    )
    assert rows["Providers' part"][0] == "-£3,200,000.00"
    assert "recovered from the providers" in rows["Providers' part"][1]


def test_sequestration_and_partial_forgiveness_show_the_amount_they_leave() -> None:
    contract = two_sided()
    saving = rows_of(contract, settle_rows(contract, member_rows(spend_for(1_250_000_000))))
    assert saving["Sequestration"] == ("£9,187,500.00", "£9,375,000.00 − 2.0% of it (£187,500.00) withheld.")
    contract = mssp(losses=TWO_SIDED_LOSSES | {"loss_forgiven": D("0.5")})
    loss = rows_of(contract, settle_rows(contract, member_rows(spend_for(-250_000_000))))
    assert loss["Loss forgiven"] == ("£500,000.00", "£1,000,000.00 − 50.0% of it (£500,000.00) forgiven.")
    assert loss["Providers' part"][0] == "-£500,000.00"


@pytest.mark.parametrize(
    ("change", "saving", "row", "why"),
    [
        (None, 371_250_000, "Minimum rate", "Nothing is shared: the saving is below the minimum rate."),
        (
            {"minimum_rate_table": None, "quality": {"method": "gate", "minimum_score": D("0.9")}},
            1_000_000_000,
            "Quality gate",
            "Nothing is shared: the quality score is below the minimum the contract sets.",
        ),
        ({}, -250_000_000, "Not shared", "Nothing is shared: the contract shares no overspends."),
    ],
)
def test_a_year_where_nothing_is_shared_says_why(
    change: dict[str, Any] | None, saving: int, row: str, why: str
) -> None:
    contract = mssp(change)
    rows = rows_of(contract, settle_rows(contract, member_rows(spend_for(saving), quality=(15, 100))))
    assert rows["Providers' part"] == ("£0.00", why)
    assert row in rows and ("not met" in rows[row][1].lower() or row == "Not shared")


def test_a_year_the_contract_does_not_share_in_says_so() -> None:
    (row,) = not_settled(["2026-27", "2027-28"], "2025-26", year_end=True).fields
    assert row.value == "" and "only in 2026-27, 2027-28, not in 2025-26" in row.working
    (row,) = not_settled(None, "2025-26", year_end=False).fields
    assert "at the end of the contract year 2025-26" in row.working


@pytest.fixture(scope="module")
def dollars(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], dict[str, tuple[str, str]]]:
    """The MSSP template as published (USD, calendar 2025), a $5m saving: its statement in every
    format, its `explain` text and its risk-share rows."""
    contract = varied("mssp", lambda body: None)
    assert contract.currency == "USD"
    ledger = settle_rows(contract, member_rows(spend_for(500_000_000), quality=(13, 100)))
    folder = tmp_path_factory.mktemp("usd-risk-share")
    with shown_in("USD"):
        view = statement_view(ledger, "ACO", statement_context(contract, "ACO", "run-1"))
        (folder / "ACO.html").write_text(statement_html(view), encoding="utf-8")
        write_statement_xlsx(view, folder / "ACO.xlsx")
        write_statement_pdf(view, folder / "ACO.pdf")
        explained = explanation_lines(explain_provider(ledger, contract, "ACO", None, None, "run-1"))
    assert view.risk_share is not None
    return folder, explained, {f.label: (f.value, f.working) for f in view.risk_share.fields}


def no_pounds(text: str, where: str) -> None:
    found = POUND_WORDS.search(text)
    assert found is None, f"{where}: {text[max(found.start() - 80, 0) : found.end() + 80]!r}"


def test_a_dollar_risk_share_shows_dollars_and_cents(dollars: tuple[Path, list[str], Any]) -> None:
    folder, explained, rows = dollars
    assert rows["Budget"] == (
        "$125,000,000.00",
        "$12,000.00 per head per year × 125,000.00 person-months / 12.",
    )
    assert rows["Quality"] == (
        "$2,125,000.00",
        "$2,500,000.00 × the quality score 85.0% from the outcome framework.",
    )
    assert "(to the cent)" in rows["Your share"][1]
    page = html_text(folder / "ACO.html")
    assert "$2,125,000.00" in page and "Limit: 10.0% of the budget" in page
    no_pounds(page, "ACO.html")
    book = xlsx_text(folder / "ACO.xlsx")
    no_pounds(book, "ACO.xlsx")
    sheet = openpyxl.load_workbook(folder / "ACO.xlsx")["Risk share"]
    cells = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert cells["Providers' part"] == "$2,125,000.00" and cells["Limit: 10.0% of the budget"] is None
    text = "\n".join(explained)
    assert "saving: |12500000000 − 12000000000| = 500000000 cents" in text
    assert "cap (budget): 0.10 × 12500000000 = 1250000000 (not reached)" in text
    no_pounds(text, "explain")


@pytest.mark.pdf
@NEEDS_POPPLER
def test_the_dollar_pdf_statement_shows_no_pounds(dollars: tuple[Path, list[str], Any]) -> None:
    folder, _, _ = dollars
    text = subprocess.run(
        ["pdftotext", "-layout", str(folder / "ACO.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "$2,125,000.00" in text and "Limit: 10.0% of the budget" in text
    no_pounds(text, "ACO.pdf")
