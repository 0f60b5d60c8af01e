"""The broken-contracts corpus: each file in tests/bad_contracts/ with exactly the findings it must give.

Every case is `_valid_base.yaml` (a valid two-year contract) with a comment on line 1 and one to
three problems put in, so line numbers below are those of the base plus one (plus any lines the
case inserts). Positions are 1-based (line, column) as a reader counts them in an editor; the
working for each is in the comment beside it. All problems of a file must come out of one
`load_contract` call, and no other finding may come out with them.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from obc_settle.contract import load_contract
from obc_settle.errors import CODES

CASES_DIR = Path(__file__).parent / "bad_contracts"
SAMPLE_CONTRACTS = sorted((Path(__file__).parent.parent / "contracts").glob("*.yaml"))

# Base layout (after the comment line): 9 `  start:` (value at column 10), 12 `  - id: A`
# (sequence dash at column 3, mapping at column 5, id value at column 9), 16 `  - id: B`,
# 21-22 contract years in flow style (`  - {year: ` puts the year value at column 12),
# 25 `    - id: clinical` (domains sequence dash at column 5), 29 `        - id: hba1c`
# (indicators dash at column 9, mapping at 11, id value at 15), 33 `          threshold: 0.6`
# (value at column 22), 36 `    - id: wellbeing`, 40 `        - id: confidence`,
# 47 `        - id: admissions`, 51 admissions threshold, 54 `share_rule:`, 56 `unearned:`.
EXPECTED: dict[str, set[tuple[str, int, int]]] = {
    # `model: alliance: extra`: "model: alliance" is 15 characters, so the second ':' is column 16.
    "yaml_syntax_error": {("C002", 7, 16)},
    # A tab at the very start of line 14 cannot start any token.
    "tab_indentation": {("C002", 14, 1)},
    # `name:` again on the inserted line 8, column 1.
    "duplicate_top_level_key": {("C003", 8, 1)},
    # `    role: lead` inserted as line 20 (key at column 5); `          threshold: 3.5` inserted
    # as line 54 (key at column 11).
    "duplicate_nested_keys": {("C003", 20, 5), ("C003", 54, 11)},
    # `          scoring: &linear {...}`: 10 spaces + "scoring: " (9) = 19, so '&' at column 20;
    # `          scoring: *linear` on line 46: '*' at column 20.
    "anchors_and_aliases": {("C004", 35, 20), ("C004", 46, 20)},
    # `name: !!python/object/apply:...`: the tag starts the value at column 7.
    "python_object_tag": {("C004", 4, 7)},
    # `  - <<: {name: Provider B}` on line 16: the merge key at column 5.
    "merge_key": {("C004", 16, 5)},
    "empty_file": {("C005", 1, 1)},
    "top_level_list": {("C005", 1, 1)},
    # Latin-1 0xE9 in `name: Contrat de santé` on line 4: "name: Contrat de sant" is 21 bytes.
    "not_utf8": {("C001", 4, 22)},
    # `          directon:` key at column 11 of line 43; 'direction' then missing from the
    # indicator mapping starting at line 40 column 11; `unearnd:` at line 56 column 1.
    "unknown_keys_did_you_mean": {("C010", 43, 11), ("C011", 40, 11), ("C010", 56, 1)},
    # Provider B (mapping at line 16, column 5) has no name; confidence (mapping at line 39,
    # column 11, one line earlier since B's name line was removed) has no target.
    "missing_required_keys": {("C011", 16, 5), ("C011", 39, 11)},
    # `  - {year: 2026-27, contract_value: 1000000.00, withheld_proportion: "10%"}`:
    # 5 ('{') + len('year: 2026-27, contract_value: 1000000.00, withheld_proportion: ') (64) = 69,
    # so the quoted value starts at column 70.
    "percent_string": {("C012", 22, 70)},
    # `  year_starts: January` inserted as line 11, so the years are on lines 22-23; the second,
    # `  - {year: 2026-27, ...}`, is of the April form: its value at column 12.
    "contract_year_of_another_form": {("C045", 23, 12)},
    # Indicator values (lines 35, 46, 53) add up to 2025-26's pool (5% of £1m) but not 2026-27's
    # (10%): C057 at that year's withheld_proportion (column 70, as in percent_string); the domain
    # weights kept beside them (keys on lines 27 and 38, column 7): C056.
    "indicator_values_not_the_pool": {("C057", 22, 70), ("C056", 27, 7), ("C056", 38, 7)},
    "nan_threshold": {("C012", 33, 22)},
    # `  start: 2025-02-30`: value at column 10.
    "impossible_date": {("C012", 9, 10)},
    # Shares 0.6 + 0.5 = 1.1 -> providers sequence (line 12, column 3); domain weights
    # 0.6 + 0.3 = 0.9 -> domains sequence (line 25, column 5); wellbeing indicator weights
    # 0.4 + 0.5 = 0.9 -> its indicators sequence (line 40, column 9).
    "weights_and_shares_do_not_sum_to_one": {("C021", 12, 3), ("C020", 25, 5), ("C020", 40, 9)},
    # clinical's only indicator weighs 0.9 -> clinical's indicators sequence (line 29, column 9).
    "indicator_weights_do_not_sum_to_one": {("C020", 29, 9)},
    # threshold 0.8 above target 0.7 for higher-is-better: the threshold value, line 33 column 22.
    "threshold_above_target_higher_is_better": {("C022", 33, 22)},
    # admissions threshold 2.0 below target 2.4 (line 51, column 22); by_year 2026-27
    # `            2026-27: {threshold: 2.0, ...}`: '{' at 22, "threshold: " 23-33, value at 34.
    "threshold_below_target_lower_is_better": {("C022", 51, 22), ("C022", 54, 34)},
    # Term 2025-04-01..2028-03-31 needs 2025-26, 2026-27, 2027-28; 2026-27 missing ->
    # contract_years sequence (line 21, column 3).
    "contract_years_with_gap": {("C023", 21, 3)},
    # 2025-26 again at line 22, column 12; and so 2026-27 is missing (line 21, column 3).
    "contract_year_listed_twice": {("C023", 22, 12), ("C023", 21, 3)},
    # 2027-28 (line 23, column 12) is after the term; by_year key 2030-31 at line 37, column 13.
    "contract_year_outside_term": {("C023", 23, 12), ("C024", 37, 13)},
    # start 2025-05-01 (line 9, column 10) and end 2027-03-30 (line 10, `  end: ` -> column 8).
    "term_not_starting_1_april": {("C028", 9, 10), ("C028", 10, 8)},
    # The indicator mapping itself: line 29, column 11.
    "individual_indicator_without_provider": {("C024", 29, 11)},
    # `          provider: AA` on line 37: 10 + len("provider: ") (10) -> column 21.
    "individual_indicator_with_unknown_provider": {("C024", 37, 21)},
    # The second `  - id: A` on line 16: value at column 9.
    "duplicate_provider_id": {("C025", 16, 9)},
    # `        - id: hba1c` on line 40: value at column 15.
    "duplicate_indicator_id_across_domains": {("C025", 40, 15)},
    # `          scoring: {method: banded}` on line 45: no bands key, so the scoring mapping '{'
    # at column 20.
    "banded_without_bands": {("C027", 45, 20)},
    # `            method: improvement` (line 35): 12 + 8 -> column 21;
    # `          scoring: {method: best_of}` (line 54): '{' at 20, value at 29.
    "improvement_without_baseline": {("C027", 35, 21), ("C027", 54, 29)},
    # `  fixed: {A: 0.5, B: 0.4}` on line 56: 0.9, the mapping '{' at column 10.
    "fixed_shares_do_not_sum_to_one": {("C026", 56, 10)},
    # `  fixed: {A: 0.5, Bee: 0.5}` (line 56): key Bee at 10 + 1 + len("A: 0.5, ") = 19;
    # `  caps: {A: 0.6, Z: 0.5}` (line 57): '{' at 9, key Z at 18.
    "cap_for_unknown_provider": {("C024", 56, 19), ("C024", 57, 18)},
    # ids `A/1` (line 12) and `..` (line 16) at column 9; cap key `../etc` at line 56, column 10.
    "invalid_provider_ids": {("C012", 12, 9), ("C012", 16, 9), ("C012", 56, 10)},
    # Shares 0.6 + 0.3 (line 12, column 3); threshold 0.75 > target 0.7 (line 33, column 22);
    # by_year key 2024-25 at line 47, column 13.
    "several_rule_problems": {("C021", 12, 3), ("C022", 33, 22), ("C024", 47, 13)},
    # Reader and model findings together: `    role: lead` again on line 20 (column 5); the "10%"
    # on line 23 at column 70 (as in percent_string, one line lower); `unearnd:` at line 57.
    "problems_from_every_reading_layer": {("C003", 20, 5), ("C012", 23, 70), ("C010", 57, 1)},
}


def _findings(name: str) -> tuple[object, list[tuple[str, int | None, int | None]]]:
    loaded, findings = load_contract(CASES_DIR / f"{name}.yaml", display_name=f"{name}.yaml")
    return loaded, [(f.code, f.location.line, f.location.column) for f in findings]


def test_the_corpus_has_at_least_25_cases_and_every_file_has_expectations() -> None:
    files = {path.stem for path in CASES_DIR.glob("*.yaml") if not path.stem.startswith("_")} | {
        "billion_laughs"
    }
    assert len(files) >= 25
    assert files == set(EXPECTED) | {"billion_laughs"}


def test_the_base_every_case_is_made_from_is_valid() -> None:
    loaded, findings = load_contract(CASES_DIR / "_valid_base.yaml")
    assert findings == []
    assert loaded is not None


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_broken_contract_gives_no_contract_and_exactly_its_findings(name: str) -> None:
    loaded, found = _findings(name)
    assert loaded is None
    assert sorted(found) == sorted(EXPECTED[name])
    # Each finding is reported once, and every code is in the catalogue.
    assert len(found) == len(set(found))
    assert all(code in CODES for code, _, _ in found)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_findings_render_with_the_display_name_line_and_column(name: str) -> None:
    _, findings = load_contract(CASES_DIR / f"{name}.yaml", display_name=f"contracts/{name}.yaml")
    for finding in findings:
        line, column = finding.location.line, finding.location.column
        assert finding.render().startswith(f"contracts/{name}.yaml:{line}:{column}: {finding.code} ")


def test_a_billion_laughs_file_is_refused_quickly_with_every_anchor_and_alias_located() -> None:
    # Expected positions are read off the text: each '&' (anchor) and '*' (alias), 1-based.
    text = (CASES_DIR / "billion_laughs.yaml").read_text()
    expected = {
        ("C004", number, column + 1)
        for number, line in enumerate(text.splitlines(), start=1)
        if not line.startswith("#")
        for column, char in enumerate(line)
        if char in "&*"
    }
    # lol0..lol9 carry 10 anchors; lol1..lol9 each 9 aliases: 10 + 81 = 91 findings.
    assert len(expected) == 91
    started = time.perf_counter()
    loaded, found = _findings("billion_laughs")
    assert time.perf_counter() - started < 5
    assert loaded is None
    assert set(found) == expected
    assert len(found) == 91


def test_an_unknown_key_suggests_the_closest_known_key() -> None:
    _, findings = load_contract(CASES_DIR / "unknown_keys_did_you_mean.yaml")
    messages = {f.location.line: f.message for f in findings if f.code == "C010"}
    assert "'directon'" in messages[43] and "did you mean 'direction'?" in messages[43]
    assert "'unearnd'" in messages[56] and "did you mean 'unearned'?" in messages[56]


def test_a_percentage_string_is_rejected_with_the_proportion_to_write_instead() -> None:
    _, findings = load_contract(CASES_DIR / "percent_string.yaml")
    (finding,) = findings
    assert "'10%'" in finding.message
    assert "write 0.1" in finding.message


def test_an_unknown_individual_provider_suggests_a_known_one() -> None:
    _, findings = load_contract(CASES_DIR / "individual_indicator_with_unknown_provider.yaml")
    (finding,) = findings
    assert "'AA'" in finding.message and "did you mean 'A'?" in finding.message


def test_a_duplicate_key_says_where_the_first_one_was() -> None:
    _, findings = load_contract(CASES_DIR / "duplicate_top_level_key.yaml")
    (finding,) = findings
    assert "'name'" in finding.message
    assert "line 4, column 1" in finding.message


def test_a_tab_indentation_error_says_tabs_cannot_indent() -> None:
    # read_yaml means to replace PyYAML's wording with "tab characters cannot indent YAML; use
    # spaces" but PyYAML writes the tab as the two characters backslash and t.
    _, findings = load_contract(CASES_DIR / "tab_indentation.yaml")
    (finding,) = findings
    assert "tab" in finding.message.lower()


def test_weights_findings_name_the_sums() -> None:
    _, findings = load_contract(CASES_DIR / "weights_and_shares_do_not_sum_to_one.yaml")
    messages = sorted(f.message for f in findings)
    assert any("domain weights sum to 0.9" in m for m in messages)
    assert any("'wellbeing' sum to 0.9" in m for m in messages)
    assert any("base shares sum to 1.1" in m for m in messages)


def test_a_contract_larger_than_the_limit_is_refused_without_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("# padding\n" * 220_000)  # 10 bytes x 220,000 = 2,200,000 > 512 KiB (524,288)
    loaded, findings = load_contract(path)
    assert loaded is None
    assert [f.code for f in findings] == ["C006"]


def test_a_missing_contract_file_is_a_c001_finding(tmp_path: Path) -> None:
    loaded, findings = load_contract(tmp_path / "nowhere.yaml")
    assert loaded is None
    assert [f.code for f in findings] == ["C001"]


@pytest.mark.parametrize("path", SAMPLE_CONTRACTS, ids=[p.name for p in SAMPLE_CONTRACTS])
def test_every_sample_contract_loads_with_no_findings(path: Path) -> None:
    loaded, findings = load_contract(path)
    assert [f.render() for f in findings] == []
    assert loaded is not None
    assert loaded.contract.id


def test_there_is_at_least_one_sample_contract() -> None:
    assert SAMPLE_CONTRACTS
