"""No enumeration by brute force: personnummer searches are limited per user."""

import pytest

from deltagare.models import Atkomstlogg
from deltagare.views.listor import SEARCH_LIMIT
from tests.deltagare.factories import PNR_A, register_identified

pytestmark = pytest.mark.django_db


def test_searches_beyond_the_limit_are_refused_in_swedish_and_read_nothing(insats, user, login):
    register_identified(insats, user)
    client = login(user)
    for _ in range(SEARCH_LIMIT):
        assert client.post("/deltagare/sok/", {"personnummer": PNR_A}).status_code == 200
    logged = Atkomstlogg.objects.count()
    refused = client.post("/deltagare/sok/", {"personnummer": PNR_A})
    assert refused.status_code == 429
    assert "För många sökningar" in refused.text
    assert PNR_A not in refused.text
    assert Atkomstlogg.objects.count() == logged  # nothing was looked up


def test_the_limit_is_per_user(insats, user, login):
    from tests.deltagare.factories import staff_on

    other = staff_on(insats)
    client = login(user)
    for _ in range(SEARCH_LIMIT + 1):
        client.post("/deltagare/sok/", {"personnummer": PNR_A})
    assert login(other).post("/deltagare/sok/", {"personnummer": PNR_A}).status_code == 200
