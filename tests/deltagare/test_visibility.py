"""The central privacy promise (design section 2) as a matrix: roles × pages × förbund ×
controlling party. Only handläggare/insatsansvarig granted on the insats AND employed by its
controller see a participation; everyone else gets 404 and no row, in every list."""

import pytest

from deltagare.models import Atkomstlogg
from finsam.permissions import DELTAGARANSVARIG, INSATSANSVARIG, insats_grant
from finsam.roles import Role
from tests.deltagare.factories import (
    PNR_A,
    PNR_B,
    end_identified,
    kommun_medlem,
    person_insats,
    region_medlem,
    register_anonymous,
    register_identified,
    staff_on,
)
from tests.factories import forbund_with_members, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]


@pytest.fixture
def world(forbund, codes):
    insats = person_insats(forbund, kod="UNGA")
    owner = staff_on(insats)
    identified = end_identified(register_identified(insats, owner), owner)
    anonymous = register_anonymous(insats, owner)
    other = forbund_with_members(kommun_koder=("2084",))
    foreign_insats = person_insats(other, kod="UNGA")
    foreign_owner = staff_on(foreign_insats)
    foreign = register_identified(foreign_insats, foreign_owner, pnr=PNR_B)
    return {
        "forbund": forbund,
        "insats": insats,
        "identified": identified,
        "anonymous": anonymous,
        "foreign": foreign,
        "other": other,
    }


def _outsiders(world):
    """Every kind of user who must NOT see the participations of world['insats']."""
    forbund, insats = world["forbund"], world["insats"]
    region = region_medlem(forbund)
    granted_wrong_employer = user_with_role(forbund, Role.HANDLAGGARE, medlem=region)
    insats_grant(user=granted_wrong_employer, insats=insats, perm=DELTAGARANSVARIG)
    ansvarig_wrong_employer = user_with_role(forbund, Role.INSATSANSVARIG, medlem=region)
    insats_grant(user=ansvarig_wrong_employer, insats=insats, perm=INSATSANSVARIG)
    right_employer_not_granted = user_with_role(
        forbund, Role.HANDLAGGARE, medlem=kommun_medlem(forbund)
    )
    granted_chef = user_with_role(forbund, Role.FORBUNDSCHEF)
    insats_grant(user=granted_chef, insats=insats, perm=DELTAGARANSVARIG)
    other_forbund_staff = staff_on(person_insats(world["other"], kod="ANNAN"))
    insats_grant(user=other_forbund_staff, insats=insats, perm=DELTAGARANSVARIG)
    return {
        "förbundschef": user_with_role(forbund, Role.FORBUNDSCHEF),
        "förbundschef med grant": granted_chef,
        "styrelse": user_with_role(forbund, Role.STYRELSE),
        "ekonomi": user_with_role(forbund, Role.EKONOMI),
        "nationell": user_with_role(forbund, Role.NATIONELL),
        "handläggare hos annan part med grant": granted_wrong_employer,
        "insatsansvarig hos annan part med grant": ansvarig_wrong_employer,
        "handläggare hos rätt part utan grant": right_employer_not_granted,
        "handläggare i annat förbund med grant": other_forbund_staff,
    }


def _object_urls(world):
    d, a, f = world["identified"], world["anonymous"], world["foreign"]
    insats = world["insats"]
    return [
        ("get", f"/deltagare/d/{d.uuid}/"),
        ("get", f"/deltagare/d/{a.uuid}/"),
        ("get", f"/deltagare/d/{f.uuid}/"),
        ("get", f"/deltagare/d/{d.uuid}/avsluta/"),
        ("get", f"/deltagare/d/{a.uuid}/avsluta/"),
        ("get", f"/deltagare/d/{d.uuid}/andra/"),
        ("get", f"/deltagare/d/{d.uuid}/samtycke/"),
        ("post", f"/deltagare/d/{d.uuid}/samtycke/"),
        ("post", f"/deltagare/d/{a.uuid}/andra/"),
        ("get", f"/deltagare/d/{d.uuid}/aterkalla/"),
        ("post", f"/deltagare/d/{d.uuid}/aterkalla/"),
        ("post", f"/deltagare/d/{a.uuid}/felregistrering/"),
        ("get", f"/deltagare/d/{d.uuid}/uppfoljning/6/"),
        ("get", f"/deltagare/person/{d.person.uuid}/"),
        ("post", f"/deltagare/person/{d.person.uuid}/registerutdrag/"),
        ("get", f"/deltagare/person/{f.person.uuid}/"),
        ("get", f"/deltagare/samtycke/{d.samtycke.uuid}/dokument/"),
        ("get", f"/deltagare/insats/{insats.uuid}/"),
        ("get", f"/deltagare/insats/{insats.uuid}/registrera/"),
        ("post", f"/deltagare/insats/{insats.uuid}/export/"),
        ("get", f"/deltagare/insats/{world['foreign'].insats.uuid}/"),
    ]


