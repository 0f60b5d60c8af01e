"""HTML provider statements: a view of the ledger, escaped, self-contained and deterministic.

The scenario: a two-provider alliance (ACME lead, BETA member) with three indicators. Reviews is a
collective proportion that scores; admissions is a rate per 1,000 whose denominator is always below
its minimum (small numbers, scored as zero); confidence is a mean survey score attributed to BETA.
"""

from __future__ import annotations

import dataclasses
import html
import re
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.cli import app
from obc_settle.contract import load_contract
from obc_settle.contract.models import Contract
from obc_settle.engine import settle
from obc_settle.extracts import read_extracts
from obc_settle.extracts.schema import AGGREGATED_EXTRACT_SCHEMA
from obc_settle.money import format_pounds
from obc_settle.periods import SettlementPeriod, month_range
from obc_settle.render.charts import achievement_row, share_rows, waterfall
from obc_settle.render.html_statement import (
    StatementContext,
    render_statement,
    statement_context,
    statement_file_name,
)
from obc_settle.render.statement_view import document_file_name, statement_view

CONTRACT = """\
schema_version: 1
id: test-frailty-alliance
name: Test Frailty Outcomes Alliance
version: "2"
commissioners: [North Borough Council, North CCG]
population_segment: People aged 75 and over living with frailty
model: alliance
currency: GBP
term: {start: 2025-04-01, end: 2026-03-31}
providers:
  - {id: ACME, name: Acme Community Trust, role: lead, base_share: 0.6}
  - {id: BETA, name: Beta GP Federation, role: member, base_share: 0.4}
contract_years:
  - {year: 2025-26, contract_value: 1200000.00, withheld_proportion: 0.1}
outcome_framework:
  domains:
    - id: staying_well
      name: Staying well at home
      weight: 0.7
      indicators:
        - id: reviews
          name: Annual frailty reviews completed
          kind: proportion
          direction: higher_is_better
          threshold: 0.5
          target: 0.7
          weight: 0.6
          minimum_denominator: 100
        - id: admissions
          name: Emergency admissions per 1,000 people
          kind: rate_per_1000
          rate_denominator: person_years
          direction: lower_is_better
          threshold: 30
          target: 20
          weight: 0.4
          minimum_denominator: 10000
          small_numbers: score_zero
    - id: experience
      name: Feeling in control
      weight: 0.3
      indicators:
        - id: confidence
          name: Confidence to manage (survey score)
          kind: mean
          unit: points out of 10
          direction: higher_is_better
          threshold: 6
          target: 8
          weight: 1
          minimum_denominator: 10
          attribution: individual
          provider: BETA
unearned: UNEARNED
"""

EXTRACT_SCHEMA = AGGREGATED_EXTRACT_SCHEMA


def _contract(tmp_path: Path, unearned: str) -> Contract:
    path = tmp_path / f"contract-{unearned}.yaml"
    path.write_text(CONTRACT.replace("UNEARNED", unearned), encoding="utf-8")
    loaded, findings = load_contract(path)
    assert loaded is not None, [f.render() for f in findings]
    return loaded.contract


def _extract(tmp_path: Path) -> Path:
    rows = []
    for month in month_range("2025-04", 12):
        for provider, reviewed in (("ACME", 60), ("BETA", 70)):
            rows.append(("reviews", provider, month, reviewed, 100, None, None))
            rows.append(("admissions", provider, month, 1, 50, None, None))
        rows.append(("confidence", "BETA", month, None, None, 72.0, 10))
    frame = pl.DataFrame(
        [
            {
                "indicator_id": i,
                "provider_id": p,
                "period": m,
                "numerator": n,
                "denominator": d,
                "value_sum": s,
                "value_count": c,
            }
            for i, p, m, n, d, s, c in rows
        ],
        schema=EXTRACT_SCHEMA,
    )
    path = tmp_path / "extract.parquet"
    frame.write_parquet(path)
    return path


def _settle(tmp_path: Path, period: str, unearned: str = "retained") -> tuple[Contract, pl.DataFrame]:
    contract = _contract(tmp_path, unearned)
    extracts, findings = read_extracts(_extract(tmp_path), contract)
    assert extracts is not None, [f.render() for f in findings]
    return contract, settle(contract, extracts.monthly, SettlementPeriod.parse(period))


