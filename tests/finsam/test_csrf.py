"""CSRF on every POST (SECURITY.md #15, issue 8): every URL pattern of the application, posted
to by a fully logged-in user without a token, is refused before any view runs."""

import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

_SAMPLES = {"int": "1", "uuid": str(uuid.UUID(int=1)), "str": "x", "slug": "x", "path": "x"}


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _concrete(route: str) -> str | None:
    """A URL for a ``path()`` route with sample values; None for regex routes (admin)."""
    import re

    if route.startswith("^") or "(?P" in route:
        return None

    def sample(match):
        converter = match.group(1) or "str"
        return _SAMPLES.get(converter, "1")

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", sample, route)


def test_every_post_without_token_is_refused(chef, login, record_property):
    from django.conf import settings

    logged_in = login(chef)
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.SESSION_COOKIE_NAME] = logged_in.cookies[
        settings.SESSION_COOKIE_NAME
    ].value
    urls = sorted({url for route in _patterns(get_resolver()) if (url := _concrete(route))})
    assert len(urls) > 100
    not_refused = {}
    for url in urls:
        response = client.post(url, {"namn": "x"})
        if response.status_code != 403:
            not_refused[url] = response.status_code
    assert not_refused == {}
    record_property(
        "figure", f"csrf: {len(urls)} routes posted without a token, {len(urls)} refused"
    )
