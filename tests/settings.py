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
