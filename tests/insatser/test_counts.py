"""Period totals of the non-person registration modes, as the reports will read them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from insatser import services
from insatser.models import Volym
from insatser.selectors import struktur_totals, volym_totals, volym_totals_by_insats
from tests.insatser.factories import (
    full_insats,
    kommun_medlem,
    region,
    struktur_insats,
    volym_insats,
)

pytestmark = pytest.mark.django_db
D = dt.date


def test_volume_totals_cover_the_months_of_the_period(forbund, other_forbund, chef):
    insats = volym_insats(forbund, user=chef)
    services.volym_set_year(
        insats=insats,
        user=chef,
        ar=2025,
        counts={6: (1, 1, 0), 7: (10, 20, 1), 12: (100, 0, 0)},
    )
    services.volym_set_year(insats=insats, user=chef, ar=2026, counts={1: (1000, 0, 0)})
    foreign = volym_insats(other_forbund, user=chef)
    services.volym_set_year(insats=foreign, user=chef, ar=2025, counts={7: (9, 9, 9)})

    half = volym_totals(forbund=forbund, start=D(2025, 7, 1), end=D(2025, 12, 31))
    assert (half.kvinnor, half.man, half.annat, half.total) == (110, 20, 1, 131)
    across = volym_totals(forbund=forbund, start=D(2025, 12, 15), end=D(2026, 1, 10))
    assert across.kvinnor == 1100
    assert volym_totals(forbund=forbund, start=D(2024, 1, 1), end=D(2024, 12, 31)).total == 0
    assert volym_totals_by_insats(forbund=forbund, start=D(2025, 1, 1), end=D(2025, 12, 31)) == {
        insats.pk: half.__class__(111, 21, 1)
    }


def test_volume_grid_clears_a_month_left_empty(forbund, chef):
    insats = volym_insats(forbund, user=chef)
    services.volym_set_year(insats=insats, user=chef, ar=2025, counts={1: (1, 2, 3)})
    services.volym_set_year(insats=insats, user=chef, ar=2025, counts={1: None})
    assert not Volym.objects.exists()
    assert insats.handelser.filter(falt="Volym 2025").count() == 2


def test_volume_on_person_insats_is_refused(forbund, chef):
    insats = full_insats(forbund, user=chef)
    with pytest.raises(ValidationError, match="registreras inte"):
        services.volym_set_year(insats=insats, user=chef, ar=2025, counts={1: (1, 0, 0)})


def test_structural_totals_by_member_and_profession(forbund, chef):
    insats = struktur_insats(forbund, user=chef)
    kommun, reg = kommun_medlem(forbund), region(forbund)
    services.tillfalle_save(
        insats=insats,
        user=chef,
        datum=D(2025, 3, 1),
        titel="Träff 1",
        timmar=Decimal("3.5"),
        antal={(kommun, "HANDLAGGARE"): 5, (reg, "VARDPERSONAL"): 4, (reg, "CHEF"): 0},
    )
    services.tillfalle_save(
        insats=insats,
        user=chef,
        datum=D(2025, 9, 1),
        titel="Träff 2",
        timmar=Decimal("2"),
        antal={(kommun, "HANDLAGGARE"): 2, (kommun, "CHEF"): 1},
    )
    totals = struktur_totals(forbund=forbund, start=D(2025, 1, 1), end=D(2025, 6, 30))
    assert (totals.tillfallen, totals.timmar, totals.deltagare) == (1, Decimal("3.5"), 9)
    year = struktur_totals(forbund=forbund, start=D(2025, 1, 1), end=D(2025, 12, 31))
    assert year.by_medlem == {kommun.namn: 8, reg.namn: 4}
    assert year.by_yrkesgrupp == {"HANDLAGGARE": 7, "VARDPERSONAL": 4, "CHEF": 1}


def test_correcting_an_occasion_replaces_its_counts(forbund, chef):
    insats = struktur_insats(forbund, user=chef)
    kommun = kommun_medlem(forbund)
    tillfalle = services.tillfalle_save(
        insats=insats, user=chef, datum=D(2025, 3, 1), titel="Träff", timmar=Decimal(2),
        antal={(kommun, "HANDLAGGARE"): 5},
    )  # fmt: skip
    services.tillfalle_save(
        insats=insats, user=chef, datum=D(2025, 3, 1), titel="Träff", timmar=Decimal(2),
        antal={(kommun, "CHEF"): 2}, tillfalle=tillfalle,
    )  # fmt: skip
    totals = struktur_totals(forbund=forbund, start=D(2025, 1, 1), end=D(2025, 12, 31))
    assert totals.by_yrkesgrupp == {"CHEF": 2}
    assert insats.handelser.filter(falt="Tillfälle ändrat").exists()


def test_members_of_another_forbund_cannot_be_counted(forbund, other_forbund, chef):
    insats = struktur_insats(forbund, user=chef)
    with pytest.raises(ValidationError, match="egna medlemmar"):
        services.tillfalle_save(
            insats=insats, user=chef, datum=D(2025, 3, 1), titel="Träff", timmar=Decimal(2),
            antal={(kommun_medlem(other_forbund), "CHEF"): 2},
        )  # fmt: skip


def test_volume_outside_the_insats_period_is_refused(forbund, chef):
    insats = volym_insats(forbund, user=chef, startdatum=D(2025, 3, 15))
    with pytest.raises(ValidationError, match="pågick inte"):
        services.volym_set_year(insats=insats, user=chef, ar=2025, counts={2: (1, 0, 0)})
    services.volym_set_year(insats=insats, user=chef, ar=2025, counts={3: (1, 0, 0)})
    services.insats_update(
        insats=insats, user=chef, data={"status": "AVSLUTAD", "slutdatum": D(2025, 6, 30)}
    )
    with pytest.raises(ValidationError, match="pågick inte"):
        services.volym_set_year(insats=insats, user=chef, ar=2025, counts={7: (0, 2, 0)})
    assert Volym.objects.count() == 1


def test_occasion_outside_the_insats_period_is_refused(forbund, chef):
    insats = struktur_insats(forbund, user=chef, startdatum=D(2025, 3, 1))
    with pytest.raises(ValidationError, match="utanför insatsens period"):
        services.tillfalle_save(
            insats=insats, user=chef, datum=D(2025, 2, 28), titel="Före", timmar=Decimal(1),
            antal={(kommun_medlem(forbund), "CHEF"): 1},
        )  # fmt: skip
    assert not insats.tillfallen.exists()
