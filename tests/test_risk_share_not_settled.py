"""A contract with a risk/gain share says on every statement and report why a settlement has none:
it is settled once, on the whole year, and only in the years the contract names (issue 14)."""

from __future__ import annotations

import html
import re

from document_support import RUN_ID, sample_settlement

from obc_settle.render.commissioner_report import render_report_html, report_context
from obc_settle.render.html_statement import statement_html
from obc_settle.render.statement_view import statement_context, statement_view

ALLIANCE = "herefordshire-alliance-risk-share"


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_a_quarter_says_the_share_is_settled_at_the_year_end() -> None:
    contract, ledger = sample_settlement(ALLIANCE, "2025-26-Q2")
    provider = contract.providers[0].id
    view = statement_view(ledger, provider, statement_context(contract, provider, RUN_ID))
    assert view.risk_share is not None
    said = "Settled once, at the end of the contract year 2025-26, on the whole year's spend."
    assert said in _text(statement_html(view))
    assert said in _text(render_report_html(ledger, report_context(contract, RUN_ID)))


def test_a_contract_without_a_risk_share_shows_no_such_section() -> None:
    contract, ledger = sample_settlement("diabetes-alliance", "2025-26-Q2")
    provider = contract.providers[0].id
    view = statement_view(ledger, provider, statement_context(contract, provider, RUN_ID))
    assert view.risk_share is None
    assert "Risk and gain share" not in _text(statement_html(view))


def test_the_year_end_shows_the_share_itself() -> None:
    contract, ledger = sample_settlement(ALLIANCE, "2025-26")
    provider = contract.providers[0].id
    view = statement_view(ledger, provider, statement_context(contract, provider, RUN_ID))
    assert view.risk_share is not None
    assert "Not shared" not in [field.label for field in view.risk_share.fields]
