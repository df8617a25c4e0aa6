"""Every förbund URL × role × foreign object: other förbund get 404, read-only roles cannot
write, and no input makes a 500 (design rules 1 and 6; SECURITY promises 1 and 2)."""

import re
import uuid
from decimal import Decimal

import pytest

from finsam.roles import Role
from forbund import services_budget, services_styrelse
from forbund.models import (
    Befolkning,
    Budget,
    Finansieringsar,
    Forbundsordning,
    Medlem,
    Sammantrade,
    Styrelseuppdrag,
    Utfall,
)
from tests.factories import user_with_role
from tests.forbund.factories import D

pytestmark = pytest.mark.django_db

STATIC_URLS = [
    "/forbund/profil/",
    "/forbund/profil/andra/",
    "/forbund/medlemmar/",
    "/forbund/medlemmar/excel/",
    "/forbund/befolkning/",
    "/forbund/befolkning/import/",
    "/forbund/finansiering/",
    "/forbund/finansiering/excel/",
    "/forbund/budget/",
    "/forbund/budget/ny/",
    "/forbund/budget/excel/",
    "/forbund/utfall/",
    "/forbund/utfall/import/",
    "/forbund/utfall/konton/",
    "/forbund/eget-kapital/",
    "/forbund/styrelse/",
    "/forbund/styrelse/excel/",
    "/forbund/styrelse/sammantraden/",
    "/forbund/forbundsordning/",
]


def test_static_url_list_covers_every_forbund_route():
    """A new route must be added here (and so be probed)."""
    from forbund.urls import urlpatterns

    routes = {str(p.pattern) for p in urlpatterns}
    uuid_routes = {r for r in routes if "<uuid:uuid>" in r}
    static = {r for r in routes if "<" not in r} - {"", "oversikt/", "nytt/"}
    assert {f"/forbund/{r}" for r in static} == set(STATIC_URLS) | {"/forbund/fordelningsmodell/"}
    assert len(uuid_routes) == 11


@pytest.fixture
def foreign(other_forbund):
    chef = user_with_role(other_forbund, Role.FORBUNDSCHEF)
    medlem = other_forbund.medlemmar.get(typ="FK")
    budget = services_budget.budget_create(forbund=other_forbund, ar=2025, user=chef)
    utfall = Utfall.objects.create(
        forbund=other_forbund, datum=D(2025, 1, 1), post="REVISION", belopp=Decimal(5)
    )
    uppdrag = Styrelseuppdrag.objects.create(
        forbund=other_forbund,
        medlem=medlem,
        namn="Hemlig",
        roll="LEDAMOT",
        fran=D(2024, 1, 1),
        till=D(2026, 12, 31),
        valbarhet="ANSTALLD_FK",
    )
    mote = services_styrelse.sammantrade_create(forbund=other_forbund, datum=D(2025, 2, 2))
    ordning = Forbundsordning.objects.create(
        forbund=other_forbund, giltig_fran=D(2020, 1, 1), fil="x.pdf", filnamn="x.pdf"
    )
    return [
        f"/forbund/medlemmar/{medlem.uuid}/",
        f"/forbund/medlemmar/{medlem.uuid}/ersatt/",
        f"/forbund/medlemmar/{medlem.uuid}/ta-bort/",
        f"/forbund/budget/{budget.uuid}/",
        f"/forbund/utfall/{utfall.uuid}/ta-bort/",
        f"/forbund/styrelse/uppdrag/{uppdrag.uuid}/",
        f"/forbund/styrelse/sammantraden/{mote.uuid}/",
        f"/forbund/styrelse/sammantraden/{mote.uuid}/ta-bort/",
        f"/forbund/forbundsordning/{ordning.uuid}/",
    ]


def _snapshot():
    models = [Medlem, Budget, Utfall, Styrelseuppdrag, Sammantrade, Befolkning, Finansieringsar]
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


@pytest.mark.parametrize("role", [Role.FORBUNDSCHEF, Role.EKONOMI, Role.STYRELSE])
def test_objects_of_other_forbund_are_404_for_every_method(forbund, foreign, login, role):
    client = login(user_with_role(forbund, role))
    before = _snapshot()
    for url in foreign:
        for method in ("get", "post"):
            status = getattr(client, method)(url, {"action": "ta_bort"}).status_code
            # 405 (wrong method for the route) comes before any lookup; either way the answer
            # must be the same as for an id that does not exist at all: no existence oracle.
            missing = re.sub(r"[0-9a-f-]{36}", str(uuid.uuid4()), url)
            same = getattr(client, method)(missing, {"action": "ta_bort"}).status_code
            assert status in (404, 405), (role, method, url, status)
            assert status == same, (role, method, url)
    assert _snapshot() == before


