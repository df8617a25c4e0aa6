"""What the insatser views share: role sets and small helpers."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from finsam.permissions import DELTAGARANSVARIG, INSATSANSVARIG
from finsam.roles import Role

ALL_ROLES = (Role.FORBUNDSCHEF, Role.EKONOMI, Role.STYRELSE, Role.HANDLAGGARE, Role.INSATSANSVARIG)
LIST_ROLES = (Role.FORBUNDSCHEF, Role.EKONOMI, Role.STYRELSE)
ROLL_PERMS = {"insatsansvarig": INSATSANSVARIG, "deltagaransvarig": DELTAGARANSVARIG}


def _apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the form's fields (or on the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _year(request, default: int) -> int:
    try:
        year = int(request.GET.get("ar") or request.POST.get("ar") or default)
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default
