"""The terminal form of an explanation: numbered steps a finance team can follow with a pencil.

It only lays out the document `explain_provider` built; amounts are formatted as pounds with the
pence beside them, so each figure can be found on the statement and in the ledger.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from obc_settle.money import format_pounds, in_unit_words, shown_currency


def _money(pence: int | None) -> str:
    return "—" if pence is None else f"{format_pounds(pence)} ({pence} pence)"


def explanation_lines(document: dict[str, Any]) -> list[str]:
    """The steps, in the currency shown (`money.shown_in`: the CLI shows a run in its contract's)."""
    currency = shown_currency()
    return [in_unit_words(line, currency) for line in _lines(document)]


def _lines(document: dict[str, Any]) -> list[str]:
    provider, value = document["provider"], document["period_value"]
    lines = [
        f"{document['contract_name']} ({document['contract_id']} version {document['contract_version']}), "
        f"{document['settlement_period']} ({document['status']}), run {document['run_id']}",
        f"Provider {provider['id']}: {provider['name']} ({provider['role']})",
        "",
        "1. The money for the period",
        f"   contract value of the period: {_money(value['contract_value_pence'])}"
        + (f" — {value['contract_value_note']}" if value["contract_value_note"] else ""),
        f"   outcome pool = contract value × withheld proportion = {value['outcome_pool_formula']} pence"
        " (rounded to the penny, halves up)",
        f"   base pool = contract value − outcome pool = {value['base_pool_formula']} pence",
    ]
    base = document["base_payment"]
    if base is not None:
        lines += [
            "",
            "2. Base payment",
            f"   base pool × base share = {base['formula']}",
            f"   base payment: {_money(base['amount_pence'])}",
        ]
        if "instalments_formula" in base:
            lines.append(f"   paid monthly: {base['instalments_formula']}")
    for number, item in enumerate(document["indicators"], start=3):
        lines += ["", *_indicator_lines(number, item)]
    step = 3 + len(document["indicators"])
    for item in document.get("other_payments", []):
        lines += [
            "",
            f"{step}. {item['line_type'].replace('_', ' ').capitalize()}: {_money(item['amount_pence'])}",
        ]
        if "basis" in item:
            lines.append(f"   based on: {item['basis']}")
        if "formula" in item:
            lines.append(f"   {item['formula']}")
        lines += [f"   {text}" for text in item.get("steps", [])]
        if item["note"] and not item.get("steps"):
            lines.append(f"   how it was found: {item['note']}")
        step += 1
    totals = document["totals"]
    lines += [
        "",
        f"{step}. How the parts sum to the net payable",
        f"   withheld: {_money(totals['withheld_pence'])} = {totals['withheld_formula']}",
        f"   earned: {_money(totals['earned_pence'])} (the outcome lines)",
        f"   unearned: {_money(totals['unearned_pence'])} = {totals['unearned_formula']}",
    ]
    if totals["redistributed_pence"] is not None:
        lines.append(
            f"   redistributed: {_money(totals['redistributed_pence'])} = {totals['redistributed_formula']}"
        )
    lines.append(
        f"   net payable = {totals['net_payable_formula']} pence = {format_pounds(totals['net_payable_pence'])}"
    )
    for item in totals.get("restatements", []):
        lines.append(f"   restated {item['period']}: {_money(item['amount_pence'])} = {item['formula']}")
    for item in totals.get("paid_on_account", []):
        lines.append(f"   paid on account for {item['period']}: {_money(item['amount_pence'])} (netted off)")
    if "paid_to_date_formula" in totals:
        lines.append(
            f"   paid to date: {_money(totals['paid_to_date_pence'])} = {totals['paid_to_date_formula']}"
        )
    if "due_now_formula" in totals:
        lines.append(
            f"   due now = {totals['due_now_formula']} pence = {format_pounds(totals['due_now_pence'])}"
        )
    lines.append(
        "   the parts add up to the net payable on the statement"
        if totals["adds_up"]
        else "   THE PARTS DO NOT ADD UP: report this"
    )
    if document["indicator_filter"] is not None:
        lines.append(
            f"   (only {document['indicator_filter']} is shown above; the totals cover all the provider's lines)"
        )
    return lines


def _indicator_lines(number: int, item: dict[str, Any]) -> list[str]:
    rows = item["rows"]
    first, last = item["months"]
    lines = [
        f"{number}. {item['indicator_id']}: {item['name']} ({item['domain']['name']}; {item['kind']}, {item['attribution']}, window {item['window']})",
        f"   rows counted: {rows['counted']} extract rows, months {first} to {last}"
        if first
        else f"   rows counted: {rows['counted']}",
    ]
    for entry in rows["files"] or []:
        lines.append(f"     {entry['file']}: {entry['rows']} rows")
    if rows.get("excluded"):
        lines.append(
            f"   excluded: {rows['excluded']} in the denominator's records but excluded "
            "(personalised care adjustments, exceptions): counted in neither N nor D"
        )
    lines += [
        f"   numerator N = {item['numerator']}, denominator D = {item['denominator']}",
        f"   achieved = {item['achieved_formula']}",
        f"   scorable: {'yes' if item['scorable'] else 'no'} (minimum denominator {item['minimum_denominator']}, small numbers: {item['small_numbers_policy']})",
    ]
    scoring = item["scoring"]
    levels = ", ".join(f"{k} = {scoring[k]}" for k in ("T", "G", "B") if scoring.get(k) is not None)
    lines.append(
        f"   scoring: {scoring['method']}, {scoring['direction'].replace('_', ' ')}; threshold/target/baseline {levels}"
    )
    for band in scoring.get("bands", []):
        lines.append(f"     band: level {band['level']} scores {band['score']}")
    lines += [f"   {step}" for step in scoring["steps"]]
    if "points_text" in item:
        lines.append(f"   points: {item['points_text']}")
    lines += [f"   {step}" for step in item.get("exchange_slope_steps", [])]
    lines += [
        f"   score: {item['score_shown']}; money is computed from the exact score, never a rounded one"
        if item["score"] is not None
        else "   score: none (its weight is given to the other indicators)",
        f"   value: {item['value_sentence']}; weight = {item['value_weight_formula']}; effective weight {item['effective_weight']}"
        if "value_sentence" in item
        else f"   weight: domain {item['domain']['weight']} × indicator {item['indicator_weight']}; effective weight {item['effective_weight']}",
        f"   indicator pool = outcome pool × effective weight = {item['pool_formula']} (largest remainder among the indicators): {_money(item['pool_pence'])}",
        f"   share: {item['share']} ({item['share_rule']})",
        f"   available = pool × share = {item['pool_pence']} × {item['share']} = {item['available_exact']} → {item['available_pence']}"
        + (
            " (largest remainder among the parties)"
            if item["attribution"] == "collective"
            else " (the whole pool)"
        ),
        f"   earned = {item['earned_formula']} pence ({item.get('earned_rounding', 'rounded to the penny, halves up')}): {_money(item['earned_pence'])}",
        f"   unearned = {item['available_pence']} − {item['earned_pence']} = {item['unearned_pence']}",
    ]
    if item["note"]:
        lines.append(f"   note: {item['note']}")
    return lines


def people_csv(people: dict[str, Any]) -> str:
    """One row per person and month in each list: `list,patient_id,period,file,place` (and `value`);
    `place` is the row's place in the file as received (`records.csv:17`)."""
    columns = ["list", "patient_id", "period", "file", "place"] + (["value"] if people["mean"] else [])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for name, rows in people["lists"].items():
        for row in rows:
            writer.writerow([name, *(row[column] for column in columns[1:])])
    return buffer.getvalue()


def people_summary(people: dict[str, Any]) -> str:
    counts = people["counts"]
    first, last = people["months"]
    text = (
        f"{people['provider_id']} {people['indicator_id']}, {first} to {last}: {counts['numerator']} in the numerator, "
        f"{counts['denominator']} in the denominator, {counts['excluded']} excluded (the provider's own records)"
    )
    others = people["other_providers_counts"]
    if others:
        text += "; other providers, counts only: " + ", ".join(
            f"{p} {c['numerator']}/{c['denominator']}" for p, c in others.items()
        )
    if people["aggregated_files"]:
        text += f"; {len(people['aggregated_files'])} aggregated extract file(s) hold counts without people"
    elif not people["matches_ledger"]:
        text += "; THE RECORDS DO NOT ADD UP TO THE LEDGER'S COUNTS: report this"
    return text