@pytest.mark.parametrize("role", [Role.HANDLAGGARE, Role.INSATSANSVARIG, Role.NATIONELL])
def test_roles_without_forbund_administration_get_404_everywhere(forbund, login, role):
    client = login(user_with_role(forbund, role))
    for url in STATIC_URLS:
        assert client.get(url).status_code == 404, (role, url)
        assert client.post(url, {}).status_code == 404, (role, url)


def test_styrelse_cannot_write_anywhere(forbund, login):
    client = login(user_with_role(forbund, Role.STYRELSE))
    before = _snapshot()
    payload = {
        "ar": "2025",
        "statlig_tilldelning": "1",
        "typ": "KOMMUN",
        "kommun": "2085",
        "startdatum": "2025-01-01",
        "datum": "2025-01-01",
        "post": "REVISION",
        "belopp": "1",
        "konto-konto": "5010",
        "konto-post": "REVISION",
    }
    for url in STATIC_URLS:
        status = client.post(url, payload).status_code
        assert status in (403, 405), (url, status)
    assert _snapshot() == before


GARBAGE = [
    {},
    {"action": "rader"},
    {"action": "besluta", "beslut-beslutsdatum": "9999-99-99"},
    {"action": "ny_version"},
    {"action": "okänd"},
    {"action": "narvaro", "narvarande": ["inte-ett-uuid", "0" * 40]},
    {"action": "beslut", "beslut-paragraf": "x" * 500},
    {"ar": "-1", "statlig_tilldelning": "1e309", "antal": "NaN", "kommun": "'; DROP TABLE x"},
    {"typ": "KOMMUN", "kommun": "2085", "startdatum": "0000-01-01"},
    {"datum": "2025-02-30", "post": "X", "belopp": "∞"},
    {"medlem": "0", "namn": "\x00", "roll": "KUNG", "fran": "igår", "till": "", "valbarhet": ""},
    {"fil": "inte en fil"},
]


def test_no_input_makes_a_500(forbund, chef, login):
    client = login(chef)
    user_with_role(forbund, Role.EKONOMI)
    budget = services_budget.budget_create(forbund=forbund, ar=2025, user=chef)
    mote = services_styrelse.sammantrade_create(forbund=forbund, datum=D(2025, 2, 2))
    medlem = forbund.medlemmar.get(typ="REGION")
    urls = STATIC_URLS + [
        f"/forbund/budget/{budget.uuid}/",
        f"/forbund/styrelse/sammantraden/{mote.uuid}/",
        f"/forbund/medlemmar/{medlem.uuid}/",
        f"/forbund/medlemmar/{medlem.uuid}/ersatt/",
        "/forbund/finansiering/?ar=99999",
        "/forbund/budget/?ar=abc",
        "/forbund/medlemmar/?datum=2025-13-45",
        "/forbund/styrelse/?datum=x",
    ]
    for url in urls:
        assert client.get(url).status_code < 500, url
        for data in GARBAGE:
            status = client.post(url, data).status_code
            assert status < 500, (url, data, status)


@pytest.mark.parametrize(
    ("url", "data"),
    [
        (
            "/forbund/medlemmar/",
            {
                "typ": "KOMMUN",
                "kommun": "2085",
                "startdatum": "2025-01-01",
                "slutdatum": "9999-12-31",
            },
        ),
        ("/forbund/medlemmar/?datum=9999-12-31", {}),
        ("/forbund/styrelse/?datum=9999-12-31", {}),
        ("/forbund/styrelse/sammantraden/", {"datum": "0001-01-01"}),
        ("/forbund/befolkning/", {"kommun": "2083", "ar": "2024", "antal": "99999999999999"}),
        (
            "/forbund/utfall/",
            {"datum": "2025-01-01", "post": "REVISION", "belopp": "999999999999999999999"},
        ),
    ],
)
def test_extreme_values_get_a_message_not_a_500(forbund, chef, login, url, data):
    client = login(chef)
    response = client.post(url, data) if data else client.get(url)
    assert response.status_code in (200, 400), response.status_code


def test_import_of_absurd_numbers_is_a_row_error_not_a_500(forbund):
    from forbund import services

    population = '"region";"ålder";"år";"antal"\n"2083";"16-64 år";"2024";"99999999999"\n'
    result = services.befolkning_import(forbund=forbund, data=population.encode())
    assert result.errors
    result = services_budget.utfall_import(
        forbund=forbund, data=b"datum;post;belopp\n2025-01-01;Revision;1e30\n"
    )
    assert result.errors
