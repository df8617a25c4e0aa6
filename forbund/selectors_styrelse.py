"""Reads on the styrelse: the board on a date with its warnings, meetings and the quorum."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.http import Http404
from django.utils.translation import gettext as _

from .models import (
    ORDINARIE_ROLLER,
    Forbund,
    Medlem,
    Narvaro,
    Sammantrade,
    StyrelseRoll,
    Styrelseuppdrag,
)

WARN_DAYS = 60


def uppdrag_get(*, forbund: Forbund, uuid) -> Styrelseuppdrag:
    """The one access helper for a board assignment: 404 outside the förbund."""
    try:
        return Styrelseuppdrag.objects.select_related("medlem").get(forbund=forbund, uuid=uuid)
    except (Styrelseuppdrag.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def sammantrade_get(*, forbund: Forbund, uuid) -> Sammantrade:
    try:
        return Sammantrade.objects.get(forbund=forbund, uuid=uuid)
    except (Sammantrade.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


@dataclass
class Plats:
    """A member organisation's seat on the board on a date."""

    medlem: Medlem
    ledamot: Styrelseuppdrag | None
    ersattare: list[Styrelseuppdrag]


@dataclass
class Styrelsebild:
    day: dt.date
    platser: list[Plats]
    warnings: list[str] = field(default_factory=list)
    slutar_snart: list[Styrelseuppdrag] = field(default_factory=list)
    ordforande: Styrelseuppdrag | None = None
    vice: Styrelseuppdrag | None = None


def styrelse_on(*, forbund: Forbund, day: dt.date) -> Styrelsebild:
    """The board on ``day``: one seat per member organisation with its ordinary ledamot and
    ersättare. Warnings for seats without a ledamot or ersättare, a missing ordförande, and
    mandates ending within 60 days (boards change often; the förbundschef must ask the member in
    time). Two queries."""
    medlemmar = list(
        Medlem.objects.for_forbund(forbund).active_on(day).select_related("kommun").ordered()
    )
    uppdrag = list(
        Styrelseuppdrag.objects.for_forbund(forbund)
        .filter(till__gte=day)
        .select_related("medlem")
        .order_by("till")
    )
    active = [u for u in uppdrag if u.fran <= day]
    bild = Styrelsebild(day, [])
    for m in medlemmar:
        mine = [u for u in active if u.medlem_id == m.pk]
        ledamot = next((u for u in mine if u.roll in ORDINARIE_ROLLER), None)
        ersattare = [u for u in mine if u.roll == StyrelseRoll.ERSATTARE]
        bild.platser.append(Plats(m, ledamot, ersattare))
        if ledamot is None:
            bild.warnings.append(_("%(namn)s saknar ordinarie ledamot.") % {"namn": m.namn})
        if not ersattare:
            bild.warnings.append(_("%(namn)s saknar ersättare.") % {"namn": m.namn})
    bild.ordforande = next((u for u in active if u.roll == StyrelseRoll.ORDFORANDE), None)
    bild.vice = next((u for u in active if u.roll == StyrelseRoll.VICE), None)
    if medlemmar and bild.ordforande is None:
        bild.warnings.append(_("Styrelsen saknar ordförande."))
    successors = {(u.medlem_id, u.roll in ORDINARIE_ROLLER) for u in uppdrag if u.fran > day}
    for u in active:
        ends_soon = u.till <= day + dt.timedelta(days=WARN_DAYS)
        has_successor = (u.medlem_id, u.roll in ORDINARIE_ROLLER) in successors
        if ends_soon and not has_successor:
            bild.slutar_snart.append(u)
    return bild


def uppdrag_all(*, forbund: Forbund):
    return (
        Styrelseuppdrag.objects.for_forbund(forbund)
        .select_related("medlem", "anvandare")
        .order_by("-till", "medlem__typ", "medlem__namn", "roll")
    )


@dataclass
class Beslutsforhet:
    """The quorum verdict of a meeting (Finsam law 2003:1210 § 12 as the design reads it)."""

    platser: int  # ordinary seats: one per member organisation on the day
    narvarande_ledamoter: int
    tjanstgorande_ersattare: int

    @property
    def tjanstgorande(self) -> int:
        return self.narvarande_ledamoter + self.tjanstgorande_ersattare

    @property
    def kravs(self) -> int:
        """At least half of the ledamöter: ceil(seats / 2)."""
        return (self.platser + 1) // 2

    @property
    def beslutsfor(self) -> bool:
        return self.platser > 0 and self.tjanstgorande * 2 >= self.platser


def quorum(*, sammantrade: Sammantrade, rows: list[Narvaro] | None = None) -> Beslutsforhet:
    """At least half of the ledamöter present, counting ersättare who step in for an absent
    ledamot. The number of ledamöter is the number of member organisations on the meeting's date
    (each has one ordinary seat), so an empty seat counts against the quorum."""
    if rows is None:
        rows = list(sammantrade.narvaro.select_related("uppdrag"))
    seats = Medlem.objects.for_forbund(sammantrade.forbund_id).active_on(sammantrade.datum).count()
    present = sum(1 for r in rows if r.narvarande and r.uppdrag.roll in ORDINARIE_ROLLER)
    stepping_in = sum(1 for r in rows if r.narvarande and r.tjanstgor_for_id is not None)
    return Beslutsforhet(seats, present, stepping_in)


def sammantraden_list(*, forbund: Forbund) -> list[tuple[Sammantrade, Beslutsforhet]]:
    """Meetings with their quorum verdicts, in a constant number of queries."""
    meetings = list(Sammantrade.objects.filter(forbund=forbund).order_by("-datum"))
    rows_by_meeting: dict[int, list[Narvaro]] = {m.pk: [] for m in meetings}
    for row in Narvaro.objects.filter(forbund=forbund).select_related("uppdrag"):
        rows_by_meeting.setdefault(row.sammantrade_id, []).append(row)
    members = list(Medlem.objects.for_forbund(forbund))
    out = []
    for m in meetings:
        rows = rows_by_meeting[m.pk]
        seats = sum(1 for x in members if x.is_active_on(m.datum))
        present = sum(1 for r in rows if r.narvarande and r.uppdrag.roll in ORDINARIE_ROLLER)
        stepping = sum(1 for r in rows if r.narvarande and r.tjanstgor_for_id is not None)
        out.append((m, Beslutsforhet(seats, present, stepping)))
    return out
