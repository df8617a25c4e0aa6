"""Regression tests for what the probe found: views that answered any HTTP method.

Read-only views rendered their page for POST, PUT and DELETE alike (a 200 to a write method),
so the national role's "every write refused" did not hold. Now only GET, HEAD and POST reach a
view at all (``finsam.middleware.HttpMethodMiddleware``), and read-only views take GET/HEAD only.
"""

import pytest

from finsam.roles import Role
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options"])
def test_methods_beyond_get_and_post_are_refused_before_any_view(forbund, login, method):
    client = login(user_with_role(forbund, Role.NATIONELL))
    for url in ("/", "/uppfoljning/rapporter/rader/", "/healthz", "/insatser/"):
        response = getattr(client, method)(url)
        assert response.status_code == 405, (method, url)
        assert response["Allow"] == "GET, HEAD, POST"
        assert response["X-Frame-Options"] == "DENY"  # still behind the security headers


def test_read_only_views_refuse_post(forbund, login):
    client = login(user_with_role(forbund, Role.NATIONELL))
    for url in (
        "/",
        "/tillganglighet/",
        "/healthz",
        "/readyz",
        "/uppfoljning/rapporter/rader/",
    ):
        assert client.get(url).status_code in (200, 302), url
        assert client.post(url).status_code == 405, url
