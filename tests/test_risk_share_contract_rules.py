"""The contract rules of the MSSP extensions of the risk share (C040 to C044): each finding is
located at the key concerned."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from engine_support import dump, load_text
from schemes_support import template

D = Decimal


def findings_of(change: Any) -> list[tuple[str, str]]:
    body = template("mssp-two-sided")
    change(body)
    text = dump(body)
    _, findings = load_text(text)
    lines = text.splitlines()
    return [(f.code, lines[f.location.line - 1].strip()) for f in findings if f.location.line]


def gains(body: dict[str, Any]) -> dict[str, Any]:
    side: dict[str, Any] = body["risk_share"]["gains"]
    return side


def losses(body: dict[str, Any]) -> dict[str, Any]:
    side: dict[str, Any] = body["risk_share"]["losses"]
    return side


CASES = {
    "table beside a fixed minimum rate": (
        lambda b: gains(b).update(minimum_rate_table={"table": "mssp_one_sided"}),
        ("C040", "minimum_rate: 0.02"),
    ),
    "table with neither table nor points": (
        lambda b: gains(b).update(
            minimum_rate=D("0"), minimum_rate_table={"population": "assigned_beneficiaries"}
        ),
        ("C040", "population: assigned_beneficiaries"),  # the mapping, at its first key,
    ),
    "points not rising": (
        lambda b: gains(b).update(
            minimum_rate=D("0"),
            minimum_rate_table={
                "points": [{"population": 6000, "rate": D("0.036")}, {"population": 5000, "rate": D("0.039")}]
            },
        ),
        ("C040", "population: 5000"),
    ),
    "bands in two units": (
        lambda b: gains(b).update(
            bands=[
                {"up_to": D("0.01"), "provider_share": D("0")},
                {"up_to_amount": D("5000000.00"), "provider_share": D("0.5")},
            ]
        ),
        ("C041", "- up_to_amount: 5000000.00"),
    ),
    "revenue limit without its revenue": (
        lambda b: losses(b).update(cap_revenue={"proportion": D("0.08")}),
        ("C042", "proportion: 0.08"),  # the mapping, at its first key,
    ),
    "loss forgiveness on savings": (
        lambda b: gains(b).update(loss_forgiven=D("1")),
        ("C043", "loss_forgiven: 1"),
    ),
    "quality from an unknown indicator": (
        lambda b: losses(b)["quality"].update(indicators=["CONTROLLING_BP", "CONTROLING_BP"]),
        ("C044", "- CONTROLING_BP"),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_rule_is_found_at_its_key(case: str) -> None:
    change, expected = CASES[case]
    found = findings_of(change)
    assert [code for code, _ in found] == [expected[0]], found
    assert found[0][1].startswith(expected[1]) or found[0][1].endswith(expected[1]), found


def test_a_table_population_must_not_be_an_outcome_indicator() -> None:
    def change(body: dict[str, Any]) -> None:
        gains(body).update(
            minimum_rate=D("0"),
            minimum_rate_table={"table": "mssp_one_sided", "population": "CONTROLLING_BP"},
        )

    assert [code for code, _ in findings_of(change)] == ["C027"]
