"""Every django-guardian call goes through here (STYLE: one place for object permissions).

Guardian is never the tenant filter: querysets are first scoped to the förbund
(``request.forbund``) and only then narrowed to the insatser a user is granted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from guardian.shortcuts import assign_perm, get_users_with_perms, remove_perm

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
    """The insatser of ``queryset`` (already förbund-scoped) the user works in, either role.

    The same rows as guardian's ``get_objects_for_user(user, INSATS_PERMS, klass=queryset,
    any_perm=True, with_superuser=False, accept_global_perms=False)`` (the user's own grants and
    their groups' grants on the insats), as two subqueries on the direct-foreign-key grant
    tables: guardian builds that queryset with a content-type and permission lookup and a dozen
    clones on every call, a few milliseconds on every participant page (docs/performance.md).
    """
    from insatser.models import InsatsGroupObjectPermission, InsatsUserObjectPermission

    if user.is_anonymous:
        return queryset.none()
    perm = {
        "permission__content_type__app_label": "insatser",
        "permission__content_type__model": "insats",
        "permission__codename__in": [p.split(".", 1)[1] for p in INSATS_PERMS],
    }
    own = InsatsUserObjectPermission.objects.filter(user=user, **perm)
    groups = InsatsGroupObjectPermission.objects.filter(group__user=user, **perm)
    return queryset.filter(
        Q(pk__in=own.values("content_object_id")) | Q(pk__in=groups.values("content_object_id"))
    )


def insats_has_grant(*, user: User, insats: Insats, perm: str | None = None) -> bool:
    perms = (perm,) if perm else INSATS_PERMS
    return any(user.has_perm(p, insats) for p in perms)


def insats_staff(*, insats: Insats) -> dict[User, list[str]]:
    """The users granted on an insats, with their permission codenames."""
    return get_users_with_perms(insats, attach_perms=True, with_superusers=False)


def insats_users_with_perm(*, insats: Insats, perm: str) -> list[User]:
    """The users holding exactly ``perm`` on the insats (direct grants, as we make them)."""
    from finsam.models import User
    from insatser.models import InsatsUserObjectPermission

    assert perm in INSATS_PERMS
    codename = perm.split(".", 1)[1]
    ids = InsatsUserObjectPermission.objects.filter(
        content_object=insats, permission__codename=codename
    ).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("first_name", "last_name", "username"))


def insats_staff_by_insats(*, insats_ids) -> dict[int, dict[str, list[User]]]:
    """For many insatser at once (one query): ``{insats_id: {perm: [users]}}``."""
    from insatser.models import InsatsUserObjectPermission

    out: dict[int, dict[str, list[User]]] = {}
    rows = (
        InsatsUserObjectPermission.objects.filter(content_object_id__in=list(insats_ids))
        .select_related("user", "permission")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    for row in rows:
        perm = f"insatser.{row.permission.codename}"
        if perm in INSATS_PERMS:
            out.setdefault(row.content_object_id, {}).setdefault(perm, []).append(row.user)
    return out
