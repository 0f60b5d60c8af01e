"""What each statement shows adds up to the ledger (hypothesis): for random contracts and data,
every provider's statement lists money lines whose payments sum to its net payable, its key
figures are the ledger's, and the providers' statements together pay what the ledger pays."""

from __future__ import annotations

import polars as pl
import pytest
from engine_support import monthly
from hypothesis import given, settings
from test_properties import Scenario, scenarios

from obc_settle.engine import settle
from obc_settle.render.commissioner_report import report_context, report_view
from obc_settle.render.statement_view import statement_context, statement_view

pytestmark = pytest.mark.slow  # each example settles a contract and builds its views
RUN_ID = "0123456789abcdef"


@settings(max_examples=max(10, settings.default.max_examples // 4))
@given(scenarios())
def test_what_each_statement_shows_adds_up_to_the_ledger(scenario: Scenario) -> None:
    ledger = settle(scenario.contract, monthly(scenario.rows), scenario.period)
    paid_by_statements = 0
    for provider_id in scenario.provider_ids:
        view = statement_view(ledger, provider_id, statement_context(scenario.contract, provider_id, RUN_ID))
        adds = [line for line in view.money if not line.memo and not line.emphasis]
        net = view.money_line("net_payable")
        assert net is not None
        assert sum(line.pence for line in adds) == net.pence  # the statement's table adds up
        mine = ledger.filter(pl.col("party_id") == provider_id)
        ledger_net = int(mine.filter(pl.col("line_type") == "net_payable").get_column("amount_pence").sum())
        assert net.pence == ledger_net
        earned = view.money_line("earned")
        outcome = int(mine.filter(pl.col("line_type") == "outcome").get_column("amount_pence").sum())
        assert earned is None or earned.pence == outcome
        paid_by_statements += net.pence
    report = report_view(ledger, report_context(scenario.contract, RUN_ID))
    assert paid_by_statements == report.total("paid").pence
    payments = int(ledger.filter(pl.col("kind") == "payment").get_column("amount_pence").sum())
    assert report.total("paid").pence == payments
