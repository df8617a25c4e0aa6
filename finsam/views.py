"""Views every role shares: log-in, start page, choice of förbund, health, accessibility."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from forbund.models import Forbund

from .decorators import systemadmin_required
from .forms import LoginForm
from .middleware import SESSION_KEY
from .ratelimit import login_attempt_allowed
from .selectors import forbund_choices, start_page_for
from .services import notis_mark_read


class LoginView(auth_views.LoginView):
    """Log-in with the password (the second factor follows in ``finsam.views_mfa``).

    django-axes locks a user name from one address after five failures. On top of that every
    attempt counts against the user name from any address (slow distributed guessing) and
    against the address for any user name (password spraying); past either limit the attempt
    is refused before the password is checked. The address comes from
    ``finsam.clientip.client_ip``, so a forged X-Forwarded-For changes nothing."""

    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if not login_attempt_allowed(request, request.POST.get("username", "")):
            response = render(request, "registration/lockout.html", status=429)
            response["Retry-After"] = "600"
            return response
        return super().post(request, *args, **kwargs)


@login_required
@require_safe
def start(request):
    """Send each user to the start page of their role in the chosen förbund."""
    if request.forbund is not None:
        url_name = start_page_for(request.roles)
        if url_name:
            return redirect(url_name)
    if request.user.is_systemadmin:
        return redirect("system")
    return render(request, "finsam/ingen_roll.html")


@login_required
@require_http_methods(["GET", "POST"])
def valj_forbund(request):
    choices = forbund_choices(request)
    if request.method == "POST":
        wanted = request.POST.get("forbund", "")
        for forbund, _labels in choices:
            if str(forbund.uuid) == wanted:
                request.session[SESSION_KEY] = forbund.pk
                messages.success(request, _("Du arbetar nu i %(namn)s.") % {"namn": forbund.namn})
                return redirect("start")
        raise Http404
    return render(request, "finsam/valj_forbund.html", {"choices": choices})


@login_required
@require_http_methods(["POST"])
def notis_las(request):
    """Mark one notice (or all, without an id) read; a notice of someone else changes nothing."""
    raw = request.POST.get("notis", "")
    notis_id = int(raw) if raw.isdigit() and len(raw) < 12 else None
    if request.forbund is not None:
        notis_mark_read(user=request.user, forbund=request.forbund, notis_id=notis_id)
    return redirect(request.META.get("HTTP_REFERER") or "start")


@systemadmin_required
def system(request):
    forbund_list = Forbund.objects.order_by("namn")
    return render(request, "finsam/system.html", {"forbund_list": forbund_list})


@require_safe
def tillganglighet(request):
    return render(request, "finsam/tillganglighet.html")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not ok" for a health check
        return False


def _redis_ok() -> bool:
    import redis
    from django.conf import settings

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        return bool(client.ping())
    except redis.RedisError:
        return False


def _worker_ok() -> bool:
    from .celery import app

    try:
        replies = app.control.ping(timeout=1.0)
    except Exception:  # noqa: BLE001
        return False
    return bool(replies)


@never_cache
@require_safe
def healthz(request):
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    """Readiness: database and Redis answer (503 otherwise)."""
    db, rd = _database_ok(), _redis_ok()
    ok = db and rd
    return JsonResponse(
        {"status": "ok" if ok else "fel", "database": db, "redis": rd}, status=200 if ok else 503
    )


@never_cache
@require_safe
def health(request):
    """Database, Redis and Celery worker status as JSON. 503 when the database or Redis is down;
    a missing worker is reported but does not make the web application unhealthy (reports wait)."""
    db, rd = _database_ok(), _redis_ok()
    worker = _worker_ok() if rd else False
    ok = db and rd
    body = {
        "status": "ok" if ok else "fel",
        "database": "ok" if db else "fel",
        "redis": "ok" if rd else "fel",
        "worker": "ok" if worker else "saknas",
    }
    return JsonResponse(body, status=200 if ok else 503)


def handler404(request, exception=None):
    return render(request, "404.html", status=404)


def handler500(request):
    return render(request, "500.html", status=500)
