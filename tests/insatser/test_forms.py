"""Creating and editing through the pages: Swedish messages next to the field, nothing changed on
bad input, never a 500."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from insatser.models import Dokument, Insats, Volym
from tests.insatser.factories import (
    full_insats,
    kommun_medlem,
    region,
    staff,
    struktur_insats,
    volym_insats,
)

pytestmark = pytest.mark.django_db


def create_data(forbund, **overrides):
    medlem = kommun_medlem(forbund)
    data = {
        "kod": "unga-2",
        "namn": "Unga vuxna",
        "beskrivning": "Team för unga.",
        "kategori": "SAMORD",
        "status": "ANSOKAN",
        "registreringsform": "PERSON",
        "malgrupper": ["UNGA", "UNGA_AKE"],
        "metoder": ["COACH"],
        "huvudman": [medlem.pk],
        "personuppgiftsansvarig": medlem.pk,
        "startdatum": "2026-01-01",
        "planerat_slutdatum": "2027-12-31",
        "slutdatum": "",
        "planerade_deltagare": "40",
        "malvarden": "40 % till arbete eller studier",
    }
    data.update(overrides)
    return data


def test_chef_creates_insats_with_two_malgrupper_and_data_controller(forbund, chef, login):
    client = login(chef)
    response = client.post("/insatser/ny/", create_data(forbund))
    insats = Insats.objects.get()
    assert response.status_code == 302
    assert response.url == f"/insatser/{insats.uuid}/"
    assert insats.kod == "UNGA-2"
    assert set(insats.malgrupper.values_list("kod", flat=True)) == {"UNGA", "UNGA_AKE"}
    assert insats.personuppgiftsansvarig == kommun_medlem(forbund)
    page = client.get(response.url).text
    assert "Unga med aktivitetsersättning" in page
    assert "Insatsen skapad" in page


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"personuppgiftsansvarig": ""}, "Ange vilken medlem som är personuppgiftsansvarig"),
        ({"kod": "med mellanslag"}, "Koden får bara innehålla"),
        ({"kategori": ""}, "Detta fält måste fyllas i"),
        ({"huvudman": []}, "Välj minst en medlem som huvudman"),
        ({"slutdatum": "2025-01-01"}, "Slutdatum kan inte vara före startdatum"),
        ({"status": "AVSLUTAD"}, "En avslutad insats behöver ett faktiskt slutdatum"),
        ({"startdatum": "31/31/2026"}, "Fyll i ett giltigt datum"),
        ({"registreringsform": "STRUKTUR"}, "passar bara strukturinriktade kategorier"),
        ({"planerade_deltagare": "-3"}, "större än eller lika med 0"),
    ],
)
def test_bad_input_gets_swedish_message_and_creates_nothing(
    forbund, chef, login, overrides, field_message
):
    response = login(chef).post("/insatser/ny/", create_data(forbund, **overrides))
    assert response.status_code == 200
    assert field_message in response.text
    assert "Rätta fälten som är markerade" in response.text
    assert not Insats.objects.exists()


def test_duplicate_code_is_refused_in_same_forbund_only(forbund, other_forbund, chef, login):
    full_insats(other_forbund, user=chef, kod="UNGA-2")
    client = login(chef)
    assert client.post("/insatser/ny/", create_data(forbund)).status_code == 302
    response = client.post("/insatser/ny/", create_data(forbund, kod="Unga-2"))
    assert "Koden används redan" in response.text
    assert Insats.objects.filter(forbund=forbund).count() == 1


def test_member_of_another_forbund_cannot_be_posted(forbund, other_forbund, chef, login):
    foreign = kommun_medlem(other_forbund)
    response = login(chef).post(
        "/insatser/ny/", create_data(forbund, personuppgiftsansvarig=foreign.pk)
    )
    assert "Välj ett giltigt alternativ" in response.text
    assert not Insats.objects.exists()


def test_edit_is_shown_in_history_on_the_insats_page(forbund, chef, login):
    insats = full_insats(forbund, user=chef, kod="UNGA", namn="Ungdomsteamet")
    client = login(chef)
    form = client.get(f"/insatser/{insats.uuid}/andra/")
    assert 'value="Ungdomsteamet"' in form.text
    data = create_data(forbund, kod="UNGA", namn="Ungdomsteamet Norr")
    data["malgrupper"] = list(insats.malgrupper.values_list("kod", flat=True))
    response = client.post(f"/insatser/{insats.uuid}/andra/", data)
    assert response.status_code == 302
    page = client.get(f"/insatser/{insats.uuid}/").text
    assert "Ungdomsteamet Norr" in page
    history = page[page.index("Historik") :]
    assert "Namn" in history
    assert "Ungdomsteamet</td>" in history
    assert chef.get_full_name() in history


def test_transition_form_on_page_moves_status_and_records_it(forbund, chef, login):
    insats = full_insats(forbund, user=chef)
    client = login(chef)
    assert (
        client.post(f"/insatser/{insats.uuid}/status/", {"status": "BEVILJAD"}).status_code == 302
    )
    insats.refresh_from_db()
    assert insats.status == "BEVILJAD"
    bad = client.post(f"/insatser/{insats.uuid}/status/", {"status": "AVVECKLAD"})
    assert bad.status_code == 400
    assert "Välj ett giltigt alternativ" in bad.text


def test_document_upload_is_streamed_only_through_access_checked_view(
    forbund, chef, login, media_root
):
    insats = full_insats(forbund, user=chef)
    client = login(chef)
    response = client.post(
        f"/insatser/{insats.uuid}/dokument/",
        {
            "typ": "SLUTRAPPORT",
            "datum": "2026-06-30",
            "titel": "Slutrapport 2026",
            "fil": SimpleUploadedFile("rapport.pdf", b"%PDF-1.4 innehall"),
        },
    )
    assert response.status_code == 302
    dokument = Dokument.objects.get()
    assert dokument.filnamn == "rapport.pdf"
    assert str(insats.uuid) in dokument.fil.name
    assert "rapport" not in dokument.fil.name  # stored under a random name
    assert (media_root / dokument.fil.name).exists()
    download = client.get(f"/insatser/{insats.uuid}/dokument/{dokument.uuid}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 innehall"
    assert 'filename="rapport.pdf"' in download["Content-Disposition"]
    assert "Dokument uppladdat" in client.get(f"/insatser/{insats.uuid}/").text
    # A document id under another insats's URL is not found.
    other = full_insats(forbund, user=chef)
    assert client.get(f"/insatser/{other.uuid}/dokument/{dokument.uuid}/").status_code == 404


def test_document_of_wrong_type_is_refused(forbund, chef, login, media_root):
    insats = full_insats(forbund, user=chef)
    response = login(chef).post(
        f"/insatser/{insats.uuid}/dokument/",
        {"typ": "ANSOKAN", "datum": "2026-01-01", "fil": SimpleUploadedFile("x.exe", b"MZ")},
    )
    assert response.status_code == 400
    assert "Filtypen .exe tillåts inte" in response.text
    assert not Dokument.objects.exists()
    assert not (media_root / "insatser").exists()


def test_document_removal_deletes_file_and_is_recorded(
    forbund, chef, login, media_root, django_capture_on_commit_callbacks
):
    insats = full_insats(forbund, user=chef)
    client = login(chef)
    client.post(
        f"/insatser/{insats.uuid}/dokument/",
        {"typ": "ANSOKAN", "datum": "2026-01-01", "fil": SimpleUploadedFile("a.pdf", b"%PDF")},
    )
    dokument = Dokument.objects.get()
    path = media_root / dokument.fil.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/insatser/{insats.uuid}/dokument/{dokument.uuid}/ta-bort/")
    assert not Dokument.objects.exists()
    assert not path.exists()
    assert insats.handelser.filter(falt="Dokument borttaget").exists()


def test_volume_grid_saves_a_month_and_refuses_negative_counts(forbund, chef, login):
    insats = volym_insats(forbund, user=chef)
    client = login(chef)
    url = f"/insatser/{insats.uuid}/volym/?ar=2026"
    assert client.post(url, {"k3": "12", "m3": "7", "x3": ""}).status_code == 302
    row = Volym.objects.get()
    assert (row.ar, row.manad, row.kvinnor, row.man, row.annat) == (2026, 3, 12, 7, 0)
    bad = client.post(url, {"k3": "-1", "m4": "tre"})
    assert bad.status_code == 400
    assert "Antalet kan inte vara negativt" in bad.text
    assert "Ange ett heltal" in bad.text
    assert Volym.objects.get().kvinnor == 12
    assert "Volym 2026" in client.get(f"/insatser/{insats.uuid}/").text


def test_volume_page_is_404_for_person_insats(forbund, chef, login):
    insats = full_insats(forbund, user=chef)
    assert login(chef).get(f"/insatser/{insats.uuid}/volym/").status_code == 404


def test_structural_occasion_is_registered_with_counts(forbund, chef, login):
    insats = struktur_insats(forbund, user=chef)
    medlem = region(forbund)
    client = login(chef)
    response = client.post(
        f"/insatser/{insats.uuid}/tillfallen/",
        {
            "datum": "2026-03-12",
            "titel": "Psykisk ohälsa",
            "timmar": "3,5",
            f"n_{medlem.pk}_VARDPERSONAL": "6",
            f"n_{medlem.pk}_CHEF": "2",
        },
    )
    assert response.status_code == 302
    tillfalle = insats.tillfallen.get()
    assert tillfalle.timmar == pytest.approx(3.5)
    assert sorted(tillfalle.antal.values_list("yrkesgrupp", "antal")) == [
        ("CHEF", 2),
        ("VARDPERSONAL", 6),
    ]
    empty = client.post(
        f"/insatser/{insats.uuid}/tillfallen/",
        {"datum": "2026-03-13", "titel": "Tomt", "timmar": "2"},
    )
    assert empty.status_code == 400
    assert "minst en person" in empty.text
    assert insats.tillfallen.count() == 1


def test_cost_import_page_reports_row_errors_and_imports_nothing(forbund, chef, login):
    full_insats(forbund, user=chef, kod="UNGA")
    client = login(chef)
    bad = SimpleUploadedFile("k.csv", b"insats;ar;manad;belopp\nUNGA;2026;1;100\nNEJ;2026;1;5\n")
    response = client.post("/insatser/kostnader/import/", {"fil": bad})
    assert response.status_code == 400
    assert "Rad 3: okänd insatskod" in response.text
    assert not Insats.objects.get().kostnader.exists()
    good = SimpleUploadedFile("k.csv", b"insats;ar;manad;belopp\nUNGA;2026;1;100\n")
    assert client.post("/insatser/kostnader/import/", {"fil": good}).status_code == 302
    assert Insats.objects.get().kostnader.get().belopp == 100


def test_budget_form_refuses_ore_with_message(forbund, chef, login):
    insats = full_insats(forbund, user=chef)
    response = login(chef).post(
        f"/insatser/{insats.uuid}/ekonomi/budget/", {"ar": "2026", "belopp": "100,50"}
    )
    assert response.status_code == 400
    assert "är inte ett belopp i hela kronor" in response.text
    assert not insats.budgetar.exists()


def test_mina_shows_volume_due_for_last_month(forbund, chef, login):
    insats = volym_insats(
        forbund, user=chef, startdatum=dt.date(2024, 1, 1), planerat_slutdatum=None
    )
    user = staff(forbund, insats)
    client = login(user)
    before = client.get("/insatser/mina/").text
    assert "Registrera volymer för" in before
    assert (
        '<span class="key-figure__value">1</span> <span class="key-figure__label">saknar' in before
    )
    last = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    Volym.objects.create(
        forbund=forbund, insats=insats, ar=last.year, manad=last.month, kvinnor=4, man=3
    )
    page = client.get("/insatser/mina/").text
    assert "Registrera volymer för" not in page
    assert "7 kontakter i" in page
    assert '<span class="key-figure__value">0</span> <span class="key-figure__label">saknar' in page


def test_structural_occasion_can_be_corrected_and_removed(forbund, chef, login):
    insats = struktur_insats(forbund, user=chef)
    medlem = region(forbund)
    client = login(chef)
    client.post(
        f"/insatser/{insats.uuid}/tillfallen/",
        {"datum": "2026-03-12", "titel": "Träff", "timmar": "2", f"n_{medlem.pk}_CHEF": "2"},
    )
    tillfalle = insats.tillfallen.get()
    url = f"/insatser/{insats.uuid}/tillfallen/{tillfalle.uuid}/"
    form = client.get(url)
    assert 'value="2"' in form.text
    response = client.post(
        url,
        {"datum": "2026-03-12", "titel": "Träff 1", "timmar": "2", f"n_{medlem.pk}_OVRIG": "5"},
    )
    assert response.status_code == 302
    tillfalle.refresh_from_db()
    assert tillfalle.titel == "Träff 1"
    assert list(tillfalle.antal.values_list("yrkesgrupp", "antal")) == [("OVRIG", 5)]
    assert client.post(url + "ta-bort/").status_code == 302
    assert not insats.tillfallen.exists()
    assert insats.handelser.filter(falt="Tillfälle borttaget").exists()


def test_volume_before_the_start_shows_message_next_to_the_month(forbund, chef, login):
    insats = volym_insats(forbund, user=chef, startdatum=dt.date(2025, 1, 1))
    response = login(chef).post(f"/insatser/{insats.uuid}/volym/?ar=2024", {"k12": "3"})
    assert response.status_code == 400
    assert "Insatsen pågick inte den här månaden." in response.text
    assert not Volym.objects.exists()


def test_absurd_cost_is_a_message_not_a_500(forbund, chef, login):
    insats = full_insats(forbund, user=chef)
    response = login(chef).post(
        f"/insatser/{insats.uuid}/ekonomi/kostnader/?ar=2026", {"m1": "9" * 19}
    )
    assert response.status_code == 400
    assert "Beloppet är orimligt stort." in response.text
    assert not insats.kostnader.exists()
