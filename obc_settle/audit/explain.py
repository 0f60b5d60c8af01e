"""`explain`: how every amount on one provider's statement was derived, step by step, with numbers.

Providers challenge their statements; the answer must be the settlement's own figures, not a
second calculation that might disagree. So every amount here is read off the ledger (the same
lines the statement shows) and the steps between them are shown as the methodology states them
(docs/methodology.md), with the exact product before each rounding or split. Achieved values,
scores, weights and shares are shown exactly as the ledger carries them (`*_exact`: a decimal that
terminates, or a fraction such as `141/194`), so every product can be checked by hand. The one
figure worked out here is the score, from the formula with its inputs (the steps are the scoring
method's own, `obc_settle.scoring_methods`); the score that money was computed from is the
ledger's, and the two agree.

The result is a plain JSON-ready document; `explain_text` turns it into terminal lines.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl

from obc_settle import scoring_methods
from obc_settle.audit.evidence import rows_counted
from obc_settle.audit.explain_history import payment_history
from obc_settle.audit.explain_risk_share import risk_share_steps
from obc_settle.audit.explain_slope import line_slope, slope_and_points
from obc_settle.audit.explain_subcontract import subcontract_explained
from obc_settle.audit.explain_values import indicator_value, previous_year_aspiration
from obc_settle.contract.models import Contract, Indicator
from obc_settle.engine.exact import fraction_text
from obc_settle.errors import Diagnostic, ExitCode, Location, SettlementError, did_you_mean
from obc_settle.ledger.derivation import derivation_of
from obc_settle.ledger.schema import COMMISSIONER, LineKind, LineType
from obc_settle.money_columns import pence_total
from obc_settle.rationals import shown

_ACHIEVED = {
    "proportion": "N / D",
    "mean": "Σ value_sum / Σ value_count",
    "rate_per_1000": "N × 1000 / D (D in person-years)",
    "observed_expected": "observed / expected = N / D",
    "change_from_baseline": "N / D − baseline",
}


def explain_provider(
    ledger: pl.DataFrame,
    contract: Contract,
    provider_id: str,
    indicator_id: str | None,
    counts: pl.DataFrame | None,
    run_id: str,
) -> dict[str, Any]:
    providers = [
        p for p in ledger.get_column("party_id").unique(maintain_order=True).to_list() if p != COMMISSIONER
    ]
    if provider_id not in providers:
        message = f"no provider {provider_id!r} in this run (providers: {', '.join(providers)}){did_you_mean(provider_id, providers)}"
        raise SettlementError(ExitCode.USAGE, [Diagnostic("A009", message, Location("--provider"))])
    lines = ledger.filter(pl.col("party_id") == provider_id).sort("line_no").to_dicts()
    commissioner = ledger.filter(pl.col("party_id") == COMMISSIONER).to_dicts()
    outcome_lines = [line for line in lines if line["line_type"] == LineType.OUTCOME]
    shown = [line for line in outcome_lines if indicator_id in (None, line["indicator_id"])]
    if indicator_id is not None and not shown:  # without --indicator, a provider may have no outcome line
        ids = [line["indicator_id"] for line in outcome_lines]
        message = f"provider {provider_id!r} has no line for indicator {indicator_id!r} (it has {', '.join(ids)}){did_you_mean(str(indicator_id), ids)}"
        raise SettlementError(ExitCode.USAGE, [Diagnostic("A009", message, Location("--indicator"))])
    first = lines[0]
    contract = contract.in_force(first["contract_year"])  # names and terms of the version settled
    provider = next(p for p in contract.providers if p.id == provider_id)
    indicators = {indicator.id: (domain, indicator) for domain, indicator in contract.indicators()}
    return {
        "run_id": run_id,
        "contract_id": first["contract_id"],
        "contract_version": first["contract_version"],
        "contract_name": contract.name,
        "currency": contract.currency,
        "contract_year": first["contract_year"],
        "settlement_period": first["settlement_period"],
        "status": first["status"],
        "provider": {"id": provider_id, "name": provider.name, "role": first["party_role"]},
        "period_value": _period_value(commissioner),
        "base_payment": _base_payment([line for line in lines if line["line_type"] == LineType.BASE_PAYMENT]),
        "indicator_filter": indicator_id,
        "indicators": [
            _indicator(
                line,
                indicators,
                contract,
                counts,
                _amount(commissioner, LineType.OUTCOME_POOL),
                first["contract_year"],
            )
            for line in shown
        ],
        "other_payments": _other_payments(
            lines, ledger.filter(pl.col("line_type") == LineType.OUTCOME).to_dicts()
        ),
        "totals": _totals(ledger, lines),
    }


OTHER_PAYMENTS = (
    LineType.POINTS,
    LineType.ASPIRATION,
    LineType.RISK_SHARE,
    LineType.RATE_CARD,
    LineType.SUBCONTRACT,
    LineType.RESTATEMENT,
)


def _other_payments(
    lines: list[dict[str, Any]], outcomes: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Each line of the other mechanisms, derived: the provider's share of its pool where the line
    has one (share × pool, split by largest remainder), and the ledger's own derivation of how the
    pool was found (its note, amounts in pence)."""
    derived = []
    for line in lines:
        if line["line_type"] not in OTHER_PAYMENTS:
            continue
        item: dict[str, Any] = {
            "line_type": line["line_type"],
            "amount_pence": line["amount_pence"],
            "note": line.get("note") or "",
        }
        item |= previous_year_aspiration(line)
        share = exact_figure(line, "share")
        if share is not None and line.get("pool_pence") is not None:
            product = line["pool_pence"] * share
            item["formula"] = (
                f"share × pool = {shown(share)} × {line['pool_pence']} = {shown(product)} → {line['amount_pence']} "
                "(largest remainder among the providers)"
            )
        if line["line_type"] == LineType.RISK_SHARE and line.get("derivation"):
            item["derivation"] = derivation_of(line["derivation"])
            item["steps"] = risk_share_steps(item["derivation"])
        if line["line_type"] == LineType.SUBCONTRACT and line.get("derivation"):
            item.update(subcontract_explained(line, outcomes or []))
        derived.append(item)
    return derived


