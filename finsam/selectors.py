"""Reads about users and roles."""

from __future__ import annotations

from django.http import Http404

from .models import Roll
from .roles import START_PAGES, Role


def roles_for_user(user) -> list[Roll]:
    """All active role rows of a user, with their förbund, in one query."""
    return list(Roll.objects.active().for_user(user).select_related("forbund", "medlem"))


def start_page_for(roles: frozenset[str]) -> str | None:
    for role, url_name in START_PAGES:
        if role in roles:
            return url_name
    return None


def require_forbund(request):
    """The förbund the request works in, or 404 (never tell outsiders what exists)."""
    if request.forbund is None:
        raise Http404
    return request.forbund


def forbund_choices(request) -> list[tuple]:
    """The förbund a user may pick, with the role labels held in each."""
    by_forbund: dict[int, tuple] = {}
    for row in request.roll_rows:
        entry = by_forbund.setdefault(row.forbund_id, (row.forbund, []))
        entry[1].append(Role(row.roll).label)
    return sorted(by_forbund.values(), key=lambda e: e[0].namn)