def _render(contract: Contract, ledger: pl.DataFrame, provider_id: str) -> str:
    return render_statement(ledger, provider_id, statement_context(contract, provider_id, "run-0a1b2c3d"))


def _lines(ledger: pl.DataFrame, provider_id: str, line_type: str) -> list[dict[str, object]]:
    return (
        ledger.filter((pl.col("party_id") == provider_id) & (pl.col("line_type") == line_type))
        .sort("line_no")
        .to_dicts()
    )


def _pounds(ledger: pl.DataFrame, provider_id: str, line_type: str, column: str = "amount_pence") -> str:
    return format_pounds(sum(int(line[column]) for line in _lines(ledger, provider_id, line_type)))  # type: ignore[call-overload]


def _summary_amount(page: str, label: str) -> str:
    match = re.search(
        rf'<th scope="row">{re.escape(label)}<span class="explain">.*?</span></th><td class="num">([^<]*)</td>',
        page,
    )
    assert match, f"no summary row {label!r}"
    return html.unescape(match.group(1))


@pytest.fixture
def quarter(tmp_path: Path) -> tuple[Contract, pl.DataFrame]:
    return _settle(tmp_path, "2025-26-Q3")


@pytest.mark.parametrize("provider_id", ["ACME", "BETA"])
def test_summary_amounts_are_the_ledger_amounts(
    quarter: tuple[Contract, pl.DataFrame], provider_id: str
) -> None:
    contract, ledger = quarter
    page = _render(contract, ledger, provider_id)
    assert _summary_amount(page, "Base payment") == _pounds(ledger, provider_id, "base_payment")
    assert _summary_amount(page, "Withheld from you") == _pounds(ledger, provider_id, "withheld")
    assert _summary_amount(page, "Earned through outcomes") == _pounds(ledger, provider_id, "outcome")
    assert _summary_amount(page, "Unearned") == _pounds(ledger, provider_id, "unearned")
    assert _summary_amount(page, "Net payable to you") == _pounds(ledger, provider_id, "net_payable")
    assert "Redistributed unearned money" not in page


@pytest.mark.parametrize("provider_id", ["ACME", "BETA"])
def test_every_outcome_line_is_a_row_with_its_ledger_amounts(
    quarter: tuple[Contract, pl.DataFrame], provider_id: str
) -> None:
    contract, ledger = quarter
    page = html.unescape(_render(contract, ledger, provider_id))
    body = page.split("<tbody>")[2].split("</tbody>")[0]
    rows = body.split("<tr")[1:]
    outcomes = _lines(ledger, provider_id, "outcome")
    assert len(rows) == len(outcomes) > 0
    names = {indicator.id: indicator.name for _, indicator in contract.indicators()}
    for row, line in zip(rows, outcomes, strict=True):
        assert names[str(line["indicator_id"])] in row
        assert format_pounds(int(line["available_pence"])) in row  # type: ignore[call-overload]
        assert f'<td class="num">{format_pounds(int(line["amount_pence"]))}</td>' in row  # type: ignore[call-overload]
        assert format_pounds(int(line["pool_pence"])) in row  # type: ignore[call-overload]


def test_only_the_attributed_provider_sees_an_individual_indicator(
    quarter: tuple[Contract, pl.DataFrame],
) -> None:
    contract, ledger = quarter
    assert "Confidence to manage (survey score)" in _render(contract, ledger, "BETA")
    assert "Confidence to manage (survey score)" not in _render(contract, ledger, "ACME")
    assert "Individual (yours)" in _render(contract, ledger, "BETA")


def test_quarter_is_marked_provisional(quarter: tuple[Contract, pl.DataFrame]) -> None:
    contract, ledger = quarter
    assert set(ledger["status"]) == {"provisional"}
    page = _render(contract, ledger, "ACME")
    assert '<p class="status status-provisional">Provisional</p>' in page
    assert "Final" not in page
    assert "2025-26-Q3 (October to December 2025)" in page
    assert "<dd>2025-26</dd>" in page


