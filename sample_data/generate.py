"""Generate the sample indicator extracts, deterministically.

    .venv/bin/python sample_data/generate.py

For each sample contract in `contracts/`, loads the contract (so provider and indicator ids stay
in sync with it) and writes aggregated extracts to `sample_data/<contract file stem>/`, one
Parquet file per quarter (`2025-26-Q1.parquet`, ...). One row per provider x indicator x month:
every provider reports its own rows of a collective indicator; an individual indicator is
reported by its named provider only.

Deterministic: no clock, no environment. Every random draw comes from a `random.Random` seeded
with a text key (contract, indicator, provider, month), so a change to one indicator's recipe
does not move the numbers of any other, and two runs write byte-identical files.

Conventions of the figures (see README.md):
- proportion / change_from_baseline (measure proportion): numerator <= denominator, counts of people;
- mean: value_sum / value_count, survey scores, numerator and denominator null;
- rate_per_1000: numerator = events in the month, denominator = person-years at risk in the month
  (population / 12), so a rate over any window is an annualised rate per 1,000 people;
- observed_expected: numerator = observed, denominator = case-mix expected (bed days);
- the share rule's quantity (`registered_population`): numerator = people attributed to the
  provider in the month, denominator null.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from obc_settle.contract import load_contract
from obc_settle.contract.models import Contract
from obc_settle.extracts.schema import AGGREGATED_EXTRACT_SCHEMA
from obc_settle.periods import ContractYear

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts"
OUT = ROOT / "sample_data"

SCHEMA = AGGREGATED_EXTRACT_SCHEMA

# Winter pressure on emergency activity, by calendar month (mean about 1).
SEASON = {
    1: 1.12,
    2: 1.08,
    3: 1.02,
    4: 0.97,
    5: 0.94,
    6: 0.92,
    7: 0.92,
    8: 0.93,
    9: 0.96,
    10: 1.00,
    11: 1.05,
    12: 1.12,
}


@dataclass(frozen=True)
class Recipe:
    """How one indicator's rows are made.

    volume: monthly total over all reporting providers (people / responses / population / expected).
    levels: (first month, level) steps: the underlying proportion, mean, rate per 1,000 or O/E ratio.
    split: provider -> share of the volume (collective indicators; defaults to the contract's split).
    offsets: provider -> amount added to the level for that provider's rows.
    volume_by_month: calendar month -> factor on the volume (survey waves, seasonal flows).
    seasonal: apply SEASON to events (rates, observed bed days).
    noise: standard deviation of the level's month-to-month wobble.
    """

    volume: float
    levels: tuple[tuple[str, float], ...]
    split: dict[str, float] | None = None
    offsets: dict[str, float] = field(default_factory=dict)
    volume_by_month: dict[int, float] = field(default_factory=dict)
    seasonal: bool = False
    noise: float = 0.0


@dataclass(frozen=True)
class Population:
    """Registered population rows (capitation): one provider reports the whole list each month."""

    indicator_id: str
    provider_id: str
    people: int
    monthly_growth: float


@dataclass(frozen=True)
class Spend:
    """Actual spend rows (risk/gain share): the month's budget x the year's ratio, by provider, in pounds."""

    indicator_id: str
    ratio_by_year: dict[str, float]
    split: dict[str, float]
    noise: float = 0.002


@dataclass(frozen=True)
class SampleSpec:
    years: tuple[str, ...]
    split: dict[str, float]
    recipes: dict[str, Recipe]
    quantity: dict[str, int] | None = None  # provider -> attributed population (share rule quantity)
    starts: dict[str, str] = field(default_factory=dict)  # provider -> first month it reports (joins later)
    population: Population | None = None
    spend: Spend | None = None


def steps(*pairs: tuple[str, float]) -> tuple[tuple[str, float], ...]:
    return tuple(pairs)


SPECS: dict[str, SampleSpec] = {
    # Islington and Haringey diabetes alliance: about 26,000 adults with diabetes.
    "diabetes-alliance": SampleSpec(
        years=("2025-26",),
        split={"WHIT": 0.30, "ISLGP": 0.33, "HARGP": 0.32, "DSN": 0.05},
        recipes={
            # Year to date, 0.60 -> 0.68: between threshold and target.
            "hba1c_control": Recipe(
                volume=4300,
                levels=steps(("2025-04", 0.628), ("2025-10", 0.652), ("2026-01", 0.660)),
                offsets={"WHIT": -0.03, "ISLGP": 0.015, "HARGP": 0.005},
                noise=0.006,
            ),
            # 0.55 -> 0.65 (best of linear and improvement on 0.52): at or above target.
            "eight_care_processes": Recipe(
                volume=2100,
                levels=steps(("2025-04", 0.655), ("2025-10", 0.672)),
                offsets={"ISLGP": 0.02, "HARGP": -0.01},
                noise=0.008,
            ),
            # Lower is better, 3.0 -> 2.4 a year per 1,000: worse than threshold (nothing earned).
            "foot_ulcer_admissions": Recipe(
                volume=26000 / 12,
                levels=steps(("2025-04", 3.35)),
                split={"WHIT": 0.35, "ISLGP": 0.32, "HARGP": 0.31, "DSN": 0.02},
                seasonal=True,
                noise=0.15,
            ),
            # Survey mean 0 to 10, bands 6.5 / 7.0 / 7.5: lands in the middle band.
            "confidence_score": Recipe(
                volume=48,
                levels=steps(("2025-04", 7.05), ("2025-10", 7.15)),
                split={"WHIT": 0.40, "ISLGP": 0.25, "HARGP": 0.25, "DSN": 0.10},
                noise=0.05,
            ),
            # Individual to DSN, 0.80 -> 0.90: well below threshold (the missed target).
            "structured_education": Recipe(
                volume=120, levels=steps(("2025-04", 0.66), ("2025-10", 0.69)), noise=0.02
            ),
        },
    ),
    # Richmond community and out-of-hospital alliance: about 195,000 residents, 17,500 aged 75+.
    "richmond-community-alliance": SampleSpec(
        years=("2024-25", "2025-26"),
        split={"HRCH": 0.40, "RGPF": 0.30, "SWLMH": 0.08, "KACUTE": 0.17, "RVSC": 0.05},
        quantity={"HRCH": 82000, "RGPF": 61000, "SWLMH": 14000, "KACUTE": 29000, "RVSC": 9000},
        recipes={
            # Rolling 12 months, 2025-26 levels 290 -> 270 (lower is better): between the two.
            "over75_emergency_admissions": Recipe(
                volume=17500 / 12,
                levels=steps(("2024-04", 291.0), ("2025-04", 283.0), ("2025-10", 276.0)),
                split={"HRCH": 0.45, "RGPF": 0.35, "SWLMH": 0.05, "KACUTE": 0.10, "RVSC": 0.05},
                offsets={"KACUTE": 12.0, "RVSC": -8.0},
                seasonal=True,
                noise=4.0,
            ),
            # 1.00 -> 0.90 (lower is better): Q3 better than target, the year in between.
            "emergency_bed_days_oe": Recipe(
                volume=7400,
                levels=steps(("2024-04", 1.01), ("2025-04", 0.955), ("2025-10", 0.885), ("2026-01", 0.905)),
                split={"HRCH": 0.30, "RGPF": 0.25, "SWLMH": 0.10, "KACUTE": 0.30, "RVSC": 0.05},
                offsets={"KACUTE": 0.03, "HRCH": -0.02},
                seasonal=True,
                noise=0.01,
            ),
            # Year to date, 0.83 -> 0.88: below threshold all year (nothing earned).
            "home_91_days_after_reablement": Recipe(
                volume=42,
                levels=steps(("2024-04", 0.80), ("2025-04", 0.805)),
                split={"HRCH": 0.70, "RGPF": 0.10, "SWLMH": 0.05, "KACUTE": 0.10, "RVSC": 0.05},
                noise=0.02,
            ),
            # Year to date, 0.65 -> 0.75: between threshold and target.
            "preferred_place_of_death": Recipe(
                volume=46,
                levels=steps(("2024-04", 0.63), ("2025-04", 0.70)),
                split={"HRCH": 0.45, "RGPF": 0.30, "SWLMH": 0.05, "KACUTE": 0.10, "RVSC": 0.10},
                noise=0.03,
            ),
            # Register snapshot each month; baseline 0.48, 2025-26 uplift 0.02 -> 0.10: in between.
            "advance_care_plan_uplift": Recipe(
                volume=1150,
                levels=steps(("2024-04", 0.50), ("2025-04", 0.54), ("2025-10", 0.565)),
                split={"HRCH": 0.45, "RGPF": 0.35, "SWLMH": 0.05, "KACUTE": 0.05, "RVSC": 0.10},
                noise=0.005,
            ),
            # Survey, minimum 200 responses: the autumn wave is thin, so Q3 has too few (small
            # numbers, weight reassigned); over the year the mean is above target.
            "wellbeing_score": Recipe(
                volume=85,
                levels=steps(("2024-04", 23.4), ("2025-04", 24.7)),
                volume_by_month={10: 0.55, 11: 0.50, 12: 0.45},
                noise=0.2,
            ),
            # 0.68 -> 0.75, baseline 0.62, best of: below threshold but improved on baseline.
            "feel_in_control": Recipe(
                volume=160, levels=steps(("2024-04", 0.63), ("2025-04", 0.66)), noise=0.015
            ),
            # Individual to SWLMH, 0.80 -> 0.95: between threshold and target.
            "crisis_response_24h": Recipe(
                volume=62,
                levels=steps(("2024-04", 0.80), ("2025-04", 0.86), ("2025-10", 0.875)),
                noise=0.02,
            ),
            # 2025-26 levels 0.65 -> 0.80: Q3 above target, the year in between.
            "shared_care_plan": Recipe(
                volume=900,
                levels=steps(("2024-04", 0.60), ("2025-04", 0.72), ("2025-10", 0.815), ("2026-01", 0.80)),
                noise=0.01,
            ),
        },
    ),
    # Milton Keynes substance misuse prime contract: about 1,600 adults in treatment.
    "mk-substance-misuse": SampleSpec(
        years=("2025-26",),
        split={"MKRP": 0.45, "CLIN": 0.30, "PEER": 0.17, "YPS": 0.08},
        recipes={
            # Individual CLIN, year to date 0.25 -> 0.35: in between.
            "opiate_completions_6m": Recipe(
                volume=24, levels=steps(("2025-04", 0.29), ("2025-10", 0.31)), noise=0.03
            ),
            # Individual MKRP, year to date 0.45 -> 0.55: above target.
            "non_opiate_completions_6m": Recipe(volume=32, levels=steps(("2025-04", 0.575)), noise=0.03),
            # Individual PEER, year to date 0.50 -> 0.60: well below threshold (the missed target).
            "alcohol_completions_6m": Recipe(volume=27, levels=steps(("2025-04", 0.36)), noise=0.03),
            # Individual YPS, minimum 30 exits a period: a quarter has about 20 (small numbers,
            # scored as met); the year has enough and lands between 0.75 and 0.85.
            "young_people_planned_exits": Recipe(volume=6.5, levels=steps(("2025-04", 0.79)), noise=0.03),
            # TOPS quality of life, improvement on baseline 12.4 towards 14.0.
            "tops_quality_of_life": Recipe(
                volume=70,
                levels=steps(("2025-04", 13.1), ("2025-10", 13.4)),
                split={"MKRP": 0.45, "CLIN": 0.35, "PEER": 0.20, "YPS": 0.0},
                noise=0.15,
            ),
            # All or nothing at 0.85: met in Q3, missed over the year after a weak first half.
            "hep_c_tested": Recipe(
                volume=150,
                levels=steps(("2025-04", 0.80), ("2025-10", 0.885), ("2026-01", 0.87)),
                split={"MKRP": 0.40, "CLIN": 0.45, "PEER": 0.15, "YPS": 0.0},
                noise=0.01,
            ),
            # Year to date 0.40 -> 0.55: in between.
            "housing_need_resolved": Recipe(
                volume=26,
                levels=steps(("2025-04", 0.45), ("2025-10", 0.48)),
                split={"MKRP": 0.40, "CLIN": 0.20, "PEER": 0.35, "YPS": 0.05},
                noise=0.03,
            ),
            # 0.90 -> 0.97: above target.
            "treatment_within_3_weeks": Recipe(volume=115, levels=steps(("2025-04", 0.982)), noise=0.006),
            # 0.30 -> 0.50, about ten a month: in between.
            "prison_leavers_engaged": Recipe(
                volume=11,
                levels=steps(("2025-04", 0.41), ("2025-10", 0.43)),
                split={"MKRP": 0.60, "CLIN": 0.30, "PEER": 0.10, "YPS": 0.0},
                noise=0.03,
            ),
        },
    ),
    # Mid-Nottinghamshire capitated alliance: about 310,000 registered people, 62,000 aged 65+;
    # two contract years; the voluntary sector (MNCVS) joins in 2026-27 (version 2).
    "mid-notts-alliance": SampleSpec(
        years=("2025-26", "2026-27"),
        split={"SFH": 0.40, "NHCT": 0.15, "CNCS": 0.15, "MNGP": 0.22, "EMAS": 0.08, "MNCVS": 0.04},
        starts={"MNCVS": "2026-04"},
        population=Population("registered_population", "MNGP", 310000, 0.0005),
        spend=Spend(
            "system_spend",
            {"2025-26": 0.983, "2026-27": 1.014},
            {"SFH": 0.48, "NHCT": 0.17, "CNCS": 0.12, "MNGP": 0.16, "EMAS": 0.06, "MNCVS": 0.01},
        ),
        recipes={
            # Lower is better; 2025-26 levels 255 / 235, 2026-27 248 / 228: in between both years.
            "over65_emergency_admissions": Recipe(
                volume=62000 / 12,
                levels=steps(("2025-04", 247.0), ("2026-04", 236.0)),
                seasonal=True,
                noise=3.0,
            ),
            # 0.88 -> 0.93: in between, improving.
            "discharged_home": Recipe(
                volume=2600, levels=steps(("2025-04", 0.905), ("2026-04", 0.915)), noise=0.004
            ),
            # Survey, about 40 answers a month, mean about 7.3 (target 7.6): early in the year the
            # confidence interval of the small sample reaches the target; over the year it does not.
            "supported_to_manage": Recipe(
                volume=40, levels=steps(("2025-04", 7.28), ("2026-04", 7.36)), noise=0.1
            ),
            # About 25 a month, 0.69 against a 0.75 target: within the Wilson interval of a quarter.
            "personalised_care_plan": Recipe(
                volume=25, levels=steps(("2025-04", 0.69), ("2026-04", 0.70)), noise=0.03
            ),
            # Individual to MNGP, 0.45 -> 0.55.
            "smoking_quit_4_weeks": Recipe(
                volume=60, levels=steps(("2025-04", 0.52), ("2026-04", 0.50)), noise=0.03
            ),
        },
    ),
    # Staffordshire cancer and end-of-life prime contract: fee based in 2024-25 and 2025-26, then
    # outcomes, subcontract pass-through and risk/gain share from 2026-27 (version 2).
    "staffordshire-cancer-eol": SampleSpec(
        years=("2024-25", "2025-26", "2026-27"),
        split={"UHNM": 0.50, "MPFT": 0.25, "KATH": 0.08, "DMH": 0.12, "SGPF": 0.05},
        spend=Spend(
            "programme_spend",
            {"2024-25": 1.006, "2025-26": 0.995, "2026-27": 0.976},
            {"UHNM": 0.52, "MPFT": 0.22, "KATH": 0.09, "DMH": 0.11, "SGPF": 0.06},
        ),
        recipes={
            # Best of linear (0.72 -> 0.76) and improvement on 0.715.
            "one_year_survival": Recipe(
                volume=420,
                levels=steps(("2024-04", 0.716), ("2025-04", 0.725), ("2026-04", 0.737)),
                noise=0.008,
            ),
            # 0.54 -> 0.62: in between.
            "early_diagnosis": Recipe(
                volume=420, levels=steps(("2024-04", 0.55), ("2026-04", 0.566)), noise=0.01
            ),
            # About 80 deaths a month, 0.68 (0.60 -> 0.75).
            "died_in_preferred_place": Recipe(
                volume=80,
                levels=steps(("2024-04", 0.64), ("2026-04", 0.68)),
                split={"UHNM": 0.25, "MPFT": 0.30, "KATH": 0.20, "DMH": 0.25},
                noise=0.02,
            ),
            # 0.45 -> 0.65: in between.
            "eol_care_plan": Recipe(
                volume=150,
                levels=steps(("2024-04", 0.52), ("2026-04", 0.58)),
                split={"UHNM": 0.20, "MPFT": 0.30, "KATH": 0.15, "DMH": 0.15, "SGPF": 0.20},
                noise=0.02,
            ),
            # Survey, 0 to 10, 8.6 -> 9.0.
            "patient_experience": Recipe(
                volume=120,
                levels=steps(("2024-04", 8.80), ("2026-04", 8.86)),
                split={"UHNM": 0.60, "MPFT": 0.20, "KATH": 0.10, "DMH": 0.10},
                noise=0.05,
            ),
        },
    ),
    # Dorset MSK prime contract: about 3,800 referrals a month; the prime (UHD) passes shares of
    # four indicators to community physiotherapy (DHC) and first contact practitioners (DFCP).
    "dorset-msk-prime": SampleSpec(
        years=("2025-26",),
        split={"UHD": 0.30, "DHC": 0.50, "DFCP": 0.20},
        recipes={
            # PROMs: mean MSK-HQ gain per patient, 6 -> 9 points: in between, improving.
            "msk_hq_gain": Recipe(
                volume=620,
                levels=steps(("2025-04", 7.4), ("2025-10", 7.9)),
                split={"UHD": 0.25, "DHC": 0.55, "DFCP": 0.20},
                offsets={"DFCP": -0.4},
                noise=0.3,
            ),
            # PROMs: mean Oxford Knee Score gain, 15 -> 18, the prime only: in between.
            "oxford_knee_gain": Recipe(
                volume=70, levels=steps(("2025-04", 16.2), ("2025-10", 16.8)), split={"UHD": 1.0}, noise=0.4
            ),
            # 0.75 -> 0.92: in between, the backlog clearing in the autumn.
            "assessed_within_6_weeks": Recipe(
                volume=3800,
                levels=steps(("2025-04", 0.82), ("2025-10", 0.87)),
                offsets={"UHD": -0.03, "DFCP": 0.04},
                noise=0.01,
            ),
            # 0.60 -> 0.80, the prime only: just above threshold.
            "surgery_within_18_weeks": Recipe(
                volume=450,
                levels=steps(("2025-04", 0.655), ("2026-01", 0.675)),
                split={"UHD": 1.0},
                noise=0.015,
            ),
            # Friends and Family Test, 0.90 -> 0.96: near the target.
            "rated_care_good": Recipe(volume=1500, levels=steps(("2025-04", 0.952)), noise=0.005),
            # Survey 0 to 10, 8.0 -> 8.8: in between.
            "involved_in_decisions": Recipe(
                volume=420, levels=steps(("2025-04", 8.45), ("2025-10", 8.55)), noise=0.06
            ),
        },
    ),
    # Herefordshire frailty alliance: about 24,000 people aged 75 and over; 2025-26 the first year
    # at risk, with an underspend of about 1.6% shared if the outcome score passes the gate.
    "herefordshire-alliance-risk-share": SampleSpec(
        years=("2025-26",),
        split={"WVT": 0.30, "HWHCT": 0.20, "TAURUS": 0.38, "STMH": 0.04, "PTHB": 0.08},
        spend=Spend(
            "alliance_spend",
            {"2025-26": 0.984},
            {"WVT": 0.49, "HWHCT": 0.22, "TAURUS": 0.155, "STMH": 0.05, "PTHB": 0.085},
        ),
        recipes={
            # Lower is better, 310 -> 285 a year per 1,000: in between.
            "frail_emergency_admissions": Recipe(
                volume=24000 / 12,
                levels=steps(("2025-04", 296.0), ("2025-10", 291.0)),
                seasonal=True,
                noise=4.0,
            ),
            # 0.80 -> 0.88: in between.
            "home_after_reablement": Recipe(
                volume=150,
                levels=steps(("2025-04", 0.85), ("2025-10", 0.86)),
                split={"WVT": 0.50, "HWHCT": 0.35, "TAURUS": 0.15},
                noise=0.02,
            ),
            # Annual survey, October and November only (`collected_in`), 0.62 -> 0.72: in between.
            "feel_in_control": Recipe(volume=480, levels=steps(("2025-04", 0.685)), noise=0.015),
            # Register snapshot, 0.50 -> 0.70: in between, rising.
            "shared_care_plan": Recipe(
                volume=2400,
                levels=steps(("2025-04", 0.60), ("2025-10", 0.64)),
                split={"HWHCT": 0.35, "TAURUS": 0.50, "STMH": 0.05, "PTHB": 0.10},
                noise=0.01,
            ),
            # About 75 deaths a month, 0.65 -> 0.78: in between.
            "died_in_preferred_place": Recipe(
                volume=75,
                levels=steps(("2025-04", 0.735)),
                split={"WVT": 0.30, "HWHCT": 0.25, "TAURUS": 0.20, "STMH": 0.25},
                noise=0.03,
            ),
        },
    ),
}


def level_at(levels: tuple[tuple[str, float], ...], month: str) -> float:
    current = levels[0][1]
    for first, level in levels:
        if month >= first:
            current = level
    return current


def rng_for(*key: str) -> random.Random:
    return random.Random("|".join(key))


def quarter_of(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    contract_year = ContractYear(year if number >= 4 else year - 1)
    quarter = ((number - 4) % 12) // 3 + 1
    return f"{contract_year.name}-Q{quarter}"


def months_of(contract: Contract, years: tuple[str, ...]) -> list[str]:
    term_years = {terms.year for terms in contract.contract_years}
    months = []
    for name in years:
        if name not in term_years:
            raise SystemExit(f"{contract.id}: sample year {name} is outside the contract term")
        months += ContractYear.parse(name).months()
    return months


def indicator_rows(
    stem: str, contract: Contract, spec: SampleSpec, months: list[str]
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    # Every provider and indicator of every version of the contract (variations), latest terms last.
    provider_ids = list(dict.fromkeys(p.id for terms in contract.versions() for p in terms.providers))
    indicators = {
        indicator.id: indicator for terms in contract.versions() for _, indicator in terms.indicators()
    }
    missing = sorted(set(indicators) - set(spec.recipes))
    unknown = sorted(set(spec.recipes) - set(indicators))
    if missing or unknown:
        raise SystemExit(
            f"{stem}: recipes out of step with the contract: missing {missing}, unknown {unknown}"
        )
    for indicator_id, indicator in indicators.items():
        recipe = spec.recipes[indicator_id]
        if indicator.attribution == "individual":
            split = {indicator.provider: 1.0}
        else:
            split = recipe.split or spec.split
        bad = sorted(set(split) - set(provider_ids))
        if bad:
            raise SystemExit(f"{stem}: {indicator_id}: unknown providers {bad}")
        measure = indicator.measure or indicator.kind
        collected = indicator.data.collected_in  # an annual survey: rows only in its months
        for month in months:
            calendar_month = int(month[5:7])
            if collected and calendar_month not in collected:
                continue
            for provider_id in provider_ids:
                weight = split.get(provider_id, 0.0)
                if provider_id not in split or month < spec.starts.get(provider_id, month):
                    continue
                rng = rng_for(stem, indicator_id, provider_id, month)
                volume = recipe.volume * weight * recipe.volume_by_month.get(calendar_month, 1.0)
                level = (
                    level_at(recipe.levels, month)
                    + recipe.offsets.get(provider_id, 0.0)
                    + rng.gauss(0.0, recipe.noise)
                )
                row: dict[str, object] = {
                    "provider_id": provider_id,
                    "indicator_id": indicator_id,
                    "period": month,
                }
                if measure == "mean":
                    count = max(0, round(volume * (1 + rng.gauss(0.0, 0.08))))
                    row |= {"value_sum": round(count * level, 2), "value_count": count}
                elif indicator.kind == "rate_per_1000":
                    # Person-years at risk are steady; events follow the season.
                    denominator = max(0, round(volume * (1 + rng.gauss(0.0, 0.01))))
                    season = SEASON[calendar_month] if recipe.seasonal else 1.0
                    numerator = max(0, round(denominator * level / 1000 * season))
                    row |= {"numerator": numerator, "denominator": denominator}
                elif indicator.kind == "observed_expected":
                    # Expected bed days follow the season (case mix); observed = expected x ratio.
                    season = SEASON[calendar_month] if recipe.seasonal else 1.0
                    denominator = max(0, round(volume * season * (1 + rng.gauss(0.0, 0.03))))
                    numerator = max(0, round(denominator * level))
                    row |= {"numerator": numerator, "denominator": denominator}
                else:  # proportion, or change_from_baseline measured as a proportion
                    denominator = max(0, round(volume * (1 + rng.gauss(0.0, 0.06))))
                    numerator = min(denominator, max(0, round(denominator * min(max(level, 0.0), 1.0))))
                    row |= {"numerator": numerator, "denominator": denominator}
                rows.append(row)
    if spec.quantity is not None:
        quantity_id = contract.share_rule.quantity
        if quantity_id is None:
            raise SystemExit(f"{stem}: the sample has a quantity but the contract's share rule names none")
        for month in months:
            index = months.index(month)
            for provider_id, population in spec.quantity.items():
                # Slow list growth with a little churn, about 0.1% a month.
                rng = rng_for(stem, quantity_id, provider_id, month)
                people = round(population * (1 + 0.001 * index) + rng.gauss(0.0, population * 0.0005))
                rows.append(
                    {
                        "provider_id": provider_id,
                        "indicator_id": quantity_id,
                        "period": month,
                        "numerator": people,
                    }
                )
    elif contract.share_rule.quantity is not None:
        raise SystemExit(
            f"{stem}: the contract shares by {contract.share_rule.quantity}: give the sample a quantity"
        )
    population = population_rows(stem, spec, months)
    return rows + population + spend_rows(stem, contract, spec, months, population)


def population_rows(stem: str, spec: SampleSpec, months: list[str]) -> list[dict[str, object]]:
    if spec.population is None:
        return []
    recipe = spec.population
    rows: list[dict[str, object]] = []
    for index, month in enumerate(months):
        rng = rng_for(stem, recipe.indicator_id, recipe.provider_id, month)
        people = round(
            recipe.people * (1 + recipe.monthly_growth) ** index + rng.gauss(0.0, recipe.people * 0.0002)
        )
        rows.append(
            {
                "provider_id": recipe.provider_id,
                "indicator_id": recipe.indicator_id,
                "period": month,
                "numerator": people,
            }
        )
    return rows


def spend_rows(
    stem: str, contract: Contract, spec: SampleSpec, months: list[str], population: list[dict[str, object]]
) -> list[dict[str, object]]:
    """Whole pounds by provider and month: the month's budget (contract value / 12, or capitation
    rate / 12 x the month's population) times the year's spend ratio, with a little noise."""
    if spec.spend is None:
        return []
    recipe = spec.spend
    people = {str(row["period"]): int(row["numerator"]) for row in population}  # type: ignore[call-overload]
    rows: list[dict[str, object]] = []
    for month in months:
        year = ContractYear(int(month[:4]) if int(month[5:7]) >= 4 else int(month[:4]) - 1).name
        terms = contract.year_terms(year)
        assert terms is not None
        if terms.capitation is not None:
            budget = float(terms.capitation.rate_per_head) * people[month] / 12
        else:
            budget = float(terms.contract_value or 0) / 12
        for provider_id, share in recipe.split.items():
            if month < spec.starts.get(provider_id, month):
                continue
            rng = rng_for(stem, recipe.indicator_id, provider_id, month)
            pounds = round(
                budget * recipe.ratio_by_year.get(year, 1.0) * share * (1 + rng.gauss(0.0, recipe.noise))
            )
            rows.append(
                {
                    "provider_id": provider_id,
                    "indicator_id": recipe.indicator_id,
                    "period": month,
                    "numerator": pounds,
                }
            )
    return rows


def write_contract(stem: str, spec: SampleSpec, out: Path = OUT) -> list[tuple[Path, int]]:
    loaded, findings = load_contract(CONTRACTS / f"{stem}.yaml")
    if loaded is None:
        raise SystemExit(f"{stem}: the contract does not load:\n" + "\n".join(f.render() for f in findings))
    contract = loaded.contract
    months = months_of(contract, spec.years)
    frame = pl.DataFrame(indicator_rows(stem, contract, spec, months), schema=SCHEMA).sort(
        "period", "provider_id", "indicator_id"
    )
    folder = out / stem
    folder.mkdir(parents=True, exist_ok=True)
    for old in sorted(folder.glob("*.parquet")):
        old.unlink()
    written = []
    frame = frame.with_columns(quarter=pl.col("period").map_elements(quarter_of, return_dtype=pl.String))
    for quarter in sorted(frame.get_column("quarter").unique().to_list()):
        part = frame.filter(pl.col("quarter") == quarter).drop("quarter")
        path = folder / f"{quarter}.parquet"
        part.write_parquet(path, compression="zstd", statistics=True)
        written.append((path, part.height))
    return written


def main(argv: list[str]) -> int:
    """Write the sample extracts under sample_data/, or under the folder given as argument."""
    out = Path(argv[0]).resolve() if argv else OUT
    for stem, spec in SPECS.items():
        for path, rows in write_contract(stem, spec, out):
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            print(f"wrote {shown} ({rows} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
