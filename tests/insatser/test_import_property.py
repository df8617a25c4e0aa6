"""The cost import with random input (hypothesis): it never raises, and it imports all rows or
nothing (design section 7's rule, applied to costs)."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insatser import services
from insatser.models import Insatskostnad
from tests.insatser.factories import full_insats

pytestmark = pytest.mark.django_db

cell = st.one_of(
    st.sampled_from(["UNGA", "unga", "OKAND", "", "2026", "13", "0", "-5", "1 000", "12,50", "x"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters=';,"\r\n'), max_size=8),
    st.integers(min_value=-10, max_value=3000).map(str),
)
row = st.tuples(cell, cell, cell, cell)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(row, max_size=6), delimiter=st.sampled_from([";", ","]))
def test_random_csv_imports_all_or_nothing_and_never_raises(forbund, chef, rows, delimiter):
    if not forbund.insatser.filter(kod="UNGA").exists():  # the fixture outlives one example
        full_insats(forbund, user=chef, kod="UNGA")
    before = list(Insatskostnad.objects.order_by("pk").values_list("ar", "manad", "belopp"))
    header = delimiter.join(["insats", "ar", "manad", "belopp"])
    body = "\n".join(delimiter.join(r) for r in rows)
    result = services.kostnader_import(
        forbund=forbund, user=chef, raw=f"{header}\n{body}\n".encode()
    )
    after = {
        (ar, manad): belopp
        for ar, manad, belopp in Insatskostnad.objects.values_list("ar", "manad", "belopp")
    }
    if not result.ok:
        assert list(Insatskostnad.objects.order_by("pk").values_list("ar", "manad", "belopp")) == (
            before
        )
        return
    assert result.rows >= 1
    for r in rows:
        if not any(c.strip() for c in r):
            continue
        kod, ar, manad, belopp = (c.strip() for c in r)
        assert kod.upper() == "UNGA"
        assert after[(int(ar), int(manad))] == services.parse_kronor(belopp)
        assert after[(int(ar), int(manad))] >= Decimal(0)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=st.binary(max_size=200))
def test_random_bytes_never_raise_and_import_nothing_unless_valid(forbund, chef, raw):
    before = Insatskostnad.objects.count()
    result = services.kostnader_import(
        forbund=forbund, user=chef, raw=b"insats;ar;manad;belopp\n" + raw
    )
    if not result.ok:
        assert Insatskostnad.objects.count() == before
