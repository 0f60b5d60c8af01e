"""Documents that survive real contracts at their limits (issue 14).

A contract generated here, not a sample: 60 providers with names of 80 characters (one carrying
a 58-letter Welsh place name with no space to break at), 30 indicators, a contract value of
£999,999,999.99 with one provider taking 94.1% of it, a fee-based first year, an indicator with
no data in the quarter settled, a restated quarter (Q1 paid on data since corrected) and a
year-end recovery (the quarters paid more than the year earned: due now below zero). The
statements of the largest, the smallest and the last provider and the commissioner's report are
written as HTML, PDF and XLSX and checked: no money figure cut or run into its neighbour in the
PDF text, no word outside the printable box, ink on every page, no page with the colophon alone,
charts agreeing with their figures, and the workbooks' figures equal to the ledger's.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import yaml
from page_checks import (
    NEEDS_POPPLER,
    broken_money,
    chart_disagreements,
    colophon_alone,
    ink,
    money_on,
    outside_the_printable_box,
    page_images,
    pdf_pages,
)
from PIL import Image

from obc_settle.contract import load_contract
from obc_settle.contract.models import Contract
from obc_settle.engine.reconcile import HISTORY_SCHEMA, settle_with_history
from obc_settle.extracts import read_extracts
from obc_settle.extracts.schema import AGGREGATED_EXTRACT_SCHEMA
from obc_settle.money import format_pounds
from obc_settle.periods import SettlementPeriod
from obc_settle.render.commissioner_report import report_context, report_view
from obc_settle.render.documents import write_report_html, write_statement_html
from obc_settle.render.pdf_commissioner import write_report_pdf
from obc_settle.render.pdf_statement import write_statement_pdf
from obc_settle.render.statement_view import statement_context, statement_view
from obc_settle.render.xlsx_commissioner import write_report_xlsx
from obc_settle.render.xlsx_statement import write_statement_xlsx

pytestmark = pytest.mark.slow

PROVIDERS = 60
INDICATORS = 30
CONTRACT_ID = "limits"
RUN_ID = "0123456789abcdef"
WELSH = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch"
WITHOUT_DATA = "i30"  # no rows in 2025-26-Q2
MONTHS = [
    f"{year}-{month:02d}"
    for year, months in ((2024, range(4, 13)), (2025, range(1, 13)), (2026, range(1, 4)))
    for month in months
]


def provider_name(number: int) -> str:
    """A name of exactly 80 characters."""
    if number == 2:
        name = f"{WELSH} Community Health Partnership"
    else:
        name = f"Provider {number:02d} Community and Mental Health Services NHS Foundation Trust (North)"
    return (name + " Integrated Care Services Alliance Partner")[:80].rstrip().ljust(80, "s")


def contract_document() -> dict[str, object]:
    providers = [
        {
            "id": f"P{number:02d}",
            "name": provider_name(number),
            "role": "lead" if number == 1 else "member",
            "base_share": 0.941 if number == 1 else 0.001,
        }
        for number in range(1, PROVIDERS + 1)
    ]
    domains = []
    for domain in range(3):
        indicators = []
        for offset in range(10):
            number = domain * 10 + offset + 1
            indicator: dict[str, object] = {
                "id": f"i{number:02d}",
                "name": f"Indicator {number:02d}: people whose outcome improved, measured by every provider in the alliance",
                "kind": "proportion",
                "direction": "higher_is_better",
                "threshold": 0.5,
                "target": 0.8,
                "weight": 0.1,
            }
            if number % 7 == 0:
                indicator |= {
                    "kind": "rate_per_1000",
                    "rate_denominator": "person_years",
                    "direction": "lower_is_better",
                    "threshold": 300,
                    "target": 250,
                }
            indicators.append(indicator)
        domains.append(
            {
                "id": f"d{domain + 1}",
                "name": f"Domain {domain + 1}",
                "weight": [0.4, 0.3, 0.3][domain],
                "indicators": indicators,
            }
        )
    return {
        "schema_version": 1,
        "id": CONTRACT_ID,
        "name": "An alliance at the limits of what the documents must show, for the tests of issue 14",
        "commissioners": ["NHS Test Integrated Care Board"],
        "population_segment": "Everyone",
        "model": "alliance",
        "term": {"start": datetime.date(2024, 4, 1), "end": datetime.date(2026, 3, 31)},
        "providers": providers,
        "contract_years": [
            {"year": "2024-25", "contract_value": 999999999.99, "withheld_proportion": 0},
            {"year": "2025-26", "contract_value": 999999999.99, "withheld_proportion": 0.1},
        ],
        "missing_cells": "measure_what_arrived",
        "outcome_framework": {"domains": domains},
        "share_rule": {"method": "base_share"},
        "unearned": "retained",
    }


def extract_rows() -> list[dict[str, object]]:
    rows = []
    for month_index, month in enumerate(MONTHS):
        for number in range(1, INDICATORS + 1):
            indicator = f"i{number:02d}"
            if indicator == WITHOUT_DATA and month in ("2025-07", "2025-08", "2025-09"):
                continue
            for provider in range(1, PROVIDERS + 1):
                denominator = 100 + (provider * 7 + number * 13 + month_index) % 50
                if number % 7 == 0:  # events per person-years: about 280 a year per 1,000
                    numerator = denominator * (250 + (provider + number) % 60) // 1000
                else:
                    numerator = denominator * (45 + (provider * 3 + number * 5 + month_index) % 40) // 100
                rows.append(
                    {
                        "provider_id": f"P{provider:02d}",
                        "indicator_id": indicator,
                        "period": month,
                        "numerator": numerator,
                        "denominator": denominator,
                    }
                )
    return rows


@dataclass(frozen=True)
class Settled:
    contract: Contract
    ledgers: dict[str, pl.DataFrame]
    """`fee-based` (2024-25-Q1), `restated` (2025-26-Q2 after a corrected Q1), `recovery` (the year)."""


def history(rows: list[tuple[str, str, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"party_id": party, "period": period, "amount_pence": amount, "source": f"run of {period}"}
            for party, period, amount in rows
        ],
        schema=HISTORY_SCHEMA,
    )


def net(ledger: pl.DataFrame, party: str, line_type: str = "net_payable") -> int:
    return int(
        ledger.filter((pl.col("party_id") == party) & (pl.col("line_type") == line_type))[
            "amount_pence"
        ].sum()
    )


@functools.cache
def settled(folder: Path) -> Settled:
    path = folder / "limits.yaml"
    path.write_text(yaml.safe_dump(contract_document(), sort_keys=False, allow_unicode=True))
    loaded, findings = load_contract(path)
    assert loaded is not None, [finding.render() for finding in findings]
    contract = loaded.contract
    data = folder / "data"
    data.mkdir()
    pl.DataFrame(extract_rows(), schema=AGGREGATED_EXTRACT_SCHEMA).write_parquet(data / "extract.parquet")
    extracts, findings = read_extracts(data, contract)
    assert extracts is not None, [finding.render() for finding in findings]
    monthly = extracts.monthly
    parties = [provider.id for provider in contract.providers]
    fee_based = settle_with_history(contract, monthly, SettlementPeriod.parse("2024-25-Q1"))
    quarters = {
        name: settle_with_history(contract, monthly, SettlementPeriod.parse(name))
        for name in ("2025-26-Q1", "2025-26-Q2", "2025-26-Q3", "2025-26-Q4")
    }
    # Q1 was paid on an earlier extract: £1,000.00 more to each provider than the data now give.
    corrected = history(
        [(party, "2025-26-Q1", net(quarters["2025-26-Q1"], party) + 100_000) for party in parties]
    )
    restated = settle_with_history(contract, monthly, SettlementPeriod.parse("2025-26-Q2"), corrected)
    # The quarters paid each provider a quarter of what the year earns and £625.00 more: the year
    # end recovers £2,500.00 from each.
    year = settle_with_history(contract, monthly, SettlementPeriod.parse("2025-26"))
    overpaid = history(
        [(party, name, net(year, party) // 4 + 62_500) for name in quarters for party in parties]
    )
    recovery = settle_with_history(contract, monthly, SettlementPeriod.parse("2025-26"), overpaid)
    return Settled(contract, {"fee-based": fee_based, "restated": restated, "recovery": recovery})


@pytest.fixture(scope="module")
def settlement(tmp_path_factory: pytest.TempPathFactory) -> Settled:
    return settled(tmp_path_factory.mktemp("limits"))


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory, settlement: Settled) -> dict[tuple[str, str], Path]:
    """(settlement, party or `report`) -> the folder holding its .html, .pdf and .xlsx."""
    out = tmp_path_factory.mktemp("limit-documents")
    written = {}
    for name, ledger in settlement.ledgers.items():
        for party in ("P01", "P02", f"P{PROVIDERS}"):
            view = statement_view(ledger, party, statement_context(settlement.contract, party, RUN_ID))
            folder = out / name / party
            folder.mkdir(parents=True)
            write_statement_html(view, folder / "document.html")
            write_statement_pdf(view, folder / "document.pdf")
            write_statement_xlsx(view, folder / "document.xlsx")
            written[(name, party)] = folder
        report = report_view(ledger, report_context(settlement.contract, RUN_ID))
        folder = out / name / "report"
        folder.mkdir(parents=True)
        write_report_html(report, folder / "document.html")
        write_report_pdf(report, folder / "document.pdf")
        write_report_xlsx(report, folder / "document.xlsx")
        written[(name, "report")] = folder
    return written


KEYS = [
    (name, party)
    for name in ("fee-based", "restated", "recovery")
    for party in ("P01", "P02", f"P{PROVIDERS}", "report")
]
KEY_IDS = [f"{name}-{party}" for name, party in KEYS]


def test_the_settlements_have_the_cases_the_documents_must_survive(settlement: Settled) -> None:
    restated, recovery = settlement.ledgers["restated"], settlement.ledgers["recovery"]
    assert net(settlement.ledgers["fee-based"], "commissioner", "outcome_pool") == 0
    assert restated.filter(pl.col("line_type") == "restatement")["adjusts_period"].unique().to_list() == [
        "2025-26-Q1"
    ]
    missing = restated.filter((pl.col("indicator_id") == WITHOUT_DATA) & (pl.col("line_type") == "outcome"))
    assert missing.height and (missing["extract_rows"].fill_null(0) == 0).all()
    for provider in settlement.contract.providers:
        paid = net(recovery, provider.id, "paid_to_date")
        assert net(recovery, provider.id, "due_now") == net(recovery, provider.id) - paid <= -250_000 + 3
    assert net(recovery, "commissioner", "contract_value") == 99_999_999_999
    assert all(len(provider.name) == 80 for provider in settlement.contract.providers)


@pytest.mark.pdf
@NEEDS_POPPLER
@pytest.mark.parametrize(("name", "party"), KEYS, ids=KEY_IDS)
def test_pdf_pages_at_the_limits_cut_no_figure_and_keep_inside_the_page(
    documents: dict[tuple[str, str], Path], settlement: Settled, name: str, party: str, tmp_path: Path
) -> None:
    path = documents[(name, party)] / "document.pdf"
    pages = pdf_pages(path)
    assert broken_money(pages) == []
    assert outside_the_printable_box(pages) == []
    assert not colophon_alone(pages, CONTRACT_ID)
    for image in page_images(path, tmp_path):
        assert ink(Image.open(image)) > 0.005, f"{image.name} looks blank"
    printed = {word.strip("().,;:") for word in money_on(pages)}
    ledger = settlement.ledgers[name]
    if party == "report":
        assert format_pounds(net(ledger, "commissioner", "contract_value")) in printed
        if name == "recovery":
            assert format_pounds(net(ledger, "P01", "due_now")) in printed
    else:
        assert format_pounds(net(ledger, party)) in printed
        assert (
            format_pounds(net(ledger, party, "due_now") if name != "fee-based" else net(ledger, party))
            in printed
        )


@pytest.mark.parametrize(("name", "party"), KEYS, ids=KEY_IDS)
def test_html_charts_at_the_limits_agree_with_their_figures(
    documents: dict[tuple[str, str], Path], name: str, party: str
) -> None:
    page = (documents[(name, party)] / "document.html").read_text(encoding="utf-8")
    assert chart_disagreements(page) == []


@pytest.mark.parametrize(("name", "party"), KEYS, ids=KEY_IDS)
def test_the_workbooks_figures_equal_the_ledger(
    documents: dict[tuple[str, str], Path], settlement: Settled, name: str, party: str
) -> None:
    ledger = settlement.ledgers[name]
    book = openpyxl.load_workbook(documents[(name, party)] / "document.xlsx", read_only=True)
    if party == "report":
        rows = list(book["Providers"].iter_rows(values_only=True))
        header = list(rows[0])
        by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:] if row[0]}
        assert len(by_id) >= PROVIDERS
        for provider in settlement.contract.providers:
            assert by_id[provider.id]["Net payable (pence)"] == net(ledger, provider.id)
            if "Due now (pence)" in header and name != "fee-based":
                assert by_id[provider.id]["Due now (pence)"] == net(ledger, provider.id, "due_now")
        return
    rows = list(book["Lines"].iter_rows(values_only=True))
    header = list(rows[0])
    lines = [dict(zip(header, row, strict=True)) for row in rows[1:] if row[0] is not None]
    mine = ledger.filter(pl.col("party_id") == party).sort("line_no")
    assert [line["Amount (pence)"] for line in lines] == mine["amount_pence"].to_list()
    assert sum(line["Amount (pence)"] for line in lines if line["Kind"] == "payment") == int(
        mine.filter(pl.col("kind") == "payment")["amount_pence"].sum()
    )
