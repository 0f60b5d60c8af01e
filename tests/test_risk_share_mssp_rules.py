"""The MSSP rules of the risk/gain share (42 CFR 425.604-610, issue 14): the minimum savings rate
by number of assigned beneficiaries, caps in money and the lower of two limits, sequestration,
loss forgiveness, separate quality inputs for each side, and the commissioner's own line.

The contract is the MSSP template (contracts/templates/mssp.yaml) varied per test; the year has
125,000 member months (a mean of 10,416 2/3 assigned beneficiaries) and a benchmark of
$12,000 per head per year, so the budget is $125,000,000 (12,500,000,000 cents). Amounts are in
the contract's units, written as pounds and pence.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from engine_support import COMMISSIONER, lines
from schemes_support import amounts, conserved, settle_rows, varied
from test_schemes_mssp import april_year, member_rows, mssp_varied

from obc_settle.engine.risk_share_rules import MSSP_ONE_SIDED, rate_at
from obc_settle.ledger.derivation import derivation_of
from obc_settle.ledger.invariants import violations

D = Decimal
BUDGET = 12_500_000_000  # pence: 12,000.00 x 125,000 / 12
TABLE = [(Fraction(n), Fraction(rate)) for n, rate in MSSP_ONE_SIDED]


@pytest.mark.parametrize(
    ("beneficiaries", "rate"),
    [
        (5000, "0.039"),
        (5500, "0.0375"),
        (6000, "0.036"),
        (6500, "0.035"),
        (10000, "0.030"),
        (12500, "0.0285"),
        (35000, "0.0235"),
        (59999, "0.0200002"),
        (60000, "0.02"),
        (250000, "0.02"),
        (4000, "0.039"),
    ],
)
def test_the_minimum_savings_rate_falls_along_the_published_table(beneficiaries: int, rate: str) -> None:
    """425.604(b): 3.9% at 5,000 falling to 3.6% at 6,000 ... 2% from 60,000; straight lines inside
    each band (5,500 -> 3.75%), the first rate below 5,000."""
    assert rate_at(TABLE, Fraction(beneficiaries)) == Fraction(rate)


def mssp(change_gains: dict[str, Any] | None = None, losses: dict[str, Any] | None = None) -> Any:
    def change(body: dict[str, Any]) -> None:
        gains = body["risk_share"]["gains"]
        if change_gains is not None:
            gains.update(change_gains)
            for key in [k for k, v in gains.items() if v is None]:
                del gains[key]
        if losses is not None:
            body["risk_share"]["losses"] = losses

    return mssp_varied(change)


def derivation(ledger: Any, party: str = "ACO", line_type: str = "risk_share") -> dict[str, Any]:
    return derivation_of(lines(ledger, line_type, party)["derivation"].item())


def spend_for(saving_pence: int) -> str:
    """The year's spend, in pounds, for a saving (negative: an overspend) against the budget."""
    return str(D(BUDGET - saving_pence) / 100)


def test_the_template_reads_its_minimum_savings_rate_from_the_table_at_the_mean_population() -> None:
    """10,416 2/3 beneficiaries: 3.0% - 0.3% x 416 2/3 / 5,000 = 2.975%. A saving of 2.97% is below
    it (nothing shared); 2.98% is above it (50% x quality 1, from the first dollar)."""
    below = settle_rows(mssp(), member_rows(spend_for(371_250_000)))
    gate = derivation(below)["gate"]
    assert Fraction(gate["population"]) == Fraction(125000, 12)
    assert Fraction(gate["minimum_rate"]) == Fraction("0.02975")
    assert gate["met"] is False and gate["population_indicator"] == "assigned_beneficiaries"
    assert amounts(below, "risk_share")["ACO"] == 0
    above = settle_rows(mssp(), member_rows(spend_for(372_500_000)))
    assert derivation(above)["gate"]["met"] is True
    assert amounts(above, "risk_share")["ACO"] == 186_250_000


def test_a_cap_in_money_holds_the_providers_part() -> None:
    ledger = settle_rows(
        mssp({"minimum_rate_table": None, "cap": None, "cap_amount": D("1000000.00")}),
        member_rows(spend_for(1_000_000_000)),
    )
    assert amounts(ledger, "risk_share")["ACO"] == 100_000_000
    caps = derivation(ledger)["caps"]
    assert caps == [
        {"applied": True, "base_pence": None, "limit": "amount", "pence": "100000000", "proportion": None}
    ]


@pytest.mark.parametrize(
    ("revenue", "expected", "applied"),
    [
        (
            {"proportion": D("0.08"), "amount": D("50000000.00")},
            400_000_000,
            "revenue",
        ),  # 8% of 50m = 4m < 5m
        ({"proportion": D("0.08"), "amount": D("100000000.00")}, 500_000_000, "budget"),  # 8m > 4% of budget
    ],
)
def test_the_cap_is_the_lower_of_a_benchmark_and_a_revenue_based_limit(
    revenue: dict[str, Any], expected: int, applied: str
) -> None:
    """A saving of $20m (16%): 50% is $10m; limits 4% of the $125m benchmark ($5m) and 8% of revenue."""
    ledger = settle_rows(
        mssp({"minimum_rate_table": None, "quality": None, "cap": D("0.04"), "cap_revenue": revenue}),
        member_rows(spend_for(2_000_000_000)),
    )
    assert amounts(ledger, "risk_share")["ACO"] == expected
    caps = derivation(ledger)["caps"]
    assert [cap["limit"] for cap in caps if cap["applied"]] == [applied]


