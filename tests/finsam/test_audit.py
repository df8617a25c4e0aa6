"""The audit trail (finsam.audit, django-pghistory): who changed what, when, old → new; shown on
the object's page to those who may see the page; purged of a participation's details when it is
anonymised; never holding identity."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pghistory.models import Context

from deltagare import services as dsvc
from deltagare.models import Deltagande, Forsorjning, Uppfoljning
from finsam.audit import safe_path
from finsam.roles import Role
from forbund import services_budget as bsvc
from forbund.models import Budget, Forbund
from insatser.models import Insats
from tests.deltagare.factories import (
    PNR_A,
    end_identified,
    person_insats,
    register_identified,
    staff_on,
)
from tests.factories import user_with_role
from tests.forbund.test_budget import LINES
from tests.forbund.test_profil import _profile
from tests.insatser.factories import full_insats
from tests.insatser.test_forms import create_data

pytestmark = pytest.mark.django_db

# The details of a participation that anonymisation removes (design section 4 rule 4), as set by
# the test below: start details, försörjning före/efter, end details and the follow-up.
OLD_DETAILS = {
    *("GYMN", "INGEN", "1-2A", "AF", "EKB", "AKST"),  # registered
    *("EFTERGYMN", "SJUK", ">5A", "FK", "SJP", "AKE"),  # corrected
    *("MAL", "STUDIER", "STUD", "ARBETE"),  # ended, followed up
}


def event_models():
    return [m for m in apps.get_models() if m._meta.label.endswith("Event") and m.pgh_trackers]


def events_of(model):
    """Every stored event of a tracked model, as the database holds them (JSON per row)."""
    table = model.pgh_event_model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT row_to_json(e)::text FROM "{table}" e ORDER BY pgh_id')  # noqa: S608
        return [json.loads(r[0]) for r in cursor.fetchall()]


# --- recording: who, when, old → new, through the real views ----------------------------------


def test_profile_change_through_the_view_records_user_old_new_and_request(forbund, chef, login):
    before = forbund.postort
    response = login(chef).post("/forbund/profil/andra/", _profile(postort="Kanarieby"))
    assert response.status_code == 302
    event = Forbund.pgh_event_model.objects.filter(pgh_obj=forbund, pgh_label="update").get()
    assert event.postort == "Kanarieby"
    previous = (
        Forbund.pgh_event_model.objects.filter(pgh_obj=forbund, pgh_id__lt=event.pgh_id)
        .order_by("-pgh_id")
        .first()
    )
    assert previous.postort == before
    assert event.pgh_context.metadata == {
        "user": chef.pk,
        "url": "/forbund/profil/andra/",
        "method": "POST",
    }


def test_profile_page_shows_the_change_with_swedish_labels(forbund, chef, login):
    client = login(chef)
    client.post("/forbund/profil/andra/", _profile(postort="Kanarieby"))
    page = client.get("/forbund/profil/").text
    history = page[page.index("Ändringshistorik") :]
    assert "<td>Postort</td>" in history
    assert "Kanarieby</td>" in history
    assert chef.get_full_name() in history
    # The newest first: the profile change comes before the förbund's creation.
    assert history.index("Kanarieby") < history.index("Skapad".lower())


def test_budget_line_change_through_the_view_is_on_the_budget_page(forbund, login):
    ekonomi = user_with_role(forbund, Role.EKONOMI)
    client = login(ekonomi)
    client.post("/forbund/budget/ny/", {"ar": "2025"})
    b = Budget.objects.get(forbund=forbund, ar=2025)
    url = f"/forbund/budget/{b.uuid}/"
    assert client.post(url, {"action": "rader", **LINES}).status_code == 302
    assert client.post(url, {"action": "rader", **LINES, "STYRELSE": "250000"}).status_code == 302
    history = client.get(url).text.split("Ändringshistorik", 1)[1]
    assert "Budgetrad Styrelse: ändrad" in history
    assert "200\xa0000</td>" in history  # old (Swedish thousands separator)
    assert "250\xa0000</td>" in history  # new
    assert ekonomi.get_full_name() in history


def test_decided_budget_stays_locked_with_the_audit_triggers(forbund, chef):
    from django.db import IntegrityError, transaction

    b = bsvc.budget_create(forbund=forbund, ar=2025, user=chef)
    bsvc.budget_set_lines(budget=b, amounts={"STYRELSE": Decimal(100)})
    bsvc.budget_decide(budget=b, beslutsdatum=dt.date(2024, 12, 1), paragraf="§ 1/2024")
    with pytest.raises(IntegrityError), transaction.atomic():
        b.rader.filter(post="STYRELSE").update(belopp=5)
    labels = list(
        Budget.pgh_event_model.objects.filter(pgh_obj=b).values_list("pgh_label", "status")
    )
    assert labels == [("insert", "UTKAST"), ("update", "BESLUTAD")]


def test_insats_edit_through_the_view_is_in_the_history_and_other_events_stay(forbund, chef, login):
    insats = full_insats(forbund, user=chef, kod="UNGA", namn="Ungdomsteamet")
    client = login(chef)
    data = create_data(forbund, kod="UNGA", namn="Ungdomsteamet Norr")
    data["malgrupper"] = ["UNGA"]
    assert client.post(f"/insatser/{insats.uuid}/andra/", data).status_code == 302
    page = client.get(f"/insatser/{insats.uuid}/").text
    history = page[page.index("Historik") : page.index("Övriga händelser")]
    assert "<td>Namn</td>" in history
    assert "Ungdomsteamet</td>" in history
    assert "Ungdomsteamet Norr</td>" in history
    others = page[page.index("Övriga händelser") :]
    assert "Målgrupper" in others  # many-to-many: only the insats's own event log has it
    assert "<td>Namn</td>" not in others  # not shown twice


def test_deltagande_edit_through_the_view_is_on_its_page(forbund, codes, login):
    insats = person_insats(forbund, kod="UNGA")
    user = staff_on(insats)
    d = register_identified(insats, user)
    client = login(user)
    response = client.post(
        f"/deltagare/d/{d.uuid}/andra/",
        {
            "kon": "K",
            "inskrivning": "2025-01-15",
            "anvisande_part": "FK",
            "utbildning": "GYMN",
            "sysselsattning_fore": "INGEN",
            "tid_offentlig_forsorjning": "1-2A",
            "forsorjning_fore": ["EKB", "SJP"],
        },
    )
    assert response.status_code == 302
    history = client.get(f"/deltagare/d/{d.uuid}/").text.split("Ändringshistorik", 1)[1]
    assert "<td>Anvisande part</td>" in history
    # Only the source really added is recorded, not every source removed and added again.
    assert history.count("Försörjning Före insats: skapad") == 3  # EKB, AKST at start; SJP now
    assert "Försörjning Före insats: borttagen" in history  # AKST
    assert user.get_full_name() in history


@pytest.fixture
def codes(db):
    from deltagare import kodlistor

    kodlistor.ensure_loaded()


# --- who may see it -----------------------------------------------------------------------------


def test_another_forbunds_user_gets_404_and_never_sees_the_history(
    forbund, other_forbund, chef, codes, login
):
    client = login(chef)
    client.post("/forbund/profil/andra/", _profile(postort="Kanarieby"))
    b = bsvc.budget_create(forbund=forbund, ar=2025, user=chef)
    insats = full_insats(forbund, user=chef)
    pinsats = person_insats(forbund, kod="P1")
    d = register_identified(pinsats, staff_on(pinsats))
    stranger = login(user_with_role(other_forbund, Role.FORBUNDSCHEF))
    assert stranger.get(f"/forbund/budget/{b.uuid}/").status_code == 404
    assert stranger.get(f"/insatser/{insats.uuid}/").status_code == 404
    foreign_staff = login(staff_on(person_insats(other_forbund, kod="X")))
    assert foreign_staff.get(f"/deltagare/d/{d.uuid}/").status_code == 404
    assert "Kanarieby" not in stranger.get("/forbund/profil/").text


def test_deltagande_history_only_for_staff_who_may_see_the_participation(
    forbund, chef, codes, login
):
    insats = person_insats(forbund, kod="UNGA")
    d = register_identified(insats, staff_on(insats))
    other_insats = person_insats(forbund, kod="ANNAN")
    assert login(staff_on(other_insats)).get(f"/deltagare/d/{d.uuid}/").status_code == 404
    assert login(chef).get(f"/deltagare/d/{d.uuid}/").status_code == 404


# --- constant query count -----------------------------------------------------------------------


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.text


def test_history_pages_make_the_same_queries_for_1_and_30_events(
    forbund, chef, codes, login, django_assert_max_num_queries
):
    insats = person_insats(forbund, kod="UNGA")
    user = staff_on(insats)
    d = register_identified(insats, user)
    chef_client, staff_client = login(chef), login(user)
    profil, deltagande = "/forbund/profil/", f"/deltagare/d/{d.uuid}/"
    _queries(chef_client, profil), _queries(staff_client, deltagande)  # warm caches
    few = _queries(chef_client, profil)[0], _queries(staff_client, deltagande)[0]
    for i in range(30):
        forbund.telefon = f"0225-{i:05d}"
        forbund.save()
        dsvc.deltagande_update(
            deltagande=d,
            user=user,
            kon="K",
            inskrivning=dt.date(2025, 1, 15),
            start=dsvc.StartUppgifter(
                utbildning="GYMN" if i % 2 else "EFTERGYMN",
                sysselsattning_fore="INGEN",
                tid_offentlig_forsorjning="1-2A",
                anvisande_part="AF",
                forsorjning_fore=["EKB"] if i % 2 else ["SJP"],
            ),
        )
    many_profil, page = _queries(chef_client, profil)
    many_deltagande, dpage = _queries(staff_client, deltagande)
    print(f"queries profil: {few[0]} → {many_profil}; deltagande: {few[1]} → {many_deltagande}")
    assert "Äldre ändringar" in page  # paged: more than one page now
    assert "Äldre ändringar" in dpage
    assert (many_profil, many_deltagande) == few
    with django_assert_max_num_queries(few[1]):
        staff_client.get(deltagande)
    with django_assert_max_num_queries(few[0]):
        chef_client.get(profil)


def test_history_is_paged_newest_first(forbund, chef, login):
    for i in range(25):
        forbund.telefon = f"0225-{i:05d}"
        forbund.save()
    client = login(chef)
    first = client.get("/forbund/profil/").text
    assert "0225-00024" in first
    assert "0225-00000" not in first
    second = client.get("/forbund/profil/?historik=2").text
    assert "0225-00000" in second
    assert "0225-00024</td>" not in second
    assert client.get("/forbund/profil/?historik=abc").status_code == 200  # no 500


# --- privacy: identity never, details purged on anonymisation ----------------------------------


def _participation_with_all_details(insats, user) -> Deltagande:
    d = register_identified(insats, user)
    dsvc.deltagande_update(
        deltagande=d,
        user=user,
        kon="K",
        inskrivning=dt.date(2025, 1, 15),
        start=dsvc.StartUppgifter(
            utbildning="EFTERGYMN",
            sysselsattning_fore="SJUK",
            tid_offentlig_forsorjning=">5A",
            anvisande_part="FK",
            forsorjning_fore=["SJP", "AKE"],
        ),
    )
    end_identified(
        d, user, avslutsorsak="MAL", sysselsattning_efter="STUDIER", forsorjning_efter=["STUD"]
    )
    d.refresh_from_db()
    dsvc.uppfoljning_record(
        deltagande=d, user=user, punkt=6, nadd=True, sysselsattning="ARBETE", forsorjning=["LON"]
    )
    return d


def _hits(d: Deltagande) -> list:
    """Every value among OLD_DETAILS in any event row of any event table that refers to ``d``."""
    found = []
    for model in event_models():
        tracked = model.pgh_tracked_model
        for row in events_of(tracked):
            refers = (tracked is Deltagande and row["pgh_obj_id"] == d.pk) or row.get(
                "deltagande_id"
            ) == d.pk
            if refers:
                found += [(model.__name__, v) for v in row.values() if v in OLD_DETAILS]
    return found


def test_anonymisation_purges_the_details_from_every_event_table(forbund, codes, login):
    insats = person_insats(forbund, kod="UNGA")
    user = staff_on(insats)
    d = _participation_with_all_details(insats, user)
    before = _hits(d)
    assert {v for _, v in before} == OLD_DETAILS  # the test can fail: the details were there
    response = login(user).post(f"/deltagare/d/{d.uuid}/aterkalla/")
    assert response.status_code == 302
    after = _hits(d)
    print(f"detail values in the history: before {len(before)}, after {len(after)}")
    assert after == []
    assert not Forsorjning.pgh_event_model.objects.filter(deltagande_id=d.pk).exists()
    assert not Uppfoljning.pgh_event_model.objects.filter(deltagande_id=d.pk).exists()
    # What an anonymous participation keeps stays, and the anonymisation itself is shown.
    page = login(user).get(f"/deltagare/d/{d.uuid}/").text
    history = page[page.index("Ändringshistorik") :]
    assert "Identitet borttagen" in history
    assert "Sjukpenning" not in page
    assert "Eftergymnasial" not in page
    kept = Deltagande.pgh_event_model.objects.filter(pgh_obj_id=d.pk).order_by("pgh_id")
    assert {e.kon_id for e in kept} == {"K"}
    assert kept.last().anonymiserad is not None


def test_gallring_purges_the_details_too(forbund, codes):
    insats = person_insats(forbund, kod="UNGA")
    d = _participation_with_all_details(insats, staff_on(insats))
    assert _hits(d)
    result = dsvc.gallring_run(day=dt.date(2030, 1, 1))
    assert result.deltaganden == 1
    assert _hits(d) == []


def test_history_tables_never_hold_identity(forbund, codes, login):
    insats = person_insats(forbund, kod="UNGA")
    user = staff_on(insats)
    d = _participation_with_all_details(insats, user)
    person = Deltagande.objects.get(pk=d.pk).person
    login(user).get(f"/deltagare/d/{d.uuid}/")
    canaries = {
        PNR_A,
        PNR_A[2:],
        f"{PNR_A[:8]}-{PNR_A[8:]}",
        "Anna Andersson",
        person.personnummer_hash,
        person.personnummer_krypterat,
        str(person.uuid),
    }
    dump = [json.dumps(events_of(m.pgh_tracked_model)) for m in event_models()]
    dump.append(json.dumps(list(Context.objects.values_list("metadata", flat=True))))
    text = "\n".join(dump)
    hits = [c for c in canaries if c in text]
    print(f"identity canaries in history and context tables: {len(hits)} of {len(canaries)}")
    assert hits == []
    assert all("person_id" not in row and "samtycke_id" not in row for row in events_of(Deltagande))


def test_a_personnummer_shaped_path_is_redacted_in_the_context():
    assert safe_path(f"/deltagare/sok/{PNR_A}/") == "/deltagare/sok/[borttaget]/"
    assert safe_path("/deltagare/sok/19980412-2391/") == "/deltagare/sok/[borttaget]/"
    path = "/deltagare/d/5f0c1d2e-8b9a-4c3d-9e8f-7a6b5c4d3e2f/andra/"
    assert safe_path(path) == path


def test_access_log_and_ledger_are_not_tracked():
    tracked = {m.pgh_tracked_model._meta.label for m in event_models()}
    assert "deltagare.Atkomstlogg" not in tracked
    assert "deltagare.Anonymisering" not in tracked
    assert "deltagare.Person" not in tracked
    assert "deltagare.Samtycke" not in tracked
    assert {"forbund.Forbund", "forbund.Medlem", "forbund.Budget", "forbund.Budgetrad"} <= tracked
    assert {"forbund.Utfall", "insatser.Insats", "insatser.Insatsbudget"} <= tracked
    assert {"insatser.Insatskostnad", "insatser.Medfinansiering"} <= tracked
    assert {"deltagare.Deltagande", "deltagare.Forsorjning", "deltagare.Uppfoljning"} <= tracked


# --- migrations ---------------------------------------------------------------------------------


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {r[0] for r in cursor.fetchall()}


@pytest.mark.slow  # about two minutes: renders the migration states twice
@pytest.mark.django_db(transaction=True)
def test_audit_migrations_reverse_and_apply_again():
    before = _triggers()
    assert "forbund_budgetrad_locked" in before
    assert "deltagande_consent" in before
    audit = {t for t in before if t.startswith("pgtrigger_")}
    assert len(audit) == 12 * 3
    call_command("migrate", "forbund", "0005_budgetrad_locked_trigger", verbosity=0)
    reverted = _triggers()
    assert not {t for t in reverted if t.startswith("pgtrigger_")}
    assert "forbund_budgetrad_locked" in reverted
    assert "deltagande_consent" in reverted
    # Everything again: the three audit migrations and those after them (the change-row
    # triggers of forbund 0007 and insatser 0005 were reversed with them).
    call_command("migrate", verbosity=0)
    assert _triggers() == before
    assert {"forbund_utfall_forbundsandring", "insatser_insats_forbundsandring"} <= before
    assert Insats.pgh_event_model.objects.count() == 0
