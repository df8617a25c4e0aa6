"""VOLYM month grid and STRUKTUR occasions."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from finsam.decorators import role_required
from forbund.models import Medlem

from .. import selectors, services
from ..forms import (
    TillfalleForm,
    VolymGridForm,
)
from ..models import Insats, Registreringsform, Yrkesgrupp
from .common import ALL_ROLES, _apply_errors, _year


def _registering(request, uuid, mode: str) -> Insats:
    insats = selectors.insats_get_for_user(request, uuid)
    if insats.registreringsform != mode:
        raise Http404
    return insats


@role_required(*ALL_ROLES)
@require_http_methods(["GET", "POST"])
def volym(request, uuid):
    insats = _registering(request, uuid, Registreringsform.VOLYM)
    access = selectors.insats_access(request, insats)
    year = _year(request, timezone.localdate().year)
    if request.method == "POST":
        if not access.register:
            raise Http404
        form = VolymGridForm(request.POST)
        if form.is_valid():
            try:
                n = services.volym_set_year(
                    insats=insats, user=request.user, ar=year, counts=form.counts()
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request, _("Volymerna är sparade (%(n)s månader ändrade).") % {"n": n}
                )
                return redirect(f"{request.path}?ar={year}")
    else:
        grid = selectors.volym_grid(insats=insats, year=year)
        initial = {}
        for m, v in grid.items():
            initial.update({f"k{m}": v.kvinnor, f"m{m}": v.man, f"x{m}": v.annat})
        form = VolymGridForm(initial=initial)
    totals = selectors.volym_totals(
        forbund=request.forbund,
        start=dt.date(year, 1, 1),
        end=dt.date(year, 12, 31),
        insats=insats,
    )
    return render(
        request,
        "insatser/volym.html",
        {
            "insats": insats,
            "access": access,
            "form": form,
            "year": year,
            "totals": totals,
            "year_choices": range(insats.startdatum.year, timezone.localdate().year + 2),
        },
        status=400 if form.errors else 200,
    )


def _medlemmar(request):
    return Medlem.objects.for_forbund(request.forbund).order_by("typ", "namn")


def _save_tillfalle(request, insats, form, tillfalle=None) -> bool:
    d = form.cleaned_data
    try:
        services.tillfalle_save(
            insats=insats,
            user=request.user,
            datum=d["datum"],
            titel=d["titel"],
            timmar=d["timmar"],
            antal=form.antal(),
            tillfalle=tillfalle,
        )
    except ValidationError as exc:
        _apply_errors(form, exc)
        return False
    return True


@role_required(*ALL_ROLES)
@require_http_methods(["GET", "POST"])
def tillfallen(request, uuid):
    insats = _registering(request, uuid, Registreringsform.STRUKTUR)
    access = selectors.insats_access(request, insats)
    form = TillfalleForm(request.POST or None, medlemmar=_medlemmar(request))
    if request.method == "POST":
        if not access.register:
            raise Http404
        if form.is_valid() and _save_tillfalle(request, insats, form):
            messages.success(request, _("Tillfället är registrerat."))
            return redirect("insatser:tillfallen", uuid=insats.uuid)
    return render(
        request,
        "insatser/tillfallen.html",
        {
            "insats": insats,
            "access": access,
            "form": form,
            "yrkesgrupper": Yrkesgrupp.choices,
            "tillfallen": selectors.tillfallen_for(insats=insats),
            "totals": selectors.struktur_totals(
                forbund=request.forbund,
                start=insats.startdatum,
                end=max(timezone.localdate(), insats.slutdatum or insats.startdatum),
                insats=insats,
            ),
        },
        status=400 if form.errors else 200,
    )


@role_required(*ALL_ROLES)
@require_http_methods(["GET", "POST"])
def tillfalle_andra(request, uuid, tillfalle):
    insats = _registering(request, uuid, Registreringsform.STRUKTUR)
    if not selectors.insats_access(request, insats).register:
        raise Http404
    row = selectors.tillfalle_get(insats=insats, uuid=tillfalle)
    initial = {"datum": row.datum, "titel": row.titel, "timmar": row.timmar}
    for a in row.antal.all():
        initial[f"n_{a.medlem_id}_{a.yrkesgrupp}"] = a.antal
    form = TillfalleForm(request.POST or None, initial=initial, medlemmar=_medlemmar(request))
    if request.method == "POST" and form.is_valid() and _save_tillfalle(request, insats, form, row):
        messages.success(request, _("Tillfället är ändrat."))
        return redirect("insatser:tillfallen", uuid=insats.uuid)
    return render(
        request,
        "insatser/tillfalle_form.html",
        {"insats": insats, "form": form, "tillfalle": row, "yrkesgrupper": Yrkesgrupp.choices},
        status=400 if form.errors else 200,
    )


@role_required(*ALL_ROLES)
@require_POST
def tillfalle_ta_bort(request, uuid, tillfalle):
    insats = _registering(request, uuid, Registreringsform.STRUKTUR)
    if not selectors.insats_access(request, insats).register:
        raise Http404
    row = selectors.tillfalle_get(insats=insats, uuid=tillfalle)
    services.tillfalle_delete(tillfalle=row, user=request.user)
    messages.success(request, _("Tillfället är borttaget."))
    return redirect("insatser:tillfallen", uuid=insats.uuid)