def test_a_revenue_limit_may_read_the_revenue_from_an_extract() -> None:
    rows = [*member_rows(spend_for(2_000_000_000)), ("ACO", "aco_revenue", "2025-06", D("30000000.00"), 0)]
    limit = {"proportion": D("0.1"), "indicator": "aco_revenue"}
    ledger = settle_rows(mssp({"minimum_rate_table": None, "quality": None, "cap_revenue": limit}), rows)
    assert amounts(ledger, "risk_share")["ACO"] == 300_000_000  # 10% of $30m, below 50% of $20m
    assert derivation(ledger)["caps"][1]["source"] == "aco_revenue"


def test_sequestration_reduces_the_payment_after_the_cap() -> None:
    """$20m saved, capped at 10% of the benchmark ($12.5m > $10m: not reached), 2% sequestered."""
    ledger = settle_rows(
        mssp({"minimum_rate_table": None, "quality": None, "sequestration": D("0.02")}),
        member_rows(spend_for(2_000_000_000)),
    )
    assert amounts(ledger, "risk_share") == {"ACO": 980_000_000, COMMISSIONER: -980_000_000}
    steps = derivation(ledger)["sequestration"]
    assert steps == {"after_pence": "980000000", "reduction_pence": "20000000", "rate": "0.02"}
    assert amounts(ledger, "commissioner_share")[COMMISSIONER] == 2_000_000_000 - 980_000_000


TWO_SIDED_LOSSES = {
    "minimum_rate": D("0.02"),
    "bands": [{"provider_share": D("0.6")}],
    "cap": D("0.05"),
    "quality": {"method": "complement", "minimum_share": D("0.4"), "maximum_share": D("0.6")},
}


@pytest.mark.parametrize(
    ("forgiven", "recovered"), [(D("1"), 0), (D("0.5"), -50_000_000), (D("0"), -100_000_000)]
)
def test_a_disaster_year_forgives_the_shared_loss(forgiven: Decimal, recovered: int) -> None:
    """An overspend of $2.5m (2%) at a 40% loss rate is $1m; forgiven in full (as in 2021) nothing
    is recovered and the commissioner bears the whole overspend."""
    losses = TWO_SIDED_LOSSES | {"loss_forgiven": forgiven}
    ledger = settle_rows(mssp(losses=losses), member_rows(spend_for(-250_000_000)))
    assert amounts(ledger, "risk_share") == {"ACO": recovered, COMMISSIONER: -recovered}
    assert amounts(ledger, "commissioner_share")[COMMISSIONER] == -(250_000_000 + recovered)
    assert violations(ledger, mssp(losses=losses)) == []
    if forgiven == 1:
        note = lines(ledger, "risk_share", "ACO")["note"].item()
        assert "forgiven in full (loss_forgiven 1): nothing is recovered" in note


def test_each_side_reads_its_own_quality_score() -> None:
    """The savings side gates on the blood-pressure measure (0.8 -> score 1, met); the loss side
    scales its loss rate by the HbA1c measure (20% poor control -> score 0: loss rate held at 60%)."""
    gains = {
        "minimum_rate_table": None,
        "quality": {"method": "gate", "minimum_score": D("0.9"), "indicators": ["CONTROLLING_BP"]},
    }
    losses = TWO_SIDED_LOSSES | {
        "quality": TWO_SIDED_LOSSES["quality"] | {"indicators": ["DIABETES_HBA1C_POOR"]}
    }
    contract = mssp(gains, losses)
    saving = settle_rows(contract, member_rows(spend_for(1_000_000_000), quality=(20, 100)))
    quality = derivation(saving)["quality"]
    assert quality["input"] == "indicators CONTROLLING_BP" and quality["met"] is True
    assert amounts(saving, "risk_share")["ACO"] == 500_000_000
    overspend = settle_rows(contract, member_rows(spend_for(-250_000_000), quality=(20, 100)))
    quality = derivation(overspend)["quality"]
    assert quality["input"] == "indicators DIABETES_HBA1C_POOR" and quality["score"] == "0"
    assert amounts(overspend, "risk_share")["ACO"] == -150_000_000  # 60% of $2.5m


def test_the_commissioners_line_is_what_it_keeps_and_money_is_conserved() -> None:
    ledger = settle_rows(mssp({"minimum_rate_table": None}), member_rows(spend_for(1_000_000_000)))
    kept = lines(ledger, "commissioner_share", COMMISSIONER)
    assert kept["kind"].item() == "memo"
    assert int(kept["amount_pence"].item()) == 1_000_000_000 - 500_000_000
    assert derivation(ledger, COMMISSIONER, "commissioner_share")["commissioner_part_pence"] == 500_000_000
    assert conserved(ledger)
    assert violations(ledger, mssp({"minimum_rate_table": None})) == []


def two_sided() -> Any:
    def change(body: dict[str, Any]) -> None:
        april_year(body)

    return varied("mssp-two-sided", change)


@pytest.mark.parametrize(
    ("saving", "expected"),
    [
        (1_250_000_000, 918_750_000),  # 10% saved: 75% x quality 1, less 2% sequestration
        (-375_000_000, -150_000_000),  # 3% overspent: loss rate 1 - 0.75 = 25%, held at 40%
        (-1_250_000_000, -320_000_000),  # 10% overspent: 40% is $5m, above 8% of $40m revenue
    ],
)
def test_the_two_sided_template_shares_savings_and_losses(saving: int, expected: int) -> None:
    contract = two_sided()
    ledger = settle_rows(contract, member_rows(spend_for(saving)))
    assert amounts(ledger, "risk_share") == {"ACO": expected, COMMISSIONER: -expected}
    assert violations(ledger, contract) == []
    if saving == -1_250_000_000:
        caps = derivation(ledger)["caps"]
        assert [(cap["limit"], cap["applied"]) for cap in caps] == [("budget", False), ("revenue", True)]
