"""Settlement rules: small numbers, attribution, windows, trajectories, quarters, share rules, unearned money.

Unless a test says otherwise: contract year 2025-26 worth 10,000,000 pence with 10% withheld;
settling the whole year gives an outcome pool of 1,000,000 pence and a base pool of 9,000,000
pence; a quarter is worth 2,500,000 pence with a pool of 250,000. Providers A, B, C have base
shares 0.5, 0.3, 0.2, so base payments for the year are 4,500,000 / 2,700,000 / 1,800,000.
Indicators are linear, higher-is-better proportions with threshold 0.6 and target 0.7 unless
given otherwise; 80/100 scores 1 and 65/100 scores 0.5.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl
from engine_support import (
    COMMISSIONER,
    D,
    by_party,
    contract_from,
    domain,
    empty_monthly,
    indicator,
    indicator_row,
    lines,
    monthly,
    outcome_by_party,
    score_of,
    total,
)

from obc_settle.engine import settle
from obc_settle.periods import SettlementPeriod

YEAR = SettlementPeriod.parse("2025-26")
TWO_YEARS = (("2025-26", "100000.00", "0.1"), ("2026-27", "100000.00", "0.1"))
BASE = {"A": 4_500_000, "B": 2_700_000, "C": 1_800_000}


def small(indicator_id: str, policy: str, weight: str) -> dict[str, Any]:
    """An indicator that needs a denominator of 100 to be judged."""
    return indicator(indicator_id, weight=weight, minimum_denominator=100, small_numbers=policy)


def assert_conserved(ledger: pl.DataFrame) -> None:
    paid = int(ledger.filter(pl.col("kind") == "payment").get_column("amount_pence").sum())
    kept = int(ledger.filter(pl.col("kind") == "retention").get_column("amount_pence").sum())
    assert paid + kept == total(ledger, "contract_value")


# --- small numbers ----------------------------------------------------------------------------


def test_small_numbers_scored_as_zero_keep_the_indicators_pool_and_pay_nothing_from_it() -> None:
    # i1 has 50 in its denominator (< 100): score 0 on its 500,000 pool. i2 (80/100) scores 1 on
    # its 500,000: A 250,000, B 150,000, C 100,000.
    contract = contract_from(indicators=[small("i1", "score_zero", "0.5"), indicator("i2", weight="0.5")])
    ledger = settle(
        contract, monthly([("A", "i1", "2025-05", 50, 50), ("A", "i2", "2025-05", 80, 100)]), YEAR
    )
    assert score_of(ledger, "i1") == 0
    assert indicator_row(ledger, "i1")["pool_pence"] == 500_000
    assert outcome_by_party(ledger, "i1") == {"A": 0, "B": 0, "C": 0}
    assert outcome_by_party(ledger, "i2") == {"A": 250_000, "B": 150_000, "C": 100_000}
    assert indicator_row(ledger, "i1")["scorable"] is False
    assert "small numbers" in indicator_row(ledger, "i1")["note"]


def test_small_numbers_scored_as_met_pay_the_indicators_pool_in_full() -> None:
    # i1 (50 in the denominator) scores 1 by policy even though 10/50 = 0.2 is below threshold.
    contract = contract_from(indicators=[small("i1", "score_met", "0.5"), indicator("i2", weight="0.5")])
    ledger = settle(
        contract, monthly([("A", "i1", "2025-05", 10, 50), ("A", "i2", "2025-05", 80, 100)]), YEAR
    )
    assert score_of(ledger, "i1") == 1
    assert outcome_by_party(ledger, "i1") == {"A": 250_000, "B": 150_000, "C": 100_000}
    assert by_party(ledger, "outcome") == {"A": 500_000, "B": 300_000, "C": 200_000}


def test_small_numbers_reassigning_weight_give_it_to_the_other_indicators_of_the_domain() -> None:
    # i3 (weight 0.2) is unscorable: i1 and i2 share its weight in proportion 0.5 : 0.3, so
    # i1 carries 0.5 / 0.8 = 0.625 -> 625,000 and i2 0.3 / 0.8 = 0.375 -> 375,000.
    contract = contract_from(
        indicators=[
            indicator("i1", weight="0.5"),
            indicator("i2", weight="0.3"),
            small("i3", "reassign_weight", "0.2"),
        ]
    )
    rows = [("A", "i1", "2025-05", 80, 100), ("A", "i2", "2025-05", 65, 100), ("B", "i3", "2025-05", 70, 99)]
    ledger = settle(contract, monthly(rows), YEAR)
    assert indicator_row(ledger, "i1")["pool_pence"] == 625_000
    assert indicator_row(ledger, "i2")["pool_pence"] == 375_000
    assert indicator_row(ledger, "i3")["pool_pence"] == 0
    assert score_of(ledger, "i3") is None
    # i1 scores 1: 312,500 / 187,500 / 125,000; i2 scores 0.5 on 375,000: 93,750 / 56,250 / 37,500.
    assert outcome_by_party(ledger, "i1") == {"A": 312_500, "B": 187_500, "C": 125_000}
    assert outcome_by_party(ledger, "i2") == {"A": 93_750, "B": 56_250, "C": 37_500}
    assert_conserved(ledger)


def test_a_domain_with_nothing_scorable_gives_its_weight_to_the_other_domains() -> None:
    # Domains 0.5 / 0.3 / 0.2; d3's only indicator is unscorable, so d1 gets 0.5 / 0.8 = 0.625
    # (625,000) and d2 0.3 / 0.8 = 0.375 (375,000).
    contract = contract_from(
        domains=[
            domain("d1", "0.5", indicator("i1")),
            domain("d2", "0.3", indicator("i2")),
            domain("d3", "0.2", small("i3", "reassign_weight", "1")),
        ]
    )
    rows = [("A", "i1", "2025-05", 65, 100), ("A", "i2", "2025-05", 80, 100), ("A", "i3", "2025-05", 1, 10)]
    ledger = settle(contract, monthly(rows), YEAR)
    assert [indicator_row(ledger, i)["pool_pence"] for i in ("i1", "i2", "i3")] == [625_000, 375_000, 0]
    # i1 scores 0.5 on 625,000: A 312,500 x 0.5 = 156,250; B 187,500 x 0.5 = 93,750; C 62,500.
    assert outcome_by_party(ledger, "i1") == {"A": 156_250, "B": 93_750, "C": 62_500}
    assert outcome_by_party(ledger, "i2") == {"A": 187_500, "B": 112_500, "C": 75_000}
    assert_conserved(ledger)


def test_when_nothing_can_be_scored_the_whole_pool_is_retained_on_a_retained_unscored_line() -> None:
    contract = contract_from(
        domains=[
            domain("d1", "0.6", small("i1", "reassign_weight", "1")),
            domain("d2", "0.4", small("i2", "reassign_weight", "1")),
        ]
    )
    rows = [("A", "i1", "2025-05", 10, 20), ("B", "i2", "2025-05", 10, 20)]
    ledger = settle(contract, monthly(rows), YEAR)
    (unscored,) = lines(ledger, "retained_unscored").get_column("amount_pence").to_list()
    assert unscored == 1_000_000
    assert by_party(ledger, "outcome") == {"A": 0, "B": 0, "C": 0}
    assert by_party(ledger, "base_payment") == BASE
    assert total(ledger, "net_retained") == 1_000_000
    assert by_party(ledger, "net_payable") == BASE
    assert_conserved(ledger)


def test_an_indicator_with_no_rows_at_all_is_missing_data_and_scores_zero_whatever_its_policy() -> None:
    # Documented in obc_settle.engine.scoring: no rows in the window is not small numbers; the
    # indicator keeps its pool and scores 0, so the money is retained, not moved elsewhere.
    contract = contract_from(
        indicators=[small("i1", "reassign_weight", "0.5"), small("i2", "score_met", "0.5")]
    )
    ledger = settle(contract, empty_monthly(), YEAR)
    assert [indicator_row(ledger, i)["pool_pence"] for i in ("i1", "i2")] == [500_000, 500_000]
    assert score_of(ledger, "i1") == 0 and score_of(ledger, "i2") == 0
    assert lines(ledger, "retained_unscored").height == 0
    assert total(ledger, "net_retained") == 1_000_000


# --- attribution ------------------------------------------------------------------------------


def test_an_individual_indicator_pays_only_its_provider_and_is_measured_on_its_rows_only() -> None:
    # i1 collective (0.5): 65/100 -> 0.5 on 500,000: A 125,000, B 75,000, C 50,000.
    # i2 individual to C (0.5): C's own 80/100 = 0.8 -> 1 (all providers together would be
    # 80/300 -> 0): C earns all 500,000.
    contract = contract_from(
        indicators=[
            indicator("i1", weight="0.5"),
            indicator("i2", weight="0.5", attribution="individual", provider="C"),
        ]
    )
    rows = [
        ("A", "i1", "2025-05", 65, 100),
        ("C", "i2", "2025-05", 80, 100),
        ("A", "i2", "2025-05", 0, 100),
        ("B", "i2", "2025-06", 0, 100),
    ]
    ledger = settle(contract, monthly(rows), YEAR)
    assert outcome_by_party(ledger, "i2") == {"C": 500_000}
    assert outcome_by_party(ledger, "i1") == {"A": 125_000, "B": 75_000, "C": 50_000}
    row = indicator_row(ledger, "i2")
    assert (row["numerator"], row["denominator"], row["extract_rows"]) == (80.0, 100.0, 1)
    # C's part of the outcome pool: 100,000 of i1 + 500,000 of i2.
    assert by_party(ledger, "withheld") == {"A": 250_000, "B": 150_000, "C": 600_000}
    assert by_party(ledger, "net_payable") == {"A": 4_625_000, "B": 2_775_000, "C": 2_350_000}
    assert_conserved(ledger)


def test_an_individual_indicator_ignores_other_providers_good_results() -> None:
    # C's own rows: 50/100 = 0.5, below the threshold; A's 100/100 does not help C.
    contract = contract_from(indicators=[indicator("i1", attribution="individual", provider="C")])
    rows = [("C", "i1", "2025-05", 50, 100), ("A", "i1", "2025-05", 100, 100)]
    ledger = settle(contract, monthly(rows), YEAR)
    assert outcome_by_party(ledger, "i1") == {"C": 0}
    assert indicator_row(ledger, "i1")["amount_pence"] == 1_000_000


# --- windows ----------------------------------------------------------------------------------

WINDOW_ROWS = [
    ("A", "i1", "2025-04", 10, 10),
    ("B", "i1", "2025-09", 10, 10),
    ("A", "i1", "2025-10", 6, 10),
    ("C", "i1", "2025-12", 7, 10),
    ("A", "i1", "2026-01", 0, 10),  # the next quarter: never counted in Q3
]


def test_a_period_window_uses_only_the_quarters_months() -> None:
    # Q3 = Oct-Dec 2025: (6 + 7) / 20 = 0.65 -> 0.5 of the quarter's pool of 250,000:
    # A 125,000 x 0.5 = 62,500; B 37,500; C 25,000.
    ledger = settle(contract_from(), monthly(WINDOW_ROWS), SettlementPeriod.parse("2025-26-Q3"))
    row = indicator_row(ledger, "i1")
    assert (row["window_first_month"], row["window_last_month"]) == ("2025-10", "2025-12")
    assert (row["numerator"], row["denominator"]) == (13.0, 20.0)
    assert outcome_by_party(ledger, "i1") == {"A": 62_500, "B": 37_500, "C": 25_000}


def test_a_year_to_date_window_runs_from_april_to_the_end_of_the_quarter() -> None:
    # Apr-Dec 2025: (10 + 10 + 6 + 7) / 40 = 0.825 -> 1: the whole 250,000.
    contract = contract_from(indicators=[indicator(window="year_to_date")])
    ledger = settle(contract, monthly(WINDOW_ROWS), SettlementPeriod.parse("2025-26-Q3"))
    row = indicator_row(ledger, "i1")
    assert (row["window_first_month"], row["window_last_month"]) == ("2025-04", "2025-12")
    assert (row["numerator"], row["denominator"]) == (33.0, 40.0)
    assert outcome_by_party(ledger, "i1") == {"A": 125_000, "B": 75_000, "C": 50_000}


def test_a_rolling_twelve_month_window_reaches_back_into_the_previous_contract_year() -> None:
    # 2026-27-Q1 ends June 2026: the window is Jul 2025 - Jun 2026.
    # Counted: 2025-07 (7/10) and 2026-06 (6/10) -> 13/20 = 0.65 -> 0.5 of 250,000.
    contract = contract_from(years=TWO_YEARS, indicators=[indicator(window="rolling_12_months")])
    rows = [
        ("A", "i1", "2025-06", 0, 10),  # thirteen months back: out
        ("A", "i1", "2025-07", 7, 10),
        ("B", "i1", "2026-06", 6, 10),
        ("B", "i1", "2026-07", 0, 10),  # after the quarter: out
    ]
    ledger = settle(contract, monthly(rows), SettlementPeriod.parse("2026-27-Q1"))
    row = indicator_row(ledger, "i1")
    assert (row["window_first_month"], row["window_last_month"]) == ("2025-07", "2026-06")
    assert (row["numerator"], row["denominator"]) == (13.0, 20.0)
    assert outcome_by_party(ledger, "i1") == {"A": 62_500, "B": 37_500, "C": 25_000}


def test_a_rolling_window_never_reaches_before_the_term_starts() -> None:
    # 2025-26-Q3 would reach back to Jan 2025; the term starts Apr 2025.
    contract = contract_from(indicators=[indicator(window="rolling_12_months")])
    ledger = settle(contract, monthly(WINDOW_ROWS), SettlementPeriod.parse("2025-26-Q3"))
    row = indicator_row(ledger, "i1")
    assert (row["window_first_month"], row["window_last_month"]) == ("2025-04", "2025-12")
    assert (row["numerator"], row["denominator"]) == (33.0, 40.0)


# --- trajectories -----------------------------------------------------------------------------


def test_by_year_levels_apply_only_in_their_contract_year() -> None:
    # 75/100 in both years. 2025-26 uses 0.6 -> 0.7: score 1. 2026-27 uses 0.7 -> 0.8:
    # (0.75 - 0.7) / 0.1 = 0.5.
    spec = indicator(by_year={"2026-27": {"threshold": D("0.7"), "target": D("0.8")}})
    contract = contract_from(years=TWO_YEARS, indicators=[spec])
    data = monthly([("A", "i1", "2025-06", 75, 100), ("A", "i1", "2026-06", 75, 100)])
    first = settle(contract, data, SettlementPeriod.parse("2025-26"))
    second = settle(contract, data, SettlementPeriod.parse("2026-27"))
    assert (indicator_row(first, "i1")["threshold"], indicator_row(first, "i1")["target"]) == (0.6, 0.7)
    assert (indicator_row(second, "i1")["threshold"], indicator_row(second, "i1")["target"]) == (0.7, 0.8)
    assert score_of(first, "i1") == 1 and score_of(second, "i1") == Decimal("0.5")
    assert outcome_by_party(first, "i1") == {"A": 500_000, "B": 300_000, "C": 200_000}
    assert outcome_by_party(second, "i1") == {"A": 250_000, "B": 150_000, "C": 100_000}


def test_the_withheld_proportion_can_change_by_year_and_a_fee_based_year_pays_everything_as_base() -> None:
    contract = contract_from(years=(("2025-26", "100000.00", "0"), ("2026-27", "100000.00", "0.075")))
    data = monthly([("A", "i1", "2025-06", 80, 100), ("A", "i1", "2026-06", 80, 100)])
    fee_based = settle(contract, data, SettlementPeriod.parse("2025-26"))
    assert total(fee_based, "outcome_pool") == 0
    # 10,000,000 x 0.5 / 0.3 / 0.2.
    assert by_party(fee_based, "base_payment") == {"A": 5_000_000, "B": 3_000_000, "C": 2_000_000}
    assert by_party(fee_based, "outcome") == {"A": 0, "B": 0, "C": 0}
    phased = settle(contract, data, SettlementPeriod.parse("2026-27"))
    # 10,000,000 x 0.075 = 750,000 withheld; base pool 9,250,000 -> 4,625,000 / 2,775,000 / 1,850,000.
    assert total(phased, "outcome_pool") == 750_000
    assert by_party(phased, "base_payment") == {"A": 4_625_000, "B": 2_775_000, "C": 1_850_000}


# --- quarters ---------------------------------------------------------------------------------


def test_a_quarters_contract_value_is_the_annual_value_split_in_four_by_largest_remainder() -> None:
    # 100.01 pounds = 10,001 pence -> 2,501 / 2,500 / 2,500 / 2,500 (the odd penny to Q1).
    contract = contract_from(years=(("2025-26", "100.01", "0.1"),))
    data = monthly([("A", "i1", "2025-05", 80, 100)])
    values = [
        total(settle(contract, data, SettlementPeriod.parse(f"2025-26-Q{q}")), "contract_value")
        for q in (1, 2, 3, 4)
    ]
    assert values == [2501, 2500, 2500, 2500]
    assert sum(values) == 10_001
    q1 = settle(contract, data, SettlementPeriod.parse("2025-26-Q1"))
    # Pool 2,501 x 0.1 = 250.1 -> 250; base pool 2,251: 1,125.5 / 675.3 / 450.2 -> floors
    # 1,125 / 675 / 450 (2,250) and the penny to the largest remainder, A -> 1,126.
    assert total(q1, "outcome_pool") == 250
    assert by_party(q1, "base_payment") == {"A": 1126, "B": 675, "C": 450}
    assert_conserved(q1)
    assert set(q1.get_column("status").to_list()) == {"provisional"}


# --- share rules ------------------------------------------------------------------------------


def test_fixed_shares_split_collective_outcome_money_but_not_the_base_payment() -> None:
    contract = contract_from(
        share_rule={"method": "fixed", "fixed": {"A": D("0.2"), "B": D("0.2"), "C": D("0.6")}}
    )
    ledger = settle(contract, monthly([("A", "i1", "2025-05", 80, 100)]), YEAR)
    assert outcome_by_party(ledger, "i1") == {"A": 200_000, "B": 200_000, "C": 600_000}
    assert by_party(ledger, "base_payment") == BASE


def test_by_quantity_shares_follow_the_quantity_rows_in_the_settlement_period() -> None:
    # registered in Q1: A 100, B 100, C 200 -> shares 0.25 / 0.25 / 0.5; the 1,000 in Q2 is out.
    # Score 1 on the quarter's 250,000: 62,500 / 62,500 / 125,000.
    contract = contract_from(share_rule={"method": "by_quantity", "quantity": "registered"})
    rows = [
        ("A", "i1", "2025-05", 80, 100),
        ("A", "registered", "2025-04", 60, 0),
        ("A", "registered", "2025-06", 40, 0),
        ("B", "registered", "2025-05", 100, 0),
        ("C", "registered", "2025-05", 200, 0),
        ("A", "registered", "2025-08", 1000, 0),
    ]
    ledger = settle(contract, monthly(rows), SettlementPeriod.parse("2025-26-Q1"))
    assert outcome_by_party(ledger, "i1") == {"A": 62_500, "B": 62_500, "C": 125_000}
    # Base payments stay pro rata to base share: 2,250,000 x 0.5 / 0.3 / 0.2.
    assert by_party(ledger, "base_payment") == {"A": 1_125_000, "B": 675_000, "C": 450_000}


def test_by_quantity_without_any_quantity_falls_back_to_base_shares_and_says_so() -> None:
    contract = contract_from(share_rule={"method": "by_quantity", "quantity": "registered"})
    ledger = settle(contract, monthly([("A", "i1", "2025-05", 80, 100)]), YEAR)
    assert outcome_by_party(ledger, "i1") == {"A": 500_000, "B": 300_000, "C": 200_000}
    notes = lines(ledger, "outcome").get_column("note").to_list()
    assert all("pro rata to base share" in note for note in notes)


def test_a_cap_holds_a_provider_at_its_cap_and_shares_the_excess_among_the_others() -> None:
    # A capped at 0.4: excess 0.1 goes to B and C as 0.3 : 0.2 -> B 0.36, C 0.24.
    contract = contract_from(share_rule={"method": "base_share", "caps": {"A": D("0.4")}})
    ledger = settle(contract, monthly([("A", "i1", "2025-05", 80, 100)]), YEAR)
    assert outcome_by_party(ledger, "i1") == {"A": 400_000, "B": 360_000, "C": 240_000}
    assert by_party(ledger, "base_payment") == BASE


def test_caps_are_water_filled_when_the_excess_pushes_another_provider_over_its_cap() -> None:
    # A capped at 0.4 -> B 0.36, C 0.24; B capped at 0.32 -> its excess 0.04 goes to C -> 0.28.
    contract = contract_from(share_rule={"method": "base_share", "caps": {"A": D("0.4"), "B": D("0.32")}})
    ledger = settle(contract, monthly([("A", "i1", "2025-05", 80, 100)]), YEAR)
    assert outcome_by_party(ledger, "i1") == {"A": 400_000, "B": 320_000, "C": 280_000}


def test_when_every_provider_is_capped_the_commissioner_keeps_what_nobody_may_take() -> None:
    # Caps 0.3 / 0.3 / 0.2 sum to 0.8: A's excess 0.2 pushes B to 0.42 and C to 0.28, both over
    # their caps; their excess 0.2 has nowhere to go and stays with the commissioner.
    # Score 1: A 300,000, B 300,000, C 200,000; the commissioner retains 200,000.
    contract = contract_from(
        share_rule={"method": "base_share", "caps": {"A": D("0.3"), "B": D("0.3"), "C": D("0.2")}}
    )
    ledger = settle(contract, monthly([("A", "i1", "2025-05", 80, 100)]), YEAR)
    assert outcome_by_party(ledger, "i1") == {"A": 300_000, "B": 300_000, "C": 200_000}
    assert indicator_row(ledger, "i1")["amount_pence"] == 200_000
    assert total(ledger, "net_retained") == 200_000
    assert_conserved(ledger)


def test_a_capped_commissioner_part_is_retained_whatever_the_score() -> None:
    # Same caps, score 0.5: providers earn 150,000 / 150,000 / 100,000 and leave as much unearned;
    # the commissioner keeps its 200,000 part plus 400,000 unearned = 600,000.
    contract = contract_from(
        share_rule={"method": "base_share", "caps": {"A": D("0.3"), "B": D("0.3"), "C": D("0.2")}}
    )
    ledger = settle(contract, monthly([("A", "i1", "2025-05", 65, 100)]), YEAR)
    assert outcome_by_party(ledger, "i1") == {"A": 150_000, "B": 150_000, "C": 100_000}
    assert by_party(ledger, "unearned") == {"A": 150_000, "B": 150_000, "C": 100_000}
    assert indicator_row(ledger, "i1")["amount_pence"] == 600_000


# --- unearned money ---------------------------------------------------------------------------

TWO_INDICATORS = [
    indicator("i1", weight="0.5"),
    indicator("i2", weight="0.5", attribution="individual", provider="C"),
]
# i1 (collective) scores 1 on 500,000: A 250,000, B 150,000, C 100,000; i2 (C alone) scores 0.
HALF_ACHIEVED = [("A", "i1", "2025-05", 80, 100), ("C", "i2", "2025-05", 10, 100)]


def test_unearned_money_is_retained_by_the_commissioner_by_default() -> None:
    ledger = settle(contract_from(indicators=TWO_INDICATORS), monthly(HALF_ACHIEVED), YEAR)
    assert by_party(ledger, "unearned") == {"A": 0, "B": 0, "C": 500_000}
    assert lines(ledger, "redistributed_unearned").height == 0
    assert by_party(ledger, "net_payable") == {"A": 4_750_000, "B": 2_850_000, "C": 1_900_000}
    assert total(ledger, "net_retained") == 500_000
    assert_conserved(ledger)


def test_redistributed_unearned_money_goes_to_providers_in_proportion_to_what_they_earned() -> None:
    # C's 500,000 unearned is shared 250,000 : 150,000 : 100,000 (what each earned) ->
    # 250,000 / 150,000 / 100,000. A: 4,500,000 + 250,000 + 250,000 = 5,000,000.
    ledger = settle(
        contract_from(indicators=TWO_INDICATORS, unearned="redistributed"), monthly(HALF_ACHIEVED), YEAR
    )
    assert by_party(ledger, "redistributed_unearned") == {
        "A": 250_000,
        "B": 150_000,
        "C": 100_000,
        COMMISSIONER: -500_000,
    }
    assert by_party(ledger, "net_payable") == {"A": 5_000_000, "B": 3_000_000, "C": 2_000_000}
    assert total(ledger, "net_retained") == 0
    assert_conserved(ledger)


def test_redistribution_splits_by_largest_remainder_to_the_penny() -> None:
    # 70/100 with threshold 0.6 and target 0.9 scores 0.333333: earned 166,667 / 100,000 / 66,667
    # (333,334) and unearned 666,666. Shared 166,667 : 100,000 : 66,667 of 333,334:
    # A 666,666 x 166,667 / 333,334 = 333,333 exactly; B 199,999.4; C 133,333.6 -> floors sum
    # 666,665, and the last penny goes to the largest remainder, C -> 133,334.
    contract = contract_from(indicators=[indicator(threshold="0.6", target="0.9")], unearned="redistributed")
    ledger = settle(contract, monthly([("A", "i1", "2025-05", 70, 100)]), YEAR)
    assert by_party(ledger, "outcome") == {"A": 166_667, "B": 100_000, "C": 66_667}
    assert by_party(ledger, "redistributed_unearned") == {
        "A": 333_333,
        "B": 199_999,
        "C": 133_334,
        COMMISSIONER: -666_666,
    }
    assert_conserved(ledger)


def test_when_nobody_earns_anything_redistributed_unearned_money_is_retained() -> None:
    ledger = settle(contract_from(unearned="redistributed"), monthly([("A", "i1", "2025-05", 10, 100)]), YEAR)
    assert by_party(ledger, "redistributed_unearned") == {"A": 0, "B": 0, "C": 0, COMMISSIONER: 0}
    assert total(ledger, "net_retained") == 1_000_000
    assert by_party(ledger, "net_payable") == BASE
    assert_conserved(ledger)


def test_the_commissioners_net_retained_is_the_sum_of_its_retention_lines() -> None:
    ledger = settle(
        contract_from(indicators=TWO_INDICATORS, unearned="redistributed"), monthly(HALF_ACHIEVED), YEAR
    )
    retention = int(ledger.filter(pl.col("kind") == "retention").get_column("amount_pence").sum())
    assert total(ledger, "net_retained") == retention
    assert total(ledger, "contract_value") == 10_000_000
    assert total(ledger, "outcome_pool") == 1_000_000
