"""Settings for the benchmark suite: the real settings, pointed at the bench database
(``BENCH_DATABASE_URL``, default ``finsam_bench``; ``BENCH_REDIS_URL``, default Redis db 15), with
what plain HTTP on loopback needs (no SSL redirect, cookies without the secure flag).

``python -m bench`` and ``make bench`` use it; so can gunicorn for the load section
(``DJANGO_SETTINGS_MODULE=bench.settings``). Nothing here makes the app faster than production:
the password hasher, the session engine and the middleware are the real ones.
"""

import os
from pathlib import Path

os.environ.setdefault("FINSAM_ALLOW_DEV_KEYS", "1")
# The bench database has its own variable: the generator empties the database it fills, so an
# exported DATABASE_URL for the everyday database must never be picked up by accident.
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/finsam_bench"
)
os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
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
MEDIA_ROOT = Path(os.environ.get("BENCH_MEDIA_ROOT", BASE_DIR / ".local" / "bench-media"))  # noqa: F405
LOGGING["root"]["level"] = os.environ.get("LOG_LEVEL", "WARNING")  # noqa: F405
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405 - Django test Client in the runner
