"""Budget, costs (entered and imported) and external co-financing of insatser."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from finsam.decorators import role_required
from finsam.roles import Role

from .. import selectors, services
from ..forms import (
    MANADER,
    BudgetForm,
    KostnadGridForm,
    KostnadImportForm,
    MedfinansieringForm,
)
from ..models import Insats, Medfinansiering
from .common import ALL_ROLES, _apply_errors, _year


def _ekonomi(request, insats, status=200, **forms):
    year = _year(request, timezone.localdate().year)
    grid = selectors.insats_costs_grid(insats=insats, year=year)
    years = selectors.insats_budget_years(insats=insats)
    return render(
        request,
        "insatser/ekonomi.html",
        {
            "insats": insats,
            "access": selectors.insats_access(request, insats),
            "year": year,
            "years": years,
            "chart": selectors.budget_chart(years) if years else None,
            "medfinansiering": list(insats.medfinansiering.order_by("ar", "finansiar")),
            "budget_form": forms.get("budget_form") or BudgetForm(initial={"ar": year}),
            "kostnad_form": forms.get("kostnad_form")
            or KostnadGridForm(initial={f"m{m}": v for m, v in grid.items()}),
            "extern_form": forms.get("extern_form") or MedfinansieringForm(initial={"ar": year}),
            "year_choices": range(insats.startdatum.year - 1, timezone.localdate().year + 3),
        },
        status=status,
    )


@role_required(*ALL_ROLES)
def ekonomi(request, uuid):
    insats = selectors.insats_get_for_user(request, uuid)
    return _ekonomi(request, insats)


def _money_insats(request, uuid) -> Insats:
    insats = selectors.insats_get_for_user(request, uuid)
    if not selectors.insats_access(request, insats).money:
        raise Http404
    return insats


@role_required(Role.FORBUNDSCHEF, Role.EKONOMI)
@require_POST
def budget_spara(request, uuid):
    insats = _money_insats(request, uuid)
    form = BudgetForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.budget_set(
                insats=insats,
                user=request.user,
                ar=d["ar"],
                belopp=d["belopp"],
                kommentar=d["kommentar"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Budgeten för %(ar)s är sparad.") % {"ar": d["ar"]})
            return redirect(f"{request.path.rsplit('budget/', 1)[0]}?ar={d['ar']}")
    return _ekonomi(request, insats, status=400, budget_form=form)


@role_required(Role.FORBUNDSCHEF, Role.EKONOMI)
@require_POST
def budget_ta_bort(request, uuid, ar):
    insats = _money_insats(request, uuid)
    services.budget_delete(insats=insats, user=request.user, ar=ar)
    messages.success(request, _("Budgeten för %(ar)s är borttagen.") % {"ar": ar})
    return redirect("insatser:ekonomi", uuid=insats.uuid)


@role_required(Role.FORBUNDSCHEF, Role.EKONOMI)
@require_POST
def kostnader_spara(request, uuid):
    insats = _money_insats(request, uuid)
    year = _year(request, timezone.localdate().year)
    form = KostnadGridForm(request.POST)
    if form.is_valid():
        n = services.kostnader_set_year(
            insats=insats, user=request.user, ar=year, belopp_by_month=form.months()
        )
        messages.success(request, _("Kostnaderna är sparade (%(n)s månader ändrade).") % {"n": n})
        return redirect(f"{request.path.rsplit('kostnader/', 1)[0]}?ar={year}")
    return _ekonomi(request, insats, status=400, kostnad_form=form)


@role_required(Role.FORBUNDSCHEF, Role.EKONOMI)
@require_POST
def medfinansiering_spara(request, uuid):
    insats = _money_insats(request, uuid)
    form = MedfinansieringForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.medfinansiering_set(
                insats=insats,
                user=request.user,
                finansiar=d["finansiar"],
                ar=d["ar"],
                belopp=d["belopp"],
                projektnummer=d["projektnummer"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Den externa finansieringen är sparad."))
            return redirect("insatser:ekonomi", uuid=insats.uuid)
    return _ekonomi(request, insats, status=400, extern_form=form)


@role_required(Role.FORBUNDSCHEF, Role.EKONOMI)
@require_POST
def medfinansiering_ta_bort(request, uuid, rad):
    insats = _money_insats(request, uuid)
    row = Medfinansiering.objects.filter(insats=insats, uuid=rad).first()
    if row is None:
        raise Http404
    services.medfinansiering_delete(insats=insats, user=request.user, row_id=row.pk)
    messages.success(request, _("Raden är borttagen."))
    return redirect("insatser:ekonomi", uuid=insats.uuid)


@role_required(Role.FORBUNDSCHEF, Role.EKONOMI)
@require_http_methods(["GET", "POST"])
def kostnadsimport(request):
    form = KostnadImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.kostnader_import(
            forbund=request.forbund, user=request.user, raw=form.cleaned_data["fil"].read()
        )
        if result.ok:
            messages.success(
                request,
                _("%(rows)s rader importerade; %(n)s månader ändrades.")
                % {"rows": result.rows, "n": result.changed},
            )
            return redirect("insatser:lista")
    status = 400 if (result and not result.ok) or form.errors else 200
    return render(
        request, "insatser/kostnadsimport.html", {"form": form, "result": result}, status=status
    )


@role_required(Role.FORBUNDSCHEF, Role.EKONOMI, Role.STYRELSE)
def oversikt(request):
    """The förbund's insats money for a year: one line per insats and the monthly totals."""
    year = _year(request, timezone.localdate().year)
    data = selectors.ekonomi_oversikt(forbund=request.forbund, year=year)
    months = [(MANADER[m - 1], data.per_manad.get(m)) for m in range(1, 13)]
    return render(
        request,
        "insatser/ekonomi_oversikt.html",
        {
            "data": data,
            "months": months,
            "year": year,
            "year_choices": range(year - 4, year + 3),
            "can_import": bool(request.roles & selectors.MONEY_EDITORS),
        },
    )
