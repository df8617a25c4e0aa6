"""Brute force on the log-in (SECURITY.md #13): a forged X-Forwarded-For does not reset the
lock-out, and guessing spread over addresses or user names is limited too."""

import uuid

import pytest
from django.test import Client

from finsam.clientip import client_ip
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def fresh_address() -> str:
    """A loopback-free, never reused address for REMOTE_ADDR, so tests do not share counters."""
    return f"198.18.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def test_hundred_forged_forwarded_for_values_do_not_escape_the_lockout(chef, record_property):
    client = Client(REMOTE_ADDR=fresh_address())
    statuses = []
    for i in range(100):
        spoofed = f"203.0.113.{i % 250}, 192.0.2.{i % 250}"
        response = client.post(
            "/logga-in/",
            {"username": chef.username, "password": "fel"},
            HTTP_X_FORWARDED_FOR=spoofed,
            HTTP_X_REAL_IP=f"203.0.113.{i}",
            HTTP_FORWARDED=f"for=203.0.113.{i}",
        )
        statuses.append(response.status_code)
    # the fifth failure locks the user name at this address; the forged headers change nothing
    assert statuses[:4] == [200] * 4
    assert statuses[4:] == [429] * 96, "locked after 5, spoofing included"
    right = client.post(
        "/logga-in/",
        {"username": chef.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    record_property(
        "figure",
        "log-in: 100 forged X-Forwarded-For values, locked at failure 5, 96/96 refused after",
    )


def test_behind_trusted_proxies_only_the_proxy_written_entry_counts(chef, settings):
    settings.FINSAM_TRUSTED_PROXIES = 1
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    real_client = fresh_address()
    statuses = [
        proxy.post(
            "/logga-in/",
            {"username": chef.username, "password": "fel"},
            # the client forges the left part; our proxy appended the real address
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}, {real_client}",
        ).status_code
        for i in range(20)
    ]
    assert statuses == [200] * 4 + [429] * 16
    # another client behind the same proxy is not locked out with them
    other = proxy.post(
        "/logga-in/",
        {"username": chef.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR=fresh_address(),
    )
    assert other.status_code == 302


def test_guessing_one_user_name_from_many_addresses_is_limited(chef, settings):
    settings.FINSAM_LOGIN_LIMIT_PER_USER = (20, 3600)
    chef.username = f"chef-{uuid.uuid4().hex[:12]}"  # the counter lives in the shared Redis
    chef.save(update_fields=["username"])
    statuses = [
        Client(REMOTE_ADDR=fresh_address())
        .post("/logga-in/", {"username": chef.username, "password": f"fel{i}"})
        .status_code
        for i in range(30)
    ]
    assert statuses == [200] * 20 + [429] * 10
    refused = Client(REMOTE_ADDR=fresh_address()).post(
        "/logga-in/", {"username": chef.username.upper(), "password": PASSWORD}
    )
    assert refused.status_code == 429
    assert "För många misslyckade inloggningar" in refused.text
    assert refused["Retry-After"] == "600"


def test_spraying_many_user_names_from_one_address_is_limited(chef, settings):
    settings.FINSAM_LOGIN_LIMIT_PER_ADDRESS = (30, 600)
    client = Client(REMOTE_ADDR=fresh_address())
    statuses = [
        client.post(
            "/logga-in/", {"username": f"gissning{i}", "password": "Sommar2026"}
        ).status_code
        for i in range(35)
    ]
    assert statuses == [200] * 30 + [429] * 5
    assert (
        client.post("/logga-in/", {"username": chef.username, "password": PASSWORD}).status_code
        == 429
    )


@pytest.mark.parametrize(
    ("remote", "forwarded", "proxies", "expected"),
    [
        ("192.0.2.1", "", 0, "192.0.2.1"),
        ("192.0.2.1", "203.0.113.9", 0, "192.0.2.1"),  # not trusted: ignored
        ("127.0.0.1", "203.0.113.9", 1, "203.0.113.9"),
        ("127.0.0.1", "6.6.6.6, 203.0.113.9", 1, "203.0.113.9"),
        ("127.0.0.1", "6.6.6.6, 203.0.113.9, 10.0.0.2", 2, "203.0.113.9"),
        ("127.0.0.1", "inte-en-adress", 1, "127.0.0.1"),
        ("127.0.0.1", "203.0.113.9", 3, "127.0.0.1"),  # shorter chain than proxies
        ("", "", 0, "okänd"),
    ],
)
def test_client_ip(rf, settings, remote, forwarded, proxies, expected):
    settings.FINSAM_TRUSTED_PROXIES = proxies
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
