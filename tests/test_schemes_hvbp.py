"""US Hospital Value-Based Purchasing: achievement and improvement points, domain weights
re-allocated over the scored domains, the total performance score and the payment adjustment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from engine_support import COMMISSIONER, indicator_row, lines
from schemes_support import amounts, conserved, contract_of, settle_rows, template, varied


def measure_rows(values: dict[str, tuple[int, int]]) -> list[tuple[Any, ...]]:
    return [("HOSPITAL", measure, "2025-10", n, d) for measure, (n, d) in values.items()]


MIDPOINTS = {  # half way from AT to BM: 9 x 0.5 + 0.5 = 5 achievement points each
    "MORT_30_AMI": (88, 100),
    "MORT_30_HF": (8975, 10000),
    "HCAHPS_COMMS_NURSES": (83, 100),
    "HCAHPS_RESPONSIVENESS": (73, 100),
    "CLABSI": (2945, 10000),
    "CAUTI": (325, 1000),
    "MSPB": (915, 1000),
}


def test_qualitynet_fy2016_weights_are_reallocated_when_the_efficiency_domain_is_missing() -> None:
    """CPC 10%, PEC 25%, Outcome 40%, Efficiency 25%; no efficiency score: 13.3%, 33.3%, 53.3%."""

    def fy2016(body: dict[str, Any]) -> None:
        domains = {d["id"]: d for d in body["outcome_framework"]["domains"]}
        domains["safety"].update(
            id="clinical_process", name="Clinical process of care", weight=Decimal("0.10")
        )
        domains["person_and_community_engagement"]["weight"] = Decimal("0.25")
        domains["clinical_outcomes"]["weight"] = Decimal("0.40")
        domains["efficiency"]["weight"] = Decimal("0.25")

    contract = varied("hvbp", fy2016)
    values = dict(MIDPOINTS) | {"MSPB": (9, 10)}  # 10 cases: below the efficiency minimum of 25
    ledger = settle_rows(contract, measure_rows(values))
    retained = lines(ledger, "retained", COMMISSIONER)
    by_domain: dict[str, Decimal] = {}
    for row in retained.iter_rows(named=True):
        by_domain[row["domain_id"]] = by_domain.get(row["domain_id"], Decimal(0)) + Decimal(
            str(row["weight"])
        )
    assert round(by_domain["clinical_process"] * 100, 1) == Decimal("13.3")
    assert round(by_domain["person_and_community_engagement"] * 100, 1) == Decimal("33.3")
    assert round(by_domain["clinical_outcomes"] * 100, 1) == Decimal("53.3")
    assert by_domain["efficiency"] == 0
    assert abs(by_domain["clinical_process"] - Decimal(10) / 75) < Decimal("1e-11")


@pytest.mark.parametrize(
    ("measure", "value", "points"),
    [
        ("MORT_30_AMI", (86, 100), 0),  # below AT and not above the baseline
        ("MORT_30_AMI", (89, 100), 10),  # at the benchmark
        (
            "MORT_30_AMI",
            (88, 100),
            6,
        ),  # achievement 9 x 0.5 + 0.5 = 5; improvement 10 x 2/3 - 0.5 = 6.17 -> 6
        ("HCAHPS_COMMS_NURSES", (785, 1000), 1),  # below AT (0.79); improvement 10 x 0.015/0.1 - 0.5 = 1
        (
            "CLABSI",
            (300, 1000),
            6,
        ),  # lower is better: achievement 9 x 0.289/0.589 + 0.5 = 4.92 -> 5; improvement 10 x 0.6/0.9 - 0.5 = 6.17 -> 6
        ("CLABSI", (0, 1000), 10),  # an SIR of 0 reaches the benchmark of 0
        (
            "MSPB",
            (995, 1000),
            0,
        ),  # worse than the threshold, better than the baseline 1.0: 10 x 0.005/0.16 - 0.5 = -0.19 -> 0
    ],
)
def test_a_measure_scores_the_better_of_achievement_and_improvement_points(
    measure: str, value: tuple[int, int], points: int
) -> None:
    contract = contract_of(template("hvbp"))
    ledger = settle_rows(contract, measure_rows(dict(MIDPOINTS) | {measure: value}))
    assert Decimal(str(indicator_row(ledger, measure)["score"])) == Decimal(points) / 10


def test_achievement_points_round_half_up() -> None:
    """AT 0, BM 0.9, performance 0.1: 9 x 0.1/0.9 + 0.5 = 1.5, rounded half up to 2."""

    def zero_threshold(body: dict[str, Any]) -> None:
        measure = body["outcome_framework"]["domains"][0]["indicators"][0]
        measure.update(threshold=Decimal("0.0"), target=Decimal("0.9"), baseline=Decimal("0.5"))

    ledger = settle_rows(
        varied("hvbp", zero_threshold), measure_rows(dict(MIDPOINTS) | {"MORT_30_AMI": (10, 100)})
    )
    assert Decimal(str(indicator_row(ledger, "MORT_30_AMI")["score"])) == Decimal("0.2")


def test_the_payment_adjustment_is_one_plus_incentive_minus_the_applicable_percentage() -> None:
    """TPS 50 (5 points on every measure), 2% withheld, slope 2.9: incentive 2.9%, factor 1.009."""

    def baseline_at_threshold(body: dict[str, Any]) -> None:
        for domain in body["outcome_framework"]["domains"]:
            for measure in domain["indicators"]:
                measure["baseline"] = Decimal(
                    str(measure["threshold"])
                )  # a copy: one object twice would be a YAML alias

    ledger = settle_rows(varied("hvbp", baseline_at_threshold), measure_rows(MIDPOINTS))
    assert {float(s) for s in lines(ledger, "outcome", "HOSPITAL")["score"]} == {0.5}
    value = int(lines(ledger, "contract_value")["amount_pence"].item())
    net = amounts(ledger, "net_payable")["HOSPITAL"]
    assert net * 1000 == value * 1009
    assert amounts(ledger, "outcome")["HOSPITAL"] == value * 29 // 1000  # 2% x 0.5 x 2.9
    assert (
        int(lines(ledger, "net_retained", COMMISSIONER)["amount_pence"].item()) == value - net
    )  # negative: paid beyond the pool
    assert conserved(ledger)
