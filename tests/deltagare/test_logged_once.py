"""SECURITY.md #7: every read of identifying data is logged exactly once, per request: view,
edit, search, registerutdrag (PDF), consent document, export, and refused attempts. Each
response carries its X-Request-ID, and the access-log rows are counted by that id."""

import pytest

from deltagare.models import Atkomst, Atkomstlogg
from tests.deltagare.factories import (
    PNR_A,
    PNR_B,
    register_anonymous,
    register_identified,
    staff_on,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]


def _rows(response) -> list[str]:
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    return list(Atkomstlogg.objects.filter(begaran=request_id).values_list("vad", flat=True))


def test_every_identity_endpoint_logs_exactly_one_row_per_person_per_request(
    insats, user, login, record_property
):
    import dataclasses
    import datetime as dt

    from tests.deltagare.factories import samtycke_personligen

    scanned = dataclasses.replace(
        samtycke_personligen(dt.date(2025, 1, 10)),
        dokument=b"%PDF-1.4 underskriven blankett",
        dokument_typ="application/pdf",
    )
    a = register_identified(insats, user, pnr=PNR_A, samtycke=scanned)
    b = register_identified(insats, user, pnr=PNR_B, namn="Bo Berg")
    register_anonymous(insats, user)
    client = login(user)
    samtycke = a.samtycke
    reads = {
        "deltagande": (client.get(f"/deltagare/d/{a.uuid}/"), [Atkomst.VISA]),
        "person": (client.get(f"/deltagare/person/{a.person.uuid}/"), [Atkomst.VISA]),
        "registerutdrag": (
            client.post(f"/deltagare/person/{a.person.uuid}/registerutdrag/"),
            [Atkomst.UTDRAG],
        ),
        "sok": (client.post("/deltagare/sok/", {"personnummer": PNR_A}), [Atkomst.SOK]),
        "export med identitet": (
            client.post(f"/deltagare/insats/{insats.uuid}/export/", {"identitet": "on"}),
            [Atkomst.EXPORT, Atkomst.EXPORT],  # two identified, the anonymous one is not a read
        ),
        "export utan identitet": (
            client.post(f"/deltagare/insats/{insats.uuid}/export/", {}),
            [],
        ),
        "lista": (client.get(f"/deltagare/insats/{insats.uuid}/"), []),  # no identity shown
    }
    assert samtycke.dokument_krypterat
    reads["dokument"] = (
        client.get(f"/deltagare/samtycke/{samtycke.uuid}/dokument/"),
        [Atkomst.DOKUMENT],
    )
    figures = {}
    for name, (response, expected) in reads.items():
        assert response.status_code in (200, 302), name
        assert sorted(_rows(response)) == sorted(expected), name
        figures[name] = len(expected)
    # Nothing was logged without a request id, and no request logged twice.
    assert not Atkomstlogg.objects.filter(begaran="").exclude(vad=Atkomst.ANDRA).exists()
    assert b.person is not None
    record_property(
        "figure",
        f"access log: {len(reads)} identity endpoints, rows = reads "
        f"({sum(figures.values())}), 0 missing, 0 duplicates",
    )


def test_refused_attempts_are_logged_in_the_holders_log(insats, user, login, forbund):
    from finsam.roles import Role
    from tests.deltagare.factories import person_insats
    from tests.factories import user_with_role

    d = register_identified(insats, user)
    other_insats = person_insats(forbund, kod="SE", controller=forbund.medlemmar.get(typ="REGION"))
    outsider = staff_on(other_insats)
    client = login(outsider)
    attempts = [
        client.get(f"/deltagare/d/{d.uuid}/"),
        client.get(f"/deltagare/person/{d.person.uuid}/"),
        client.post(f"/deltagare/person/{d.person.uuid}/registerutdrag/"),
    ]
    for response in attempts:
        assert response.status_code == 404
        assert _rows(response) == [Atkomst.NEKAD]
    row = Atkomstlogg.objects.filter(vad=Atkomst.NEKAD).first()
    assert row.user == outsider
    assert row.forbund == forbund
    assert row.person_uuid == d.person.uuid
    # An id that does not exist is nobody's data: nothing to log.
    missing = client.get("/deltagare/d/00000000-0000-0000-0000-000000000001/")
    assert missing.status_code == 404
    assert _rows(missing) == []
    # The board never reaches identity and is refused before any lookup.
    board = login(user_with_role(forbund, Role.STYRELSE))
    assert board.get(f"/deltagare/d/{d.uuid}/").status_code in (403, 404)


def test_a_well_formed_request_id_from_the_proxy_is_kept(insats, user, login):
    d = register_identified(insats, user)
    client = login(user)
    response = client.get(f"/deltagare/d/{d.uuid}/", HTTP_X_REQUEST_ID="proxy-0123456789abcdef")
    assert response["X-Request-ID"] == "proxy-0123456789abcdef"
    assert Atkomstlogg.objects.filter(begaran="proxy-0123456789abcdef").count() == 1
    forged = client.get(f"/deltagare/d/{d.uuid}/", HTTP_X_REQUEST_ID="<script>" * 10)
    assert forged["X-Request-ID"] != "<script>" * 10
