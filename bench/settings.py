"""Settings for the benchmark suite: the real settings, pointed at the bench database, with what
plain HTTP on loopback needs (no SSL redirect, cookies without the secure flag).

``python -m bench`` and ``make bench`` use it; so can gunicorn for the load section
(``DJANGO_SETTINGS_MODULE=bench.settings``). Nothing here makes the app faster than production:
the password hasher, the session engine and the middleware are the real ones.
"""

import os

os.environ.setdefault("FINSAM_ALLOW_DEV_KEYS", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/finsam_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CACHE_KEY_PREFIX", "finsam-bench")
os.environ.setdefault("CELERY_QUEUE", "finsam-bench")

from finsam.settings import *  # noqa: E402,F403

SECURE_SSL_REDIRECT = False  # loopback HTTP
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    **STORAGES,  # noqa: F405
    # No collectstatic run for a benchmark: serve from the finders like the tests do.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = BASE_DIR / ".local" / "bench-media"  # noqa: F405
LOGGING["root"]["level"] = os.environ.get("LOG_LEVEL", "WARNING")  # noqa: F405
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405 - Django test Client in the runner
