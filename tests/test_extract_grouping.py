"""The single pass groups text keys by one hashed key (obc_settle.extracts.grouping): the sums must
be those of grouping by the texts, a collision between keys the contract knows must send the file
to the text grouping, and unknown keys must still be found."""

from __future__ import annotations

import random
from pathlib import Path

import polars as pl
import pytest
from engine_support import contract_from, domain, indicator

from obc_settle.contract.models import Contract
from obc_settle.digests import file_sha256
from obc_settle.extracts import read_extracts
from obc_settle.extracts.grouping import HashedGrouping, known_keys
from obc_settle.extracts.records import RECORD_EXTRACT_SCHEMA, record_checks, record_measures
from obc_settle.extracts.single_pass import file_sums


@pytest.fixture(scope="module")
def contract() -> Contract:
    return contract_from(
        domains=[
            domain(
                "d1",
                "1",
                indicator("i1", weight="0.5"),
                indicator("m1", kind="mean", threshold="6", target="7", weight="0.5"),
            )
        ]
    )


def records(path: Path, count: int, seed: int, provider_ids: tuple[str, ...] = ("A", "B", "C")) -> Path:
    draw = random.Random(seed)
    rows = []
    for number in range(count):
        indicator_id = draw.choice(["i1", "m1"])
        in_denominator = draw.random() < 0.9
        value = (
            round(draw.uniform(0, 10), 1)
            if indicator_id == "m1" and in_denominator and draw.random() < 0.7
            else None
        )
        numerator = in_denominator and indicator_id == "i1" and draw.random() < 0.6
        period = f"2025-{draw.randint(4, 12):02d}"
        rows.append(
            (
                number,
                draw.choice(provider_ids),
                indicator_id,
                period,
                in_denominator,
                numerator,
                draw.random() < 0.05,
                value,
            )
        )
    pl.DataFrame(rows, schema=RECORD_EXTRACT_SCHEMA, orient="row").write_parquet(path, row_group_size=97)
    return path


def single_pass(path: Path, contract: Contract, grouping: HashedGrouping | None) -> pl.DataFrame:
    scan = pl.scan_parquet(path)
    schema = scan.collect_schema()
    result = file_sums(scan, record_checks(schema, contract), record_measures(schema), grouping=grouping)
    assert result.clean
    return result.monthly.sort("provider_id", "indicator_id", "period")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_hashed_grouping_gives_the_sums_of_grouping_by_text(
    tmp_path: Path, contract: Contract, seed: int
) -> None:
    path = records(tmp_path / "records.parquet", 3_000, seed)
    grouping = HashedGrouping(known_keys(contract), file_sha256(path))
    assert grouping.applies(pl.scan_parquet(path).collect_schema(), ["provider_id", "indicator_id", "period"])
    by_hash, by_text = single_pass(path, contract, grouping), single_pass(path, contract, None)
    assert by_hash.height == 3 * 2 * 9
    assert by_hash.equals(by_text)


class Colliding(HashedGrouping):
    """Every key hashes alike: a collision between known keys, which must be noticed."""

    def key(self, columns: list[str]) -> pl.Expr:
        return super().key(columns) & 0


def test_a_collision_between_known_keys_falls_back_to_grouping_by_text(
    tmp_path: Path, contract: Contract
) -> None:
    path = records(tmp_path / "records.parquet", 500, 4)
    colliding = Colliding(known_keys(contract), file_sha256(path))
    assert not colliding.collision_free(["provider_id", "indicator_id", "period"])
    assert colliding.collision_free(["provider_id"]) is False
    assert single_pass(path, contract, colliding).equals(single_pass(path, contract, None))


def test_known_keys_hash_apart_and_seeds_follow_the_file(tmp_path: Path, contract: Contract) -> None:
    known = known_keys(contract)
    assert (
        known.provider_id == ("A", "B", "C")
        and known.period[0] == "2025-04"
        and known.period[-1] == "2026-03"
    )
    first, second = HashedGrouping(known, "0" * 64), HashedGrouping(known, "1" * 64)
    assert first.collision_free(["provider_id", "indicator_id", "period"])
    frame = pl.DataFrame({"provider_id": ["A"], "indicator_id": ["i1"], "period": ["2025-04"]})
    columns = ["provider_id", "indicator_id", "period"]
    assert frame.select(first.key(columns)).item() != frame.select(second.key(columns)).item()


def test_unknown_keys_are_still_found_with_hashed_grouping(tmp_path: Path, contract: Contract) -> None:
    path = records(tmp_path / "records.parquet", 400, 5, provider_ids=("A", "B", "Z"))
    extracts, findings = read_extracts(path, contract)
    assert extracts is None
    assert [f.code for f in findings] == ["D007"]
    assert "'Z'" in findings[0].message


def test_a_contract_with_too_many_keys_to_check_is_grouped_by_text(
    tmp_path: Path, contract: Contract, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = records(tmp_path / "records.parquet", 500, 6)
    grouping = HashedGrouping(known_keys(contract), file_sha256(path))
    columns = ["provider_id", "indicator_id", "period"]
    assert grouping.collision_free(columns)
    monkeypatch.setattr("obc_settle.extracts.grouping.MAX_KNOWN_KEYS", 3 * 2 * 12 - 1)
    assert not grouping.collision_free(columns)
    assert single_pass(path, contract, grouping).equals(single_pass(path, contract, None))
