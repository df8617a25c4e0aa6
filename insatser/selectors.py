"""Reads about insatser, always scoped to the förbund first and the user second.

Access rules (design section 2) live here, in one place:
- förbundschef, ekonomi and styrelse see every insats of their förbund (insats facts and money
  are aggregates; no participant data is shown here);
- handläggare and insatsansvarig see the insatser they are granted on (guardian), nothing else;
- everyone else, and everyone from another förbund, gets 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from finsam.audit import History, field_label
from finsam.audit import history as audit_history
from finsam.permissions import (
    DELTAGARANSVARIG,
    INSATSANSVARIG,
    insats_has_grant,
    insats_staff_by_insats,
    insatser_granted,
)
from finsam.roles import Role
from forbund.models import Medlem

from .models import (
    Handelse,
    Insats,
    Insatsbudget,
    Insatskostnad,
    Medfinansiering,
    Tillfalle,
    TillfalleDeltagare,
    Volym,
)
from .services.history import M2M_FIELDS, TRACKED_FIELDS

if TYPE_CHECKING:
    from finsam.models import User
    from forbund.models import Forbund

ALL_INSATSER_ROLES = frozenset({Role.FORBUNDSCHEF, Role.EKONOMI, Role.STYRELSE})
STAFF_ROLES = frozenset({Role.HANDLAGGARE, Role.INSATSANSVARIG})
MONEY_EDITORS = frozenset({Role.FORBUNDSCHEF, Role.EKONOMI})


def insatser_for_user(*, forbund, user) -> QuerySet[Insats]:
    """The insatser of the förbund that the user is granted on (insatsansvarig or
    deltagaransvarig). Scoped to the förbund before guardian narrows it."""
    return insatser_granted(user=user, queryset=Insats.objects.for_forbund(forbund)).select_related(
        "personuppgiftsansvarig", "kategori"
    )


def insatser_visible(request) -> QuerySet[Insats]:
    """The insatser the requesting user may see in the chosen förbund."""
    if request.forbund is None:
        return Insats.objects.none()
    base = Insats.objects.for_forbund(request.forbund)
    if request.roles & ALL_INSATSER_ROLES:
        return base
    if request.roles & STAFF_ROLES:
        return insatser_granted(user=request.user, queryset=base)
    return Insats.objects.none()


@dataclass(frozen=True)
class InsatsAccess:
    """What the requesting user may do with one insats (computed once per request)."""

    view: bool = False
    edit: bool = False  # the insats's own fields and status
    assign_ansvarig: bool = False
    assign_deltagare: bool = False
    money: bool = False  # budget, costs, external financing
    register: bool = False  # volume counts and structural occasions
    documents: bool = False  # upload and remove documents
    is_insatsansvarig: bool = False
    is_deltagaransvarig: bool = False


def insats_access(request, insats: Insats) -> InsatsAccess:
    """The rules of the module docstring, for one insats; cached on the request."""
    cache = request.__dict__.setdefault("_insats_access", {})
    if insats.pk in cache:
        return cache[insats.pk]
    roles = request.roles if request.forbund and request.forbund.pk == insats.forbund_id else ()
    chef = Role.FORBUNDSCHEF in roles
    ansvarig = bool(roles and roles & STAFF_ROLES) and insats_has_grant(
        user=request.user, insats=insats, perm=INSATSANSVARIG
    )
    deltagare = bool(roles and roles & STAFF_ROLES) and insats_has_grant(
        user=request.user, insats=insats, perm=DELTAGARANSVARIG
    )
    view = bool(roles) and (bool(roles & ALL_INSATSER_ROLES) or ansvarig or deltagare)
    access = InsatsAccess(
        view=view,
        edit=chef or ansvarig,
        assign_ansvarig=chef,
        assign_deltagare=chef or ansvarig,
        money=bool(roles) and bool(roles & MONEY_EDITORS),
        register=chef or ansvarig or deltagare,
        documents=chef or ansvarig,
        is_insatsansvarig=ansvarig,
        is_deltagaransvarig=deltagare,
    )
    cache[insats.pk] = access
    return access


def insats_may_see_participants(request, insats: Insats) -> bool:
    """Participations of an insats are visible only to its own staff (insatsansvarig or
    deltagaransvarig) who are employed by the member party that controls its participant data
    (design section 2). Everyone else, the förbundschef included, works with aggregates. For the
    deltagare app's access helper; cached with the rest of the request's insats access."""
    access = insats_access(request, insats)
    if not (access.is_insatsansvarig or access.is_deltagaransvarig):
        return False
    if insats.registreringsform != "PERSON" or not insats.personuppgiftsansvarig_id:
        return False
    return any(
        row.forbund_id == insats.forbund_id
        and row.roll in STAFF_ROLES
        and row.medlem_id == insats.personuppgiftsansvarig_id
        for row in getattr(request, "roll_rows", [])
    )


def insats_get_for_user(request, uuid) -> Insats:
    """The one access helper for an insats: scoped to ``request.forbund``, then to what the user
    may see. 404 for everything else, so nobody can tell which insatser exist."""
    if request.forbund is None:
        raise Http404
    insats = (
        Insats.objects.for_forbund(request.forbund)
        .select_related("kategori", "personuppgiftsansvarig", "beslut")
        .filter(uuid=uuid)
        .first()
    )
    if insats is None or not insats_access(request, insats).view:
        raise Http404
    return insats


# --- The list ---


SORTS = {
    "kod": ("kod",),
    "namn": ("namn", "kod"),
    "status": ("status", "kod"),
    "kategori": ("kategori__ordning", "kod"),
    "start": ("startdatum", "kod"),
    "slut": ("planerat_slutdatum", "kod"),
    "budget": ("budget_ar", "kod"),
    "utfall": ("utfall_ar", "kod"),
}


@dataclass
class ListFilters:
    status: str = ""
    kategori: str = ""
    inriktning: str = ""
    registreringsform: str = ""
    huvudman: object = None  # a Medlem of the förbund
    ar: int | None = None
    q: str = ""
    sort: str = "kod"
    desc: bool = False
    money_year: int = field(default_factory=lambda: timezone.localdate().year)


def insats_list(*, queryset: QuerySet[Insats], filters: ListFilters) -> QuerySet[Insats]:
    """The list page and its Excel export: filter, annotate the year's budget and actual cost
    (one subquery each) and sort. Constant query count: related rows come by select_related and
    one prefetch of huvudman."""
    qs = queryset
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kategori:
        qs = qs.filter(kategori_id=filters.kategori)
    if filters.inriktning:
        qs = qs.filter(kategori__inriktning=filters.inriktning)
    if filters.registreringsform:
        qs = qs.filter(registreringsform=filters.registreringsform)
    if filters.huvudman is not None:
        # A subquery, not a join: one row per insats without DISTINCT.
        qs = qs.filter(
            pk__in=Insats.huvudman.through.objects.filter(medlem=filters.huvudman).values(
                "insats_id"
            )
        )
    if filters.ar:
        qs = qs.active_in_year(filters.ar)
    if filters.q:
        words = filters.q.split()
        for word in words[:5]:
            qs = qs.filter(
                Q(kod__icontains=word) | Q(namn__icontains=word) | Q(beskrivning__icontains=word)
            )
    money = DecimalField(max_digits=14, decimal_places=0)
    budget = (
        Insatsbudget.objects.filter(insats=OuterRef("pk"), ar=filters.money_year)
        .order_by()  # one row per insats and year; the default order would join two tables
        .values("belopp")[:1]
    )
    # The names in Medlem's default order, as ``insats.huvudman.all()`` gives them (without
    # its first key, the förbund: an insats's huvudman are its own förbund's members).
    huvudman = (
        Medlem.objects.filter(huvudman_for_insatser=OuterRef("pk"))
        .order_by("typ", "namn", "pk")
        .values("namn")
    )
    utfall = (
        Insatskostnad.objects.filter(insats=OuterRef("pk"), ar=filters.money_year)
        .order_by()
        .values("insats")
        .annotate(s=Sum("belopp"))
        .values("s")
    )
    qs = qs.annotate(
        budget_ar=Coalesce(
            Subquery(budget, output_field=money), Value(Decimal(0)), output_field=money
        ),
        utfall_ar=Coalesce(
            Subquery(utfall, output_field=money), Value(Decimal(0)), output_field=money
        ),
        huvudman_namn=ArraySubquery(huvudman),
    )
    order = list(SORTS.get(filters.sort, SORTS["kod"]))
    if filters.desc:
        order = [f"-{order[0]}", *order[1:]]
    return qs.select_related("kategori", "personuppgiftsansvarig").order_by(*order)


# --- Money ---


def insats_budget_total(*, forbund: Forbund, year: int) -> Decimal:
    """Provider for ``forbund.extensions``: the sum of the förbund's insats budgets in a year,
    förbund money only (external co-financing is not the förbund's money)."""
    total = Insatsbudget.objects.filter(forbund=forbund, ar=year).aggregate(s=Sum("belopp"))["s"]
    return total or Decimal(0)


def insats_budget_totals(*, forbund_ids: list[int], year: int) -> dict[int, Decimal]:
    """``insats_budget_total`` for many förbund in one query (the national report): förbund id
    to the sum of its insats budgets in ``year``; förbund without any are left out."""
    rows = (
        Insatsbudget.objects.filter(forbund_id__in=forbund_ids, ar=year)
        .values("forbund_id")
        .annotate(s=Sum("belopp"))
        .order_by()
    )
    return {row["forbund_id"]: row["s"] for row in rows}


def insats_costs_by_month(*, forbund: Forbund, year: int) -> dict[int, Decimal]:
    """Provider for ``forbund.extensions``: actual insats costs per month of a year (months
    without costs are left out)."""
    rows = (
        Insatskostnad.objects.filter(forbund=forbund, ar=year)
        .values("manad")
        .annotate(s=Sum("belopp"))
        .order_by("manad")
    )
    return {row["manad"]: row["s"] for row in rows}


@dataclass
class BudgetYear:
    ar: int
    budget: Decimal | None
    utfall: Decimal
    extern: Decimal
    kommentar: str = ""

    @property
    def kvar(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.utfall

    @property
    def andel(self) -> int | None:
        if not self.budget:
            return None
        return round(self.utfall * 100 / self.budget)


def insats_budget_years(*, insats: Insats) -> list[BudgetYear]:
    """Budget, actual cost and external money per year of an insats (three queries)."""
    budgets = {b.ar: b for b in Insatsbudget.objects.filter(insats=insats)}
    utfall = dict(
        Insatskostnad.objects.filter(insats=insats)
        .values("ar")
        .annotate(s=Sum("belopp"))
        .values_list("ar", "s")
    )
    extern = dict(
        Medfinansiering.objects.filter(insats=insats)
        .values("ar")
        .annotate(s=Sum("belopp"))
        .values_list("ar", "s")
    )
    years = sorted(set(budgets) | set(utfall) | set(extern))
    return [
        BudgetYear(
            ar=y,
            budget=budgets[y].belopp if y in budgets else None,
            utfall=utfall.get(y, Decimal(0)),
            extern=extern.get(y, Decimal(0)),
            kommentar=budgets[y].kommentar if y in budgets else "",
        )
        for y in years
    ]


def insats_costs_grid(*, insats: Insats, year: int) -> dict[int, Decimal]:
    return dict(Insatskostnad.objects.filter(insats=insats, ar=year).values_list("manad", "belopp"))


@dataclass
class Bar:
    x: float
    y: float
    height: float
    width: float
    value: Decimal
    label: str


@dataclass
class BudgetChart:
    """A grouped bar chart (budget vs utfall per year), laid out on the server as SVG numbers:
    the CSP allows no script, and the table beside it carries the same figures."""

    width: int
    height: int
    bars: list[Bar]
    labels: list[tuple[float, str]]
    gridlines: list[tuple[float, str]]
    baseline: float


def budget_chart(rows: list[BudgetYear], *, width: int = 560, height: int = 240) -> BudgetChart:
    left, right, top, bottom = 80, 10, 10, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([r.budget or 0 for r in rows] + [r.utfall for r in rows] + [Decimal(1)])
    step = _nice_step(peak)
    top_value = step * ((peak + step - 1) // step) if peak else step
    group_w = plot_w / max(len(rows), 1)
    bar_w = min(40.0, group_w / 3)
    bars, labels = [], []
    for i, row in enumerate(rows):
        gx = left + i * group_w + group_w / 2
        for j, (value, kind) in enumerate(((row.budget or 0, "budget"), (row.utfall, "utfall"))):
            h = float(value) / float(top_value) * plot_h
            x = gx - bar_w + j * bar_w
            bars.append(
                Bar(round(x, 1), round(top + plot_h - h, 1), round(h, 1), bar_w, value, kind)
            )
        labels.append((round(gx, 1), str(row.ar)))
    gridlines = []
    value = Decimal(0)
    while value <= top_value:
        y = top + plot_h - float(value) / float(top_value) * plot_h
        gridlines.append((round(y, 1), f"{int(value):,}".replace(",", "\u00a0")))
        value += step
    return BudgetChart(width, height, bars, labels, gridlines, top + plot_h)


def _nice_step(peak: Decimal) -> Decimal:
    raw = float(peak) / 4 or 1
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return Decimal(int(factor * magnitude))
    return Decimal(10 * magnitude)


# --- People ---


@dataclass
class Staff:
    insatsansvarig: list
    deltagaransvariga: list


def insats_staff_lists(*, insats: Insats) -> Staff:
    staff = insats_staff_by_insats(insats_ids=[insats.pk]).get(insats.pk, {})
    return Staff(staff.get(INSATSANSVARIG, []), staff.get(DELTAGARANSVARIG, []))


def staff_not_employed_by_controller(*, insats: Insats, staff: Staff) -> list:
    """Granted users who are not employed by the data controller of a PERSON insats (after the
    controller changed): they should not see participants, so the page warns about them."""
    if insats.registreringsform != "PERSON" or not insats.personuppgiftsansvarig_id:
        return []
    from finsam.models import Roll

    users = {u.pk: u for u in staff.insatsansvarig + staff.deltagaransvariga}
    ok = set(
        Roll.objects.active()
        .filter(
            forbund_id=insats.forbund_id,
            user_id__in=users,
            medlem_id=insats.personuppgiftsansvarig_id,
        )
        .values_list("user_id", flat=True)
    )
    return [u for pk, u in users.items() if pk not in ok]


# --- Non-person counts (the reports read these) ---


@dataclass
class VolymTotals:
    kvinnor: int = 0
    man: int = 0
    annat: int = 0

    @property
    def total(self) -> int:
        return self.kvinnor + self.man + self.annat


def months_in(start: dt.date, end: dt.date):
    """A month key (``ar * 12 + manad``) and its bounds for the months that overlap
    [start, end]: counts are kept per month, so a period takes whole months."""
    key = ExpressionWrapper(F("ar") * 12 + F("manad"), output_field=IntegerField())
    return key, start.year * 12 + start.month, end.year * 12 + end.month


def volym_totals(
    *, forbund: Forbund, start: dt.date, end: dt.date, insats: Insats | None = None
) -> VolymTotals:
    """VOLYM counts by kön for the months that overlap [start, end] (whole months: counts are
    kept per month). One query."""
    key, lo, hi = months_in(start, end)
    qs = Volym.objects.filter(forbund=forbund).alias(k=key).filter(k__gte=lo, k__lte=hi)
    if insats is not None:
        qs = qs.filter(insats=insats)
    agg = qs.aggregate(
        kvinnor=Coalesce(Sum("kvinnor"), 0),
        man=Coalesce(Sum("man"), 0),
        annat=Coalesce(Sum("annat"), 0),
    )
    return VolymTotals(**agg)


def volym_totals_by_insats(
    *, forbund: Forbund, start: dt.date, end: dt.date
) -> dict[int, VolymTotals]:
    """The same per insats (one query), for the reports' per-insats table."""
    key, lo, hi = months_in(start, end)
    rows = (
        Volym.objects.filter(forbund=forbund)
        .alias(k=key)
        .filter(k__gte=lo, k__lte=hi)
        .values("insats_id")
        .annotate(kvinnor=Sum("kvinnor"), man=Sum("man"), annat=Sum("annat"))
        .order_by()
    )
    return {r["insats_id"]: VolymTotals(r["kvinnor"], r["man"], r["annat"]) for r in rows}


def volym_grid(*, insats: Insats, year: int) -> dict[int, Volym]:
    return {v.manad: v for v in Volym.objects.filter(insats=insats, ar=year)}


@dataclass
class StrukturTotals:
    tillfallen: int = 0
    timmar: Decimal = Decimal(0)
    deltagare: int = 0
    by_medlem: dict[str, int] = field(default_factory=dict)
    by_yrkesgrupp: dict[str, int] = field(default_factory=dict)


def struktur_totals(
    *, forbund: Forbund, start: dt.date, end: dt.date, insats: Insats | None = None
) -> StrukturTotals:
    """STRUKTUR occasions dated in [start, end]: number, hours, participants in total, by member
    organisation (name) and by profession (code). Three queries."""
    occasions = Tillfalle.objects.filter(forbund=forbund, datum__gte=start, datum__lte=end)
    if insats is not None:
        occasions = occasions.filter(insats=insats)
    head = occasions.aggregate(n=Count("id"), h=Coalesce(Sum("timmar"), Decimal(0)))
    counts = TillfalleDeltagare.objects.filter(tillfalle__in=occasions)
    by_medlem = dict(
        counts.values("medlem__namn").annotate(s=Sum("antal")).values_list("medlem__namn", "s")
    )
    by_yrke = dict(
        counts.values("yrkesgrupp").annotate(s=Sum("antal")).values_list("yrkesgrupp", "s")
    )
    return StrukturTotals(
        tillfallen=head["n"],
        timmar=head["h"],
        deltagare=sum(by_yrke.values()),
        by_medlem=by_medlem,
        by_yrkesgrupp=by_yrke,
    )


def tillfallen_for(*, insats: Insats) -> list[Tillfalle]:
    return list(
        Tillfalle.objects.filter(insats=insats)
        .annotate(deltagare=Coalesce(Sum("antal__antal"), 0))
        .order_by("-datum", "titel")
    )


def tillfalle_get(*, insats: Insats, uuid) -> Tillfalle:
    tillfalle = Tillfalle.objects.filter(insats=insats, uuid=uuid).first()
    if tillfalle is None:
        raise Http404
    return tillfalle


# --- Mina insatser ---


@dataclass
class MinInsats:
    insats: Insats
    roller: list[str]
    budget: Decimal | None
    utfall: Decimal
    dagar_kvar: int | None
    volym_manad: int | None  # VOLYM: contacts registered last month (None: not registered)
    tillfallen_ar: int | None  # STRUKTUR: occasions this year
    deltagare_ar: int | None  # STRUKTUR: participants this year


def mina_insatser(*, forbund: Forbund, user: User, today: dt.date) -> list[MinInsats]:
    """The handläggare's start page: per granted insats, their role, status, the days left to the
    planned end, this year's budget and cost, and what is due in its registration mode (last
    month's volume counts, this year's occasions). A fixed number of queries."""
    insats_list = list(
        insatser_for_user(forbund=forbund, user=user)
        .annotate(
            budget_ar=Subquery(
                Insatsbudget.objects.filter(insats=OuterRef("pk"), ar=today.year).values("belopp")[
                    :1
                ]
            ),
            utfall_ar=Coalesce(
                Subquery(
                    Insatskostnad.objects.filter(insats=OuterRef("pk"), ar=today.year)
                    .order_by()
                    .values("insats")
                    .annotate(s=Sum("belopp"))
                    .values("s")
                ),
                Value(Decimal(0)),
                output_field=DecimalField(max_digits=14, decimal_places=0),
            ),
        )
        .order_by("kod")
    )
    ids = [i.pk for i in insats_list]
    staff = insats_staff_by_insats(insats_ids=ids)
    last = today.replace(day=1) - dt.timedelta(days=1)
    volym = {
        v.insats_id: v.total
        for v in Volym.objects.filter(insats_id__in=ids, ar=last.year, manad=last.month)
    }
    struktur = {
        r["insats_id"]: r
        for r in Tillfalle.objects.filter(insats_id__in=ids, datum__year=today.year)
        .values("insats_id")
        .annotate(n=Count("id", distinct=True), d=Coalesce(Sum("antal__antal"), 0))
        .order_by()
    }
    out = []
    for insats in insats_list:
        perms = staff.get(insats.pk, {})
        roller = []
        if user in perms.get(INSATSANSVARIG, []):
            roller.append("Insatsansvarig")
        if user in perms.get(DELTAGARANSVARIG, []):
            roller.append("Deltagaransvarig")
        end = insats.slutdatum or insats.planerat_slutdatum
        s = struktur.get(insats.pk)
        out.append(
            MinInsats(
                insats=insats,
                roller=roller,
                budget=insats.budget_ar,
                utfall=insats.utfall_ar,
                dagar_kvar=(end - today).days if end and not insats.slutdatum else None,
                volym_manad=volym.get(insats.pk) if insats.registreringsform == "VOLYM" else None,
                tillfallen_ar=(s["n"] if s else 0)
                if insats.registreringsform == "STRUKTUR"
                else None,
                deltagare_ar=(s["d"] if s else 0)
                if insats.registreringsform == "STRUKTUR"
                else None,
            )
        )
    return out


# --- The förbund's money across its insatser ---


@dataclass
class EkonomiRad:
    insats: Insats
    budget: Decimal
    utfall: Decimal
    extern: Decimal

    @property
    def kvar(self) -> Decimal:
        return self.budget - self.utfall

    @property
    def andel(self) -> int | None:
        return round(self.utfall * 100 / self.budget) if self.budget else None


@dataclass
class Ekonomioversikt:
    year: int
    rows: list[EkonomiRad]
    per_manad: dict[int, Decimal]

    @property
    def budget(self) -> Decimal:
        return sum((r.budget for r in self.rows), Decimal(0))

    @property
    def utfall(self) -> Decimal:
        return sum((r.utfall for r in self.rows), Decimal(0))

    @property
    def extern(self) -> Decimal:
        return sum((r.extern for r in self.rows), Decimal(0))

    @property
    def kvar(self) -> Decimal:
        return self.budget - self.utfall


def ekonomi_oversikt(*, forbund: Forbund, year: int) -> Ekonomioversikt:
    """Budget, actual cost and external money of every insats with money in a year, with the
    monthly cost totals (the same figures the förbund budget's insats line uses). Four queries
    whatever the number of insatser."""
    money = DecimalField(max_digits=14, decimal_places=0)

    def total(model):
        return Coalesce(
            Subquery(
                model.objects.filter(insats=OuterRef("pk"), ar=year)
                .order_by()
                .values("insats")
                .annotate(s=Sum("belopp"))
                .values("s"),
                output_field=money,
            ),
            Value(Decimal(0)),
            output_field=money,
        )

    insatser = (
        Insats.objects.for_forbund(forbund)
        .annotate(b=total(Insatsbudget), u=total(Insatskostnad), e=total(Medfinansiering))
        .filter(Q(b__gt=0) | Q(u__gt=0) | Q(e__gt=0))
        .select_related("kategori")
        .order_by("kod")
    )
    rows = [EkonomiRad(i, i.b, i.u, i.e) for i in insatser]
    return Ekonomioversikt(year, rows, insats_costs_by_month(forbund=forbund, year=year))


# --- Audit trail -------------------------------------------------------------------------------


def insats_history(request, *, insats: Insats) -> History:
    """The insats's field changes and its budget, cost and co-financing rows, from the database
    audit trail (finsam.audit): newest first, paged. Recorded by triggers, so it also shows
    changes made outside the services (admin, imports)."""
    return audit_history(
        request,
        obj=insats,
        event_models=[
            Insats.pgh_event_model,
            Insatsbudget.pgh_event_model,
            Insatskostnad.pgh_event_model,
            Medfinansiering.pgh_event_model,
        ],
    )


def _covered_by_audit_trail() -> Q:
    """The ``Handelse`` rows whose content the audit trail already shows: changes of the insats's
    own fields, and budget, cost and co-financing changes. Its creation stays in the event log,
    as the start of the lifecycle."""
    labels = [
        field_label(Insats._meta.get_field(name))
        for name in TRACKED_FIELDS
        if name not in M2M_FIELDS
    ]
    return (
        Q(falt__in=labels)
        | Q(falt__startswith=_("Budget") + " ")
        | Q(falt__startswith=_("Kostnader") + " ")
        | Q(falt__startswith=_("Extern finansiering") + " ")
    )


def insats_handelser(*, insats: Insats, limit: int | None) -> QuerySet[Handelse]:
    """The insats's other events (``Handelse``, written by the services): its creation, roles,
    documents, målgrupper/metoder/huvudman, volumes and occasions, which are not rows of the tracked
    models; newest first. Field and money changes are in ``insats_history`` instead."""
    return (
        Handelse.objects.filter(insats=insats)
        .exclude(_covered_by_audit_trail())
        .select_related("user")[:limit]
    )
