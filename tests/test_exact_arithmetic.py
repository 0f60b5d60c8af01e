"""From counts to pence exactly: achieved values, scores, weights, shares and slopes are exact
rationals, and money is rounded once, half up, to the penny.

Each expected amount is worked out here with `Fraction` from the counts, never copied from a run.
The two cases of the issue "No silent wrong money" come first: both paid a penny wrong when the
score was rounded to millionths before it multiplied money.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import polars as pl
from engine_support import (
    COMMISSIONER,
    D,
    contract_dict,
    domain,
    dump,
    indicator,
    indicator_row,
    lines,
    load_text,
    monthly,
    outcome_by_party,
)
from schemes_support import amounts, conserved, contract_of, settle_rows, template, varied

from obc_settle.contract.models import Contract
from obc_settle.engine import settle
from obc_settle.engine.exact import fraction_text, split_exact
from obc_settle.engine.whatif import set_level
from obc_settle.money import round_half_up
from obc_settle.periods import SettlementPeriod

YEAR = SettlementPeriod.parse("2025-26")
MONTHS = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 4)]


def load(body: dict[str, Any]) -> Contract:
    loaded, findings = load_text(dump(body))
    assert findings == [], [f.render() for f in findings]
    assert loaded is not None
    return loaded.contract


def one_provider(spec: dict[str, Any], pounds: str, slope: str | None = None) -> Contract:
    """One provider with base share 1, one indicator, 10% of `pounds` withheld for 2025-26."""
    body = contract_dict(providers=(("A", "1"),), years=(("2025-26", pounds, "0.1"),), indicators=[spec])
    if slope is not None:
        body["outcome_framework"]["exchange_slope"] = D(slope)
    return load(body)


# --- the two cases --------------------------------------------------------------------


def test_82_of_97_against_a_250_000_pound_pool_pays_181_701_pounds_03() -> None:
    """Linear from 0.7 to 0.9: score (82/97 - 0.7) / 0.2 = 141/194 (0.726804123...); the pool of
    25,000,000 pence earns 25,000,000 x 141/194 = 18,170,103.09 -> 18,170,103 pence, £181,701.03.
    Rounded to millionths first (0.726804) it paid 18,170,100 (£181,701.00)."""
    contract = one_provider(indicator(threshold="0.7", target="0.9"), "2500000.00")
    ledger = settle(contract, monthly([("A", "i1", "2025-10", 82, 97)]), YEAR)
    row = indicator_row(ledger, "i1")
    assert row["pool_pence"] == 25_000_000
    assert (row["achieved_exact"], row["score_exact"]) == ("82/97", "141/194")
    assert Fraction(row["score_exact"]) == (Fraction(82, 97) - Fraction("0.7")) / Fraction("0.2")
    assert (
        outcome_by_party(ledger, "i1")
        == {"A": round_half_up(25_000_000 * Fraction(141, 194))}
        == {"A": 18_170_103}
    )


def test_qof_points_not_rounded_are_not_rounded_through_the_score_either() -> None:
    """84 of 180 between 35% and 75% on 20 points, `rounding.points: null`: score (7/15 - 0.35) / 0.4
    = 7/24, points 20 x 7/24 = 35/6 exactly. £152.45 a point x CPI 7,680 / 9,639: 35/6 x 15245 x
    7680 / 9639 = 70,855.04 pence -> £708.55. With the score rounded to 0.291667 it paid £708.56."""
    body = template("qof")
    body["points"].update(point_value=D("152.45"), national_list_size=D(9639))
    body["points"]["rounding"] = {"points": None, "cpi": None, "apdf": None, "point_value": None}
    body["points"].pop("aspiration")
    body["contract_years"][0].pop("aspiration_basis")
    dm036 = body["outcome_framework"]["domains"][0]["indicators"][1]
    dm036.update(points=D(20))
    del dm036["prevalence"]
    body["outcome_framework"]["domains"] = [{"id": "clinical", "name": "Clinical", "indicators": [dm036]}]
    ledger = settle_rows(
        contract_of(body),
        [("PRACTICE", "DM036", "2025-09", 84, 180), ("PRACTICE", "list_size", "2026-03", 7680, 0)],
    )
    assert conserved(ledger)
    points = 20 * (Fraction(84, 180) - Fraction("0.35")) / Fraction("0.4")
    assert points == Fraction(35, 6)
    exact = points * 15245 * Fraction(7680, 9639)
    assert amounts(ledger, "points")["PRACTICE"] == round_half_up(exact) == 70_855
    assert lines(ledger, "points", "PRACTICE")["score_exact"].item() == "7/24"


# --- weights, slopes, schemes -----------------------------------------------------------------


def test_a_weight_renormalised_by_thirds_is_exact_and_the_pool_is_split_by_largest_remainder() -> None:
    """i3 (0.25) cannot be scored: i1 (0.5) and i2 (0.25) share its weight, 0.5/0.75 = 2/3 and
    0.25/0.75 = 1/3 of 1,000,000 pence: 666,666.67 and 333,333.33 -> 666,667 and 333,333."""
    contract = load(
        contract_dict(
            indicators=[
                indicator("i1", weight="0.5"),
                indicator("i2", weight="0.25"),
                indicator("i3", weight="0.25", minimum_denominator=100, small_numbers="reassign_weight"),
            ]
        )
    )
    rows = [("A", "i1", "2025-05", 65, 100), ("A", "i2", "2025-05", 80, 100), ("A", "i3", "2025-05", 5, 10)]
    ledger = settle(contract, monthly(rows), YEAR)
    weights = {i: indicator_row(ledger, i)["weight_exact"] for i in ("i1", "i2", "i3")}
    assert weights == {"i1": "2/3", "i2": "1/3", "i3": "0"}
    assert (
        [indicator_row(ledger, i)["pool_pence"] for i in ("i1", "i2", "i3")]
        == split_exact(1_000_000, [Fraction(2, 3), Fraction(1, 3), Fraction(0)])
        == [666_667, 333_333, 0]
    )
    # i1 (65/100) scores 1/2: A's part of its pool, 666,667 x 0.5 = 333,333.5 -> 333,334, earns 166,667
    parts = split_exact(666_667, [Fraction("0.5"), Fraction("0.3"), Fraction("0.2")])
    assert parts[0] == 333_334
    assert outcome_by_party(ledger, "i1") == {
        p: round_half_up(part * Fraction(1, 2)) for p, part in zip("ABC", parts, strict=True)
    }


def test_an_exchange_slope_of_one_and_a_half_multiplies_the_exact_score() -> None:
    """82/97 from 0.6 to 0.9 scores 238/291 (0.81786941...); with a slope of 1.5 the pool of
    10,000,000 pence earns 10,000,000 x 238/291 x 3/2 = 10,000,000 x 119/97 = 12,268,041.24 ->
    12,268,041 (more than the pool: the commissioner pays the excess). With the score rounded to
    0.817869 it paid 12,268,035."""
    contract = one_provider(indicator(threshold="0.6", target="0.9"), "1000000.00", slope="1.5")
    ledger = settle(contract, monthly([("A", "i1", "2025-10", 82, 97)]), YEAR)
    row = indicator_row(ledger, "i1")
    assert row["score_exact"] == "238/291"
    earned = round_half_up(10_000_000 * Fraction(238, 291) * Fraction(3, 2))
    assert earned == round_half_up(10_000_000 * Fraction(119, 97)) == 12_268_041
    assert outcome_by_party(ledger, "i1") == {"A": earned}
    assert int(lines(ledger, "unearned", "A")["amount_pence"].item()) == 10_000_000 - earned
    assert row["amount_pence"] == 10_000_000 - earned  # the commissioner's retained line: negative


def test_hvbp_points_are_rounded_to_point_decimals_exactly_and_nothing_else_is() -> None:
    """AT 0.87, BM 0.89, baseline 0.87, one decimal of points; 881 of 1000: achievement
    9 x 0.011 / 0.02 + 0.5 = 5.45 exactly, rounded half up to 5.5 (in binary floating point the
    same sum is 5.4499999... and rounds to 5.4); improvement 10 x 0.011 / 0.02 - 0.5 = 5.0.
    Score 5.5 / 10 = 0.55; earned = pool x 0.55 x the slope 2.9, rounded once."""

    def one_decimal(body: dict[str, Any]) -> None:
        measure = body["outcome_framework"]["domains"][0]["indicators"][0]
        measure.update(baseline=D("0.870"), scoring={"method": "hvbp", "point_decimals": 1})

    midpoints = {
        "MORT_30_AMI": (881, 1000),
        "MORT_30_HF": (8975, 10000),
        "HCAHPS_COMMS_NURSES": (83, 100),
        "HCAHPS_RESPONSIVENESS": (73, 100),
        "CLABSI": (2945, 10000),
        "CAUTI": (325, 1000),
        "MSPB": (915, 1000),
    }
    ledger = settle_rows(
        varied("hvbp", one_decimal), [("HOSPITAL", m, "2025-10", n, d) for m, (n, d) in midpoints.items()]
    )
    row = indicator_row(ledger, "MORT_30_AMI")
    assert row["score_exact"] == "0.55"
    pool = row["pool_pence"]
    assert outcome_by_party(ledger, "MORT_30_AMI") == {
        "HOSPITAL": round_half_up(pool * Fraction("0.55") * Fraction("2.9"))
    }


def test_a_lower_is_better_rate_of_people_registered_each_month_divides_by_person_years() -> None:
    """9,700 people registered in each of 12 months and 29 events: person-years 116,400 / 12 = 9,700,
    rate 29 x 1000 / 9,700 = 290/97 = 2.98969... per 1,000 (29 x 12000 / 116,400); from 3.0 down to
    2.4 the score is (3 - 290/97) / 0.6 = 5/291. Read as person-years the same rows give a rate of
    0.249 per 1,000, far better than the target, and a score of 1."""
    spec = indicator(
        kind="rate_per_1000",
        direction="lower_is_better",
        threshold="3.0",
        target="2.4",
        rate_denominator="people_each_month",
    )
    rows = [("A", "i1", month, 29 if month == "2025-06" else 0, 9_700) for month in MONTHS]
    ledger = settle(load(contract_dict(indicators=[spec])), monthly(rows), YEAR)
    row = indicator_row(ledger, "i1")
    assert row["denominator"] == 9_700
    assert (row["achieved_exact"], row["score_exact"]) == ("290/97", "5/291")
    assert "person-years = sum of monthly registers / 12 = 116400 / 12 = 9,700.00" in row["note"]
    parts = split_exact(1_000_000, [Fraction("0.5"), Fraction("0.3"), Fraction("0.2")])
    assert outcome_by_party(ledger, "i1") == {
        p: round_half_up(part * Fraction(5, 291)) for p, part in zip("ABC", parts, strict=True)
    }
    as_person_years = settle(
        load(
            contract_dict(
                indicators=[
                    indicator(
                        kind="rate_per_1000", direction="lower_is_better", threshold="3.0", target="2.4"
                    )
                ]
            )
        ),
        monthly(rows),
        YEAR,
    )
    assert indicator_row(as_person_years, "i1")["achieved_exact"] == fraction_text(Fraction(29_000, 116_400))
    assert indicator_row(as_person_years, "i1")["score_exact"] == "1"


# --- data collected once a year ---------------------------------------------------------------

SURVEY_NOTE = (
    "collected in October and November only: not measured in 2025-26-Q1; its weight goes to the other indicators "
    "(of its domain, or other domains if it is alone), and the settlement of a window with those months measures it"
)


def survey_contract() -> Contract:
    """i1 (a proportion, weight 0.6) and an annual survey (a mean on 6 to 8, weight 0.4, collected in
    October and November) that would score zero on small numbers: not measuring it must not."""
    survey = indicator(
        "survey",
        kind="mean",
        threshold="6",
        target="8",
        weight="0.4",
        small_numbers="score_zero",
        data={"collected_in": [10, 11]},
    )
    return load(contract_dict(domains=[domain("d1", "1", indicator("i1", weight="0.6"), survey)]))


def survey_rows() -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = [("A", "i1", month, 65, 100) for month in MONTHS]
    rows += [("B", "survey", "2025-10", 0, 0, 3_600, 500), ("B", "survey", "2025-11", 0, 0, 3_700, 500)]
    return rows


def test_an_annual_survey_is_not_measured_in_a_quarter_without_its_months_and_gives_its_weight_away() -> None:
    ledger = settle(survey_contract(), monthly(survey_rows()), SettlementPeriod.parse("2025-26-Q1"))
    survey = indicator_row(ledger, "survey")
    assert (survey["scorable"], survey["score"], survey["score_exact"], survey["pool_pence"]) == (
        False,
        None,
        None,
        0,
    )
    assert survey["note"] == SURVEY_NOTE
    i1 = indicator_row(ledger, "i1")
    assert (i1["weight_exact"], i1["pool_pence"]) == ("1", 250_000)  # the quarter's whole pool
    assert i1["score_exact"] == "0.5"
    assert conserved(ledger)


def test_an_annual_survey_is_measured_in_the_quarter_that_holds_its_months() -> None:
    """Q3 (October to December): 7,300 / 1,000 = 7.3 on 6 to 8 scores 0.65 on 0.4 of the pool."""
    ledger = settle(survey_contract(), monthly(survey_rows()), SettlementPeriod.parse("2025-26-Q3"))
    survey = indicator_row(ledger, "survey")
    assert (survey["achieved_exact"], survey["score_exact"], survey["weight_exact"]) == ("7.3", "0.65", "0.4")
    assert survey["pool_pence"] == 100_000 and "collected in" not in (survey["note"] or "")
    assert outcome_by_party(ledger, "survey") == {"A": 32_500, "B": 19_500, "C": 13_000}


def test_an_annual_survey_is_measured_at_year_end_and_with_no_rows_in_its_months_scores_as_missing_data() -> (
    None
):
    year = settle(survey_contract(), monthly(survey_rows()), YEAR)
    assert indicator_row(year, "survey")["score_exact"] == "0.65"
    assert indicator_row(year, "survey")["weight_exact"] == "0.4"
    without = [row for row in survey_rows() if row[1] != "survey"]
    missing = settle(survey_contract(), monthly(without), SettlementPeriod.parse("2025-26-Q3"))
    row = indicator_row(missing, "survey")
    assert (row["score_exact"], row["weight_exact"], row["note"]) == (
        "0",
        "0.4",
        "no data in the window: scored as zero",
    )


def test_every_earned_amount_of_a_settlement_is_its_available_part_times_its_exact_score_rounded_once() -> (
    None
):
    """Read back from the ledger alone: Fraction(score_exact) reproduces every outcome line."""
    contract = one_provider(indicator(threshold="0.7", target="0.9"), "2500000.00")
    ledger = settle(contract, monthly([("A", "i1", "2025-10", 82, 97)]), YEAR)
    outcome = ledger.filter(pl.col("line_type") == "outcome")
    for available, score, amount in outcome.select(
        "available_pence", "score_exact", "amount_pence"
    ).iter_rows():
        assert amount == round_half_up(available * Fraction(score))
    assert lines(ledger, "retained", COMMISSIONER)["score"].item() == outcome["score"].item()


def test_a_what_if_level_of_a_rate_of_people_registered_each_month_is_measured_at_that_level() -> None:
    """set_level writes N = 2.7 / 12000 x each month's register, so the year measures 2.7 per 1,000
    person-years (read as person-years, the same numerators would measure 0.225)."""
    spec = indicator(
        kind="rate_per_1000",
        direction="lower_is_better",
        threshold="3.0",
        target="2.4",
        rate_denominator="people_each_month",
    )
    contract = load(contract_dict(indicators=[spec]))
    rows = monthly([("A", "i1", month, 0, 9_600) for month in MONTHS])
    changed = set_level(
        rows, "i1", "rate_per_1000", "rate_per_1000", 2.7, rate_denominator="people_each_month"
    )
    row = indicator_row(settle(contract, changed, YEAR), "i1")
    assert Fraction(row["achieved_exact"]) == Fraction("2.7")
    assert Fraction(row["score_exact"]) == Fraction(1, 2)
