"""Reads on budgets, utfall and eget kapital, always scoped to one förbund."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.http import Http404

from finsam.audit import History
from finsam.audit import history as audit_history

from .extensions import insats_budget_total, insats_costs_by_month
from .models import (
    Budget,
    Budgetpost,
    BudgetStatus,
    Finansieringsar,
    Forbund,
    Utfall,
)
from .models import Budgetrad as BudgetradModel

MONTHS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
ZERO = Decimal(0)


def budget_get(*, forbund: Forbund, uuid) -> Budget:
    """The one access helper for a budget version: 404 unless it belongs to the förbund."""
    try:
        return Budget.objects.select_related("beslut", "skapad_av").get(forbund=forbund, uuid=uuid)
    except (Budget.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def utfall_get(*, forbund: Forbund, uuid) -> Utfall:
    try:
        return Utfall.objects.get(forbund=forbund, uuid=uuid)
    except (Utfall.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def budget_versions(*, forbund: Forbund, ar: int) -> list[Budget]:
    return list(
        Budget.objects.filter(forbund=forbund, ar=ar)
        .select_related("beslut", "skapad_av")
        .order_by("-version")
    )


def budget_in_force(versions: list[Budget]) -> Budget | None:
    """The decided budget when there is one, else the draft (shown as not yet decided)."""
    decided = [b for b in versions if b.status == BudgetStatus.BESLUTAD]
    if decided:
        return decided[0]
    drafts = [b for b in versions if b.status == BudgetStatus.UTKAST]
    return drafts[0] if drafts else None


def budget_amounts(budget: Budget, *, insats_budget: Decimal | None = None) -> dict[str, Decimal]:
    """A version's amount per line; a draft's insatser line is the live sum of insats budgets
    (``insats_budget`` when the caller has read it already, as the reports do for many förbund
    at once)."""
    amounts = {p.value: ZERO for p in Budgetpost}
    for row in budget.rader.all():
        amounts[row.post] = row.belopp
    if not budget.is_locked:
        amounts[Budgetpost.INSATSER] = (
            insats_budget
            if insats_budget is not None
            else insats_budget_total(forbund=budget.forbund, year=budget.ar)
        )
    return amounts


def utfall_by_post_month(*, forbund: Forbund, ar: int) -> dict[str, list[Decimal]]:
    """Utfall per line and month (index 0 = January), in one query, plus the insats costs the
    insatser app reports for the derived line."""
    table = {p.value: [ZERO] * 12 for p in Budgetpost}
    rows = (
        Utfall.objects.filter(forbund=forbund, datum__year=ar)
        .annotate(m=ExtractMonth("datum"))
        .values("post", "m")
        .annotate(s=Sum("belopp"))
        .order_by()
    )
    for row in rows:
        table[row["post"]][row["m"] - 1] += row["s"]
    for month, amount in insats_costs_by_month(forbund=forbund, year=ar).items():
        table[Budgetpost.INSATSER][month - 1] += Decimal(amount)
    return table


def _whole(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


@dataclass
class Budgetrad:
    post: str
    label: str
    budget: Decimal
    utfall_manad: list[Decimal]
    utfall: Decimal
    prognos: Decimal

    @property
    def avvikelse(self) -> Decimal:
        """Forecast minus budget: positive means over budget."""
        return self.prognos - self.budget

    @property
    def forbrukat_procent(self) -> Decimal | None:
        if not self.budget:
            return None
        return _whole(self.utfall * 100 / self.budget)


@dataclass
class Budgetoversikt:
    ar: int
    budget: Budget | None
    versions: list[Budget]
    rader: list[Budgetrad]
    stangda_manader: int
    intakter: Decimal
    manad_budget: list[Decimal] = field(default_factory=list)
    manad_utfall: list[Decimal] = field(default_factory=list)

    @property
    def summa_budget(self) -> Decimal:
        return sum((r.budget for r in self.rader), ZERO)

    @property
    def summa_utfall(self) -> Decimal:
        return sum((r.utfall for r in self.rader), ZERO)

    @property
    def summa_prognos(self) -> Decimal:
        return sum((r.prognos for r in self.rader), ZERO)

    @property
    def resultat_budget(self) -> Decimal:
        return self.intakter - self.summa_budget

    @property
    def resultat_prognos(self) -> Decimal:
        return self.intakter - self.summa_prognos


def closed_months(ar: int, today: dt.date) -> int:
    """Months of ``ar`` that are over on ``today`` (0–12)."""
    if ar < today.year:
        return 12
    if ar > today.year:
        return 0
    return today.month - 1


def forecast(budget: Decimal, utfall: Decimal, closed: int) -> Decimal:
    """Forecast for the year: the utfall so far plus the budget's share for the months that are
    not over yet (a straight-line rest of year). A finished year's forecast is its utfall."""
    return _whole(utfall + budget * (12 - closed) / 12)