def _line(lines: list[dict[str, Any]], line_type: str) -> dict[str, Any] | None:
    return next((line for line in lines if line["line_type"] == line_type), None)


def _amount(lines: list[dict[str, Any]], line_type: str) -> int:
    return sum(int(line["amount_pence"]) for line in lines if line["line_type"] == line_type)


def plain(value: Decimal | float | int | None) -> str | None:
    """A number as written by hand: no exponent, no trailing zeros, floats to ten places."""
    if value is None:
        return None
    if isinstance(value, float):
        text = f"{value:.10f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    text = format(Decimal(value).normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def exact_figure(line: dict[str, Any], column: str) -> Fraction | None:
    """A ledger figure exactly: its `*_exact` text, or (a ledger written before those columns) the decimal."""
    text = line.get(f"{column}_exact")
    if text is not None:
        return Fraction(text)
    value = line.get(column)
    return None if value is None else Fraction(Decimal(str(value)))


def _period_value(commissioner: list[dict[str, Any]]) -> dict[str, Any]:
    value, pool = _line(commissioner, LineType.CONTRACT_VALUE), _line(commissioner, LineType.OUTCOME_POOL)
    assert value is not None and pool is not None
    exact = Decimal(value["amount_pence"]) * pool["share"]
    return {
        "contract_value_pence": value["amount_pence"],
        "contract_value_note": value["note"],
        "withheld_proportion": plain(pool["share"]),
        "outcome_pool_exact": plain(exact),
        "outcome_pool_pence": pool["amount_pence"],
        "outcome_pool_formula": f"round({value['amount_pence']} × {plain(pool['share'])}) = round({plain(exact)}) = {pool['amount_pence']}",
        "base_pool_pence": value["amount_pence"] - pool["amount_pence"],
        "base_pool_formula": f"{value['amount_pence']} − {pool['amount_pence']} = {value['amount_pence'] - pool['amount_pence']}",
    }


