"""Shared helpers for the contract, scoring, rules and property tests.

- `contract_yaml(...)` writes the text of a small valid contract from Python values (decimals are
  written as plain YAML numbers, dates as YAML dates), with sensible defaults:
  one contract year 2025-26 worth 100,000.00 pounds (10,000,000 pence) with 10% withheld, so a
  whole-year settlement has an outcome pool of 1,000,000 pence and a base pool of 9,000,000 pence;
  providers A/B/C with base shares 0.5/0.3/0.2; one domain with one linear higher-is-better
  proportion indicator `i1` (threshold 0.6, target 0.7).
- `load_text(text)` writes the text to a temporary file and loads it with `load_contract`.
- `contract_from(...)` = `load_text(contract_yaml(...))`, asserting there are no findings.
- `monthly(rows)` builds a monthly frame with `MONTHLY_SCHEMA` straight from tuples.
- `amounts(ledger)` and friends read the ledger back as plain dicts for assertions.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from obc_settle.contract import load_contract
from obc_settle.contract.loader import LoadedContract
from obc_settle.contract.models import Contract
from obc_settle.errors import Diagnostic
from obc_settle.extracts.schema import MONTHLY_SCHEMA

COMMISSIONER = "commissioner"
YEAR = "2025-26"


class _Dumper(yaml.SafeDumper):
    pass


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(Decimal, _decimal)


def dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True)


def D(text: str | int) -> Decimal:
    return Decimal(str(text))


def indicator(
    indicator_id: str = "i1",
    *,
    kind: str = "proportion",
    direction: str = "higher_is_better",
    threshold: str = "0.6",
    target: str = "0.7",
    weight: str = "1",
    **extra: Any,
) -> dict[str, Any]:
    """An indicator mapping; extra keys (scoring, baseline, window, ...) are added as given."""
    body: dict[str, Any] = {
        "id": indicator_id,
        "name": f"Indicator {indicator_id}",
        "kind": kind,
        "direction": direction,
        "threshold": D(threshold),
        "target": D(target),
        "weight": D(weight),
    }
    if kind == "rate_per_1000":
        body["rate_denominator"] = "person_years"
    for key, value in extra.items():
        body[key] = D(value) if key == "baseline" else value
    return body


def domain(domain_id: str, weight: str, *indicators: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": domain_id,
        "name": f"Domain {domain_id}",
        "weight": D(weight),
        "indicators": list(indicators),
    }


def contract_dict(
    *,
    providers: Sequence[tuple[str, str]] = (("A", "0.5"), ("B", "0.3"), ("C", "0.2")),
    years: Sequence[tuple[str, str, str]] = ((YEAR, "100000.00", "0.1"),),
    term: tuple[str, str] | None = None,
    domains: Sequence[dict[str, Any]] | None = None,
    indicators: Sequence[dict[str, Any]] | None = None,
    share_rule: dict[str, Any] | None = None,
    unearned: str | None = None,
    **sections: Any,
) -> dict[str, Any]:
    """A valid contract as a dict. `indicators` is shorthand for one domain of weight 1; other
    keyword arguments are added as top-level sections (payment_terms, risk_share, ...)."""
    if domains is None:
        domains = [domain("d1", "1", *(indicators or [indicator()]))]
    if term is None:
        first = int(years[0][0][:4])
        last = int(years[-1][0][:4])
        term = (f"{first}-04-01", f"{last + 1}-03-31")
    body: dict[str, Any] = {
        "schema_version": 1,
        "id": "test-contract",
        "name": "Test contract",
        "commissioners": ["Test CCG"],
        "population_segment": "Test population",
        "model": "alliance",
        "term": {"start": datetime.date.fromisoformat(term[0]), "end": datetime.date.fromisoformat(term[1])},
        "providers": [
            {
                "id": pid,
                "name": f"Provider {pid}",
                "role": "lead" if index == 0 else "member",
                "base_share": D(share),
            }
            for index, (pid, share) in enumerate(providers)
        ],
        "contract_years": [
            {"year": year, "contract_value": D(value), "withheld_proportion": D(withheld)}
            for year, value, withheld in years
        ],
        "outcome_framework": {"domains": list(domains)},
    }
    if share_rule is not None:
        body["share_rule"] = share_rule
    if unearned is not None:
        body["unearned"] = unearned
    body.update(sections)
    return body


def contract_yaml(**kwargs: Any) -> str:
    return dump(contract_dict(**kwargs))


def load_text(
    text: str | bytes, name: str = "contract.yaml"
) -> tuple[LoadedContract | None, list[Diagnostic]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return load_contract(path, display_name=name)


def contract_from(**kwargs: Any) -> Contract:
    loaded, findings = load_text(contract_yaml(**kwargs))
    assert findings == [], [f.render() for f in findings]
    assert loaded is not None
    return loaded.contract


def monthly(rows: Iterable[tuple[Any, ...]]) -> pl.DataFrame:
    """Monthly sums from tuples.

    Each tuple is (provider, indicator, period, numerator, denominator) or
    (provider, indicator, period, numerator, denominator, value_sum, value_count); `rows` is 1.
    """
    full = []
    for row in rows:
        provider, indicator_id, period, numerator, denominator, *rest = row
        value_sum, value_count = rest if rest else (0, 0)
        full.append(
            (
                provider,
                indicator_id,
                period,
                D(numerator),
                D(denominator),
                D(value_sum),
                int(value_count),
                1,
                0,
            )
        )
    return pl.DataFrame(full, schema=MONTHLY_SCHEMA, orient="row")


def three_kinds_contract() -> Contract:
    """One domain with a proportion `i1`, a rate per 1,000 `r1` and a mean `m1` (the extract checks' contract)."""
    return contract_from(
        domains=[
            domain(
                "d1",
                "1",
                indicator("i1", weight="0.4"),
                indicator(
                    "r1",
                    kind="rate_per_1000",
                    direction="lower_is_better",
                    threshold="3",
                    target="2",
                    weight="0.3",
                ),
                indicator("m1", kind="mean", threshold="6", target="7", weight="0.3"),
            )
        ]
    )


def empty_monthly() -> pl.DataFrame:
    return pl.DataFrame(schema=MONTHLY_SCHEMA)


def lines(ledger: pl.DataFrame, line_type: str, party: str | None = None) -> pl.DataFrame:
    frame = ledger.filter(pl.col("line_type") == line_type)
    return frame if party is None else frame.filter(pl.col("party_id") == party)


def by_party(ledger: pl.DataFrame, line_type: str) -> dict[str, int]:
    """Sum of amount_pence of one line type, by party."""
    frame = lines(ledger, line_type).group_by("party_id").agg(pl.col("amount_pence").sum())
    return {row[0]: int(row[1]) for row in frame.iter_rows()}


def outcome_by_party(ledger: pl.DataFrame, indicator_id: str) -> dict[str, int]:
    frame = lines(ledger, "outcome").filter(pl.col("indicator_id") == indicator_id)
    return {row["party_id"]: int(row["amount_pence"]) for row in frame.iter_rows(named=True)}


def exact(value: Any) -> Decimal | None:
    """A ledger number (float or decimal column) as a Decimal, for exact comparison."""
    return None if value is None else Decimal(str(value))


def score_of(ledger: pl.DataFrame, indicator_id: str) -> Decimal | None:
    """The indicator's score as shown on the commissioner's retained line."""
    frame = lines(ledger, "retained", COMMISSIONER).filter(pl.col("indicator_id") == indicator_id)
    assert frame.height == 1
    return exact(frame.item(0, "score"))


def indicator_row(ledger: pl.DataFrame, indicator_id: str) -> dict[str, Any]:
    frame = lines(ledger, "retained", COMMISSIONER).filter(pl.col("indicator_id") == indicator_id)
    assert frame.height == 1
    return frame.row(0, named=True)


def total(ledger: pl.DataFrame, line_type: str) -> int:
    return int(lines(ledger, line_type).get_column("amount_pence").sum())
