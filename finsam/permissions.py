"""Every django-guardian call goes through here (STYLE: one place for object permissions).

Guardian is never the tenant filter: querysets are first scoped to the förbund
(``request.forbund``) and only then narrowed to the insatser a user is granted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from guardian.shortcuts import assign_perm, get_objects_for_user, get_users_with_perms, remove_perm

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from finsam.models import User
    from insatser.models import Insats

INSATSANSVARIG = "insatser.insatsansvarig"
DELTAGARANSVARIG = "insatser.deltagaransvarig"
INSATS_PERMS = (INSATSANSVARIG, DELTAGARANSVARIG)


def insats_grant(*, user: User, insats: Insats, perm: str) -> None:
    assert perm in INSATS_PERMS
    assign_perm(perm, user, insats)


def insats_revoke(*, user: User, insats: Insats, perm: str) -> None:
    assert perm in INSATS_PERMS
    remove_perm(perm, user, insats)


def insatser_granted(*, user: User, queryset: QuerySet[Insats]) -> QuerySet[Insats]:
    """The insatser of ``queryset`` (already förbund-scoped) the user works in, either role."""
    return get_objects_for_user(
        user,
        list(INSATS_PERMS),
        klass=queryset,
        any_perm=True,
        with_superuser=False,
        accept_global_perms=False,
    )


def insats_has_grant(*, user: User, insats: Insats, perm: str | None = None) -> bool:
    perms = (perm,) if perm else INSATS_PERMS
    return any(user.has_perm(p, insats) for p in perms)


def insats_staff(*, insats: Insats) -> dict[User, list[str]]:
    """The users granted on an insats, with their permission codenames."""
    return get_users_with_perms(insats, attach_perms=True, with_superusers=False)
