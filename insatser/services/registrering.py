"""The non-person registration modes: VOLYM counts per month, STRUKTUR occasions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    Insats,
    Tillfalle,
    TillfalleDeltagare,
    Volym,
    Yrkesgrupp,
)
from .history import EMPTY, handelse_record

if TYPE_CHECKING:
    from finsam.models import User
    from forbund.models import Medlem


def _require_mode(insats: Insats, mode: str) -> None:
    if insats.registreringsform != mode:
        raise ValidationError(_("Insatsen registreras inte som ”%(m)s”.") % {"m": mode.lower()})


@transaction.atomic
def volym_set_year(
    *,
    insats: Insats,
    user: User,
    ar: int,
    counts: Mapping[int, tuple[int, int, int] | None],
) -> int:
    """VOLYM mode: set the number of contacts per month by kön (K, M, X) for one year. A month
    left empty removes its row. Counts only in months the insats runs (from its start month to
    the month of its actual end). Returns the number of changed months; recorded in the history."""
    _require_mode(insats, "VOLYM")
    first = insats.startdatum.year * 12 + insats.startdatum.month
    last = insats.slutdatum.year * 12 + insats.slutdatum.month if insats.slutdatum else None
    outside = {
        f"k{manad}": _("Insatsen pågick inte den här månaden.")
        for manad, value in counts.items()
        if value is not None
        and any(value)
        and (ar * 12 + manad < first or (last is not None and ar * 12 + manad > last))
    }
    if outside:
        raise ValidationError(outside)
    existing = {v.manad: v for v in Volym.objects.filter(insats=insats, ar=ar)}
    changed = []
    for manad in range(1, 13):
        new = counts.get(manad)
        row = existing.get(manad)
        old = (row.kvinnor, row.man, row.annat) if row else None
        if new == old:
            continue
        if new is None:
            row.delete()
        elif row is None:
            Volym.objects.create(
                forbund_id=insats.forbund_id,
                insats=insats,
                ar=ar,
                manad=manad,
                kvinnor=new[0],
                man=new[1],
                annat=new[2],
            )
        else:
            row.kvinnor, row.man, row.annat = new
            row.save(update_fields=["kvinnor", "man", "annat"])

        def fmt(t):
            return EMPTY if t is None else f"K {t[0]}, M {t[1]}, X {t[2]}"

        changed.append(f"{ar}-{manad:02d}: {fmt(old)} → {fmt(new)}")
    if changed:
        handelse_record(
            insats=insats,
            user=user,
            falt=_("Volym %(ar)s") % {"ar": ar},
            gammalt="",
            nytt="; ".join(changed),
        )
    return len(changed)


@transaction.atomic
def tillfalle_save(
    *,
    insats: Insats,
    user: User,
    datum: dt.date,
    titel: str,
    timmar: Decimal,
    antal: Mapping[tuple[Medlem, str], int],
    tillfalle: Tillfalle | None = None,
) -> Tillfalle:
    """STRUKTUR mode: record (or correct) an occasion with its participant counts by member
    organisation and profession. Counts of zero are not stored; members must belong to the
    insats's förbund; the date lies within the insats's period."""
    _require_mode(insats, "STRUKTUR")
    if datum < insats.startdatum or (insats.slutdatum and datum > insats.slutdatum):
        raise ValidationError({"datum": _("Datumet ligger utanför insatsens period.")})
    if any(m.forbund_id != insats.forbund_id for m, _y in antal):
        raise ValidationError(_("Välj bland förbundets egna medlemmar."))
    if any(y not in Yrkesgrupp.values for _m, y in antal):
        raise ValidationError(_("Okänd yrkesgrupp."))
    created = tillfalle is None
    tillfalle = tillfalle or Tillfalle(forbund_id=insats.forbund_id, insats=insats)
    tillfalle.datum, tillfalle.titel, tillfalle.timmar = datum, titel.strip(), timmar
    tillfalle.full_clean()
    tillfalle.save()
    tillfalle.antal.all().delete()
    TillfalleDeltagare.objects.bulk_create(
        TillfalleDeltagare(
            forbund_id=insats.forbund_id, tillfalle=tillfalle, medlem=m, yrkesgrupp=y, antal=n
        )
        for (m, y), n in antal.items()
        if n
    )
    total = sum(n for n in antal.values() if n)
    handelse_record(
        insats=insats,
        user=user,
        falt=_("Tillfälle registrerat") if created else _("Tillfälle ändrat"),
        gammalt="",
        nytt=f"{tillfalle}: {timmar} h, {total} deltagare",
    )
    return tillfalle


@transaction.atomic
def tillfalle_delete(*, tillfalle: Tillfalle, user: User) -> None:
    handelse_record(
        insats=tillfalle.insats,
        user=user,
        falt=_("Tillfälle borttaget"),
        gammalt=str(tillfalle),
        nytt="",
    )
    tillfalle.delete()
