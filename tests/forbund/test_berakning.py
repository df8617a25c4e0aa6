from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forbund.berakning import (
    ModellFel,
    ModellIndata,
    ModellParametrar,
    allocation_model,
    days_active_in_year,
    financing_parts,
    largest_remainder,
    normalise_organisationsnummer,
    percent,
)
from tests.forbund.factories import D


@given(
    total=st.integers(min_value=0, max_value=10**10),
    weights=st.lists(st.integers(min_value=0, max_value=2_000_000), min_size=1, max_size=40),
)
def test_largest_remainder_always_sums_exactly(total, weights):
    parts = largest_remainder(total, weights)
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)


@given(
    total=st.integers(min_value=0, max_value=10**9),
    weights=st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=30),
)
def test_largest_remainder_parts_are_within_one_krona_of_exact_share(total, weights):
    parts = largest_remainder(total, weights)
    for part, w in zip(parts, weights, strict=True):
        exact = Fraction(total * w, sum(weights))
        assert exact - 1 < part < exact + 1


def test_largest_remainder_gives_left_over_kronor_to_largest_remainders():
    # 100 split 1:1:1 → 33.33 each; the single left-over krona goes to the first (tie → order).
    assert largest_remainder(100, [1, 1, 1]) == [34, 33, 33]
    # 10 split 0.45/0.35/0.2 → 4.5, 3.5, 2.0: the two halves win a krona each? only one left.
    assert largest_remainder(10, [45, 35, 20]) == [5, 3, 2]


def test_largest_remainder_all_zero_weights_split_equally():
    assert largest_remainder(10, [0, 0, 0]) == [4, 3, 3]


def test_largest_remainder_rejects_negative_weight():
    with pytest.raises(ValueError, match="negative"):
        largest_remainder(10, [1, -1])


@given(st.integers(min_value=0, max_value=10**10))
def test_region_and_kommuner_each_pay_half_of_the_state_amount(statlig):
    state, region, kommuner = financing_parts(statlig)
    assert region + kommuner == state
    assert abs(region - kommuner) <= 1


def test_days_active_counts_both_ends_inclusive():
    assert days_active_in_year(D(2024, 7, 1), None, 2024) == 184  # leap year: Jul–Dec
    assert days_active_in_year(D(2020, 1, 1), D(2025, 6, 30), 2025) == 181
    assert days_active_in_year(D(2026, 1, 1), None, 2025) == 0
    assert days_active_in_year(D(2020, 1, 1), D(2024, 12, 31), 2025) == 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("222000-1702", None),  # wrong check digit
        ("556036-0793", "556036-0793"),
        ("5560360793", "556036-0793"),
        ("16556036-0793", "556036-0793"),
        ("222000-1701", "222000-1701"),
        ("850101-1236", None),  # a personnummer's third digit is < 2: not a legal person
        ("12345", None),
        ("abcdef-ghij", None),
    ],
)
def test_organisationsnummer_is_validated_with_luhn(raw, expected):
    assert normalise_organisationsnummer(raw) == expected


def test_percent_is_exact_decimal():
    assert percent(Fraction(1, 3)) == Decimal("33.33")


# --- the allocation model ---------------------------------------------------------------------


def _rows(*specs):
    return [ModellIndata(i, f"F{i}", p, f, prev, ek) for i, (p, f, prev, ek) in enumerate(specs)]


def test_model_gives_base_plus_weighted_shares_and_sums_exactly():
    params = ModellParametrar(nationell_summa=2_000_000)
    result = allocation_model(params, _rows((100, 300, 0, False), (300, 100, 0, False)))
    # rest 1 200 000: F0 gets 0.75×0.75 + 0.25×0.25 = 0.625 → 750 000 + 400 000
    assert [r.tilldelning for r in result.rader] == [1_150_000, 850_000]


def test_model_floor_limits_the_fall_to_ten_percent_and_others_pay_for_it():
    params = ModellParametrar(nationell_summa=2_000_000)
    result = allocation_model(params, _rows((100, 300, 0, False), (300, 100, 1_000_000, False)))
    f0, f1 = result.rader
    assert f1.tilldelning == 900_000
    assert f1.justering == "golv"
    assert f0.tilldelning == 1_100_000
    assert sum(r.tilldelning for r in result.rader) == 2_000_000


def test_model_caps_forbund_with_high_eget_kapital_at_last_years_level():
    params = ModellParametrar(nationell_summa=2_000_000)
    result = allocation_model(params, _rows((100, 300, 1_000_000, True), (300, 100, 0, False)))
    assert result.rader[0].tilldelning == 1_000_000
    assert result.rader[0].justering == "tak"
    assert result.rader[1].tilldelning == 1_000_000


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1000, max_value=500_000),
            st.integers(min_value=1, max_value=10**9),
            st.integers(min_value=0, max_value=20_000_000),
            st.booleans(),
        ),
        min_size=1,
        max_size=25,
    ),
)
def test_model_allocation_always_sums_to_the_national_sum(specs):
    params = ModellParametrar(nationell_summa=339_000_000)
    try:
        result = allocation_model(params, _rows(*specs))
    except ModellFel:
        return  # impossible limits are reported, never silently violated
    assert sum(r.tilldelning for r in result.rader) == 339_000_000


def test_model_rejects_weights_not_summing_to_100():
    params = ModellParametrar(nationell_summa=2_000_000, vikt_forsorjning=Fraction(80))
    with pytest.raises(ModellFel, match="100"):
        allocation_model(params, _rows((1, 1, 0, False)))


def test_model_rejects_national_sum_below_the_base_amounts():
    params = ModellParametrar(nationell_summa=500_000)
    with pytest.raises(ModellFel, match="grundbeloppet"):
        allocation_model(params, _rows((1, 1, 0, False), (1, 1, 0, False)))


@given(
    total=st.integers(min_value=0, max_value=10**8),
    members=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=300_000),  # population
            st.dates(min_value=D(2023, 1, 1), max_value=D(2024, 12, 31)),  # joined
            st.one_of(st.none(), st.dates(min_value=D(2024, 1, 1), max_value=D(2025, 12, 31))),
        ),
        min_size=1,
        max_size=12,
    ),
)
def test_pro_rata_split_sums_exactly_and_never_charges_days_outside_membership(total, members):
    from forbund.berakning import Bidragsunderlag, split_group

    rows = [
        Bidragsunderlag(i, f"K{i}", Fraction(pop), days_active_in_year(start, end, 2024))
        for i, (pop, start, end) in enumerate(members)
        if end is None or end >= start
    ]
    if not rows:
        return
    out = split_group(total=total, year=2024, members=rows)
    assert sum(r.belopp for r in out) == total
    if any(r.viktat for r in out):
        # a member with no days (or no population) pays nothing while others carry weight
        assert all(r.belopp == 0 for r in out if r.viktat == 0)


def test_chart_axis_labels_are_exact_swedish_amounts():
    from forbund.charts import _kr

    assert _kr(Decimal(1_250_000)) == "1,25 Mkr"
    assert _kr(Decimal(5_000_000)) == "5 Mkr"
    assert _kr(Decimal(375_000)) == "375 tkr"
    assert _kr(Decimal(0)) == "0 kr"
