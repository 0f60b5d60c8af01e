"""NHS QOF: points between thresholds, pounds per point, CPI and APDF, aspiration payments.

The published worked examples (shared/domain/schemes.md, QOF Q1 to Q4) each round in a different
place; each is reproduced with the template's `points.rounding` set as the example did.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from engine_support import lines, monthly
from schemes_support import MONTHS_2025_26, amounts, conserved, contract_of, settle_rows, template

from obc_settle.engine import settle_with_history
from obc_settle.engine.reconcile import history_of
from obc_settle.periods import SettlementPeriod

D = Decimal


def one_indicator(
    point_value: str,
    national_list: str,
    rounding: dict[str, Any],
    points: str,
    national_prevalence: str | None,
) -> Any:
    body = template("qof")
    body["points"]["point_value"] = D(point_value)
    body["points"]["national_list_size"] = D(national_list)
    body["points"]["rounding"] = {"points": 2, "cpi": None, "apdf": None, "point_value": None} | rounding
    indicator = body["outcome_framework"]["domains"][0]["indicators"][0]
    indicator["points"] = D(points)
    if national_prevalence is None:
        del indicator["prevalence"]
    else:
        indicator["prevalence"]["national"] = D(national_prevalence)
    body["outcome_framework"]["domains"] = [{"id": "clinical", "name": "Clinical", "indicators": [indicator]}]
    body["points"].pop("aspiration")
    body["contract_years"][0].pop("aspiration_basis")
    return contract_of(body)


def achievement_payment(contract: Any, list_size: int, register: int | None) -> int:
    rows = [("PRACTICE", "AF006", "2025-09", 90, 100), ("PRACTICE", "list_size", "2026-03", list_size, 0)]
    if register is not None:
        rows.append(("PRACTICE", "af_register", "2026-03", register, 0))
    ledger = settle_rows(contract, rows)
    assert conserved(ledger)
    return amounts(ledger, "points")["PRACTICE"]


def test_q1_lincs_2022_23_af_with_cpi_and_apdf_rounded_to_two_places() -> None:
    """29 points x £207.56 x 1.71 x 1.45 = £14,924.71 (list 16,000 / 9,374; AF 3.05% / 2.1%)."""
    contract = one_indicator("207.56", "9374", {"cpi": 2, "apdf": 2}, "29", "0.021")
    assert achievement_payment(contract, 16000, 488) == 1492471


def test_q1_with_unrounded_factors_gives_the_other_published_figure() -> None:
    contract = one_indicator("207.56", "9374", {}, "29", "0.021")
    assert achievement_payment(contract, 16000, 488) == 1492166


def test_q2_pulse_2021_22_quality_improvement_points_with_no_prevalence_factor() -> None:
    """An average-sized practice (CPI 1), 74 QI points at £201.16: £14,885.84."""
    contract = one_indicator("201.16", "9085", {}, "74", None)
    assert achievement_payment(contract, 9085, None) == 1488584


def test_q3_ardens_2021_22_dementia_with_the_point_value_not_rounded() -> None:
    """CPI shown as 1.10, prevalence 0.53% against 0.7%: 44 points give £7,371.65."""
    contract = one_indicator("201.16", "9085", {"cpi": 2}, "44", "0.007")
    assert achievement_payment(contract, 10000, 53) == 737165


def test_q3_with_the_point_value_rounded_first_gives_seven_371_76() -> None:
    contract = one_indicator("201.16", "9085", {"cpi": 2, "point_value": 2}, "44", "0.007")
    ledger = settle_rows(
        contract,
        [
            ("PRACTICE", "AF006", "2025-09", 90, 100),
            ("PRACTICE", "list_size", "2026-03", 10000, 0),
            ("PRACTICE", "af_register", "2026-03", 53, 0),
        ],
    )
    assert amounts(ledger, "points")["PRACTICE"] == 737176
    assert "adjusted point value 167.54 pounds" in lines(ledger, "points", "PRACTICE")["note"].item()


@pytest.mark.parametrize(
    ("register", "points", "pence", "point_value"),
    [(30, "26", 354146, "136.21"), (70, "20", 635660, "317.83")],
)
def test_q4_insightsol_point_values_rounded_to_the_penny(
    register: int, points: str, pence: int, point_value: str
) -> None:
    """£227.02 a point, CPI 1, dementia 0.3% or 0.7% against 0.5%: £3,541.46 and £6,356.60."""
    contract = one_indicator("227.02", "10000", {"point_value": 2}, points, "0.005")
    ledger = settle_rows(
        contract,
        [
            ("PRACTICE", "AF006", "2025-09", 90, 100),
            ("PRACTICE", "list_size", "2026-03", 10000, 0),
            ("PRACTICE", "af_register", "2026-03", register, 0),
        ],
    )
    assert amounts(ledger, "points")["PRACTICE"] == pence
    assert f"adjusted point value {point_value} pounds" in lines(ledger, "points", "PRACTICE")["note"].item()


def test_points_are_linear_between_the_lower_and_upper_thresholds_and_rounded_to_two_places() -> None:
    """55% achieved between 40% and 70% earns half of 12 points... (0.55-0.4)/0.3 x 12 = 6 points."""
    contract = one_indicator("200.00", "10000", {}, "12", None)
    ledger = settle_rows(
        contract, [("PRACTICE", "AF006", "2025-09", 55, 100), ("PRACTICE", "list_size", "2026-03", 10000, 0)]
    )
    assert amounts(ledger, "points")["PRACTICE"] == 6 * 20000
    below = settle_rows(
        contract, [("PRACTICE", "AF006", "2025-09", 39, 100), ("PRACTICE", "list_size", "2026-03", 10000, 0)]
    )
    assert amounts(below, "points")["PRACTICE"] == 0


def practice_rows() -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for month in MONTHS_2025_26:
        rows += [
            ("PRACTICE", "AF006", month, 50, 80),
            ("PRACTICE", "DM036", month, 40, 70),
            ("PRACTICE", "QIECG", month, 1, 1),
        ]
    rows += [
        ("PRACTICE", "list_size", "2026-03", 10500, 0),
        ("PRACTICE", "af_register", "2026-03", 240, 0),
        ("PRACTICE", "dm_register", "2026-03", 780, 0),
    ]
    return rows


def test_aspiration_payments_are_paid_monthly_and_netted_off_the_achievement_payment() -> None:
    contract = contract_of(template("qof"))
    rows = practice_rows()
    runs = []
    aspiration = []
    for quarter in range(1, 5):
        name = f"2025-26-Q{quarter}"
        ledger = settle_with_history(
            contract, monthly(rows), SettlementPeriod.parse(name), history_of(runs) if runs else None
        )
        assert conserved(ledger)
        aspiration.append(amounts(ledger, "aspiration")["PRACTICE"])
        runs.append((ledger, name))
    # 70% of £14,000 = 980,000 pence in twelfths by largest remainder: 81,667 for April to November, 81,666 after
    assert aspiration == [245001, 245001, 245000, 244998]
    year = settle_with_history(contract, monthly(rows), SettlementPeriod.parse("2025-26"), history_of(runs))
    achievement = amounts(year, "points")["PRACTICE"]
    assert int(lines(year, "paid_to_date", "PRACTICE")["amount_pence"].item()) == 980000
    assert int(lines(year, "due_now", "PRACTICE")["amount_pence"].item()) == achievement - 980000
