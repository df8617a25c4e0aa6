"""Every insatser page renders for the roles that use it (demo data), with no 500s."""

import pytest

from finsam.demo_accounts import DEMO_PASSWORD
from insatser.models import Insats, Tillfalle

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    from django.core.management import call_command

    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def client_for(username):
    from finsam.models import User
    from tests.conftest import login_client

    return login_client(User.objects.get(username=username), DEMO_PASSWORD)


def test_demo_has_twelve_insatser_across_kategorier_and_modes(demo):
    insatser = Insats.objects.all()
    assert insatser.count() == 12
    assert set(insatser.values_list("kategori", flat=True)) == {
        "ARBLIV", "FORB", "FOREB", "KARTL", "SAMORD", "KOMP", "STRUKT",
    }  # fmt: skip
    assert set(insatser.values_list("registreringsform", flat=True)) == {
        "PERSON", "VOLYM", "STRUKTUR",
    }  # fmt: skip
    assert insatser.filter(medfinansiering__finansiar__icontains="ESF").exists()


def test_demo_is_idempotent(demo):
    from django.core.management import call_command

    counts = (Insats.objects.count(), Tillfalle.objects.count())
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Insats.objects.count(), Tillfalle.objects.count()) == counts


def test_chef_sees_every_page_of_every_demo_insats(demo):
    client = client_for("chef")
    assert client.get("/insatser/").status_code == 200
    assert client.get("/insatser/ny/").status_code == 200
    assert client.get("/insatser/kostnader/import/").status_code == 200
    assert client.get("/insatser/ekonomi/").status_code == 200
    assert client.get("/insatser/export.xlsx").status_code == 200
    for insats in Insats.objects.all():
        base = f"/insatser/{insats.uuid}/"
        for path in (base, base + "andra/", base + "ekonomi/"):
            assert client.get(path).status_code == 200, path
        if insats.registreringsform == "VOLYM":
            assert client.get(base + "volym/").status_code == 200
        if insats.registreringsform == "STRUKTUR":
            assert client.get(base + "tillfallen/").status_code == 200
            for t in insats.tillfallen.all():
                assert client.get(f"{base}tillfallen/{t.uuid}/").status_code == 200


@pytest.mark.parametrize("username", ["handlaggare", "insatsansvarig"])
def test_staff_start_page_lists_their_insatser_with_figures(demo, username):
    response = client_for(username).get("/insatser/mina/")
    assert response.status_code == 200
    assert "KONSULT" in response.text
    assert "Konsultationsteam rehabilitering" in response.text


def test_years_are_printed_without_thousands_separator(demo):
    insats = Insats.objects.get(kod="UNGA")
    page = client_for("chef").get(f"/insatser/{insats.uuid}/ekonomi/?ar=2025").text
    assert "2\u00a0025" not in page
    assert "2 025" not in page
    assert "?ar=2025" in page
    assert "Kostnader per månad 2025" in page


def test_participants_section_appears_only_when_the_deltagare_app_provides_it(forbund, chef, login):
    from insatser.extensions import Section, register_participant_summary
    from tests.insatser.factories import full_insats

    insats = full_insats(forbund, user=chef)
    client = login(chef)
    assert "Deltagare i insatsen" not in client.get(f"/insatser/{insats.uuid}/").text
    seen = []

    def provider(*, request, insats):
        seen.append(insats.pk)
        return Section("Deltagare i insatsen", "insatser/_status.html", {"n": 3})

    register_participant_summary(provider)
    try:
        page = client.get(f"/insatser/{insats.uuid}/").text
    finally:
        register_participant_summary(None)
    assert "Deltagare i insatsen" in page
    assert seen == [insats.pk]


def test_person_insats_without_data_controller_is_flagged(forbund, chef, login):
    from tests.factories import InsatsFactory

    legacy = InsatsFactory(forbund=forbund, kod="GAMMAL")  # from before the rule
    client = login(chef)
    assert "Saknar personuppgiftsansvarig" in client.get("/insatser/").text
    assert "saknar personuppgiftsansvarig part" in client.get(f"/insatser/{legacy.uuid}/").text


def test_demo_fills_in_insatser_from_the_earlier_thin_demo(demo):
    from django.core.management import call_command

    Insats.objects.filter(kod="UNGA").update(kategori=None, beskrivning="")
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    unga = Insats.objects.get(kod="UNGA")
    assert unga.kategori_id == "SAMORD"
    assert unga.handelser.filter(falt="Kategori", nytt="Samordnande team/lots").exists()
