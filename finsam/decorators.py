"""Permissions declared at the view boundary: one decorator per rule."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def role_required(*roles: str):
    """The view needs a chosen förbund and one of ``roles`` in it; otherwise 404.

    404 rather than 403, so that a user cannot tell which pages or objects exist elsewhere.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.forbund is None or not (request.roles & set(roles)):
                raise Http404
            return view(request, *args, **kwargs)

        wrapper.finsam_roles = frozenset(roles)
        return wrapper

    return decorator


def systemadmin_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_systemadmin:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
