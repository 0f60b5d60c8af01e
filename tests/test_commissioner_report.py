"""The commissioner's consolidated report: every figure a ledger line or a sum of ledger lines."""

from __future__ import annotations

import dataclasses
import html
from pathlib import Path

import polars as pl
import pytest
from document_support import RUN_ID, amount, sample_settlement, write_sample_documents

from obc_settle.ledger import party_totals, settlement_totals
from obc_settle.money import format_pounds
from obc_settle.render.commissioner_report import render_report_html, report_context, report_view
from obc_settle.render.documents import FORMATS, document_count, parse_formats


def test_report_totals_are_the_ledger_totals() -> None:
    contract, ledger = sample_settlement()
    view = report_view(ledger, report_context(contract, RUN_ID))
    totals = settlement_totals(ledger)
    assert view.total("contract_value").pence == totals.contract_value_pence
    assert view.total("outcome_pool").pence == totals.outcome_pool_pence
    assert view.total("paid").pence == totals.paid_to_providers_pence
    assert view.total("retained").pence == totals.retained_pence
    assert view.total("paid").pence + view.total("retained").pence == view.total("contract_value").pence
    assert view.total("earned").pence == int(
        ledger.filter(pl.col("line_type") == "outcome")["amount_pence"].sum()
    )
    assert view.total("redistributed_unearned").pence == sum(
        amount(ledger, p.id, "redistributed_unearned") for p in contract.providers
    )


def test_each_provider_row_is_its_ledger_totals_and_shares_add_up() -> None:
    contract, ledger = sample_settlement()
    view = report_view(ledger, report_context(contract, RUN_ID))
    parties = party_totals(ledger)
    assert (
        [p.provider_id for p in view.providers]
        == [p.provider_id for p in parties]
        == [p.id for p in contract.providers]
    )
    for row, party in zip(view.providers, parties, strict=True):
        assert (row.base_pence, row.withheld_pence, row.earned_pence, row.net_payable_pence) == (
            party.base_pence,
            party.withheld_pence,
            party.earned_pence,
            party.net_payable_pence,
        )
    assert sum(p.earned_share or 0 for p in view.providers) == pytest.approx(1.0)
    assert view.provider_total("net_payable") == format_pounds(
        settlement_totals(ledger).paid_to_providers_pence
    )


def test_each_indicator_splits_its_pool_between_providers_and_commissioner() -> None:
    contract, ledger = sample_settlement()
    view = report_view(ledger, report_context(contract, RUN_ID))
    assert [i.indicator_id for i in view.indicators] == [
        indicator.id for _, indicator in contract.indicators()
    ]
    for indicator in view.indicators:
        assert indicator.earned_pence + indicator.retained_pence == indicator.pool_pence
        assert sum(a for a in indicator.earned_by_provider if a is not None) == indicator.earned_pence
    individual = next(i for i in view.indicators if i.line["attribution"] == "individual")
    assert sum(a is not None for a in individual.earned_by_provider) == 1
    assert individual.attribution.startswith("Individual (")
    assert any(not i.scorable for i in view.indicators)
    assert any("Small numbers" in note.text for note in view.notes)


def test_the_report_waterfall_goes_from_contract_value_to_paid_to_providers() -> None:
    contract, ledger = sample_settlement()
    view = report_view(ledger, report_context(contract, RUN_ID))
    labels = [bar.label for bar in view.waterfall.bars]
    assert labels == ["Contract value", "Outcome pool", "Earned", "Redistributed", "Paid to providers"]
    assert view.waterfall.bars[0].amount == view.total("contract_value").amount
    assert view.waterfall.bars[-1].amount == view.total("paid").amount
    assert view.waterfall.bars[1].amount == "-" + view.total("outcome_pool").amount


def test_report_html_is_self_contained_escaped_and_shows_every_provider() -> None:
    contract, ledger = sample_settlement()
    context = dataclasses.replace(report_context(contract, RUN_ID), contract_name="<script>alert(1)</script>")
    page = render_report_html(ledger, context)
    assert "<script" not in page and "&lt;script&gt;" in page
    for forbidden in ("<link", "src=", "http://", "https://", "@import", "url("):
        assert forbidden not in page
    text = html.unescape(page)
    for provider in contract.providers:
        assert provider.name in text
        assert format_pounds(amount(ledger, provider.id, "net_payable")) in text
    assert page.count("<caption") == 4
    assert RUN_ID in page


def test_the_report_is_written_beside_the_statements_in_every_format(tmp_path: Path) -> None:
    contract, _ = sample_settlement()
    folder = write_sample_documents(tmp_path / "run")
    written = sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())
    assert len(written) == document_count(contract)
    assert [name for name in written if name.startswith("report/")] == [
        f"report/commissioner.{name}" for name in FORMATS
    ]
    only_pdf = write_sample_documents(tmp_path / "pdf", formats=("pdf",))
    assert {path.suffix for path in only_pdf.rglob("*") if path.is_file()} == {".pdf"}


def test_formats_are_parsed_from_a_list_or_commas_in_a_fixed_order() -> None:
    assert parse_formats(["xlsx,html"]) == ("html", "xlsx")
    assert parse_formats(["pdf", "HTML"]) == ("html", "pdf")
    with pytest.raises(ValueError, match="unknown format 'docx'"):
        parse_formats(["pdf,docx"])
    with pytest.raises(ValueError):
        parse_formats([""])


def test_payment_lines_the_report_has_no_words_for_are_added_up_by_type_and_shown() -> None:
    contract, ledger = sample_settlement()
    provider = contract.providers[0].id
    net = ledger.filter((pl.col("party_id") == provider) & (pl.col("line_type") == "net_payable"))
    points = net.with_columns(
        line_type=pl.lit("points"), kind=pl.lit("payment"), amount_pence=pl.lit(25_000, dtype=pl.Int64)
    )
    bumped = net.with_columns(line_no=pl.col("line_no") + 1, amount_pence=pl.col("amount_pence") + 25_000)
    paid_back = ledger.filter(pl.col("line_type") == "net_retained").with_columns(
        line_type=pl.lit("points"), kind=pl.lit("retention"), amount_pence=pl.lit(-25_000, dtype=pl.Int64)
    )
    rest = ledger.filter((pl.col("party_id") != provider) | (pl.col("line_type") != "net_payable"))
    changed = pl.concat([rest, points, bumped, paid_back]).sort(
        pl.col("party_id") == "commissioner", maintain_order=True
    )
    view = report_view(changed, report_context(contract, RUN_ID))
    assert view.total("points").pence == 25_000 and view.total("points").label == "Points payments"
    assert view.total("paid").pence == settlement_totals(changed).paid_to_providers_pence
    assert next(p.other_pence for p in view.providers) == 25_000
    assert ("other", "Other payments") in view.provider_money
    for p in view.providers:
        assert p.base_pence + p.earned_pence + p.redistributed_pence + p.other_pence == p.net_payable_pence
    assert "Points payments" in [bar.label for bar in view.waterfall.bars]
    assert "Other payments" in render_report_html(changed, report_context(contract, RUN_ID))


def test_the_providers_table_leaves_out_columns_nobody_has_an_amount_in() -> None:
    """Eight money columns made the PDF's figures tiny; a column of zeros says nothing."""
    contract, ledger = sample_settlement("herefordshire-alliance-risk-share", "2025-26")
    keys = [key for key, _ in report_view(ledger, report_context(contract, RUN_ID)).provider_money]
    assert keys[:4] == ["base", "withheld", "earned", "unearned"] and "redistributed" not in keys
    assert keys[-1] == "net_payable"