LIST_URLS = ["/deltagare/mina/", "/deltagare/uppfoljningar/", "/deltagare/oversikt/"]


def test_no_outsider_reaches_a_participation_or_a_row(world, login):
    numbers = [world["identified"].nummer, world["anonymous"].nummer, world["foreign"].nummer]
    uuids = [str(world[k].uuid) for k in ("identified", "anonymous", "foreign")]
    probes = 0
    outsiders = _outsiders(world)
    for label, user in outsiders.items():
        client = login(user)
        for method, url in _object_urls(world):
            response = getattr(client, method)(url)
            probes += 1
            assert response.status_code in (403, 404), (label, method, url, response.status_code)
        for url in LIST_URLS:
            response = client.get(url)
            probes += 1
            body = response.content.decode()
            for marker in numbers + uuids:
                assert marker not in body, (label, url)
            assert PNR_A[:8] not in body
        search = client.post("/deltagare/sok/", {"personnummer": PNR_A})
        assert world["identified"].nummer not in search.content.decode(), label
    assert probes > 150
    assert world["identified"].__class__.objects.get(pk=world["identified"].pk).person_id
    # Outsiders read nothing: their only rows are the refused attempts (SECURITY.md #7).
    outsider_rows = Atkomstlogg.objects.filter(user__in=outsiders.values())
    assert set(outsider_rows.values_list("vad", flat=True)) <= {"NEKAD"}


def test_staff_of_the_controller_granted_on_the_insats_see_everything(world, login):
    owner = world["identified"].registrerad_av
    ansvarig = staff_on(world["insats"], role=Role.INSATSANSVARIG)
    for user in (owner, ansvarig):
        client = login(user)
        for method, url in _object_urls(world)[:6]:
            response = getattr(client, method)(url)
            if str(world["foreign"].uuid) in url:
                assert response.status_code == 404, (user, url)
            else:
                assert response.status_code in (200, 302), (user, url)
        listing = client.get("/deltagare/mina/").content.decode()
        assert world["identified"].nummer in listing
        assert world["anonymous"].nummer in listing
        assert str(world["foreign"].uuid) not in listing


def test_forbundschef_sees_counts_and_flags_but_no_participation(world, login):
    chef = user_with_role(world["forbund"], Role.FORBUNDSCHEF)
    response = login(chef).get("/deltagare/oversikt/?fran=2025-01-01&till=2026-03-01")
    body = response.content.decode()
    assert response.status_code == 200
    assert "UNGA" in body
    assert "Datakvalitet" in body
    for d in (world["identified"], world["anonymous"], world["foreign"]):
        assert d.nummer not in body
        assert str(d.uuid) not in body
    assert "/deltagare/d/" not in body
    assert world["other"].namn not in body


def test_aggregates_count_right_and_exclude_fel(world):
    import datetime as dt

    from deltagare import services
    from deltagare.selectors import insats_aggregates

    owner = world["identified"].registrerad_av
    fel = register_anonymous(world["insats"], owner)
    services.deltagande_mark_fel(deltagande=fel, user=owner)
    rows = insats_aggregates(
        forbund=world["forbund"],
        start=dt.date(2025, 1, 1),
        end=dt.date(2026, 3, 1),
        day=dt.date(2026, 3, 1),
    )
    (row,) = rows
    assert row["aktiva"] == 2
    assert row["anonyma"] == 1
    assert row["avslutade"] == 1
    assert row["uppfoljning"] == 1  # ended 2025-06-30, +6 months passed without a follow-up
