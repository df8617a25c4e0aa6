"""Who may read and write what in the förbund app (design section 2), in one place.

Reading is declared with ``finsam.decorators.role_required`` at each view; a write by a role that
may only read is refused with 403 (the page exists for them, the action does not)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from finsam.roles import Role

# Everyone in the förbund who works with its administration may read it.
READERS = (Role.FORBUNDSCHEF, Role.EKONOMI, Role.STYRELSE)
# The förbundschef runs the administration: profile, members, population, financing, styrelse.
EDITORS = frozenset({Role.FORBUNDSCHEF})
# Finance staff also edit the budget and the utfall, nothing else.
BUDGET_EDITORS = frozenset({Role.FORBUNDSCHEF, Role.EKONOMI})


def can_edit(request) -> bool:
    return bool(request.roles & EDITORS)


def can_edit_budget(request) -> bool:
    return bool(request.roles & BUDGET_EDITORS)


def require_edit(request) -> None:
    if not can_edit(request):
        raise PermissionDenied


def require_budget_edit(request) -> None:
    if not can_edit_budget(request):
        raise PermissionDenied