def _base_payment(base_lines: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The base payment: pool × share, split among the providers by largest remainder; paid in
    monthly instalments (several lines, each naming its month), also split into the months."""
    if not base_lines:
        return None
    line = base_lines[0]
    share = exact_figure(line, "share") or Fraction(0)
    product = line["pool_pence"] * share
    total = sum(int(item["amount_pence"]) for item in base_lines)
    derived = {
        "base_pool_pence": line["pool_pence"],
        "base_share": fraction_text(share),
        "exact": fraction_text(product),
        "amount_pence": total,
        "formula": f"{line['pool_pence']} × {shown(share)} = {shown(product)} → {total} (largest remainder among the providers)",
    }
    if len(base_lines) > 1:
        parts = " + ".join(f"{item['amount_pence']} ({item['window_first_month']})" for item in base_lines)
        derived["instalments"] = [
            {"month": item["window_first_month"], "amount_pence": item["amount_pence"]} for item in base_lines
        ]
        derived["instalments_formula"] = (
            f"{total} in {len(base_lines)} monthly instalments, split by largest remainder: {parts}"
        )
    return derived


def _indicator(
    line: dict[str, Any],
    indicators: dict[str, Any],
    contract: Contract,
    counts: pl.DataFrame | None,
    outcome_pool: int,
    year: str,
) -> dict[str, Any]:
    domain, indicator = indicators[line["indicator_id"]]
    available, score = line["available_pence"], exact_figure(line, "score")
    weight, share = exact_figure(line, "weight") or Fraction(0), exact_figure(line, "share") or Fraction(0)
    slope, slope_text = line_slope(line, contract)
    pool_exact = outcome_pool * weight
    share_exact = line["pool_pence"] * share
    earned_exact = available * score * slope if score is not None and slope is not None else None
    by_slope = "" if slope == 1 else f" × exchange slope {slope_text}"
    rounded = "round" if contract.outcome_framework.fixed_slope is not None else "split"
    earned_formula = (
        f"{rounded}({available} × {shown(score)}{by_slope}) = {rounded}({shown(earned_exact)}) = {line['amount_pence']}"
        if earned_exact is not None
        else f"no score: {line['amount_pence']}"
        if slope is not None
        else f"no slope: {line['amount_pence']}"
    )
    return {
        "indicator_id": indicator.id,
        "name": indicator.name,
        "domain": {"id": domain.id, "name": domain.name, "weight": plain(domain.weight)},
        "kind": line["indicator_kind"],
        "attribution": line["attribution"],
        "window": line["window"],
        "months": [line["window_first_month"], line["window_last_month"]],
        "rows": rows_counted(line, indicator, counts),
        "numerator": plain(line["numerator"]),
        "denominator": plain(line["denominator"]),
        "achieved": fraction_text(exact_figure(line, "achieved")),
        "achieved_formula": _achieved_formula(line, indicator),
        "scorable": line["scorable"],
        "minimum_denominator": line["minimum_denominator"],
        "small_numbers_policy": line["small_numbers_policy"],
        "scoring": _scoring(line, indicator, year),
        "score": fraction_text(score),
        "score_shown": shown(score, " (exact)"),
        "exchange_slope": slope_text,
        **slope_and_points(line),
        "indicator_weight": plain(indicator.weight),
        **indicator_value(line, score),
        "effective_weight": fraction_text(weight),
        "pool_exact": fraction_text(pool_exact),
        "pool_formula": f"{outcome_pool} × {shown(weight)} = {shown(pool_exact)} → {line['pool_pence']}",
        "pool_pence": line["pool_pence"],
        "share_rule": _share_rule(line, contract),
        "share": fraction_text(share),
        "available_exact": fraction_text(share_exact),
        "available_pence": available,
        "earned_exact": fraction_text(earned_exact),
        "earned_formula": earned_formula,
        "earned_pence": line["amount_pence"],
        "unearned_pence": available - line["amount_pence"],
        "note": line["note"],
    }


def _achieved_formula(line: dict[str, Any], indicator: Indicator) -> str:
    n, d, achieved = (
        plain(line["numerator"]),
        plain(line["denominator"]),
        shown(exact_figure(line, "achieved"), " (exact)"),
    )
    if achieved is None:
        return f"N = {n}, D = {d}: no achieved value" + (" (D is 0)" if not line["denominator"] else "")
    numbers = {
        "rate_per_1000": f"{n} × 1000 / {d}",
        "change_from_baseline": f"{n} / {d} − {plain(line['baseline'])}",
    }
    formula = f"{_ACHIEVED[line['indicator_kind']]} = {numbers.get(line['indicator_kind'], f'{n} / {d}')} = {achieved}"
    if indicator.kind == "rate_per_1000" and indicator.rate_denominator == "people_each_month":
        formula += "; D = person-years = Σ monthly registers / 12"
    return formula


def _scoring(line: dict[str, Any], indicator: Indicator, year: str) -> dict[str, Any]:
    method = line["scoring_method"]
    scoring = scoring_methods.get(method)  # an unknown method is an error, never explained as another
    sign = -1 if line["direction"] == "lower_is_better" else 1
    terms = indicator.levels_for(year)
    exact_levels = {
        "a": exact_figure(line, "achieved"),
        "T": Fraction(terms.threshold),
        "G": Fraction(terms.target),
        "B": None if indicator.baseline is None else Fraction(indicator.baseline),
    }
    levels = {k: fraction_text(v) for k, v in exact_levels.items()}
    signed = {k: (sign * v if v is not None else None) for k, v in exact_levels.items()}
    bands = [(sign * Fraction(b.level), Fraction(b.score)) for b in (indicator.scoring.bands or [])]
    result: dict[str, Any] = {"method": method, "direction": line["direction"], **levels}
    if bands:
        result["bands"] = [
            {"level": plain(b.level), "score": plain(b.score)} for b in indicator.scoring.bands or []
        ]
    steps = []
    if sign < 0:
        steps.append(
            "lower is better: a, T, G, B and band levels are negated: "
            + ", ".join(f"{k} = {fraction_text(v)}" for k, v in signed.items() if v is not None)
        )
    if not line["scorable"]:
        steps.append(f"not scorable: {line['note']}" if line["note"] else "not scorable")
        result["steps"] = steps
        return result
    a, t, g, b = signed["a"], signed["T"], signed["G"], signed["B"]
    assert a is not None and t is not None and g is not None
    point_decimals = indicator.scoring.point_decimals or 0
    steps += scoring.explain(scoring_methods.Levels(a, t, g, b, tuple(bands), point_decimals))
    result["steps"] = steps
    return result


def _share_rule(line: dict[str, Any], contract: Contract) -> str:
    if line["attribution"] == "individual":
        return "individual indicator: the whole pool is the provider's (share 1)"
    rule = contract.share_rule
    text = {
        "base_share": "pro rata to base share",
        "fixed": "fixed shares",
        "by_quantity": f"by quantity of {rule.quantity} in the period",
    }[rule.method]
    if rule.caps:
        text += "; caps " + ", ".join(f"{p} {plain(c)}" for p, c in rule.caps.items()) + " (water filling)"
    return text


_PART_NAMES = {"base_payment": "base", "outcome": "earned", "redistributed_unearned": "redistributed"}


def _totals(ledger: pl.DataFrame, lines: list[dict[str, Any]]) -> dict[str, Any]:
    """The provider's payment lines for the period add up to its net payable (restatements of
    earlier periods and payments on account then give what is due now, when the run nets them)."""
    withheld, earned = _amount(lines, LineType.WITHHELD), _amount(lines, LineType.OUTCOME)
    available = sum(int(line["available_pence"]) for line in lines if line["line_type"] == LineType.OUTCOME)
    parts: dict[str, int] = {}
    for line in lines:
        if line["kind"] == LineKind.PAYMENT and line["line_type"] != "restatement":
            parts[line["line_type"]] = parts.get(line["line_type"], 0) + int(line["amount_pence"])
    net = _amount(lines, LineType.NET_PAYABLE)
    names = " + ".join(_PART_NAMES.get(kind, kind.replace("_", " ")) for kind in parts)
    redistributed_line = _line(lines, LineType.REDISTRIBUTED_UNEARNED)
    totals: dict[str, Any] = {
        "withheld_pence": withheld,
        "withheld_formula": f"Σ available = {available}",
        "earned_pence": earned,
        "unearned_pence": _amount(lines, LineType.UNEARNED),
        "unearned_formula": f"withheld − earned = {withheld} − {earned} = {withheld - earned}",
        "redistributed_pence": None
        if redistributed_line is None
        else _amount(lines, LineType.REDISTRIBUTED_UNEARNED),
        "parts_pence": parts,
        "net_payable_pence": net,
        "net_payable_formula": f"{names} = {' + '.join(str(v) for v in parts.values())} = {sum(parts.values())}",
        "adds_up": sum(parts.values()) == net and available == withheld,
    }
    if redistributed_line is not None:
        others = ledger.filter(pl.col("party_id") != COMMISSIONER)
        pot = pence_total(others.filter(pl.col("line_type") == LineType.UNEARNED)["amount_pence"])
        all_earned = pence_total(others.filter(pl.col("line_type") == LineType.OUTCOME)["amount_pence"])
        exact = Decimal(pot) * earned / all_earned if all_earned else Decimal(0)
        totals["redistributed_formula"] = (
            f"all providers' unearned × earned / all providers' earned = {pot} × {earned} / {all_earned} = "
            f"{plain(exact.quantize(Decimal('0.000001')))} → {totals['redistributed_pence']} (largest remainder)"
        )
    history = payment_history(lines, net)
    totals.update({key: value for key, value in history.items() if key != "history_adds_up"})
    totals["adds_up"] = totals["adds_up"] and history.get("history_adds_up", True)
    return totals
