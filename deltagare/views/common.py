"""What every deltagare view shares: roles, the access-log helper, error mapping."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from finsam.roles import Role

from .. import services

STAFF = (Role.HANDLAGGARE, Role.INSATSANSVARIG)

PAGE_SIZE = 50


def _begaran(request) -> str:
    return getattr(request, "request_id", "")[:32]


def _log(request, *, vad, deltagande=None, person=None):
    services.atkomstlogg_write(
        user=request.user,
        forbund=request.forbund,
        vad=vad,
        deltagande=deltagande,
        person=person,
        begaran=_begaran(request),
    )


def _apply_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)
