"""No personnummer in any log line, URL, error page or default export; encryption at rest with
rotatable keys; the access-log review page."""

import datetime as dt
import io
import logging

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from deltagare import crypto, services
from deltagare.models import Atkomst, Atkomstlogg, Person
from finsam.roles import Role
from tests.deltagare.factories import (
    PNR_A,
    PNR_B,
    end_identified,
    person_insats,
    register_identified,
    staff_on,
)
from tests.factories import user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

FORMS = [PNR_A, PNR_A[2:], PNR_A[:8] + "-" + PNR_A[8:], PNR_A[2:8] + "-" + PNR_A[8:]]


def _assert_clean(text: str, where: str) -> None:
    for form in FORMS:
        assert form not in text, f"personnummer i {where}"


def test_a_whole_working_session_leaks_no_personnummer(insats, user, login, caplog):
    caplog.set_level(logging.DEBUG)
    client = login(user)
    urls_seen = []
    reg = f"/deltagare/insats/{insats.uuid}/registrera/?skyddad=nej&samtycke=ja"
    data = {
        "samtycke_satt": "PERSONLIGEN",
        "samtycke_datum": "2026-02-20",
        "personnummer": PNR_A[2:8] + "-" + PNR_A[8:],
        "kon": "K",
        "inskrivning": "2026-02-21",
        "anvisande_part": "AF",
        "utbildning": "GYMN",
        "sysselsattning_fore": "INGEN",
        "tid_offentlig_forsorjning": "1-2A",
        "forsorjning_fore": ["EKB"],
    }
    bad = client.post(reg, {**data, "utbildning": ""})
    _assert_clean(bad.content.decode(), "felsida")
    response = client.post(reg, data)
    urls_seen.append(response.url)
    duplicate = client.post(reg, data)  # overlap refused: an error page
    _assert_clean(duplicate.content.decode(), "felmeddelande vid överlapp")
    search = client.post("/deltagare/sok/", {"personnummer": PNR_A})
    assert search.status_code == 200
    for url in ("/deltagare/mina/", f"/deltagare/insats/{insats.uuid}/", "/deltagare/logg/"):
        _assert_clean(client.get(url).content.decode(), url)
    export = client.post(f"/deltagare/insats/{insats.uuid}/export/")
    assert PNR_A[2:8].encode() not in export.content
    not_found = client.get("/deltagare/d/00000000-0000-0000-0000-000000000000/")
    assert not_found.status_code == 404
    for url in urls_seen:
        _assert_clean(url, "URL")
    _assert_clean(caplog.text, "loggen")


