"""The handläggare's screens: registration flow, search, end, withdrawal, follow-up, lists."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deltagare import services
from deltagare.models import Atkomst, Atkomstlogg, Deltagande, Person, Samtycke
from tests.deltagare.factories import (
    PNR_A,
    PNR_B,
    end_identified,
    register_anonymous,
    register_identified,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

IDENTIFIED = {
    "skyddad": "nej",
    "samtycke": "ja",
    "samtycke_satt": "PERSONLIGEN",
    "samtycke_datum": "2026-02-20",
    "personnummer": PNR_A[2:8] + "-" + PNR_A[8:],
    "namn": "Anna Andersson",
    "kon": "K",
    "inskrivning": "2026-02-21",
    "anvisande_part": "AF",
    "utbildning": "GYMN",
    "sysselsattning_fore": "INGEN",
    "tid_offentlig_forsorjning": "1-2A",
    "forsorjning_fore": ["EKB", "AKST"],
}


def _url(insats, suffix=""):
    return f"/deltagare/insats/{insats.uuid}/{suffix}"


def test_registration_starts_with_the_two_questions(insats, user, login):
    response = login(user).get(_url(insats, "registrera/"))
    assert response.status_code == 200
    assert "skyddade personuppgifter" in response.text
    assert "samtyckt" in response.text
    assert 'name="personnummer"' not in response.text


def test_no_consent_shows_only_the_anonymous_form(insats, user, login):
    response = login(user).get(_url(insats, "registrera/?skyddad=nej&samtycke=nej"))
    assert 'name="fodelsear"' in response.text
    assert 'name="personnummer"' not in response.text
    assert 'name="utbildning"' not in response.text


def test_protected_identity_shows_only_the_anonymous_form_even_with_consent(insats, user, login):
    response = login(user).get(_url(insats, "registrera/?skyddad=ja&samtycke=ja"))
    assert 'name="personnummer"' not in response.text
    assert "Skyddade personuppgifter" in response.text


def test_register_identified_through_the_form(insats, user, login):
    client = login(user)
    url = _url(insats, "registrera/?skyddad=nej&samtycke=ja")
    response = client.post(url, IDENTIFIED)
    d = Deltagande.objects.get()
    assert response.status_code == 302
    assert response.url == f"/deltagare/d/{d.uuid}/"
    assert d.person.personnummer == PNR_A
    assert d.samtycke.vittne == user
    assert PNR_A not in response.url


def test_register_identified_with_uploaded_form(insats, user, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {**IDENTIFIED, "samtycke_satt": "BLANKETT", "blankettversion": "2026:1"}
    data["samtycke_dokument"] = SimpleUploadedFile(
        "blankett.pdf", b"%PDF-1.4 test", "application/pdf"
    )
    client = login(user)
    client.post(_url(insats, "registrera/?skyddad=nej&samtycke=ja"), data)
    samtycke = Samtycke.objects.get()
    assert samtycke.dokument_typ == "application/pdf"
    assert b"%PDF" not in bytes(samtycke.dokument_krypterat)
    download = client.get(f"/deltagare/samtycke/{samtycke.uuid}/dokument/")
    assert download.content == b"%PDF-1.4 test"
    assert Atkomstlogg.objects.filter(vad=Atkomst.DOKUMENT).count() == 1


def test_uploaded_file_that_is_not_pdf_or_image_is_refused(insats, user, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {**IDENTIFIED, "samtycke_satt": "BLANKETT"}
    data["samtycke_dokument"] = SimpleUploadedFile("x.pdf", b"MZ-not-a-pdf", "application/pdf")
    response = login(user).post(_url(insats, "registrera/?skyddad=nej&samtycke=ja"), data)
    assert response.status_code == 200
    assert "PDF, JPEG eller PNG" in response.text
    assert not Deltagande.objects.exists()


def test_bad_personnummer_shows_swedish_error_next_to_field_and_saves_nothing(insats, user, login):
    data = {**IDENTIFIED, "personnummer": PNR_A[:-1] + str((int(PNR_A[-1]) + 1) % 10)}
    response = login(user).post(_url(insats, "registrera/?skyddad=nej&samtycke=ja"), data)
    assert response.status_code == 200
    assert "Kontrollsiffran stämmer inte" in response.text
    assert data["personnummer"] not in response.text
    assert not Deltagande.objects.exists()
    assert not Person.objects.exists()


def test_register_anonymous_through_the_form(insats, user, login):
    response = login(user).post(
        _url(insats, "registrera/?skyddad=nej&samtycke=nej"),
        {"kon": "M", "fodelsear": "2004", "inskrivning": "2026-02-01"},
    )
    assert response.status_code == 302
    d = Deltagande.objects.get()
    assert d.person is None
    assert d.fodelsear == 2004


def test_anonymous_post_with_smuggled_identity_stores_no_identity(insats, user, login):
    login(user).post(
        _url(insats, "registrera/?skyddad=ja&samtycke=ja"),
        {"kon": "M", "fodelsear": "2004", "inskrivning": "2026-02-01", "personnummer": PNR_A},
    )
    assert Deltagande.objects.get().person is None
    assert not Person.objects.exists()


def test_future_inskrivning_shows_error(insats, user, login):
    response = login(user).post(
        _url(insats, "registrera/?skyddad=nej&samtycke=nej"),
        {"kon": "M", "fodelsear": "2004", "inskrivning": "2026-03-05"},
    )
    assert "framtiden" in response.text
    assert not Deltagande.objects.exists()


def test_age_warning_is_shown_after_registration(insats, user, login):
    response = login(user).post(
        _url(insats, "registrera/?skyddad=nej&samtycke=nej"),
        {"kon": "M", "fodelsear": "1950", "inskrivning": "2026-02-01"},
        follow=True,
    )
    assert "utanför lagens åldersspann" in response.text


def test_overlap_is_refused_with_a_clear_message(insats, user, login):
    first = register_identified(insats, user)
    response = login(user).post(_url(insats, "registrera/?skyddad=nej&samtycke=ja"), IDENTIFIED)
    assert response.status_code == 200
    assert "redan ett deltagande" in response.text
    assert first.nummer in response.text
    assert Deltagande.objects.count() == 1


def test_detail_shows_identity_and_logs_exactly_one_read(insats, user, login):
    d = register_identified(insats, user)
    client = login(user)
    before = Atkomstlogg.objects.filter(vad=Atkomst.VISA).count()
    response = client.get(f"/deltagare/d/{d.uuid}/")
    assert PNR_A[:8] + "-" + PNR_A[8:] in response.text
    assert Atkomstlogg.objects.filter(vad=Atkomst.VISA).count() == before + 1
    row = Atkomstlogg.objects.filter(vad=Atkomst.VISA).latest("id")
    assert (row.user, row.person_uuid, row.deltagande) == (user, d.person.uuid, d)


def test_anonymous_detail_writes_no_log_row(insats, user, login):
    d = register_anonymous(insats, user)
    login(user).get(f"/deltagare/d/{d.uuid}/")
    assert not Atkomstlogg.objects.exists()


def test_search_by_personnummer_is_post_only_and_finds_the_person(insats, user, login):
    d = register_identified(insats, user)
    client = login(user)
    assert client.get("/deltagare/sok/").status_code == 405
    response = client.post("/deltagare/sok/", {"personnummer": PNR_A})
    assert d.nummer in response.text
    assert Atkomstlogg.objects.filter(vad=Atkomst.SOK).count() == 1
    miss = client.post("/deltagare/sok/", {"personnummer": PNR_B})
    assert "Ingen träff" in miss.text


def test_end_form_requires_efter_data_then_ends(insats, user, login):
    d = register_identified(insats, user)
    client = login(user)
    url = f"/deltagare/d/{d.uuid}/avsluta/"
    response = client.post(url, {"utskrivning": "2026-02-27"})
    assert "Detta fält måste fyllas i" in response.text or "Ange" in response.text
    d.refresh_from_db()
    assert d.utskrivning is None
    response = client.post(
        url,
        {
            "utskrivning": "2026-02-27",
            "avslutsorsak": "MAL",
            "sysselsattning_efter": "STUDIER",
            "forsorjning_efter": ["STUD"],
        },
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.utskrivning == dt.date(2026, 2, 27)
    assert d.sysselsattning_efter_id == "STUDIER"


def test_anonymous_end_form_asks_only_the_date(insats, user, login):
    d = register_anonymous(insats, user)
    client = login(user)
    page = client.get(f"/deltagare/d/{d.uuid}/avsluta/")
    assert 'name="avslutsorsak"' not in page.text
    client.post(f"/deltagare/d/{d.uuid}/avsluta/", {"utskrivning": "2026-02-27"})
    d.refresh_from_db()
    assert d.utskrivning == dt.date(2026, 2, 27)


def test_withdrawal_page_erases_identity(insats, user, login):
    d = register_identified(insats, user)
    client = login(user)
    assert "raderas" in client.get(f"/deltagare/d/{d.uuid}/aterkalla/").text
    response = client.post(f"/deltagare/d/{d.uuid}/aterkalla/", follow=True)
    assert "Samtycket är återkallat" in response.text
    d.refresh_from_db()
    assert d.person is None
    assert not Person.objects.exists()


def test_felregistrering_from_the_detail_page(insats, user, login):
    d = register_anonymous(insats, user)
    login(user).post(f"/deltagare/d/{d.uuid}/felregistrering/")
    d.refresh_from_db()
    assert d.is_fel


def test_follow_up_can_be_recorded_as_not_reached(insats, user, login):
    d = end_identified(register_identified(insats, user), user, utskrivning=dt.date(2025, 6, 30))
    client = login(user)
    worklist = client.get("/deltagare/uppfoljningar/")
    assert d.nummer in worklist.text
    response = client.post(f"/deltagare/d/{d.uuid}/uppfoljning/6/", {"nadd": "nej"})
    assert response.status_code == 302
    assert d.uppfoljningar.get(punkt=6).nadd is False


def test_follow_up_reached_needs_sysselsattning(insats, user, login):
    d = end_identified(register_identified(insats, user), user, utskrivning=dt.date(2025, 6, 30))
    response = login(user).post(f"/deltagare/d/{d.uuid}/uppfoljning/6/", {"nadd": "ja"})
    assert "Ange sysselsättning" in response.text
    assert not d.uppfoljningar.exists()


def test_list_filters_and_flags(insats, user, login):
    ended = end_identified(
        register_identified(insats, user),
        user,
        sysselsattning_efter="OKAND",
        forsorjning_efter=["OKAND"],
    )
    active = register_anonymous(insats, user, kon="K")
    client = login(user)
    page = client.get("/deltagare/mina/").text
    assert ended.nummer in page
    assert active.nummer in page
    assert "Efter-uppgifter saknas" in page
    only_active = client.get("/deltagare/mina/?status=aktiva").text
    assert active.nummer in only_active
    assert ended.nummer not in only_active
    missing = client.get("/deltagare/mina/?saknas=efter").text
    assert ended.nummer in missing
    assert active.nummer not in missing
    assert PNR_A not in page


def test_list_query_count_is_constant(insats, user, login):
    client = login(user)
    register_anonymous(insats, user)
    with CaptureQueriesContext(connection) as few:
        client.get("/deltagare/mina/")
    for i in range(15):
        register_anonymous(insats, user, inskrivning=dt.date(2025, 1, 1) + dt.timedelta(days=i))
    end_identified(register_identified(insats, user), user)
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/deltagare/insats/{insats.uuid}/")
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as many_mina:
        client.get("/deltagare/mina/")
    assert len(many_mina) == len(few)
    assert len(many) <= len(few) + 1


def test_person_page_lists_linked_participations_and_logs(insats, user, login):
    first = end_identified(
        register_identified(insats, user), user, utskrivning=dt.date(2025, 3, 31)
    )
    again = register_identified(insats, user, inskrivning=dt.date(2025, 4, 1))
    client = login(user)
    response = client.get(f"/deltagare/person/{first.person.uuid}/")
    assert first.nummer in response.text
    assert again.nummer in response.text
    assert Atkomstlogg.objects.filter(vad=Atkomst.VISA, deltagande=None).count() == 1


def test_registerutdrag_is_a_pdf_with_everything_and_is_logged(insats, user, login):
    from io import BytesIO

    from pypdf import PdfReader

    d = register_identified(insats, user)
    response = login(user).post(f"/deltagare/person/{d.person.uuid}/registerutdrag/")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)
    assert PNR_A[:8] in text
    assert d.nummer in text
    assert "Vem har läst" in text
    assert Atkomstlogg.objects.filter(vad=Atkomst.UTDRAG).count() == 1
    assert PNR_A not in response["Content-Disposition"]


def test_edit_start_details_of_identified(insats, user, login):
    d = register_identified(insats, user)
    client = login(user)
    page = client.get(f"/deltagare/d/{d.uuid}/andra/")
    assert 'name="fodelsear"' not in page.text
    response = client.post(
        f"/deltagare/d/{d.uuid}/andra/",
        {
            "kon": "X",
            "inskrivning": "2025-01-20",
            "anvisande_part": "FK",
            "utbildning": "EFTERGYMN",
            "sysselsattning_fore": "SJUK",
            "tid_offentlig_forsorjning": ">5A",
            "forsorjning_fore": ["SJP"],
        },
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert (d.kon_id, d.anvisande_part_id, d.inskrivning) == ("X", "FK", dt.date(2025, 1, 20))
    assert list(d.forsorjning.values_list("kalla_id", "inskrivning")) == [
        ("SJP", dt.date(2025, 1, 20))
    ]
    assert Atkomstlogg.objects.filter(deltagande=d, vad=Atkomst.ANDRA).count() == 2


def test_edit_anonymous_only_offers_kon_birth_year_and_date(insats, user, login):
    d = register_anonymous(insats, user)
    client = login(user)
    page = client.get(f"/deltagare/d/{d.uuid}/andra/")
    assert 'name="utbildning"' not in page.text
    client.post(
        f"/deltagare/d/{d.uuid}/andra/",
        {"kon": "K", "fodelsear": "1990", "inskrivning": "2025-02-02", "utbildning": "GYMN"},
    )
    d.refresh_from_db()
    assert (d.kon_id, d.fodelsear, d.utbildning_id) == ("K", 1990, None)


def test_edit_that_would_overlap_is_refused(insats, user, login):
    first = end_identified(
        register_identified(insats, user), user, utskrivning=dt.date(2025, 3, 31)
    )
    second = register_identified(insats, user, inskrivning=dt.date(2025, 4, 1))
    data = {
        "kon": "K",
        "inskrivning": "2025-03-15",
        "anvisande_part": "AF",
        "utbildning": "GYMN",
        "sysselsattning_fore": "INGEN",
        "tid_offentlig_forsorjning": "1-2A",
        "forsorjning_fore": ["EKB"],
    }
    response = login(user).post(f"/deltagare/d/{second.uuid}/andra/", data)
    assert first.nummer in response.text
    second.refresh_from_db()
    assert second.inskrivning == dt.date(2025, 4, 1)


def test_pages_put_nothing_but_text_in_the_title(insats, user, login, forbund):
    import re

    from finsam.roles import Role
    from tests.factories import user_with_role

    d = register_identified(insats, user)
    client = login(user)
    chef = login(user_with_role(forbund, Role.FORBUNDSCHEF))
    pages = [
        client.get("/deltagare/mina/"),
        client.get(f"/deltagare/d/{d.uuid}/"),
        client.get(f"/deltagare/d/{d.uuid}/andra/"),
        client.get("/deltagare/import/"),
        chef.get("/deltagare/oversikt/"),
        chef.get("/deltagare/logg/"),
    ]
    for response in pages:
        head = response.text.split("</head>")[0]
        title = re.search(r"<title>(.*?)</title>", head, re.S).group(1)
        assert "<" not in title
        assert "<form" not in head


def test_registerutdrag_escapes_stored_text_and_fetches_nothing(insats, user, login):
    from io import BytesIO

    from pypdf import PdfReader

    from deltagare.registerutdrag import _refuse_fetch

    d = register_identified(insats, user, namn='<img src="file:///etc/passwd">Eva')
    response = login(user).post(f"/deltagare/person/{d.person.uuid}/registerutdrag/")
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)
    assert '<img src="file:///etc/passwd">Eva' in text
    with pytest.raises(ValueError, match="hämtar inga"):
        _refuse_fetch("file:///etc/passwd")


def test_overview_query_count_does_not_grow_with_insatser(forbund, codes, login, insats, user):
    from finsam.roles import Role
    from tests.deltagare.factories import person_insats
    from tests.factories import user_with_role

    chef = login(user_with_role(forbund, Role.FORBUNDSCHEF))
    register_anonymous(insats, user)
    with CaptureQueriesContext(connection) as few:
        chef.get("/deltagare/oversikt/")
    for i in range(5):
        other = person_insats(forbund, kod=f"X{i}")
        register_anonymous(other, user)
    with CaptureQueriesContext(connection) as many:
        chef.get("/deltagare/oversikt/")
    assert len(many) == len(few)


def test_list_filters_by_age_group_and_kon(insats, user, login):
    young = register_anonymous(insats, user, fodelsear=2005, inskrivning=dt.date(2025, 2, 1))
    older = register_anonymous(
        insats, user, fodelsear=1980, kon="K", inskrivning=dt.date(2025, 2, 2)
    )
    client = login(user)
    page = client.get("/deltagare/mina/?aldersgrupp=20-24").text
    assert young.nummer in page
    assert older.nummer not in page
    page = client.get("/deltagare/mina/?aldersgrupp=40-49&kon=K").text
    assert older.nummer in page
    assert young.nummer not in page
    page = client.get("/deltagare/mina/?fran=2025-02-02&till=2025-02-02&status=aktiva").text
    assert older.nummer in page
    assert young.nummer in page  # still active on that day


@pytest.mark.parametrize(
    ("role", "has", "lacks"),
    [
        (
            "handlaggare",
            ["Deltagare", "Uppföljningar", "Importera", "Åtkomstlogg"],
            ["Deltagare per insats"],
        ),
        ("forbundschef", ["Deltagare per insats", "Åtkomstlogg"], ["Uppföljningar", "Importera"]),
        ("styrelse", [], ["Deltagare", "Åtkomstlogg", "Deltagare per insats"]),
    ],
)
def test_navigation_offers_the_deltagare_pages_by_role(role, has, lacks):
    from django.test import RequestFactory

    from finsam.navigation import items_for

    request = RequestFactory().get("/")
    request.roles = frozenset({role})
    labels = [str(item["label"]) for item in items_for(request)]
    for label in has:
        assert label in labels
    for label in lacks:
        assert label not in labels


def test_protected_identity_needs_no_consent_answer(insats, user, login):
    client = login(user)
    page = client.get(f"/deltagare/insats/{insats.uuid}/registrera/?skyddad=ja")
    assert 'name="fodelsear"' in page.text
    missing = client.get(f"/deltagare/insats/{insats.uuid}/registrera/?skyddad=nej")
    assert "Svara på frågan om samtycke" in missing.text


def test_edit_end_details_of_an_ended_participation(insats, user, login):
    d = end_identified(register_identified(insats, user), user, utskrivning=dt.date(2025, 6, 30))
    data = {
        "kon": "K",
        "inskrivning": "2025-01-15",
        "anvisande_part": "AF",
        "utbildning": "GYMN",
        "sysselsattning_fore": "INGEN",
        "tid_offentlig_forsorjning": "1-2A",
        "forsorjning_fore": ["EKB"],
        "utskrivning": "2025-07-31",
        "avslutsorsak": "PLAN",
        "sysselsattning_efter": "STUDIER",
        "forsorjning_efter": ["STUD", "AKE"],
    }
    client = login(user)
    bad = client.post(f"/deltagare/d/{d.uuid}/andra/", {**data, "utskrivning": "2024-12-01"})
    assert "före inskrivningen" in bad.text
    client.post(f"/deltagare/d/{d.uuid}/andra/", data)
    d.refresh_from_db()
    assert (d.utskrivning, d.avslutsorsak_id, d.sysselsattning_efter_id) == (
        dt.date(2025, 7, 31),
        "PLAN",
        "STUDIER",
    )
    efter = d.forsorjning.filter(skede="EFTER")
    assert sorted(efter.values_list("kalla_id", flat=True)) == ["AKE", "STUD"]
    assert set(d.forsorjning.values_list("utskrivning", flat=True)) == {dt.date(2025, 7, 31)}


def test_renewed_consent_clears_the_expiry_flag_and_keeps_history(insats, user, login):
    d = register_identified(
        insats,
        user,
        samtycke=services.SamtyckeInput(
            datum=dt.date(2025, 1, 10), satt="PERSONLIGEN", giltig_till=dt.date(2026, 3, 20)
        ),
    )
    client = login(user)
    assert "Samtycke går ut" in client.get("/deltagare/mina/").text
    response = client.post(
        f"/deltagare/d/{d.uuid}/samtycke/",
        {
            "samtycke_satt": "PERSONLIGEN",
            "samtycke_datum": "2026-02-28",
            "blankettversion": "2026:1",
        },
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.samtycke.datum == dt.date(2026, 2, 28)
    assert d.samtycke.giltig_till is None
    assert Samtycke.objects.filter(person=d.person).count() == 2
    assert "Samtycke går ut" not in client.get("/deltagare/mina/").text


def test_renewed_consent_with_bad_input_changes_nothing(insats, user, login):
    d = register_identified(insats, user)
    response = login(user).post(
        f"/deltagare/d/{d.uuid}/samtycke/",
        {"samtycke_satt": "BLANKETT", "samtycke_datum": "2026-03-02"},
    )
    assert "Ladda upp den undertecknade blanketten" in response.text
    assert Samtycke.objects.count() == 1


def test_anonymous_participation_has_no_consent_page(insats, user, login):
    d = register_anonymous(insats, user)
    assert login(user).get(f"/deltagare/d/{d.uuid}/samtycke/").status_code == 404
