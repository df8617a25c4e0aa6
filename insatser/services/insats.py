"""Creating, editing and moving an insats along its lifecycle; the people granted on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from finsam.models import Roll
from finsam.permissions import (
    DELTAGARANSVARIG,
    INSATSANSVARIG,
    insats_grant,
    insats_revoke,
    insats_users_with_perm,
)
from finsam.roles import Role

from ..models import (
    Handelse,
    Insats,
    Status,
)
from .history import (
    EMPTY,
    M2M_FIELDS,
    NEXT_STATUSES,
    TRACKED_FIELDS,
    _record_diff,
    _snapshot,
    handelse_record,
)

if TYPE_CHECKING:
    from finsam.models import User
    from forbund.models import Beslut, Forbund


def _check_scoped(forbund: Forbund, data: Mapping[str, Any]) -> None:
    """Every member and decision an insats points at belongs to its own förbund (design 4.1)."""
    errors = {}
    medlemmar = list(data.get("huvudman") or [])
    if data.get("personuppgiftsansvarig"):
        medlemmar.append(data["personuppgiftsansvarig"])
    if any(m.forbund_id != forbund.pk for m in medlemmar):
        errors["huvudman"] = _("Välj bland förbundets egna medlemmar.")
    beslut = data.get("beslut")
    if beslut is not None and beslut.forbund_id != forbund.pk:
        errors["beslut"] = _("Välj ett beslut i förbundets egen styrelse.")
    if errors:
        raise ValidationError(errors)


def _apply(insats: Insats, data: Mapping[str, Any]) -> dict[str, Any]:
    m2m = {}
    for name in TRACKED_FIELDS:
        if name not in data:
            continue
        if name in M2M_FIELDS:
            m2m[name] = list(data[name] or [])
        else:
            setattr(insats, name, data[name])
    return m2m


@transaction.atomic
def insats_create(*, forbund: Forbund, user: User, data: Mapping[str, Any]) -> Insats:
    """Create an insats in the förbund (förbundschef). The row rules of ``Insats.clean`` hold;
    the creation is the first history entry."""
    _check_scoped(forbund, data)
    insats = Insats(forbund=forbund)
    m2m = _apply(insats, data)
    insats.full_clean()
    insats.save()
    for name, values in m2m.items():
        getattr(insats, name).set(values)
    handelse_record(
        insats=insats, user=user, falt=_("Insatsen skapad"), gammalt="", nytt=str(insats)
    )
    return insats


@transaction.atomic
def insats_update(*, insats: Insats, user: User, data: Mapping[str, Any]) -> list[Handelse]:
    """Change any field of an insats; nothing is locked, every changed field is recorded
    (old → new) in the history. Returns the recorded events (empty when nothing changed)."""
    _check_scoped(insats.forbund, data)
    # Lock the row and compare against what is stored, not what the caller last read.
    Insats.objects.select_for_update().filter(pk=insats.pk).values("pk").first()
    insats.refresh_from_db()
    before = _snapshot(insats)
    m2m = _apply(insats, data)
    try:
        insats.full_clean()
    except ValidationError:
        insats.refresh_from_db()  # the caller's object shows what is stored, not the bad input
        raise
    insats.save()
    for name, values in m2m.items():
        getattr(insats, name).set(values)
    return _record_diff(insats, user, before)


@transaction.atomic
def insats_transition(
    *,
    insats: Insats,
    user: User,
    status: str,
    datum: dt.date | None = None,
    beslut: Beslut | None = None,
) -> list[Handelse]:
    """Move an insats one step along its lifecycle: ansökan → beviljad (linked to the styrelse
    beslut when one exists) → pågående (``datum`` sets the start) → avslutad (``datum`` is the
    actual end) → implementerad i ordinarie verksamhet or avvecklad.

    Only the next steps are offered here; the edit form may still correct any status.
    """
    insats.refresh_from_db(fields=["status", "slutdatum", "startdatum"])
    if status not in NEXT_STATUSES.get(insats.status, ()):
        raise ValidationError(
            {
                "status": _("Insatsen kan inte gå från ”%(fran)s” till ”%(till)s”.")
                % {"fran": Status(insats.status).label, "till": Status(status).label}
            }
        )
    data: dict[str, Any] = {"status": status}
    if status == Status.BEVILJAD and beslut is not None:
        data["beslut"] = beslut
    if status == Status.PAGAENDE and datum is not None:
        data["startdatum"] = datum
    if status == Status.AVSLUTAD:
        data["slutdatum"] = datum or insats.slutdatum
        if data["slutdatum"] is None:
            raise ValidationError({"datum": _("Ange datum då insatsen avslutades.")})
    try:
        return insats_update(insats=insats, user=user, data=data)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "slutdatum" in exc.error_dict:
            raise ValidationError({"datum": exc.error_dict["slutdatum"]}) from exc
        if hasattr(exc, "error_dict") and "planerat_slutdatum" in exc.error_dict:
            raise ValidationError({"datum": exc.error_dict["planerat_slutdatum"]}) from exc
        raise


# --- People ---


def assignable_users(*, insats: Insats, perm: str):
    """Who may be granted on an insats: users with an active handläggare role in the förbund
    (insatsansvarig: also the insatsansvarig role). For PERSON insatser only staff employed by
    the data controller qualify (and nobody while it is missing): participant data is visible
    only to that party's staff in the insats (design section 2)."""
    from finsam.models import User

    roles = [Role.HANDLAGGARE]
    if perm == INSATSANSVARIG:
        roles.append(Role.INSATSANSVARIG)
    rows = Roll.objects.active().filter(forbund_id=insats.forbund_id, roll__in=roles)
    if insats.registreringsform == "PERSON":
        # Without a data controller nobody qualifies yet: choose the controller first.
        rows = rows.filter(medlem_id=insats.personuppgiftsansvarig_id or 0)
    return (
        User.objects.filter(is_active=True, roller__in=rows)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _person_text(user: User) -> str:
    return user.get_full_name() or user.username


@transaction.atomic
def insats_assign(*, insats: Insats, actor: User, user: User, perm: str) -> None:
    """Grant ``user`` a role on the insats (förbundschef or the insatsansvarig decide).

    An insats has one insatsansvarig: granting a new one revokes the previous. Only users from
    ``assignable_users`` qualify. The change is recorded in the history.
    """
    if perm not in (INSATSANSVARIG, DELTAGARANSVARIG):
        raise ValidationError({"perm": _("Okänd roll.")})
    if not assignable_users(insats=insats, perm=perm).filter(pk=user.pk).exists():
        raise ValidationError(
            {
                "user": _(
                    "Personen kan inte tilldelas: hen behöver en aktiv handläggarroll i "
                    "förbundet och, för insatser med deltagare per person, vara anställd hos "
                    "den personuppgiftsansvariga parten."
                )
            }
        )
    Insats.objects.select_for_update().filter(pk=insats.pk).first()
    current = list(insats_users_with_perm(insats=insats, perm=perm))
    if user in current:
        return
    if perm == INSATSANSVARIG:
        for old in current:
            insats_revoke(user=old, insats=insats, perm=perm)
        handelse_record(
            insats=insats,
            user=actor,
            falt=_("Insatsansvarig"),
            gammalt=", ".join(_person_text(u) for u in current) or EMPTY,
            nytt=_person_text(user),
        )
    else:
        handelse_record(
            insats=insats,
            user=actor,
            falt=_("Deltagaransvarig tillagd"),
            gammalt=EMPTY,
            nytt=_person_text(user),
        )
    insats_grant(user=user, insats=insats, perm=perm)


@transaction.atomic
def insats_unassign(*, insats: Insats, actor: User, user: User, perm: str) -> None:
    """Remove a user's role on the insats; recorded in the history. Removing someone who holds
    no such grant changes nothing."""
    if perm not in (INSATSANSVARIG, DELTAGARANSVARIG):
        raise ValidationError({"perm": _("Okänd roll.")})
    if user not in insats_users_with_perm(insats=insats, perm=perm):
        return
    insats_revoke(user=user, insats=insats, perm=perm)
    falt = _("Insatsansvarig") if perm == INSATSANSVARIG else _("Deltagaransvarig borttagen")
    handelse_record(insats=insats, user=actor, falt=falt, gammalt=_person_text(user), nytt=EMPTY)
