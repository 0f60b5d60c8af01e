"""The ledger invariants, checked at every run: deliberately broken ledgers name the invariant broken.

Each test takes a sound ledger settled by the engine, breaks it the way a bug would (a penny
moved, a negative outcome line, a missing net_payable, ...) and asserts which invariant
`obc_settle.ledger.invariants.violations` names, for which party. The last tests break the
engine itself (monkeypatched) and check that `run` and `estimate` exit 70 with I001 and write nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from engine_support import COMMISSIONER, D, contract_from, domain, indicator, monthly
from golden_cases import CASES, settle_case
from paths import ROOT
from typer.testing import CliRunner

from obc_settle.contract import load_contract
from obc_settle.contract.models import Contract
from obc_settle.engine import settle, settle_with_history
from obc_settle.engine.reconcile import history_of
from obc_settle.errors import CODES, ExitCode, SettlementError
from obc_settle.ledger.invariants import require_invariants, violations
from obc_settle.periods import SettlementPeriod

YEAR = SettlementPeriod.parse("2025-26")
Q1 = SettlementPeriod.parse("2025-26-Q1")
DIABETES = ROOT / "contracts" / "diabetes-alliance.yaml"
DIABETES_DATA = ROOT / "sample_data" / "diabetes-alliance"


def pooled_contract(**extra: Any) -> Contract:
    """Three providers, a collective and an individual indicator, unearned money redistributed."""
    return contract_from(
        domains=[
            domain(
                "d1",
                "1",
                indicator("i1", weight="0.6"),
                indicator(
                    "own", threshold="0.3", target="0.9", weight="0.4", attribution="individual", provider="B"
                ),
            )
        ],
        unearned="redistributed",
        **extra,
    )


ROWS = [
    ("A", "i1", "2025-05", 65, 100),
    ("B", "i1", "2025-06", 30, 50),
    ("C", "i1", "2025-07", 10, 40),
    ("B", "own", "2025-08", 6, 10),
]


@pytest.fixture(scope="module")
def sound() -> tuple[Contract, pl.DataFrame]:
    contract = pooled_contract()
    return contract, settle(contract, monthly(ROWS), YEAR)


def changed(
    ledger: pl.DataFrame,
    party: str,
    line_type: str,
    delta: int = 0,
    *,
    value: int | None = None,
    nth: int = 0,
) -> pl.DataFrame:
    """The ledger with the `nth` line of `line_type` of `party` moved by `delta` pence (or set to `value`)."""
    indexed = ledger.with_row_index("__row")
    rows = (
        indexed.filter((pl.col("party_id") == party) & (pl.col("line_type") == line_type))
        .get_column("__row")
        .to_list()
    )
    assert len(rows) > nth, (party, line_type)
    amount = pl.col("amount_pence") + delta if value is None else pl.lit(value, dtype=pl.Int64)
    return indexed.with_columns(
        amount_pence=pl.when(pl.col("__row") == rows[nth]).then(amount).otherwise(pl.col("amount_pence"))
    ).drop("__row")


def named(ledger: pl.DataFrame, contract: Contract) -> set[tuple[str, str | None]]:
    return {(v.invariant, v.party) for v in violations(ledger, contract)}


def invariants(ledger: pl.DataFrame, contract: Contract) -> set[str]:
    return {v.invariant for v in violations(ledger, contract)}


def test_a_sound_ledger_breaks_no_invariant(sound: tuple[Contract, pl.DataFrame]) -> None:
    contract, ledger = sound
    assert violations(ledger, contract) == []
    require_invariants(ledger, contract)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_golden_scenario_holds_every_invariant(case: Any) -> None:
    loaded, _ = load_contract(ROOT / "contracts" / f"{case.contract}.yaml")
    assert loaded is not None
    assert violations(settle_case(case), loaded.contract) == []


def test_a_penny_moved_from_one_providers_outcome_to_anothers_breaks_their_net_payable_and_withheld(
    sound: tuple[Contract, pl.DataFrame],
) -> None:
    contract, ledger = sound
    broken = changed(changed(ledger, "A", "outcome", -1), "C", "outcome", +1)
    found = named(broken, contract)
    assert {("net-payable", "A"), ("net-payable", "C"), ("withheld", "A"), ("withheld", "C")} <= found
    assert "money-conserved" not in {
        name for name, _ in found
    }  # the total is unchanged: only the parts show it


def test_a_penny_lost_from_a_base_payment_breaks_conservation(sound: tuple[Contract, pl.DataFrame]) -> None:
    contract, ledger = sound
    broken = changed(changed(ledger, "B", "base_payment", -1), "B", "net_payable", -1)
    found = violations(broken, contract)
    assert {v.invariant for v in found} == {"money-conserved", "base-split"}
    message = next(v.message for v in found if v.invariant == "money-conserved")
    assert "not the contract value 10000000 pence" in message


def test_a_negative_outcome_line_is_below_what_the_contract_allows(
    sound: tuple[Contract, pl.DataFrame],
) -> None:
    contract, ledger = sound
    earned = int(
        ledger.filter((pl.col("party_id") == "A") & (pl.col("line_type") == "outcome"))["amount_pence"][0]
    )
    broken = changed(changed(ledger, "A", "outcome", value=-5), "A", "net_payable", -5 - earned)
    assert ("payment-bounds", "A") in named(broken, contract)


def test_a_missing_net_payable_is_named(sound: tuple[Contract, pl.DataFrame]) -> None:
    contract, ledger = sound
    broken = ledger.filter(~((pl.col("party_id") == "C") & (pl.col("line_type") == "net_payable")))
    found = [v for v in violations(broken, contract) if v.invariant == "net-payable"]
    assert [(v.party, v.message) for v in found] == [("C", "0 net_payable lines, not one")]


def test_a_commissioner_retention_that_does_not_add_up_breaks_net_retained(
    sound: tuple[Contract, pl.DataFrame],
) -> None:
    contract, ledger = sound
    assert ("net-retained", COMMISSIONER) in named(changed(ledger, COMMISSIONER, "net_retained", 1), contract)


def test_earning_more_than_available_breaks_the_bound_and_the_indicator_pool(
    sound: tuple[Contract, pl.DataFrame],
) -> None:
    contract, ledger = sound
    own = ledger.filter(
        (pl.col("party_id") == "B") & (pl.col("line_type") == "outcome") & (pl.col("indicator_id") == "own")
    )
    available = int(own["available_pence"][0])
    nth = (
        ledger.filter((pl.col("party_id") == "B") & (pl.col("line_type") == "outcome"))["indicator_id"]
        .to_list()
        .index("own")
    )
    broken = changed(ledger, "B", "outcome", value=available + 1, nth=nth)
    assert {("payment-bounds", "B"), ("indicator-pools", None)} <= named(broken, contract)


def test_an_outcome_line_that_is_not_its_own_score_times_what_was_available_is_named(
    sound: tuple[Contract, pl.DataFrame],
) -> None:
    contract, ledger = sound
    assert "score_exact" in ledger.columns
    scored = ledger.with_columns(
        score_exact=pl.when((pl.col("line_type") == "outcome") & (pl.col("party_id") == "A"))
        .then(pl.lit("1/3"))
        .otherwise(pl.col("score_exact"))
    )
    found = [v for v in violations(scored, contract) if v.invariant == "payment-bounds"]
    assert found and all(v.party == "A" and "x score 1/3 x exchange slope 1" in v.message for v in found)


def test_an_outcome_pool_that_is_not_the_withheld_proportion_breaks_contract_value(
    sound: tuple[Contract, pl.DataFrame],
) -> None:
    contract, ledger = sound
    assert "contract-value" in invariants(changed(ledger, COMMISSIONER, "outcome_pool", 1), contract)


def test_indicator_pools_that_do_not_add_up_to_the_outcome_pool_are_named(
    sound: tuple[Contract, pl.DataFrame],
) -> None:
    contract, ledger = sound
    indexed = ledger.with_columns(
        pool_pence=pl.when(pl.col("line_type") == "retained")
        .then(pl.col("pool_pence") + 1)
        .otherwise(pl.col("pool_pence"))
    )
    assert "indicator-pools" in invariants(indexed, contract)


def test_redistribution_to_a_provider_that_earned_nothing_is_named() -> None:
    contract = pooled_contract()
    ledger = settle(contract, monthly(ROWS), YEAR)
    earners = (
        ledger.filter((pl.col("line_type") == "outcome") & (pl.col("amount_pence") > 0))["party_id"]
        .unique()
        .to_list()
    )
    idle = next(p for p in ("A", "B", "C") if p not in earners)
    broken = changed(
        changed(changed(ledger, idle, "redistributed_unearned", 1), idle, "net_payable", 1),
        COMMISSIONER,
        "redistributed_unearned",
        -1,
    )
    broken = changed(broken, COMMISSIONER, "net_retained", -1)
    found = named(broken, contract)
    assert ("redistribution", idle) in found and {name for name, _ in found} == {"redistribution"}


def test_a_mechanism_the_contract_does_not_declare_is_named(sound: tuple[Contract, pl.DataFrame]) -> None:
    contract, ledger = sound
    broken = ledger.with_columns(
        line_type=pl.when(pl.col("line_type") == "redistributed_unearned")
        .then(pl.lit("points"))
        .otherwise(pl.col("line_type"))
    )
    assert "declared-mechanisms" in invariants(broken, contract)


def test_commissioner_lines_that_do_not_mirror_the_providers_are_named(
    sound: tuple[Contract, pl.DataFrame],
) -> None:
    contract, ledger = sound
    broken = changed(
        changed(ledger, COMMISSIONER, "redistributed_unearned", 1), COMMISSIONER, "net_retained", 1
    )
    assert "mirrored" in invariants(broken, contract)


def test_a_wrong_due_now_is_named() -> None:
    contract = pooled_contract()
    data = monthly(ROWS)
    q1 = settle(contract, data, Q1)
    q2 = settle_with_history(contract, data, SettlementPeriod.parse("2025-26-Q2"), history_of([(q1, "q1")]))
    assert violations(q2, contract) == []
    assert named(changed(q2, "A", "due_now", 1), contract) == {("due-now", "A")}


def test_a_recovery_without_a_losses_side_is_named() -> None:
    gains_only = {
        "spend": "spend",
        "budget": {"basis": "amount", "amount": D("1000.00")},
        "gains": {"minimum_rate": D("0"), "bands": [{"provider_share": D("0.5")}]},
    }
    contract = pooled_contract(risk_share=gains_only)
    ledger = settle(contract, monthly([*ROWS, ("A", "spend", "2025-05", 800, 0)]), YEAR)
    assert violations(ledger, contract) == []
    gained = {
        p: int(a)
        for p, a in ledger.filter(pl.col("line_type") == "risk_share")
        .select("party_id", "amount_pence")
        .iter_rows()
    }
    assert gained["A"] > 0
    broken = changed(
        changed(ledger, "A", "risk_share", -2 * gained["A"]), "A", "net_payable", -2 * gained["A"]
    )
    broken = changed(
        changed(broken, COMMISSIONER, "risk_share", 2 * gained["A"]),
        COMMISSIONER,
        "net_retained",
        2 * gained["A"],
    )
    assert ("payment-bounds", "A") in named(broken, contract)


def test_subcontract_lines_that_do_not_net_to_zero_are_named() -> None:
    contract = contract_from(
        providers=(("A", "0.5"), ("B", "0.3"), ("C", "0.2")),
        subcontracts=[{"prime": "A", "subcontractor": "C", "share": D("0.25")}],
    )
    ledger = settle(contract, monthly([("A", "i1", "2025-05", 68, 100)]), YEAR)
    assert (
        violations(ledger, contract) == [] and ledger.filter(pl.col("line_type") == "subcontract").height == 2
    )
    broken = changed(changed(ledger, "C", "subcontract", 1), "C", "net_payable", 1)
    broken = changed(changed(broken, COMMISSIONER, "retained", -1), COMMISSIONER, "net_retained", -1)
    assert ("subcontracts", None) in named(broken, contract)


def test_amounts_that_are_not_whole_pence_stop_every_other_check(
    sound: tuple[Contract, pl.DataFrame],
) -> None:
    contract, ledger = sound
    found = violations(ledger.with_columns(pl.col("amount_pence").cast(pl.Float64) + 0.5), contract)
    assert {v.invariant for v in found} == {"whole-pence"}
    missing = violations(
        ledger.with_columns(
            amount_pence=pl.when(pl.col("line_type") == "withheld")
            .then(None)
            .otherwise(pl.col("amount_pence"))
        ),
        contract,
    )
    assert {(v.invariant, v.party) for v in missing} == {("whole-pence", p) for p in "ABC"}


def test_totals_beyond_a_64_bit_integer_are_named_not_wrapped(sound: tuple[Contract, pl.DataFrame]) -> None:
    contract, ledger = sound
    huge = 2**62
    broken = changed(changed(ledger, "A", "base_payment", value=huge), "B", "base_payment", value=huge)
    assert "whole-pence" in invariants(broken, contract)


def test_an_unknown_line_type_or_party_is_a_structure_violation(sound: tuple[Contract, pl.DataFrame]) -> None:
    contract, ledger = sound
    renamed = ledger.with_columns(
        line_type=pl.when(pl.col("line_type") == "unearned")
        .then(pl.lit("bonus"))
        .otherwise(pl.col("line_type"))
    )
    assert "ledger-structure" in invariants(renamed, contract)
    stranger = ledger.with_columns(
        party_id=pl.when(pl.col("party_id") == "C").then(pl.lit("Z")).otherwise(pl.col("party_id"))
    )
    assert ("ledger-structure", "Z") in named(stranger, contract)


def test_lines_of_two_settlements_in_one_ledger_are_a_structure_violation(
    sound: tuple[Contract, pl.DataFrame],
) -> None:
    contract, ledger = sound
    mixed = ledger.with_columns(
        settlement_period=pl.when(pl.col("party_id") == "B")
        .then(pl.lit("2025-26-Q1"))
        .otherwise(pl.col("settlement_period"))
    )
    assert ("ledger-structure", None) in named(mixed, contract)
    other = ledger.with_columns(contract_id=pl.lit("another-contract"))
    assert ("ledger-structure", None) in named(other, contract)


def test_require_invariants_raises_exit_70_with_one_I001_per_violation_naming_invariant_party_and_amounts(
    sound: tuple[Contract, pl.DataFrame],
) -> None:
    contract, ledger = sound
    with pytest.raises(SettlementError) as raised:
        require_invariants(changed(ledger, "A", "net_payable", 7), contract)
    error = raised.value
    assert error.exit_code == ExitCode.INTERNAL_ERROR == 70
    assert [d.code for d in error.diagnostics] == ["I001"] and "I001" in CODES
    text = error.diagnostics[0].render()
    assert text.startswith(
        "ledger of test-contract 2025-26: I001 invariant net-payable does not hold for A: net_payable"
    )
    assert "please report it" in text


# --- the command line: a broken engine exits 70 and writes nothing ------------------------------------


def _broken_settlement(real: Any) -> Any:
    def settle_and_break(*args: Any, **kwargs: Any) -> pl.DataFrame:
        ledger = real(*args, **kwargs)
        party = str(ledger.filter(pl.col("line_type") == "base_payment")["party_id"][0])
        return changed(ledger, party, "base_payment", 1)

    return settle_and_break


def test_run_exits_70_and_writes_nothing_when_the_engine_returns_a_broken_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from obc_settle.app import settlement
    from obc_settle.cli import app

    monkeypatch.setattr(settlement, "settle_with_history", _broken_settlement(settlement.settle_with_history))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "run",
            str(DIABETES),
            "--data",
            str(DIABETES_DATA),
            "--period",
            "2025-26-Q3",
            "--out",
            str(out),
            "--format",
            "html",
        ],
    )
    assert result.exit_code == 70, result.stderr
    assert " I001 invariant money-conserved does not hold" in result.stderr
    assert "nothing was written" in result.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_estimate_exits_70_and_writes_nothing_when_the_engine_returns_a_broken_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from obc_settle.app import whatif
    from obc_settle.cli import app

    monkeypatch.setattr(whatif, "settle", _broken_settlement(whatif.settle))
    out = tmp_path / "estimate"
    result = CliRunner().invoke(
        app,
        [
            "estimate",
            str(DIABETES),
            "--data",
            str(DIABETES_DATA),
            "--period",
            "2025-26",
            "--through",
            "2025-09",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 70, result.stderr
    assert " I001 invariant " in result.stderr
    assert not out.exists()
