"""Confidence-aware scoring, risk/gain share on a budget, and money passed to subcontractors."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from engine_support import (
    COMMISSIONER,
    D,
    contract_dict,
    dump,
    indicator,
    indicator_row,
    lines,
    load_text,
    monthly,
)

from obc_settle.contract.models import Contract
from obc_settle.engine import settle
from obc_settle.periods import SettlementPeriod

MONTHS = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 4)]
YEAR = SettlementPeriod.parse("2025-26")


def load(body: dict[str, Any]) -> Contract:
    loaded, findings = load_text(dump(body))
    assert findings == [], [f.render() for f in findings]
    assert loaded is not None
    return loaded.contract


def wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@pytest.mark.parametrize(
    ("numerator", "denominator", "score"), [(48, 60, Fraction(1)), (480, 600, Fraction(2, 3))]
)
def test_a_small_provider_within_the_confidence_interval_of_the_target_counts_as_meeting_it(
    numerator: int, denominator: int, score: Fraction
) -> None:
    """80% achieved against a target of 85%: from 60 people the 95% Wilson interval reaches 88%;
    from 600 it does not (82.8%), and linear scoring from the 70% threshold gives 2/3."""
    contract = load(
        contract_dict(
            indicators=[indicator(threshold="0.7", target="0.85", confidence={"interval": "wilson"})]
        )
    )
    ledger = settle(contract, monthly([("A", "i1", "2025-10", numerator, denominator)]), YEAR)
    row = indicator_row(ledger, "i1")
    lower, upper = wilson(numerator, denominator)
    assert (round(row["confidence_lower"], 9), round(row["confidence_upper"], 9)) == (
        round(lower, 9),
        round(upper, 9),
    )
    assert Fraction(row["score_exact"]) == score
    if score == 1:
        assert "target 0.85 lies within the confidence interval" in row["note"]


def test_a_normal_interval_of_a_mean_uses_the_declared_standard_deviation() -> None:
    """Mean 6.8 from 50 answers, s = 2.0: 6.8 +- 1.96 x 2 / sqrt(50) = 6.25 to 7.35, which holds the 7.0 target."""
    confidence = {"interval": "normal", "standard_deviation": D("2.0")}
    contract = load(
        contract_dict(
            indicators=[indicator(kind="mean", threshold="6.0", target="7.0", confidence=confidence)]
        )
    )
    ledger = settle(contract, monthly([("A", "i1", "2025-10", 0, 0, 340, 50)]), YEAR)
    row = indicator_row(ledger, "i1")
    half = 1.959963984540054 * 2 / math.sqrt(50)
    assert math.isclose(row["confidence_lower"], 6.8 - half) and math.isclose(
        row["confidence_upper"], 6.8 + half
    )
    assert float(row["score"]) == 1.0


def test_a_level_within_the_interval_of_a_lower_is_better_indicator_counts_from_below() -> None:
    contract = load(
        contract_dict(
            indicators=[
                indicator(
                    direction="lower_is_better",
                    threshold="0.3",
                    target="0.2",
                    confidence={"interval": "wilson"},
                )
            ]
        )
    )
    ledger = settle(contract, monthly([("A", "i1", "2025-10", 6, 25)]), YEAR)  # 24%, interval 11% to 43%
    assert float(indicator_row(ledger, "i1")["score"]) == 1.0


def test_without_a_confidence_interval_nothing_changes() -> None:
    contract = load(contract_dict(indicators=[indicator(threshold="0.7", target="0.85")]))
    row = indicator_row(settle(contract, monthly([("A", "i1", "2025-10", 48, 60)]), YEAR), "i1")
    assert row["confidence_lower"] is None and Fraction(row["score_exact"]) == Fraction(2, 3)


@pytest.mark.parametrize(
    ("confidence", "kind", "code"),
    [
        ({"interval": "wilson"}, "mean", "C027"),
        ({"interval": "normal"}, "mean", "C011"),
        ({"interval": "normal", "standard_deviation": D("1.0")}, "proportion", "C027"),
        ({"interval": "wilson", "level": D("1")}, "proportion", "C027"),
    ],
)
def test_confidence_settings_that_do_not_fit_the_indicator_are_refused(
    confidence: dict[str, Any], kind: str, code: str
) -> None:
    _, findings = load_text(
        dump(
            contract_dict(
                indicators=[
                    indicator(
                        kind=kind,
                        threshold="6.0" if kind == "mean" else "0.6",
                        target="7.0" if kind == "mean" else "0.7",
                        confidence=confidence,
                    )
                ]
            )
        )
    )
    assert [f.code for f in findings] == [code]


def risk_contract(**risk: Any) -> Contract:
    base = {
        "spend": "actual_spend",
        "gains": {"bands": [{"up_to": D("0.02"), "provider_share": D("0")}, {"provider_share": D("0.5")}]},
    }
    return load(contract_dict(providers=(("A", "0.6"), ("B", "0.4")), risk_share=base | risk))


def spend_rows(total_pounds: int, score: tuple[int, int] = (70, 100)) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = [("A", "actual_spend", m, Decimal(total_pounds) / 12, 0) for m in MONTHS]
    return [*rows, ("A", "i1", "2025-10", score[0], score[1])]


def risk(ledger: Any) -> dict[str, int]:
    return {r["party_id"]: int(r["amount_pence"]) for r in lines(ledger, "risk_share").iter_rows(named=True)}


def test_savings_beyond_the_first_two_percent_are_shared_half_and_half_by_the_share_rule() -> None:
    """Budget £100,000 (the contract value), spend £97,000: £3,000 saved, the first £2,000 the
    commissioner's, half of the other £1,000 the providers', split 0.6 / 0.4."""
    ledger = settle(risk_contract(), monthly(spend_rows(97000)), YEAR)
    assert risk(ledger) == {"A": 30000, "B": 20000, COMMISSIONER: -50000}
    assert (
        lines(
            settle(risk_contract(), monthly(spend_rows(97000)), SettlementPeriod.parse("2025-26-Q4")),
            "risk_share",
        ).height
        == 0
    )


def test_a_cap_a_minimum_savings_rate_and_a_quality_gate_limit_the_providers_part() -> None:
    capped = risk_contract(gains={"bands": [{"provider_share": D("0.5")}], "cap": D("0.01")})
    assert (
        risk(settle(capped, monthly(spend_rows(90000)), YEAR))["A"]
        + risk(settle(capped, monthly(spend_rows(90000)), YEAR))["B"]
        == 100000
    )
    gated = risk_contract(gains={"bands": [{"provider_share": D("0.5")}], "minimum_rate": D("0.05")})
    assert risk(settle(gated, monthly(spend_rows(96000)), YEAR))[COMMISSIONER] == 0
    assert risk(settle(gated, monthly(spend_rows(95000)), YEAR))[COMMISSIONER] == -250000
    quality = risk_contract(
        gains={
            "bands": [{"provider_share": D("0.5")}],
            "quality": {"method": "gate", "minimum_score": D("0.8")},
        }
    )
    assert risk(settle(quality, monthly(spend_rows(90000, (64, 100))), YEAR))[COMMISSIONER] == 0  # score 0.4
    assert (
        risk(settle(quality, monthly(spend_rows(90000, (70, 100))), YEAR))[COMMISSIONER] == -500000
    )  # score 1


def test_an_overspend_is_recovered_from_the_providers_by_the_loss_bands() -> None:
    contract = risk_contract(
        losses={
            "bands": [{"up_to": D("0.01"), "provider_share": D("0")}, {"provider_share": D("0.5")}],
            "cap": D("0.015"),
        }
    )
    ledger = settle(contract, monthly(spend_rows(105000)), YEAR)
    assert risk(ledger) == {
        "A": -90000,
        "B": -60000,
        COMMISSIONER: 150000,
    }  # 0.5 x £4,000 = £2,000, capped at £1,500
    net = {p: int(lines(ledger, "net_payable", p)["amount_pence"].item()) for p in ("A", "B")}
    base = {
        p: int(lines(ledger, "base_payment", p)["amount_pence"].sum())
        + int(lines(ledger, "outcome", p)["amount_pence"].sum())
        for p in ("A", "B")
    }
    assert net == {p: base[p] + risk(ledger)[p] for p in ("A", "B")}


def test_risk_share_applies_only_in_the_years_it_names() -> None:
    body = contract_dict(
        years=(("2025-26", "100000.00", "0"), ("2026-27", "100000.00", "0.1")),
        risk_share={
            "spend": "actual_spend",
            "years": ["2026-27"],
            "gains": {"bands": [{"provider_share": D("0.5")}]},
        },
    )
    contract = load(body)
    assert lines(settle(contract, monthly(spend_rows(90000)), YEAR), "risk_share").height == 0


def test_a_prime_passes_outcome_money_to_its_subcontractors_by_their_terms() -> None:
    body = contract_dict(
        providers=(("PRIME", "0.7"), ("SUB1", "0.2"), ("SUB2", "0.1")),
        indicators=[indicator("i1", weight="0.5"), indicator("i2", weight="0.5")],
        share_rule={"method": "fixed", "fixed": {"PRIME": D("1")}},
        subcontracts=[
            {"prime": "PRIME", "subcontractor": "SUB1", "share": D("0.3"), "indicators": ["i1"]},
            {"prime": "PRIME", "subcontractor": "SUB2", "share": D("0.25")},
        ],
    )
    contract = load(body)
    ledger = settle(
        contract, monthly([("PRIME", "i1", "2025-10", 70, 100), ("PRIME", "i2", "2025-10", 65, 100)]), YEAR
    )
    earned = {
        r["indicator_id"]: int(r["amount_pence"])
        for r in lines(ledger, "outcome", "PRIME").iter_rows(named=True)
    }
    passed = {
        r["party_id"]: int(r["amount_pence"])
        for r in lines(ledger, "subcontract").iter_rows(named=True)
        if r["party_id"] != "PRIME"
    }
    assert passed == {"SUB1": earned["i1"] * 3 // 10, "SUB2": earned["i1"] // 4 + earned["i2"] // 4}
    assert int(lines(ledger, "subcontract", "PRIME")["amount_pence"].sum()) == -sum(passed.values())
    value = int(lines(ledger, "contract_value")["amount_pence"].item())
    assert int(ledger.filter(ledger["kind"].is_in(["payment", "retention"]))["amount_pence"].sum()) == value


def test_subcontract_terms_must_name_providers_and_not_pass_on_more_than_everything() -> None:
    body = contract_dict(
        providers=(("P", "0.5"), ("S", "0.5")),
        subcontracts=[
            {"prime": "P", "subcontractor": "X", "share": D("0.6")},
            {"prime": "P", "subcontractor": "S", "share": D("0.6")},
        ],
    )
    _, findings = load_text(dump(body))
    assert sorted(f.code for f in findings) == ["C024", "C027"]
