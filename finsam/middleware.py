"""Request scoping: which förbund the user works in, and the security headers."""

from __future__ import annotations

import re
import time
import uuid
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse

from .selectors import roles_for_user

SESSION_KEY = "finsam_forbund"
SESSION_STARTED_KEY = "finsam_inloggad_sedan"

# Paths that work without a chosen förbund.
_OPEN_PREFIXES = ("/logga-in/", "/logga-ut/", "/valj-forbund/", "/static/", "/healthz", "/readyz")
_OPEN_PREFIXES += ("/tvastegs/",)
_OPEN_PREFIXES += ("/health/", "/tillganglighet/", "/admin/", "/system/")


class ForbundMiddleware:
    """Puts ``request.forbund`` (the chosen förbund or ``None``) and ``request.roles`` (the set of
    role codes the user holds there) on every request.

    A user with roles in exactly one förbund works in it without asking; a user with several picks
    one on /valj-forbund/ and the choice is kept in the session. Every later queryset is scoped by
    ``request.forbund``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.forbund = None
        request.roles = frozenset()
        request.roll_rows = []
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            rows = roles_for_user(user)
            request.roll_rows = rows
            forbund_ids = {r.forbund_id for r in rows}
            chosen = request.session.get(SESSION_KEY)
            if chosen not in forbund_ids and len(forbund_ids) == 1:
                chosen = next(iter(forbund_ids))
                request.session[SESSION_KEY] = chosen
            if chosen in forbund_ids:
                mine = [r for r in rows if r.forbund_id == chosen]
                request.forbund = mine[0].forbund
                request.roles = frozenset(r.roll for r in mine)
            elif len(forbund_ids) > 1 and not request.path.startswith(_OPEN_PREFIXES):
                return redirect(f"{reverse('valj_forbund')}")
        return self.get_response(request)


# Paths reachable before the second factor: the log-in steps themselves and public pages.
_MFA_OPEN_PREFIXES = ("/logga-ut/", "/tvastegs/", "/static/", "/healthz", "/readyz", "/health/")
_MFA_OPEN_PREFIXES += ("/tillganglighet/", "/logga-in/")


class TwoFactorMiddleware:
    """Sends a user whose roles require a second factor to /tvastegs/ until the session has
    one (enrolment first if they have no authenticator yet). See ``finsam.mfa``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .mfa import requires_mfa, session_is_strong

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_MFA_OPEN_PREFIXES)
            and requires_mfa(user, getattr(request, "roll_rows", None))
            and not session_is_strong(request)
        ):
            return redirect(reverse("mfa_verify") + f"?next={quote(request.get_full_path())}")
        return self.get_response(request)


class HttpMethodMiddleware:
    """Only GET, HEAD and POST reach a view: the application's forms and htmx calls use nothing
    else, so PUT, PATCH, DELETE, OPTIONS and the rest get 405 before any view or lookup (a view
    that renders a page for any method must not answer a write method with 200)."""

    ALLOWED = ("GET", "HEAD", "POST")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in self.ALLOWED:
            return HttpResponseNotAllowed(self.ALLOWED)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and permissions policy (Django 5.2 has no CSP of its own).

    No inline scripts or styles: htmx and our own JavaScript are served as files.
    """

    CSP = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )
    PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=()"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.CSP)
        response.headers.setdefault("Permissions-Policy", self.PERMISSIONS)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Pages behind log-in may hold personal data: never keep them in a shared cache.
            response.headers.setdefault("Cache-Control", "no-store, private")
        return response


def mark_session_start(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: the moment the absolute session limit counts from."""
    request.session[SESSION_STARTED_KEY] = int(time.time())


class SessionLifetimeMiddleware:
    """Ends every session ``FINSAM_SESSION_MAX_AGE`` seconds after log-in, however active it
    has been. (The 30-minute idle limit is Django's ``SESSION_COOKIE_AGE`` renewed on every
    request.) A session that predates the mark gets it on its next request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            started = request.session.get(SESSION_STARTED_KEY)
            if not isinstance(started, int):
                request.session[SESSION_STARTED_KEY] = now
            elif now - started > settings.FINSAM_SESSION_MAX_AGE:
                logout(request)
                return redirect(reverse("login") + "?utgangen=1")
        return self.get_response(request)


_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,32}$")


class RequestIdMiddleware:
    """Gives every request an id (``request.request_id``): the one a trusted front proxy sent in
    ``X-Request-ID`` when it is well-formed, otherwise a new one. It is returned in the response
    header and written on every access-log row the request causes, so rows can be counted per
    request and matched with the web server's log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        response = self.get_response(request)
        response.headers["X-Request-ID"] = request.request_id
        return response