def test_whole_year_is_marked_final(tmp_path: Path) -> None:
    contract, ledger = _settle(tmp_path, "2025-26")
    assert set(ledger["status"]) == {"final"}
    page = _render(contract, ledger, "ACME")
    assert '<p class="status status-final">Final</p>' in page
    assert "Provisional" not in page
    assert "2025-26 (April 2025 to March 2026)" in page
    assert _summary_amount(page, "Net payable to you") == _pounds(ledger, "ACME", "net_payable")


def test_small_numbers_note_and_flag_appear_for_an_unscorable_indicator(
    quarter: tuple[Contract, pl.DataFrame],
) -> None:
    contract, ledger = quarter
    admissions = [line for line in _lines(ledger, "ACME", "outcome") if line["indicator_id"] == "admissions"]
    assert admissions[0]["scorable"] is False and admissions[0]["note"]
    page = _render(contract, ledger, "ACME")
    notes = page.split('<h2 id="quality">')[1].split("</section>")[0]
    assert "Emergency admissions per 1,000 people" in notes
    assert html.escape(str(admissions[0]["note"])[1:]) in notes
    assert "Not scorable" in notes
    assert '<tr class="unscorable">' in page


def test_no_notes_are_invented_when_everything_scores(quarter: tuple[Contract, pl.DataFrame]) -> None:
    contract, ledger = quarter
    clean = ledger.filter(pl.col("indicator_id").is_null() | (pl.col("indicator_id") != "admissions"))
    page = _render(contract, clean, "BETA")
    assert "No data quality notes for this period" in page
    assert "Not scorable" not in page


def test_a_provider_without_outcome_lines_gets_a_statement_without_the_table(
    quarter: tuple[Contract, pl.DataFrame],
) -> None:
    contract, ledger = quarter
    without = ledger.filter((pl.col("party_id") != "ACME") | (pl.col("line_type") != "outcome"))
    page = _render(contract, without, "ACME")
    assert "No outcome indicator money is attributed to you" in page
    assert _summary_amount(page, "Earned through outcomes") == format_pounds(0)
    assert _summary_amount(page, "Net payable to you") == _pounds(ledger, "ACME", "net_payable")


def test_redistributed_unearned_money_is_shown_when_the_contract_redistributes(tmp_path: Path) -> None:
    contract, ledger = _settle(tmp_path, "2025-26-Q3", unearned="redistributed")
    for provider_id in ("ACME", "BETA"):
        page = _render(contract, ledger, provider_id)
        assert _lines(ledger, provider_id, "redistributed_unearned")
        assert _summary_amount(page, "Redistributed unearned money") == _pounds(
            ledger, provider_id, "redistributed_unearned"
        )
        assert _summary_amount(page, "Net payable to you") == _pounds(ledger, provider_id, "net_payable")


def test_hostile_text_is_escaped(quarter: tuple[Contract, pl.DataFrame]) -> None:
    contract, ledger = quarter
    attack = "<script>alert(1)</script>"
    context = dataclasses.replace(
        statement_context(contract, "ACME", "run<1>"),
        provider_name=attack,
        contract_name=f"Contract {attack}",
        indicator_names={"reviews": f"Reviews {attack}", "admissions": "A & E <b>admissions</b>"},
        commissioners=(attack,),
    )
    hostile_ledger = ledger.with_columns(
        note=pl.when(pl.col("indicator_id") == "admissions")
        .then(pl.lit(f"note {attack}"))
        .otherwise(pl.col("note"))
    )
    page = render_statement(hostile_ledger, "ACME", context)
    assert "<script" not in page
    assert "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "A &amp; E &lt;b&gt;admissions&lt;/b&gt;" in page
    assert "run&lt;1&gt;" in page


