"""An outcomes rate card: a price per outcome per participant, capped per participant and overall."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from engine_support import COMMISSIONER, lines
from schemes_support import amounts, conserved, contract_of, settle_rows, template, varied

from obc_settle.extracts.claims import read_claims
from obc_settle.extracts.schema import CLAIMS_SCHEMA

QUARTERS = [f"2025-26-Q{q}" for q in range(1, 5)]


def claims(rows: list[tuple[str, str, str]], provider: str = "DELIVERY") -> pl.DataFrame:
    return pl.DataFrame([(p, o, provider, m) for p, o, m in rows], schema=CLAIMS_SCHEMA, orient="row")


def test_each_outcome_is_paid_at_its_price() -> None:
    contract = contract_of(template("rate-card"))
    ledger = settle_rows(
        contract,
        [],
        "2025-26-Q1",
        claims(
            [
                ("p1", "attendance_improved", "2025-05"),
                ("p2", "attendance_improved", "2025-06"),
                ("p2", "nvq_level1", "2025-06"),
            ]
        ),
    )
    assert amounts(ledger, "rate_card") == {
        "DELIVERY": 130000 * 2 + 90000,
        COMMISSIONER: -(130000 * 2 + 90000),
    }
    assert conserved(ledger)


def test_an_outcome_is_paid_once_per_participant_even_when_claimed_again_later() -> None:
    contract = contract_of(template("rate-card"))
    rows = [("p1", "attendance_improved", "2025-05"), ("p1", "attendance_improved", "2025-11")]
    q3 = settle_rows(contract, [], "2025-26-Q3", claims(rows))
    assert amounts(q3, "rate_card")["DELIVERY"] == 0
    assert "1 already paid" in lines(q3, "rate_card", "DELIVERY")["note"].item()


def test_a_participant_is_paid_at_most_the_per_participant_cap() -> None:
    """8,200 pounds: 3,500 + 3,300 + 1,300 = 8,100, then 900 more is cut to 100."""
    contract = contract_of(template("rate-card"))
    rows = [
        ("p1", "employment_13_weeks", "2025-04"),
        ("p1", "nvq_level2", "2025-05"),
        ("p1", "attendance_improved", "2025-06"),
        ("p1", "nvq_level1", "2025-07"),
        ("p1", "attitude_improved", "2025-08"),
    ]
    year = settle_rows(contract, [], "2025-26", claims(rows))
    assert amounts(year, "rate_card")["DELIVERY"] == 820000
    quarters = [
        amounts(settle_rows(contract, [], q, claims(rows)), "rate_card").get("DELIVERY", 0) for q in QUARTERS
    ]
    assert quarters == [810000, 10000, 0, 0]


def test_the_overall_cap_stops_payments_over_the_whole_term() -> None:
    def small_cap(body: dict[str, Any]) -> None:
        body["rate_card"]["cap_total"] = Decimal("5000.00")

    contract = varied("rate-card", small_cap)
    rows = [(f"p{i}", "attendance_improved", "2025-06") for i in range(3)] + [
        ("p9", "employment_13_weeks", "2026-05")
    ]
    first = settle_rows(contract, [], "2025-26", claims(rows))
    assert amounts(first, "rate_card")["DELIVERY"] == 390000
    second = settle_rows(contract, [], "2026-27", claims(rows))
    assert amounts(second, "rate_card")["DELIVERY"] == 110000  # 5,000 - 3,900 left
    assert "limited by the overall cap" in lines(second, "rate_card", "DELIVERY")["note"].item()


def test_the_quarters_add_up_to_the_year() -> None:
    contract = contract_of(template("rate-card"))
    rows = [
        (f"p{i % 7}", outcome, f"2025-{m:02d}")
        for i, (outcome, m) in enumerate(
            [
                ("attitude_improved", 4),
                ("attendance_improved", 5),
                ("behaviour_improved", 7),
                ("nvq_level2", 8),
                ("employment_13_weeks", 10),
                ("nvq_level1", 11),
                ("attendance_improved", 12),
                ("employment_13_weeks", 12),
                ("nvq_level2", 12),
            ]
        )
    ]
    data = claims(rows)
    year = amounts(settle_rows(contract, [], "2025-26", data), "rate_card")["DELIVERY"]
    assert (
        sum(amounts(settle_rows(contract, [], q, data), "rate_card").get("DELIVERY", 0) for q in QUARTERS)
        == year
    )


def test_claims_with_unknown_outcomes_or_providers_are_refused_with_file_and_row(tmp_path: Path) -> None:
    contract = contract_of(template("rate-card"))
    path = tmp_path / "claims.parquet"
    pl.DataFrame(
        {
            "participant_id": ["p1", "p2"],
            "outcome_id": ["attendance_improved", "flying"],
            "provider_id": ["DELIVERY", "NOPE"],
            "period": ["2025-05", "2030-01"],
        }
    ).write_parquet(path)
    frame, findings = read_claims(path, contract)
    assert frame is None
    assert sorted((f.code, f.location.file) for f in findings) == [("D034", str(path))] * 3
    assert any(
        "column outcome_id: 1 row with an outcome not on the rate card ('flying'), e.g. row 2" in f.message
        for f in findings
    )
