"""Every insatser URL pattern, probed with real ids by outsiders (SECURITY promise 1): an
unassigned handläggare and every role of another förbund get 404 on GET and POST alike.

The patterns are read from ``insatser.urls``, so a new URL is probed without editing this test.
"""

import pytest
from django.urls import reverse

from finsam.roles import Role
from insatser.urls import urlpatterns
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

STAFF_START_PAGE = "mina"


def probe_urls(objects, user_uuid):
    urls = []
    for pattern in urlpatterns:
        if "uuid" not in pattern.pattern.converters:
            continue
        for insats in objects["insatser"]:
            kwargs = {"uuid": insats.uuid}
            keys = pattern.pattern.converters.keys()
            values = {
                "roll": "deltagaransvarig",
                "user_uuid": user_uuid,
                "ar": 2026,
                "rad": objects["rad"].uuid,
                "dok": objects["dok"].uuid,
                "tillfalle": objects["t"].uuid,
            }
            kwargs.update({k: v for k, v in values.items() if k in keys})
            urls.append(reverse(f"insatser:{pattern.name}", kwargs=kwargs))
    assert len(urls) >= 3 * 18
    return urls


def test_unassigned_handlaggare_gets_404_on_every_pattern(objects, handlaggare, chef, login):
    client = login(handlaggare)
    for pattern in urlpatterns:
        if "uuid" in pattern.pattern.converters or pattern.name == STAFF_START_PAGE:
            continue
        url = reverse(f"insatser:{pattern.name}")
        assert client.get(url).status_code == 404, url  # förbund-wide pages are not theirs
        assert client.post(url).status_code == 404, url
    for url in probe_urls(objects, chef.uuid):
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {"namn": "x"}).status_code == 404, url


@pytest.mark.parametrize(
    "role",
    [Role.FORBUNDSCHEF, Role.EKONOMI, Role.STYRELSE, Role.HANDLAGGARE, Role.INSATSANSVARIG],
)
def test_every_role_of_another_forbund_gets_404_on_every_pattern(
    objects, other_forbund, chef, login, role
):
    client = login(user_with_role(other_forbund, role))
    for url in probe_urls(objects, chef.uuid):
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {"namn": "x"}).status_code == 404, url
    for insats in objects["insatser"]:
        insats.refresh_from_db()
        assert insats.namn != "x"
