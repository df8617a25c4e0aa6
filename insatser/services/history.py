"""The history of an insats: one ``Handelse`` per changed field (who, when, old → new)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ..models import (
    Handelse,
    Insats,
    Status,
)

if TYPE_CHECKING:
    from finsam.models import User


TRACKED_FIELDS = [
    "kod",
    "namn",
    "beskrivning",
    "kategori",
    "status",
    "beslut",
    "registreringsform",
    "malgrupper",
    "metoder",
    "huvudman",
    "personuppgiftsansvarig",
    "startdatum",
    "planerat_slutdatum",
    "slutdatum",
    "planerade_deltagare",
    "malvarden",
]
M2M_FIELDS = {"malgrupper", "metoder", "huvudman"}

# The lifecycle's next steps (the edit form may still set any status, as a correction).
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    Status.ANSOKAN: (Status.BEVILJAD,),
    Status.BEVILJAD: (Status.PAGAENDE,),
    Status.PAGAENDE: (Status.AVSLUTAD,),
    Status.AVSLUTAD: (Status.IMPLEMENTERAD, Status.AVVECKLAD),
    Status.IMPLEMENTERAD: (),
    Status.AVVECKLAD: (),
}

EMPTY = "–"


# --- History ---


def _label(name: str) -> str:
    label = str(Insats._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


def _display(value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _field_text(insats: Insats, name: str) -> str:
    if name in M2M_FIELDS:
        names = sorted(str(o) for o in getattr(insats, name).all())
        return ", ".join(names) if names else EMPTY
    model_field = Insats._meta.get_field(name)
    if model_field.choices:
        return _display(getattr(insats, f"get_{name}_display")())
    return _display(getattr(insats, name))


def _snapshot(insats: Insats) -> dict[str, str]:
    return {name: _field_text(insats, name) for name in TRACKED_FIELDS}


def handelse_record(*, insats: Insats, user: User | None, falt: str, gammalt: str, nytt: str):
    return Handelse.objects.create(
        forbund_id=insats.forbund_id,
        insats=insats,
        user=user,
        falt=falt,
        gammalt=gammalt,
        nytt=nytt,
    )


def _record_diff(insats: Insats, user: User | None, before: dict[str, str]) -> list[Handelse]:
    after = _snapshot(insats)
    return [
        handelse_record(
            insats=insats, user=user, falt=_label(name), gammalt=before[name], nytt=after[name]
        )
        for name in TRACKED_FIELDS
        if before[name] != after[name]
    ]