def budget_overview(*, forbund: Forbund, ar: int, today: dt.date) -> Budgetoversikt:
    """Budget vs utfall by line and month with a forecast for the year, for the budget in force
    (the decided version, else the draft)."""
    versions = budget_versions(forbund=forbund, ar=ar)
    budget = budget_in_force(versions)
    amounts = budget_amounts(budget) if budget else {p.value: ZERO for p in Budgetpost}
    utfall = utfall_by_post_month(forbund=forbund, ar=ar)
    closed = closed_months(ar, today)
    rader = []
    for post in Budgetpost:
        months = utfall[post.value]
        total = sum(months, ZERO)
        rader.append(
            Budgetrad(
                post.value,
                str(post.label),
                amounts[post.value],
                months,
                total,
                forecast(amounts[post.value], total, closed),
            )
        )
    fin = Finansieringsar.objects.filter(forbund=forbund, ar=ar).first()
    intakter = (fin.total_finansiering + fin.ovriga_intakter) if fin else ZERO
    total_budget = sum((r.budget for r in rader), ZERO)
    manad_budget = [_whole(total_budget / 12)] * 12
    manad_utfall = [sum((r.utfall_manad[m] for r in rader), ZERO) for m in range(12)]
    return Budgetoversikt(ar, budget, versions, rader, closed, intakter, manad_budget, manad_utfall)


# --- eget kapital ---------------------------------------------------------------------------


@dataclass
class EgetKapitalAr:
    ar: int
    ingaende: Decimal
    medlemsbidrag: Decimal
    ovriga_intakter: Decimal
    kostnader: Decimal
    troskel_procent: Decimal
    prognos: bool = False

    @property
    def utgaende(self) -> Decimal:
        return self.ingaende + self.medlemsbidrag + self.ovriga_intakter - self.kostnader

    @property
    def troskel(self) -> Decimal:
        return _whole(self.medlemsbidrag * self.troskel_procent / 100)

    @property
    def over_troskel(self) -> bool:
        return self.medlemsbidrag > 0 and self.utgaende > self.troskel

    @property
    def andel_procent(self) -> Decimal | None:
        if not self.medlemsbidrag:
            return None
        return _whole(self.utgaende * 100 / self.medlemsbidrag)


def eget_kapital_series(
    *, forbund: Forbund, today: dt.date, until: int | None = None
) -> list[EgetKapitalAr]:
    """Eget kapital per year: opening balance + members' contributions + other income − costs
    (utfall) = closing balance, carried forward as the next year's opening balance. The first
    year is the förbund's ``ek_ingaende_ar`` (with its opening balance), else the first year
    with financing. The current year is shown with its forecast costs (marked as prognos).
    ``until`` stops the series after that year (a year's row depends only on earlier years).

    Warning rule: eget kapital above the förbund's threshold (default 20 % of the year's
    contributions), since förbund are expected to keep it moderate (design section 1)."""
    fin = {f.ar: f for f in Finansieringsar.objects.filter(forbund=forbund)}
    costs = {
        row["y"]: row["s"]
        for row in Utfall.objects.filter(forbund=forbund)
        .annotate(y=ExtractYear("datum"))
        .values("y")
        .annotate(s=Sum("belopp"))
        .order_by()
    }

    def insats_costs(ar: int) -> Decimal:
        return sum(
            (Decimal(v) for v in insats_costs_by_month(forbund=forbund, year=ar).values()), ZERO
        )

    return _eget_kapital_rows(forbund, fin, costs, insats_costs, today, until)


def _eget_kapital_rows(
    forbund: Forbund,
    fin: dict[int, Finansieringsar],
    costs: dict[int, Decimal],
    insats_costs,
    today: dt.date,
    until: int | None,
) -> list[EgetKapitalAr]:
    """The series of ``eget_kapital_series`` from its inputs: financing and ledger utfall per
    year, and ``insats_costs(year)``, the insats costs reported outside the ledger."""
    years_with_data = set(fin) | set(costs)
    first = forbund.ek_ingaende_ar or (min(years_with_data) if years_with_data else None)
    if first is None:
        return []
    last = max([today.year, *years_with_data])
    last = min(last, today.year + 1)
    if until is not None:
        last = min(last, until)
    out = []
    opening = forbund.ek_ingaende_belopp
    for ar in range(first, last + 1):
        f = fin.get(ar)
        bidrag = f.total_finansiering if f else ZERO
        ovriga = f.ovriga_intakter if f else ZERO
        kost = Decimal(costs.get(ar, ZERO)) + insats_costs(ar)
        is_forecast = ar >= today.year
        if is_forecast:
            overview = budget_overview(forbund=forbund, ar=ar, today=today)
            if overview.budget is not None:
                kost = overview.summa_prognos
        row = EgetKapitalAr(
            ar, opening, bidrag, ovriga, kost, forbund.ek_troskel_procent, prognos=is_forecast
        )
        out.append(row)
        opening = row.utgaende
    return out


