"""Every django-guardian call goes through here (STYLE: one place for object permissions).

Guardian is never the tenant filter: querysets are first scoped to the förbund
(``request.forbund``) and only then narrowed to the insatser a user is granted.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from django.db.models import Q
from django.db.models.expressions import RawSQL
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
    their groups' grants on the insats), as subqueries on the direct-foreign-key grant tables,
    written out once (``_granted_sql``): guardian builds that queryset with a content-type and
    permission lookup and a dozen clones on every call, and even the two ORM subqueries that
    replaced it cost a millisecond or two of Python on every participant page and registration
    (docs/performance.md, section 3). tests/finsam/test_permissions.py compares it with guardian.
    """
    if user.is_anonymous:
        return queryset.none()
    own, group = _granted_sql()
    return queryset.filter(
        Q(pk__in=RawSQL(own, [user.pk])) | Q(pk__in=RawSQL(group, [user.pk]))  # noqa: S611
    )


@functools.cache
def _granted_sql() -> tuple[str, str]:
    """Two subqueries: the ids of the insatser a user holds one of ``INSATS_PERMS`` on, and
    those one of the user's groups holds them on (each takes the user's id). Two ``IN``
    subqueries rather than one UNION, so that PostgreSQL hashes each once instead of running
    them per insats. Only identifiers from the models' metadata are put in."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from finsam.models import User
    from insatser.models import InsatsGroupObjectPermission, InsatsUserObjectPermission

    q = connection.ops.quote_name
    codenames = ", ".join(f"'{p.split('.', 1)[1]}'" for p in INSATS_PERMS)  # constants above
    perm = (
        f"JOIN {q(Permission._meta.db_table)} p ON p.id = g.permission_id"
        f" JOIN {q(ContentType._meta.db_table)} ct ON ct.id = p.content_type_id"
        f" WHERE ct.app_label = 'insatser' AND ct.model = 'insats' AND p.codename IN ({codenames})"
    )
    own = q(InsatsUserObjectPermission._meta.db_table)
    group = q(InsatsGroupObjectPermission._meta.db_table)
    user_groups = q(User.groups.through._meta.db_table)
    own_sql = f"SELECT g.content_object_id FROM {own} g {perm} AND g.user_id = %s"  # noqa: S608
    group_sql = (
        f"SELECT g.content_object_id FROM {group} g {perm}"  # noqa: S608
        f" AND g.group_id IN (SELECT ug.group_id FROM {user_groups} ug WHERE ug.user_id = %s)"
    )
    return own_sql, group_sql


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
