"""Test settings: the real settings, with what only makes tests faster or plain HTTP possible."""

import os

os.environ.setdefault("FINSAM_ALLOW_DEV_KEYS", "1")

from finsam.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
SECURE_SSL_REDIRECT = False  # the test server speaks plain HTTP on loopback
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
CACHES["default"]["KEY_PREFIX"] = "finsam-test"  # noqa: F405
AXES_ENABLED = True
# The log-in limits per user name and per address (finsam.ratelimit) count in Redis, which the
# whole suite shares from 127.0.0.1: tests of the limits set their own small values.
FINSAM_LOGIN_LIMIT_PER_USER = (1_000_000, 3600)
FINSAM_LOGIN_LIMIT_PER_ADDRESS = (1_000_000, 600)

# Each xdist worker has its own test database, so it gets its own cache database too: ids, and
# so the keys of the exact caches (förbund and insats ids), repeat across the workers'
# databases, and a test's cache.clear() must not empty another worker's cache. (Celery keeps
# REDIS_URL: its queues are named per test.)
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw"):
    from urllib.parse import urlsplit, urlunsplit

    _url = urlsplit(REDIS_URL)  # noqa: F405
    _db = int(_url.path.strip("/") or 0) + 1 + int(_worker[2:])
    CACHES["default"]["LOCATION"] = urlunsplit(_url._replace(path=f"/{_db % 16}"))  # noqa: F405