def eget_kapital_for_year(
    *,
    forbund_list: list[Forbund],
    ar: int,
    today: dt.date,
    insats_costs: dict[tuple[int, int], Decimal],
) -> dict[int, EgetKapitalAr]:
    """``eget_kapital_series``'s row for ``ar`` for many förbund at once (the reports): two
    queries for all förbund instead of a series of queries per förbund, plus a budget overview
    per förbund only when ``ar`` is a forecast year. ``insats_costs`` maps (förbund id, year) to
    the insats costs of that year (the caller reads them: ``forbund`` never imports
    ``insatser``). Förbund without a row for ``ar`` are left out."""
    ids = [f.pk for f in forbund_list]
    fin: dict[int, dict[int, Finansieringsar]] = {pk: {} for pk in ids}
    for f in Finansieringsar.objects.filter(forbund_id__in=ids):
        fin[f.forbund_id][f.ar] = f
    costs: dict[int, dict[int, Decimal]] = {pk: {} for pk in ids}
    for row in (
        Utfall.objects.filter(forbund_id__in=ids)
        .annotate(y=ExtractYear("datum"))
        .values("forbund_id", "y")
        .annotate(s=Sum("belopp"))
        .order_by()
    ):
        costs[row["forbund_id"]][row["y"]] = row["s"]
    out = {}
    for forbund in forbund_list:
        pk = forbund.pk
        rows = _eget_kapital_rows(
            forbund,
            fin[pk],
            costs[pk],
            lambda y, pk=pk: Decimal(insats_costs.get((pk, y), ZERO)),
            today,
            ar,
        )
        for row in rows:
            if row.ar == ar:
                out[pk] = row
    return out


def eget_kapital_over_threshold(*, forbund_list: list[Forbund], ar: int) -> dict[int, bool]:
    """For the allocation model's input: per förbund, whether eget kapital at the end of ``ar``
    is above its threshold, from registered financing and ledger utfall only (two queries for all
    förbund; insats costs reported outside the ledger are not included, so this is a suggestion
    for the nationell user to review, not a verdict)."""
    ids = [f.pk for f in forbund_list]
    fin: dict[tuple[int, int], Finansieringsar] = {
        (f.forbund_id, f.ar): f
        for f in Finansieringsar.objects.filter(forbund_id__in=ids, ar__lte=ar)
    }
    costs = {
        (row["forbund"], row["y"]): row["s"]
        for row in Utfall.objects.filter(forbund_id__in=ids, datum__year__lte=ar)
        .annotate(y=ExtractYear("datum"))
        .values("forbund", "y")
        .annotate(s=Sum("belopp"))
        .order_by()
    }
    out = {}
    for f in forbund_list:
        years = [y for (pk, y) in list(fin) + list(costs) if pk == f.pk]
        first = f.ek_ingaende_ar or (min(years) if years else None)
        if first is None or first > ar or (f.pk, ar) not in fin:
            out[f.pk] = False
            continue
        balance = f.ek_ingaende_belopp
        for year in range(first, ar + 1):
            row = fin.get((f.pk, year))
            if row is not None:
                balance += row.total_finansiering + row.ovriga_intakter
            balance -= Decimal(costs.get((f.pk, year), ZERO))
        threshold = fin[(f.pk, ar)].total_finansiering * f.ek_troskel_procent / 100
        out[f.pk] = balance > threshold
    return out


# --- audit trail ------------------------------------------------------------------------------


def budget_history(request, *, budget: Budget) -> History:
    """One budget version's changes (status, decision, reason) and its rows' amounts
    (finsam.audit), newest first, paged."""
    return audit_history(
        request, obj=budget, event_models=[Budget.pgh_event_model, BudgetradModel.pgh_event_model]
    )


def utfall_history(request, *, forbund: Forbund, ar: int) -> History:
    """Utfall rows added, changed or removed for dates in year ``ar`` (finsam.audit)."""
    return audit_history(
        request,
        obj=forbund,
        event_models=[Utfall.pgh_event_model],
        where=Q(pgh_data__datum__startswith=f"{ar:04d}-"),
    )
