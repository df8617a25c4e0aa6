"""The demo participations: idempotent, and with the distributions the issue asks for."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Exists, OuterRef

from deltagare.kodlistor import is_unga
from deltagare.models import Deltagande, Forsorjning, Uppfoljning

OFFENTLIG = ["SJP", "SA", "AKE", "AKST", "AKASSA", "ETAB", "EKB"]


@pytest.fixture
def demo(db):
    call_command("demo", stdout=io.StringIO())


def _share_offentlig(qs, skede):
    rows = Forsorjning.objects.filter(
        deltagande=OuterRef("pk"), skede=skede, kalla_id__in=OFFENTLIG
    )
    return qs.filter(Exists(rows)).count() / qs.count()


def test_demo_has_a_few_hundred_participations_over_three_years_and_is_idempotent(demo):
    total = Deltagande.objects.count()
    assert 250 <= total <= 400
    years = set(Deltagande.objects.values_list("inskrivning__year", flat=True))
    assert len(years) >= 3
    call_command("demo", stdout=io.StringIO())
    assert Deltagande.objects.count() == total


def test_demo_distributions(demo):
    counted = Deltagande.objects.counted()
    young = sum(
        is_unga(fodelsear=f, inskrivningsar=y)
        for f, y in counted.values_list("fodelsear", "inskrivning__year")
    )
    assert young / counted.count() > 0.5
    anonymous = counted.filter(person__isnull=True).count()
    assert 0.05 < anonymous / counted.count() < 0.3
    ended = counted.filter(person__isnull=False, utskrivning__isnull=False)
    before = _share_offentlig(ended, "FORE")
    after = _share_offentlig(ended, "EFTER")
    assert 0.85 <= before <= 0.95
    assert after < before - 0.05
    aos_before = (
        ended.filter(sysselsattning_fore__arbete_eller_studier=True).count() / ended.count()
    )
    aos_after = (
        ended.filter(sysselsattning_efter__arbete_eller_studier=True).count() / ended.count()
    )
    assert 0.12 <= aos_after - aos_before <= 0.4
    assert Uppfoljning.objects.exists()
