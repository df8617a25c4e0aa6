import pytest
from django.core.management import call_command

from finsam.models import Roll, User
from forbund.models import Forbund, Medlem
from insatser.models import Insats

pytestmark = pytest.mark.django_db


def counts():
    from uppfoljning.models import Rapport

    return (
        Rapport.objects.count(),
        Forbund.objects.count(),
        Medlem.objects.count(),
        User.objects.count(),
        Roll.objects.count(),
        Insats.objects.count(),
    )


def test_demo_is_idempotent_and_keeps_changes(capsys, settings, tmp_path):
    from uppfoljning.models import Rapport, RapportStatus

    settings.MEDIA_ROOT = tmp_path
    call_command("demo")
    first = counts()
    assert first[1] == 1
    # One finished half-year and annual report per closed demo year, plus the board version.
    assert first[0] == 5
    assert set(Rapport.objects.values_list("status", flat=True)) == {RapportStatus.KLAR}
    chef = User.objects.get(username="chef")
    chef.first_name = "Ändrad"
    chef.save()
    call_command("demo")
    assert counts() == first
    assert User.objects.get(username="chef").first_name == "Ändrad"
    assert "inget ändrat" in capsys.readouterr().out


def test_demo_forbund_covers_three_real_kommuner_and_has_every_role():
    call_command("demo", utan_rapporter=True)
    forbund = Forbund.objects.get()
    kommuner = set(forbund.medlemmar.exclude(kommun=None).values_list("kommun__namn", flat=True))
    assert kommuner == {"Hedemora", "Säter", "Avesta"}
    roles = set(Roll.objects.filter(forbund=forbund).values_list("roll", flat=True))
    assert roles == {
        "forbundschef",
        "handlaggare",
        "insatsansvarig",
        "styrelse",
        "ekonomi",
        "nationell",
    }
    assert User.objects.filter(is_systemadmin=True).count() == 1
