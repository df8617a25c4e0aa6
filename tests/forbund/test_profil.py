import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from finsam.roles import Role
from forbund.models import Forbundsordning
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _profile(**overrides):
    data = {
        "namn": "Samordningsförbundet Profil",
        "organisationsnummer": "222000-1701",
        "startdatum": "2019-01-01",
        "utdelningsadress": "Storgatan 1",
        "postnummer": "77630",
        "postort": "Hedemora",
        "epost": "kansli@example.org",
        "telefon": "0225-123 45",
        "webbplats": "https://example.org",
        "kommun_fordelning": "BEFOLKNING",
        "ek_troskel_procent": "20",
        "ek_ingaende_ar": "2023",
        "ek_ingaende_belopp": "1 500 000",
    }
    data.update(overrides)
    return data


def test_chef_edits_profile(forbund, chef, login):
    response = login(chef).post("/forbund/profil/andra/", _profile())
    assert response.status_code == 302
    forbund.refresh_from_db()
    assert forbund.organisationsnummer == "222000-1701"
    assert forbund.postnummer == "776 30"
    assert forbund.ek_ingaende_belopp == 1_500_000


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("organisationsnummer", "222000-1702", "Ogiltigt organisationsnummer"),
        ("organisationsnummer", "hej", "Ogiltigt organisationsnummer"),
        ("postnummer", "1234", "Postnummer har fem siffror"),
        ("epost", "inte-en-adress", "e-postadress"),
        ("ek_troskel_procent", "-5", "0"),
    ],
)
def test_bad_profile_input_is_shown_next_to_field_and_changes_nothing(
    forbund, chef, login, field, value, message
):
    response = login(chef).post("/forbund/profil/andra/", _profile(**{field: value}))
    assert response.status_code == 200
    assert f"id_{field}_fel" in response.text
    assert message in response.text
    forbund.refresh_from_db()
    assert forbund.organisationsnummer == "222000-0000"


def test_profile_name_must_be_unique(forbund, other_forbund, chef, login):
    response = login(chef).post("/forbund/profil/andra/", _profile(namn=other_forbund.namn))
    assert "id_namn_fel" in response.text


def test_ekonomi_and_styrelse_read_profile_but_cannot_edit(forbund, login):
    for role in (Role.EKONOMI, Role.STYRELSE):
        client = login(user_with_role(forbund, role))
        assert client.get("/forbund/profil/").status_code == 200
        assert client.get("/forbund/profil/andra/").status_code == 403
        assert client.post("/forbund/profil/andra/", _profile()).status_code == 403


def test_forbundsordning_versions_are_kept_by_date_and_downloadable(forbund, chef, login):
    client = login(chef)
    for day in ("2019-01-01", "2024-01-01"):
        response = client.post(
            "/forbund/forbundsordning/",
            {"giltig_fran": day, "fil": SimpleUploadedFile("ordning.pdf", PDF), "kommentar": ""},
        )
        assert response.status_code == 302
    versions = list(Forbundsordning.objects.filter(forbund=forbund))
    assert [v.giltig_fran.year for v in versions] == [2024, 2019]
    page = client.get("/forbund/profil/").text
    assert "Gällande version: från 2024-01-01" in page
    download = client.get(f"/forbund/forbundsordning/{versions[0].uuid}/")
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF


def test_forbundsordning_must_be_a_pdf(forbund, chef, login):
    response = login(chef).post(
        "/forbund/forbundsordning/",
        {"giltig_fran": "2024-01-01", "fil": SimpleUploadedFile("x.pdf", b"<html>not a pdf")},
    )
    assert response.status_code == 400
    assert "Filen är ingen PDF" in response.text
    assert not Forbundsordning.objects.exists()


def test_forbundsordning_of_other_forbund_is_404(forbund, other_forbund, chef, login):
    foreign = Forbundsordning.objects.create(
        forbund=other_forbund, giltig_fran="2020-01-01", fil="x.pdf", filnamn="x.pdf"
    )
    assert login(chef).get(f"/forbund/forbundsordning/{foreign.uuid}/").status_code == 404


def test_overview_shows_economy_and_board_warnings(
    forbund, chef, login, django_assert_max_num_queries
):
    client = login(chef)
    with django_assert_max_num_queries(25):
        response = client.get("/forbund/")
    assert response.status_code == 200
    assert "Ingen budget för året ännu" in response.text
    assert "saknar ordinarie ledamot" in response.text  # no board registered
    assert client.get("/forbund/oversikt/").status_code == 200


def test_member_and_board_tables_export_to_excel(forbund, styrelse, login):
    from io import BytesIO

    from openpyxl import load_workbook

    client = login(styrelse)
    book = load_workbook(BytesIO(client.get("/forbund/medlemmar/excel/").content))
    rows = list(book["Medlemmar"].iter_rows(values_only=True))
    assert rows[0][0] == "Medlem"
    assert any(r[0] == "Hedemora kommun" and r[2] == "2083" for r in rows)
    book = load_workbook(BytesIO(client.get("/forbund/styrelse/excel/").content))
    assert list(book["Styrelseuppdrag"].iter_rows(values_only=True))[0][0] == "Namn"