def test_raw_columns_never_hold_the_number_or_the_name(insats, user):
    register_identified(insats, user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM deltagare_person")
        row = " ".join(str(v) for v in cursor.fetchone())
        cursor.execute("SELECT * FROM deltagare_samtycke")
        row += " ".join(str(v) for v in cursor.fetchone())
    _assert_clean(row, "databasen")
    assert PNR_A[2:8] not in row
    assert "Andersson" not in row


def test_one_hmac_per_person_for_every_format(insats, user):
    first = register_identified(insats, user)
    for i, form in enumerate(FORMS[1:]):
        found = services.person_find(medlem_id=insats.personuppgiftsansvarig_id, personnummer=form)
        assert found == first.person, i
    assert Person.objects.count() == 1


NEW_KEY = "bmV3LWtleS1mb3Itcm90YXRpb24tMzItYnl0ZXMtISE="  # 32 bytes, base64


def test_key_rotation_decrypts_everything_under_the_new_key(insats, user, settings):
    d = register_identified(insats, user)
    old_key = settings.FIELD_ENCRYPTION_KEY
    old_token = Person.objects.get().personnummer_krypterat
    with override_settings(FIELD_ENCRYPTION_KEY=f"{NEW_KEY},{old_key}"):
        call_command("deltagare_rotera_nycklar", stdout=io.StringIO())
        assert Person.objects.get().personnummer == PNR_A
    token = Person.objects.get().personnummer_krypterat
    assert token != old_token
    with override_settings(FIELD_ENCRYPTION_KEY=NEW_KEY):
        person = Person.objects.get()
        assert person.personnummer == PNR_A
        assert person.namn == "Anna Andersson"
    assert d.person.personnummer_hash == crypto.lookup_hash(PNR_A)


def test_hmac_key_rotation_keeps_people_findable(insats, user, settings):
    register_identified(insats, user)
    with override_settings(
        PERSONNUMMER_HMAC_KEY=f"ny-hmac-nyckel,{settings.PERSONNUMMER_HMAC_KEY}"
    ):
        medlem = insats.personuppgiftsansvarig_id
        assert services.person_find(medlem_id=medlem, personnummer=PNR_A) is not None
        call_command("deltagare_rotera_nycklar", stdout=io.StringIO())
    with override_settings(PERSONNUMMER_HMAC_KEY="ny-hmac-nyckel"):
        assert services.person_find(medlem_id=medlem, personnummer=PNR_A) is not None


def test_log_review_for_chef_and_controller_staff_is_filterable(insats, user, login, forbund):
    d = end_identified(register_identified(insats, user), user)
    client = login(user)
    client.get(f"/deltagare/d/{d.uuid}/")
    chef = user_with_role(forbund, Role.FORBUNDSCHEF)
    page = login(chef).get("/deltagare/logg/")
    assert page.status_code == 200
    assert d.nummer in page.text
    assert "Loggkedjan är obruten" in page.text
    _assert_clean(page.text, "loggsidan")
    only_views = login(chef).get("/deltagare/logg/?vad=VISA")
    assert only_views.text.count("<td>Visning</td>") == 1
    by_number = login(chef).get(f"/deltagare/logg/?nummer={d.nummer}")
    assert (
        by_number.text.count(f"<td>{d.nummer}</td>")
        == Atkomstlogg.objects.filter(deltagande=d).count()
    )
    # Staff of another member party see nothing of this controller's log.
    other_insats = person_insats(forbund, kod="SE", controller=forbund.medlemmar.get(typ="REGION"))
    other = staff_on(other_insats)
    assert d.nummer not in login(other).get("/deltagare/logg/").text
    styrelse = user_with_role(forbund, Role.STYRELSE)
    assert login(styrelse).get("/deltagare/logg/").status_code == 404


def test_each_read_writes_exactly_one_row(insats, user, login):
    d = register_identified(insats, user)
    client = login(user)
    before = Atkomstlogg.objects.count()
    for _ in range(3):
        client.get(f"/deltagare/d/{d.uuid}/")
    client.get(f"/deltagare/person/{d.person.uuid}/")
    client.get(f"/deltagare/insats/{insats.uuid}/")  # a list shows no identity: no row
    assert Atkomstlogg.objects.count() == before + 4
    assert Atkomstlogg.objects.filter(vad=Atkomst.VISA).count() == 4


def test_gallring_task_reports_what_it_did(insats, user):
    from deltagare.tasks import gallring

    d = register_identified(insats, user, inskrivning=dt.date(2023, 1, 10))
    end_identified(d, user, utskrivning=dt.date(2023, 6, 30))
    result = gallring.apply().get()
    assert result["personer"] == 1
    assert result["deltaganden"] == 1
    assert gallring.apply().get()["personer"] == 0


def test_invariant_check_is_clean_after_normal_work_and_flags_a_manual_break(insats, user):
    from deltagare.selectors import invariant_violations

    d = end_identified(register_identified(insats, user), user)
    other = register_identified(insats, user, pnr=PNR_B, inskrivning=dt.date(2025, 8, 1))
    services.samtycke_withdraw(deltagande=other, user=user)
    out = io.StringIO()
    call_command("deltagare_kontroll", stdout=out)
    assert "Allt stämmer" in out.getvalue()
    assert not any(invariant_violations().values())
    with connection.cursor() as cursor:  # a manual "repair" that breaks the rule
        cursor.execute(
            "UPDATE deltagare_samtycke SET aterkallad = '2026-01-01' WHERE id = %s", [d.samtycke_id]
        )
    assert invariant_violations()["identitet_utan_giltigt_samtycke"] == 1


def test_person_page_links_to_the_log_of_that_person_only(insats, user, login):
    a = register_identified(insats, user)
    b = register_identified(insats, user, pnr=PNR_B)
    client = login(user)
    page = client.get(f"/deltagare/person/{a.person.uuid}/")
    assert f"/deltagare/logg/?person={a.person.uuid}" in page.text
    log = client.get(f"/deltagare/logg/?person={a.person.uuid}").text
    assert f"<td>{a.nummer}</td>" in log
    assert f"<td>{b.nummer}</td>" not in log


def test_error_reports_hide_the_personnummer_posted(insats, user, login):
    from django.views.debug import SafeExceptionReporterFilter

    client = login(user)
    response = client.post("/deltagare/sok/", {"personnummer": PNR_A})
    request = response.wsgi_request
    cleaned = SafeExceptionReporterFilter().get_post_parameters(request)
    assert cleaned["personnummer"] != PNR_A


def test_log_page_shows_what_to_review(insats, user, login, forbund, time_machine):
    d = register_identified(insats, user)
    time_machine.move_to(dt.datetime(2026, 3, 1, 23, 15, tzinfo=dt.UTC), tick=False)
    login(user).get(f"/deltagare/d/{d.uuid}/")
    chef = user_with_role(forbund, Role.FORBUNDSCHEF)
    page = login(chef).get("/deltagare/logg/").text
    assert "Att granska" in page
    assert "Läsningar nattetid" in page