def test_two_renders_are_byte_identical(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first_contract, first_ledger = _settle(tmp_path / "one", "2025-26-Q3")
    second_contract, second_ledger = _settle(tmp_path / "two", "2025-26-Q3")
    for provider_id in ("ACME", "BETA"):
        once = _render(first_contract, first_ledger, provider_id).encode("utf-8")
        again = _render(second_contract, second_ledger, provider_id).encode("utf-8")
        assert once == again
        assert once == _render(first_contract, first_ledger, provider_id).encode("utf-8")


def test_statement_is_self_contained_accessible_and_printable(quarter: tuple[Contract, pl.DataFrame]) -> None:
    contract, ledger = quarter
    page = _render(contract, ledger, "BETA")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert '<meta charset="utf-8">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "@media print" in page and "overflow-x: auto" in page
    assert page.count("<caption") == 2
    assert '<th scope="col">' in page
    for forbidden in ("<script", "<link", "src=", "http://", "https://", "@import", "url("):
        assert forbidden not in page
    assert "test-frailty-alliance" in page and "version 2" in page and "run-0a1b2c3d" in page
    assert "North Borough Council, North CCG" in page


def test_statement_context_comes_from_the_contract(quarter: tuple[Contract, pl.DataFrame]) -> None:
    contract, _ = quarter
    context = statement_context(contract, "BETA", "abc")
    assert context == StatementContext(
        contract_name="Test Frailty Outcomes Alliance",
        contract_id="test-frailty-alliance",
        contract_version="2",
        commissioners=("North Borough Council", "North CCG"),
        population_segment="People aged 75 and over living with frailty",
        currency="GBP",
        provider_name="Beta GP Federation",
        provider_role="member",
        indicator_names={
            "reviews": "Annual frailty reviews completed",
            "admissions": "Emergency admissions per 1,000 people",
            "confidence": "Confidence to manage (survey score)",
        },
        indicator_units={"reviews": None, "admissions": None, "confidence": "points out of 10"},
        domain_names={"staying_well": "Staying well at home", "experience": "Feeling in control"},
        run_id="abc",
    )
    with pytest.raises(ValueError):
        statement_context(contract, "NOBODY", "abc")


def test_unknown_provider_commissioner_and_wrong_contract_are_refused(
    quarter: tuple[Contract, pl.DataFrame],
) -> None:
    contract, ledger = quarter
    context = statement_context(contract, "ACME", "abc")
    with pytest.raises(ValueError):
        render_statement(ledger, "NOBODY", context)
    with pytest.raises(ValueError):
        render_statement(ledger, "commissioner", context)
    with pytest.raises(ValueError):
        render_statement(ledger, "ACME", dataclasses.replace(context, contract_version="3"))


def test_statement_file_name_is_the_provider_id() -> None:
    assert statement_file_name("WHIT") == "WHIT.html"
    assert statement_file_name("a.b-c_1") == "a.b-c_1.html"


@pytest.mark.parametrize("bad", ["../x", "x/y", "x\\y", "", ".hidden", "..", "a\n", "a b", "x" * 65])
def test_statement_file_name_refuses_anything_but_an_identifier(bad: str) -> None:
    with pytest.raises(ValueError):
        statement_file_name(bad)


def test_levels_and_proportions_are_formatted_by_indicator_kind() -> None:
    from obc_settle.render.labels import count as _count
    from obc_settle.render.labels import level as _level
    from obc_settle.render.labels import percent as _percent

    assert _level(0.6099107, "proportion") == "61.0%"
    assert _level(2.5570318, "rate_per_1000") == "2.56 per 1,000"
    assert _level(7.084297, "mean") == "7.084297"  # the decimals the score was computed from
    assert _level(0.445122, "mean") == "0.445122"
    assert _level(6.5, "mean") == "6.50"
    assert _level(0.08582, "change_from_baseline") == "0.0858"
    assert _level(-0.00001, "change_from_baseline") == "0.0000"
    assert _level(None, "mean") == "\u2014"
    assert _percent(0.7382799999999999, 4) == "73.828%"
    assert _percent(0.19999999999999998, 4) == "20.0%"
    assert _percent(1.0, 4) == "100.0%"
    assert _count(12505.0) == "12,505"
    assert _count(2047.36184) == "2,047.36"


def _with_points(ledger: pl.DataFrame, provider_id: str, pence: int) -> pl.DataFrame:
    """The ledger with a line type this renderer has no words for, paid to one provider before its net payable."""
    net = ledger.filter((pl.col("party_id") == provider_id) & (pl.col("line_type") == "net_payable"))
    points = net.with_columns(
        line_type=pl.lit("points"),
        kind=pl.lit("payment"),
        amount_pence=pl.lit(pence, dtype=pl.Int64),
        note=pl.lit("points for outcomes: 12 points at 10 pounds"),
    )
    bumped = net.with_columns(line_no=pl.col("line_no") + 1, amount_pence=pl.col("amount_pence") + pence)
    rest = ledger.filter((pl.col("party_id") != provider_id) | (pl.col("line_type") != "net_payable"))
    return pl.concat([rest, points, bumped]).sort(
        pl.col("party_id") == "commissioner", "party_id", "line_no", maintain_order=True
    )


def test_a_line_type_without_words_is_still_shown_and_enters_the_waterfall(
    quarter: tuple[Contract, pl.DataFrame],
) -> None:
    contract, ledger = quarter
    changed = _with_points(ledger, "ACME", 12_000)
    view = statement_view(changed, "ACME", statement_context(contract, "ACME", "run"))
    points = view.money_line("points")
    assert points is not None and points.pence == 12_000 and points.label == "Points payments"
    assert points.explanation == "Points for outcomes: 12 points at 10 pounds."
    net = view.money_line("net_payable")
    assert net is not None and net.explanation == "The amount to be paid: base payment + earned + points."
    assert [bar.label for bar in view.waterfall.bars] == [
        "Base payment + withheld",
        "Withheld",
        "Earned",
        "Points payments",
        "Net payable",
    ]
    page = render_statement(changed, "ACME", statement_context(contract, "ACME", "run"))
    assert _summary_amount(page, "Points payments") == format_pounds(12_000)
    assert _summary_amount(page, "Net payable to you") == _pounds(changed, "ACME", "net_payable")


def test_headline_and_waterfall_are_read_off_the_ledger(quarter: tuple[Contract, pl.DataFrame]) -> None:
    contract, ledger = quarter
    view = statement_view(ledger, "BETA", statement_context(contract, "BETA", "run"))
    assert [line.key for line in view.headline] == ["net_payable", "base_payment", "earned", "withheld"]
    bars = view.waterfall.bars
    base, withheld = _lines(ledger, "BETA", "base_payment")[0], _lines(ledger, "BETA", "withheld")[0]
    assert bars[0].amount == format_pounds(int(base["amount_pence"]) + int(withheld["amount_pence"]))  # type: ignore[call-overload]
    assert bars[1].amount == "-" + _pounds(ledger, "BETA", "withheld")
    assert bars[2].amount == "+" + _pounds(ledger, "BETA", "outcome")
    assert bars[-1].amount == _pounds(ledger, "BETA", "net_payable")
    assert bars[1].end == pytest.approx(bars[0].end) and bars[2].start == pytest.approx(bars[1].start)


def test_waterfall_axis_starts_at_a_round_number_when_the_steps_are_small() -> None:
    chart = waterfall(
        ("Base payment + withheld", 1_932_975_00),
        [("Withheld", -78_100_00), ("Earned", 38_917_75)],
        ("Net payable", 1_893_792_75),
    )
    assert chart.axis_broken and chart.axis_low == "£1,700,000.00"
    assert chart.bars[0].start == 0 and chart.bars[0].end == pytest.approx(1.0)
    assert 0.2 < chart.bars[1].end - chart.bars[1].start < 0.5
    small = waterfall(("Start", 100_00), [("Withheld", -60_00), ("Earned", 10_00)], ("End", 50_00))
    assert not small.axis_broken and small.axis_low == "£0.00"
    nothing = waterfall(("Start", 0), [("Withheld", 0)], ("End", 0))
    assert [bar.end for bar in nothing.bars] == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("direction", "achieved", "score", "state", "bands"),
    [
        ("higher_is_better", 0.633, Decimal("0.41"), "partial", ["below", "partial", "met"]),
        ("higher_is_better", 0.70, Decimal("1"), "met", ["below", "partial", "met"]),
        ("lower_is_better", 284.3, Decimal("0"), "below", ["met", "partial", "below"]),
        ("higher_is_better", None, Decimal("0"), "no_data", ["below", "partial", "met"]),
        ("higher_is_better", 0.5, None, "unscored", ["below", "partial", "met"]),
    ],
)
def test_achievement_rows_band_the_scale_by_direction_and_take_their_state_from_the_score(
    direction: str, achieved: float | None, score: Decimal | None, state: str, bands: list[str]
) -> None:
    threshold, target = (0.60, 0.68) if direction == "higher_is_better" else (290.0, 270.0)
    row = achievement_row(
        "HbA1c",
        "proportion" if threshold < 1 else "rate_per_1000",
        direction,
        achieved,
        threshold,
        target,
        score,
        True,
    )
    assert row.state == state
    assert [band.kind for band in row.bands] == bands
    assert 0 < min(row.threshold_at, row.target_at) < max(row.threshold_at, row.target_at) < 1
    if achieved is None:
        assert row.bar_start is None and row.bar_end is None
    else:
        assert row.bar_start == 0.0 and 0 < (row.bar_end or 0) < 1


