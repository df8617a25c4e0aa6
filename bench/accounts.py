"""The log-ins the benchmarks use, with the second factor already done.

The generator (``manage.py bench_data``) creates one user per benchmark role in förbund 1 (the
large förbund), each with a confirmed TOTP device:

* ``handlaggare``: handläggare employed by the member party that controls förbund 1's largest
  PERSON insatser, granted deltagaransvarig on every PERSON insats that party controls (so the
  participant list holds the large förbund's bulk);
* ``forbundschef``: förbundschef of förbund 1;
* ``styrelse``: styrelse of förbund 1;
* ``nationell``: the national read-only role (held in förbund 1, like any role).

A benchmark client is logged in the way the real views do it after the password step: Django's
session log-in, then ``django_otp.login`` with the user's TOTP device, so the two-factor
middleware treats the session as strong. No bypass flag exists anywhere in the app.

``logged_in_client(role)`` gives a Django test ``Client``; ``session_cookie(role)`` gives the
cookies an HTTP load generator sends (a session with the second factor done and a CSRF secret
that is also a valid ``X-CSRFToken``/``csrfmiddlewaretoken`` value).
"""

from __future__ import annotations

from django.conf import settings

BENCH_PASSWORD = "finsam-bench-2026"  # noqa: S105 - bench database only, printed on purpose
TOTP_NAME = "Bench"

USERNAMES = {
    "handlaggare": "bench_handlaggare",
    "forbundschef": "bench_chef",
    "styrelse": "bench_styrelse",
    "nationell": "bench_nationell",
}


class BenchDataMissing(RuntimeError):
    pass


def username(role: str) -> str:
    try:
        return USERNAMES[role]
    except KeyError:
        raise ValueError(f"Unknown bench role {role!r}; one of {sorted(USERNAMES)}") from None


def bench_user(role: str):
    from finsam.models import User

    user = User.objects.filter(username=username(role)).first()
    if user is None:
        raise BenchDataMissing(
            f"No bench user {username(role)!r}: run `python manage.py bench_data` first."
        )
    return user


def ensure_users(*, forbund, medlem) -> dict[str, object]:
    """Create (or refresh) the bench users in ``forbund``; the handläggare is employed by
    ``medlem`` and granted on every PERSON insats of the förbund that ``medlem`` controls.
    Idempotent: returns ``{role: user}``."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from finsam.models import Roll, User
    from finsam.permissions import DELTAGARANSVARIG, insats_grant
    from finsam.roles import Role
    from insatser.models import Insats, Registreringsform

    roles = {
        "handlaggare": Role.HANDLAGGARE,
        "forbundschef": Role.FORBUNDSCHEF,
        "styrelse": Role.STYRELSE,
        "nationell": Role.NATIONELL,
    }
    users = {}
    for key, role in roles.items():
        user, created = User.objects.get_or_create(
            username=USERNAMES[key],
            defaults={"first_name": "Bench", "last_name": key, "email": f"{key}@bench.invalid"},
        )
        if created:
            user.set_password(BENCH_PASSWORD)
            user.save(update_fields=["password"])
        Roll.objects.filter(user=user).exclude(forbund=forbund).delete()
        Roll.objects.update_or_create(
            user=user,
            forbund=forbund,
            roll=role,
            defaults={
                "medlem": medlem if key == "handlaggare" else None,
                "is_active": True,
            },
        )
        TOTPDevice.objects.get_or_create(user=user, name=TOTP_NAME, defaults={"confirmed": True})
        users[key] = user
    insatser = Insats.objects.filter(
        forbund=forbund,
        registreringsform=Registreringsform.PERSON,
        personuppgiftsansvarig=medlem,
    )
    for insats in insatser:
        insats_grant(user=users["handlaggare"], insats=insats, perm=DELTAGARANSVARIG)
    return users


def large_insats():
    """The insats with the most participations among those the bench handläggare works in
    (the target of the per-insats participant list benchmark)."""
    from django.db.models import Count

    from deltagare.models import Deltagande
    from finsam.permissions import insatser_granted
    from insatser.models import Insats

    user = bench_user("handlaggare")
    granted = insatser_granted(user=user, queryset=Insats.objects.all())
    row = (
        Deltagande.objects.filter(insats__in=granted)
        .values("insats_id")
        .annotate(n=Count("id"))
        .order_by("-n", "insats_id")
        .first()
    )
    if row is None:
        raise BenchDataMissing("The bench handläggare has no participations.")
    return Insats.objects.get(pk=row["insats_id"])


def _strong_session(role: str):
    """A saved session for the role's user: logged in, second factor done (django_otp.login)."""
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.http import HttpRequest
    from django_otp import login as otp_login
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = bench_user(role)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        raise BenchDataMissing(f"{user.username} has no confirmed TOTP device.")
    engine = import_module(settings.SESSION_ENGINE)
    session = engine.SessionStore()
    request = HttpRequest()
    request.session = session
    request.user = user
    # What django.contrib.auth.login writes, without a request through the password view
    # (whose argon2 hash and axes bookkeeping are not what the benchmarks measure).
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    otp_login(request, device)
    session.save()
    return session


def logged_in_client(role: str):
    """A Django test ``Client`` logged in as the bench user of ``role``, second factor done."""
    from django.test import Client

    session = _strong_session(role)
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


def session_cookie(role: str) -> dict[str, str]:
    """Cookies for an HTTP client: ``{SESSION_COOKIE_NAME: key, CSRF_COOKIE_NAME: secret}``.

    Send the same secret as ``X-CSRFToken`` header (or ``csrfmiddlewaretoken`` field) on POSTs.
    The session lasts ``SESSION_COOKIE_AGE`` (30 idle minutes)."""
    from django.middleware.csrf import _get_new_csrf_string

    session = _strong_session(role)
    return {
        settings.SESSION_COOKIE_NAME: session.session_key,
        settings.CSRF_COOKIE_NAME: _get_new_csrf_string(),
    }
