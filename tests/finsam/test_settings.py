import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parents[2]


def production_env(**extra) -> dict:
    dev_only = {"FINSAM_ALLOW_DEV_KEYS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dev_only}
    env.update(
        DJANGO_SETTINGS_MODULE="finsam.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="finsam.example.se",
    )
    env.update(extra)
    return env


def test_check_deploy_is_clean_with_debug_off():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    env = production_env()
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_swedish_locale_and_time_zone():
    assert settings.LANGUAGE_CODE == "sv"
    assert settings.TIME_ZONE == "Europe/Stockholm"
    assert settings.USE_THOUSAND_SEPARATOR


def test_swedish_number_and_date_formats():
    import datetime as dt
    from decimal import Decimal

    from django.utils import formats, translation

    with translation.override("sv"):
        assert formats.number_format(Decimal("1234567.5"), 1, use_l10n=True) == "1\xa0234\xa0567,5"
        assert formats.date_format(dt.date(2026, 7, 1), "SHORT_DATE_FORMAT") == "2026-07-01"
        assert formats.date_format(dt.date(2026, 7, 1)) == "1 juli 2026"


def test_passwords_are_hashed_with_argon2_in_the_real_settings():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; import django; django.setup(); "
            "print(settings.PASSWORD_HASHERS[0])",
        ],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_security_headers_on_a_page(client):
    response = client.get("/logga-in/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_field_encryption_and_hmac_keys_come_from_their_own_variables():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; import django; django.setup(); "
            "print(settings.FIELD_ENCRYPTION_KEY, settings.PERSONNUMMER_HMAC_KEY)",
        ],
        cwd=BASE_DIR,
        env=production_env(FIELD_ENCRYPTION_KEY="k1", PERSONNUMMER_HMAC_KEY="k2"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["k1", "k2"]


@pytest.mark.django_db
def test_models_and_committed_migrations_agree():
    """A model change without its migration (or a migration that says something else) fails
    here, not on a production deploy."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    assert "No changes detected" in out.getvalue()