def test_share_rows_put_every_provider_on_one_axis() -> None:
    rows = share_rows([("A", 50_00, 100_00), ("B", 0, 50_00), ("C", 0, 0)])
    assert [(r.withheld_end, r.earned_end) for r in rows] == [(1.0, 0.5), (0.5, 0.0), (0.0, 0.0)]
    assert rows[0].text == "£50.00 earned of £100.00 withheld (50.0%)"
    assert rows[2].text == "£0.00 earned of £0.00 withheld"


def test_documents_are_named_by_provider_id_and_format() -> None:
    assert statement_file_name("WHIT", "pdf") == "WHIT.pdf"
    assert document_file_name("a.b-c_1", "xlsx") == "a.b-c_1.xlsx"
    with pytest.raises(ValueError):
        document_file_name("../x", "pdf")


def test_a_payment_history_puts_due_now_first_and_memo_lines_are_not_added(
    quarter: tuple[Contract, pl.DataFrame],
) -> None:
    contract, ledger = quarter
    net = ledger.filter((pl.col("party_id") == "ACME") & (pl.col("line_type") == "net_payable"))
    paid = net.with_columns(
        line_no=pl.col("line_no") + 1,
        line_type=pl.lit("paid_on_account"),
        kind=pl.lit("memo"),
        amount_pence=pl.lit(100_000, dtype=pl.Int64),
        adjusts_period=pl.lit("2025-26-Q2"),
        note=pl.lit("paid for 2025-26-Q2: netted off by this settlement"),
    )
    due = net.with_columns(
        line_no=pl.col("line_no") + 2,
        line_type=pl.lit("due_now"),
        kind=pl.lit("memo"),
        amount_pence=pl.col("amount_pence") - 100_000,
        note=pl.lit(None, dtype=pl.String),
    )
    changed = pl.concat(
        [ledger.with_columns(adjusts_period=pl.lit(None, dtype=pl.String)), paid, due], how="diagonal_relaxed"
    )
    view = statement_view(changed, "ACME", statement_context(contract, "ACME", "run"))
    assert [line.key for line in view.headline][:2] == ["due_now", "net_payable"]
    on_account = view.money_line("paid_on_account")
    assert on_account is not None and on_account.memo and on_account.label == "Paid on account (2025-26-Q2)"
    assert (
        on_account.explanation
        == "Paid for 2025-26-Q2: netted off by this settlement (not added to the total)."
    )
    due_now = view.money_line("due_now")
    assert due_now is not None and due_now.emphasis and due_now.explanation.startswith("What to pay now")
    assert [bar.label for bar in view.waterfall.bars][-1] == "Net payable"


def test_the_confidence_interval_is_shown_next_to_the_achieved_value(tmp_path: Path) -> None:
    out = tmp_path / "run"
    contract = ROOT / "contracts" / "mid-notts-alliance.yaml"
    data = ROOT / "sample_data" / "mid-notts-alliance"
    result = CliRunner().invoke(
        app,
        [
            "run",
            str(contract),
            "--data",
            str(data),
            "--period",
            "2025-26-Q3",
            "--out",
            str(out),
            "--format",
            "html",
            "--quiet",
            "--nothing-paid-on-account",  # the year-to-date quarters before it are not settled here
        ],
    )
    assert result.exit_code == 0, result.stderr
    ledger = pl.read_parquet(out / "ledger.parquet")
    with_interval = ledger.filter(
        pl.col("confidence_lower").is_not_null() & (pl.col("line_type") == "outcome")
    )
    assert with_interval.height > 0
    provider = with_interval["party_id"][0]
    page = (out / "statements" / f"{provider}.html").read_text()
    assert page.count("95% CI ") == with_interval.filter(pl.col("party_id") == provider).height
