"""Properties of a risk-share side's rules (hypothesis): the providers' part never falls as the
saving (or overspend) grows, and never exceeds the lowest cap."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from obc_settle.contract.models import RiskSide
from obc_settle.engine.risk_share_rules import SideInputs, providers_part

BUDGET = 10_000_000_00
proportions = st.integers(min_value=0, max_value=100).map(lambda n: Decimal(n) / 100)


@st.composite
def sides(draw: st.DrawFn) -> RiskSide:
    ends = sorted(set(draw(st.lists(st.integers(min_value=1, max_value=40), max_size=3))))
    bands = [{"up_to": Decimal(end) / 100, "provider_share": draw(proportions)} for end in ends]
    bands.append({"provider_share": draw(proportions)})
    body = {
        "minimum_rate": Decimal(draw(st.integers(min_value=0, max_value=5))) / 100,
        "bands": bands,
        "cap": draw(st.none() | proportions),
        "cap_amount": draw(st.none() | st.integers(min_value=0, max_value=2_000_000).map(Decimal)),
        "cap_revenue": draw(
            st.none() | st.builds(lambda p: {"proportion": p, "amount": Decimal(5_000_000)}, proportions)
        ),
        "sequestration": draw(st.none() | proportions),
        "quality": draw(st.none() | st.just({"method": "scale"})),
    }
    return RiskSide.model_validate(body)


def part(side: RiskSide, difference: int, quality: Fraction) -> Fraction:
    inputs = SideInputs(BUDGET, difference, quality, "the outcome framework", revenue=500_000_000)
    return providers_part(side, inputs)[0]


@given(
    sides(),
    st.integers(min_value=1, max_value=BUDGET),
    st.integers(min_value=0, max_value=BUDGET),
    st.fractions(0, 1),
)
def test_the_providers_part_never_falls_as_the_difference_grows(
    side: RiskSide, smaller: int, more: int, quality: Fraction
) -> None:
    assert part(side, smaller, quality) <= part(side, smaller + more, quality)


@given(sides(), st.integers(min_value=1, max_value=2 * BUDGET), st.fractions(0, 1))
def test_the_providers_part_never_exceeds_a_cap_or_the_difference(
    side: RiskSide, difference: int, quality: Fraction
) -> None:
    found = part(side, difference, quality)
    assert 0 <= found <= difference
    limits = [Fraction(side.cap) * BUDGET] if side.cap is not None else []
    limits += [Fraction(side.cap_amount) * 100] if side.cap_amount is not None else []
    limits += [Fraction(side.cap_revenue.proportion) * 500_000_000] if side.cap_revenue is not None else []
    assert all(found <= limit for limit in limits)
