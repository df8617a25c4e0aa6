"""Reads about a förbund, always scoped to it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db import connection
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from finsam.audit import History
from finsam.audit import history as audit_history
from finsam.models import Roll
from finsam.roles import Role

from .berakning import (
    Bidragsrad,
    Bidragsunderlag,
    days_active_in_year,
    days_in_year,
    financing_parts,
    split_group,
)
from .models import (
    Befolkning,
    Finansieringsar,
    Forbund,
    Forbundsordning,
    Kommun,
    KommunFordelning,
    Medlem,
    MedlemTyp,
)


def medlemmar_on(*, forbund: Forbund, day: dt.date) -> QuerySet[Medlem]:
    return Medlem.objects.for_forbund(forbund).active_on(day).select_related("kommun").ordered()


def medlemmar_all(*, forbund: Forbund) -> QuerySet[Medlem]:
    """Every membership of the förbund, past, present and future (the history)."""
    return Medlem.objects.for_forbund(forbund).select_related("kommun").ordered()


def medlem_get(*, forbund: Forbund, uuid) -> Medlem:
    """The one access helper for a membership: 404 unless it belongs to the förbund."""
    try:
        return Medlem.objects.select_related("kommun", "forbund").get(forbund=forbund, uuid=uuid)
    except (Medlem.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def forbundsordning_get(*, forbund: Forbund, uuid) -> Forbundsordning:
    try:
        return Forbundsordning.objects.get(forbund=forbund, uuid=uuid)
    except (Forbundsordning.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def forbundsordning_current(*, forbund: Forbund, day: dt.date) -> Forbundsordning | None:
    return (
        Forbundsordning.objects.filter(forbund=forbund, giltig_fran__lte=day)
        .order_by("-giltig_fran")
        .first()
    )


def kommuner_covered_on(*, forbund: Forbund, day: dt.date) -> QuerySet[Kommun]:
    """The kommuner a förbund covers on a day: those that are members on that day."""
    return Kommun.objects.filter(
        medlemskap__in=Medlem.objects.for_forbund(forbund).active_on(day)
    ).order_by("namn")


def forbundschefer(*, forbund: Forbund) -> list:
    return [
        r.user
        for r in Roll.objects.active()
        .filter(forbund=forbund, roll=Role.FORBUNDSCHEF)
        .select_related("user")
        .order_by("user__last_name")
    ]


@dataclass
class Oversikt:
    forbund: Forbund
    day: dt.date
    medlemmar: list[Medlem]
    kommuner: list[Kommun]
    staff_by_role: list[tuple[str, int]]


def forbund_oversikt(*, forbund: Forbund, day: dt.date) -> Oversikt:
    medlemmar = list(medlemmar_on(forbund=forbund, day=day))
    kommuner = [m.kommun for m in medlemmar if m.kommun_id]
    counts = (
        Roll.objects.active()
        .filter(forbund=forbund)
        .values("roll")
        .annotate(n=Count("id"))
        .order_by("roll")
    )
    staff = [(Role(row["roll"]).label, row["n"]) for row in counts]
    return Oversikt(forbund, day, medlemmar, sorted(kommuner, key=lambda k: k.namn), staff)


# --- population ---------------------------------------------------------------------------


def befolkning_table(*, forbund: Forbund) -> tuple[list[int], list[dict]]:
    """Population 16–64 per member kommun (rows) and year (columns), one query."""
    rows = list(Befolkning.objects.filter(forbund=forbund).select_related("kommun").order_by("ar"))
    years = sorted({r.ar for r in rows}, reverse=True)
    by_kommun: dict[str, dict] = {}
    for r in rows:
        entry = by_kommun.setdefault(r.kommun_id, {"kommun": r.kommun, "values": {}})
        entry["values"][r.ar] = r
    table = []
    for entry in sorted(by_kommun.values(), key=lambda e: e["kommun"].namn):
        entry["cells"] = [entry["values"].get(y) for y in years]
        table.append(entry)
    return years, table


# --- members' contributions ----------------------------------------------------------------


@dataclass
class Bidragstabell:
    ar: int
    finansiering: Finansieringsar | None
    statlig: int = 0
    region_del: int = 0
    kommun_del: int = 0
    fordelning: str = KommunFordelning.BEFOLKNING
    region_rader: list[Bidragsrad] = field(default_factory=list)
    kommun_rader: list[Bidragsrad] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    dagar_i_aret: int = 365

    @property
    def total(self) -> int:
        return self.statlig + self.region_del + self.kommun_del

    @property
    def rows(self) -> list[tuple[str, str, int]]:
        """Who pays what: (member, kind, amount) for the whole förbund."""
        out = [("Staten genom Försäkringskassan", "FK", self.statlig)]
        out += [(r.namn, "REGION", r.belopp) for r in self.region_rader]
        out += [(r.namn, "KOMMUN", r.belopp) for r in self.kommun_rader]
        return out


def bidrag_for_year(*, forbund: Forbund, ar: int) -> Bidragstabell:
    """Who pays what in a year (design section 1; Finsam law 2003:1210 § 19).

    The state pays the statlig tilldelning; the region half of it and the kommuner together the
    other half. The kommuner split their part by population 16–64 (default), equally, or by the
    fixed shares of the förbundsordning. A member in the förbund only part of the year weighs by
    its days (pro rata), and largest-remainder rounding makes every group sum exactly.
    """
    fin = Finansieringsar.objects.filter(forbund=forbund, ar=ar).first()
    table = Bidragstabell(
        ar=ar, finansiering=fin, fordelning=forbund.kommun_fordelning, dagar_i_aret=days_in_year(ar)
    )
    if fin is None:
        table.problems.append(_("Statlig tilldelning för året är inte registrerad."))
        return table
    table.statlig, table.region_del, table.kommun_del = financing_parts(
        int(fin.statlig_tilldelning)
    )
    first, last = dt.date(ar, 1, 1), dt.date(ar, 12, 31)
    members = list(
        Medlem.objects.for_forbund(forbund)
        .filter(typ__in=[MedlemTyp.REGION, MedlemTyp.KOMMUN], startdatum__lte=last)
        .exclude(slutdatum__lt=first)
        .select_related("kommun")
        .order_by("namn", "startdatum")
    )
    population = {b.kommun_id: b.antal for b in Befolkning.objects.filter(forbund=forbund, ar=ar)}
    regions = [
        Bidragsunderlag(
            m.uuid, m.namn, Fraction(1), days_active_in_year(m.startdatum, m.slutdatum, ar)
        )
        for m in members
        if m.typ == MedlemTyp.REGION
    ]
    kommuner = []
    for m in members:
        if m.typ != MedlemTyp.KOMMUN:
            continue
        if forbund.kommun_fordelning == KommunFordelning.BEFOLKNING:
            if m.kommun_id not in population:
                table.problems.append(
                    _(
                        "Befolkning 16–64 år för %(kommun)s %(ar)s saknas: "
                        "fördelningen kan inte räknas ut."
                    )
                    % {"kommun": m.kommun.namn, "ar": ar}
                )
                continue
            basis = Fraction(population[m.kommun_id])
        elif forbund.kommun_fordelning == KommunFordelning.FAST:
            if m.andel_procent is None:
                table.problems.append(_("Fast andel saknas för %(namn)s.") % {"namn": m.namn})
                continue
            basis = Fraction(m.andel_procent)
        else:
            basis = Fraction(1)
        dagar = days_active_in_year(m.startdatum, m.slutdatum, ar)
        kommuner.append(Bidragsunderlag(m.uuid, m.namn, basis, dagar))
    if forbund.kommun_fordelning == KommunFordelning.FAST and not table.problems:
        total_share = sum(
            (Decimal(m.andel_procent) for m in members if m.typ == MedlemTyp.KOMMUN), Decimal(0)
        )
        full_year = all(k.dagar == table.dagar_i_aret for k in kommuner)
        if full_year and total_share != 100:
            table.problems.append(
                _("De fasta andelarna blir tillsammans %(summa)s %%, inte 100 %%.")
                % {"summa": total_share}
            )
    if table.problems:
        return table
    table.region_rader = split_group(total=table.region_del, year=ar, members=regions)
    table.kommun_rader = split_group(total=table.kommun_del, year=ar, members=kommuner)
    return table


def finansiering_years(*, forbund: Forbund) -> list[Finansieringsar]:
    return list(Finansieringsar.objects.filter(forbund=forbund).order_by("-ar"))


# --- audit trail ------------------------------------------------------------------------------


def forbund_history(request, *, forbund: Forbund) -> History:
    """The förbund profile's and its members' changes (finsam.audit), newest first, paged."""
    return audit_history(
        request,
        obj=forbund,
        event_models=[Forbund.pgh_event_model, Medlem.pgh_event_model],
    )


# --- exact caches --------------------------------------------------------------------------


def forbundsandring_since(*, forbund_id: int, snapshots: list[str]) -> set[str]:
    """Which of ``snapshots`` (``txid_current_snapshot()`` texts) a change to the förbund's own
    figures has committed outside of (``Forbundsandring``; one query for all): a figure cached
    under such a snapshot may be stale, the others are exact (``finsam.andringar``)."""
    if not snapshots:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT v.snap FROM unnest(%s::text[]) AS v(snap)"
            " WHERE EXISTS (SELECT 1 FROM forbund_forbundsandring a"
            " WHERE a.forbund_id = %s AND a.xid >= txid_snapshot_xmin(v.snap::txid_snapshot)"
            " AND NOT txid_visible_in_snapshot(a.xid, v.snap::txid_snapshot))",
            [sorted(set(snapshots)), forbund_id],
        )
        return {row[0] for row in cursor.fetchall()}
