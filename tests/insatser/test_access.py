"""Who may see and change an insats (design section 2; SECURITY promise 1).

Outsiders get 404 everywhere, so nobody can tell which insatser exist.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from finsam.permissions import DELTAGARANSVARIG, INSATSANSVARIG, insats_users_with_perm
from finsam.roles import Role
from insatser import services
from insatser.models import Insats
from tests.factories import user_with_role
from tests.insatser.factories import full_insats, staff, struktur_insats, volym_insats

pytestmark = pytest.mark.django_db


def insats_urls(insats, dokument=None):
    base = f"/insatser/{insats.uuid}/"
    urls = [base, base + "andra/", base + "ekonomi/"]
    if insats.registreringsform == "VOLYM":
        urls.append(base + "volym/")
    if insats.registreringsform == "STRUKTUR":
        urls.append(base + "tillfallen/")
    if dokument is not None:
        urls.append(f"{base}dokument/{dokument.uuid}/")
    return urls


def write_posts(insats, user_uuid):
    base = f"/insatser/{insats.uuid}/"
    return [
        (base + "andra/", {"namn": "Kapad"}),
        (base + "status/", {"status": "BEVILJAD"}),
        (base + "personal/deltagaransvarig/", {"deltagaransvarig-user": "1"}),
        (base + "personal/insatsansvarig/", {"insatsansvarig-user": "1"}),
        (f"{base}personal/deltagaransvarig/{user_uuid}/ta-bort/", {}),
        (base + "ekonomi/budget/", {"ar": "2026", "belopp": "1"}),
        (base + "ekonomi/kostnader/?ar=2026", {"m1": "1"}),
        (base + "ekonomi/extern/", {"finansiar": "X", "ar": "2026", "belopp": "1"}),
        (base + "dokument/", {"typ": "ANSOKAN", "datum": "2026-01-01"}),
    ]


@pytest.fixture
def dokument(forbund, chef):
    def make(insats):
        return services.dokument_upload(
            insats=insats,
            user=chef,
            typ="ANSOKAN",
            datum=dt.date(2025, 1, 1),
            fil=SimpleUploadedFile("ansokan.pdf", b"%PDF-1.4 test"),
        )

    return make


@pytest.mark.parametrize("factory", [full_insats, volym_insats, struktur_insats])
def test_unassigned_handlaggare_gets_404_on_every_insats_url(
    forbund, chef, handlaggare, login, dokument, factory
):
    insats = factory(forbund, user=chef)
    doc = dokument(insats)
    client = login(handlaggare)
    for url in insats_urls(insats, doc):
        assert client.get(url).status_code == 404, url
    for url, data in write_posts(insats, handlaggare.uuid):
        assert client.post(url, data).status_code == 404, url
    assert Insats.objects.get(pk=insats.pk).namn != "Kapad"


@pytest.mark.parametrize("role", [Role.FORBUNDSCHEF, Role.EKONOMI, Role.STYRELSE])
def test_other_forbund_gets_404_on_every_insats_url(
    forbund, other_forbund, chef, login, dokument, role
):
    insats = volym_insats(forbund, user=chef)
    doc = dokument(insats)
    client = login(user_with_role(other_forbund, role))
    for url in insats_urls(insats, doc):
        assert client.get(url).status_code == 404, url
    for url, data in write_posts(insats, chef.uuid):
        assert client.post(url, data).status_code == 404, url


def test_other_forbund_list_shows_no_foreign_insats(forbund, other_forbund, chef, login):
    full_insats(forbund, user=chef, namn="Hemlig insats")
    client = login(user_with_role(other_forbund, Role.FORBUNDSCHEF))
    response = client.get("/insatser/")
    assert response.status_code == 200
    assert "Hemlig insats" not in response.text
    export = client.get("/insatser/export.xlsx")
    assert b"Hemlig insats" not in export.content


@pytest.mark.parametrize("role", [Role.STYRELSE, Role.EKONOMI])
def test_styrelse_and_ekonomi_read_but_cannot_edit_the_insats(forbund, chef, login, role):
    insats = full_insats(forbund, user=chef, namn="Ungdomsteamet")
    client = login(user_with_role(forbund, role))
    page = client.get(f"/insatser/{insats.uuid}/")
    assert page.status_code == 200
    assert "Ungdomsteamet" in page.text
    assert "Ändra insatsen" not in page.text
    assert client.get(f"/insatser/{insats.uuid}/andra/").status_code == 404
    assert (
        client.post(f"/insatser/{insats.uuid}/status/", {"status": "BEVILJAD"}).status_code == 404
    )
    assert client.get("/insatser/ny/").status_code == 404


def test_styrelse_cannot_change_money_but_ekonomi_can(forbund, chef, login, ekonomi, styrelse):
    insats = full_insats(forbund, user=chef)
    url = f"/insatser/{insats.uuid}/ekonomi/budget/"
    assert login(styrelse).post(url, {"ar": "2026", "belopp": "1000"}).status_code == 404
    assert login(ekonomi).post(url, {"ar": "2026", "belopp": "1000"}).status_code == 302
    assert insats.budgetar.get().belopp == 1000


def test_deltagaransvarig_sees_but_cannot_edit_or_assign(forbund, chef, login):
    insats = full_insats(forbund, user=chef)
    user = staff(forbund, insats, DELTAGARANSVARIG)
    other = staff(forbund, insats, DELTAGARANSVARIG)
    client = login(user)
    assert client.get(f"/insatser/{insats.uuid}/").status_code == 200
    assert client.get(f"/insatser/{insats.uuid}/andra/").status_code == 404
    url = f"/insatser/{insats.uuid}/personal/deltagaransvarig/{other.uuid}/ta-bort/"
    assert client.post(url).status_code == 404
    assert other in insats_users_with_perm(insats=insats, perm=DELTAGARANSVARIG)


def test_insatsansvarig_edits_own_insats_and_assigns_deltagaransvariga(forbund, chef, login):
    insats = full_insats(forbund, user=chef)
    ansvarig = staff(forbund, insats, INSATSANSVARIG, role=Role.INSATSANSVARIG)
    colleague = user_with_role(forbund, Role.HANDLAGGARE, medlem=insats.personuppgiftsansvarig)
    client = login(ansvarig)
    response = client.post(
        f"/insatser/{insats.uuid}/personal/deltagaransvarig/",
        {"deltagaransvarig-user": colleague.pk},
    )
    assert response.status_code == 302
    assert colleague in insats_users_with_perm(insats=insats, perm=DELTAGARANSVARIG)
    # … but only the förbundschef appoints the insatsansvarig.
    response = client.post(
        f"/insatser/{insats.uuid}/personal/insatsansvarig/", {"insatsansvarig-user": colleague.pk}
    )
    assert response.status_code == 404
    assert client.get(f"/insatser/{insats.uuid}/andra/").status_code == 200


def test_insatsansvarig_cannot_edit_someone_elses_insats(forbund, chef, login):
    mine = full_insats(forbund, user=chef)
    theirs = full_insats(forbund, user=chef)
    ansvarig = staff(forbund, mine, INSATSANSVARIG, role=Role.INSATSANSVARIG)
    client = login(ansvarig)
    assert client.get(f"/insatser/{theirs.uuid}/").status_code == 404
    assert client.get(f"/insatser/{theirs.uuid}/andra/").status_code == 404


def test_staff_role_does_not_see_the_full_list(forbund, handlaggare, login):
    assert login(handlaggare).get("/insatser/").status_code == 404
    assert login(handlaggare).get("/insatser/export.xlsx").status_code == 404


def test_chef_assigns_via_page_and_history_shows_it(forbund, chef, login):
    insats = full_insats(forbund, user=chef)
    person = user_with_role(
        forbund, Role.HANDLAGGARE, medlem=insats.personuppgiftsansvarig, first_name="Greta"
    )
    client = login(chef)
    response = client.post(
        f"/insatser/{insats.uuid}/personal/deltagaransvarig/", {"deltagaransvarig-user": person.pk}
    )
    assert response.status_code == 302
    page = client.get(f"/insatser/{insats.uuid}/").text
    assert "Deltagaransvarig tillagd" in page
    assert person.get_full_name() in page


def test_assigning_someone_not_eligible_shows_message_and_changes_nothing(
    forbund, chef, login, styrelse
):
    insats = full_insats(forbund, user=chef)
    response = login(chef).post(
        f"/insatser/{insats.uuid}/personal/deltagaransvarig/",
        {"deltagaransvarig-user": styrelse.pk},
    )
    assert response.status_code == 400
    assert "Välj ett giltigt alternativ" in response.text
    assert insats_users_with_perm(insats=insats, perm=DELTAGARANSVARIG) == []


def _request_for(user, forbund):
    from django.test import RequestFactory

    from finsam.selectors import roles_for_user

    request = RequestFactory().get("/")
    request.user = user
    request.roll_rows = roles_for_user(user)
    mine = [r for r in request.roll_rows if r.forbund_id == forbund.pk]
    request.forbund = forbund if mine else None
    request.roles = frozenset(r.roll for r in mine)
    return request


def test_only_staff_employed_by_the_controller_may_see_participants(forbund, chef):
    from insatser.selectors import insats_may_see_participants
    from tests.insatser.factories import region

    insats = full_insats(forbund, user=chef)
    employed = staff(forbund, insats, DELTAGARANSVARIG)
    elsewhere = user_with_role(forbund, Role.HANDLAGGARE, medlem=region(forbund))
    from finsam.permissions import insats_grant

    insats_grant(user=elsewhere, insats=insats, perm=DELTAGARANSVARIG)
    unassigned = user_with_role(forbund, Role.HANDLAGGARE, medlem=insats.personuppgiftsansvarig)
    assert insats_may_see_participants(_request_for(employed, forbund), insats)
    assert not insats_may_see_participants(_request_for(elsewhere, forbund), insats)
    assert not insats_may_see_participants(_request_for(unassigned, forbund), insats)
    assert not insats_may_see_participants(_request_for(chef, forbund), insats)
