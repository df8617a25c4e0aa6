import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from forbund import selectors_budget, selectors_styrelse
from forbund.models import (
    Befolkning,
    Beslut,
    Budget,
    Finansieringsar,
    Forbund,
    Narvaro,
    Sammantrade,
    Styrelseuppdrag,
    Utfall,
)

pytestmark = pytest.mark.django_db

MODELS = [
    Befolkning,
    Beslut,
    Budget,
    Finansieringsar,
    Narvaro,
    Sammantrade,
    Styrelseuppdrag,
    Utfall,
]


def _counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def test_demo_is_idempotent_and_keeps_edits():
    call_command("demo", stdout=io.StringIO())
    first = _counts()
    forbund = Forbund.objects.get(namn="Samordningsförbundet Bergslagsdalen")
    forbund.telefon = "070-000 00 00"
    forbund.save()
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert _counts() == first
    forbund.refresh_from_db()
    assert forbund.telefon == "070-000 00 00"


def test_demo_has_three_years_of_money_a_changed_budget_and_a_full_board():
    call_command("demo", stdout=io.StringIO())
    forbund = Forbund.objects.get(namn="Samordningsförbundet Bergslagsdalen")
    today = timezone.localdate()
    years = {today.year - 2, today.year - 1, today.year}
    assert (
        set(Finansieringsar.objects.filter(forbund=forbund).values_list("ar", flat=True)) == years
    )
    assert {b.ar for b in Budget.objects.filter(forbund=forbund, status="BESLUTAD")} == years
    assert set(Utfall.objects.filter(forbund=forbund).values_list("datum__year", flat=True)) >= (
        years - {today.year}
    )
    if today >= today.replace(month=4, day=15):
        assert Budget.objects.filter(forbund=forbund, ar=today.year, status="ERSATT").exists()
    series = selectors_budget.eget_kapital_series(forbund=forbund, today=today)
    assert [r.ar for r in series] == sorted(years)
    assert series[1].ingaende == series[0].utgaende
    bild = selectors_styrelse.styrelse_on(forbund=forbund, day=today)
    assert all(p.ledamot and p.ersattare for p in bild.platser)
    assert bild.ordforande is not None
    # the board changes mandate period: some members already have successors appointed
    assert Styrelseuppdrag.objects.filter(forbund=forbund, fran__gt=today).exists()
    verdicts = [v.beslutsfor for _, v in selectors_styrelse.sammantraden_list(forbund=forbund)]
    assert True in verdicts
