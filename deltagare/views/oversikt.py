"""Access-log review and the förbundschef's aggregates."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from finsam.decorators import role_required
from finsam.roles import Role

from .. import selectors, services
from ..forms import (
    GallringForm,
    LoggFilterForm,
    PeriodForm,
)
from .common import STAFF

# --- Access log review and the förbundschef's aggregates ------------------------------------


@role_required(Role.FORBUNDSCHEF, *STAFF)
def logg(request):
    base = selectors.atkomstlogg_for_user(request)
    from finsam.models import User

    users = User.objects.filter(pk__in=base.values("user_id")).order_by("first_name", "username")
    form = LoggFilterForm(request.GET or None, users=users)
    qs = base
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["vad"]:
            qs = qs.filter(vad=data["vad"])
        if data["anvandare"]:
            qs = qs.filter(user__uuid=data["anvandare"])
        if data["nummer"]:
            qs = qs.filter(deltagande__nummer=data["nummer"].strip().upper())
        if data["person"]:
            qs = qs.filter(person_uuid=data["person"])
        if data["fran"]:
            qs = qs.filter(tidpunkt__date__gte=data["fran"])
        if data["till"]:
            qs = qs.filter(tidpunkt__date__lte=data["till"])
    page = Paginator(qs, 100).get_page(request.GET.get("sida"))
    query = request.GET.copy()
    query.pop("sida", None)
    chain_broken = None
    if Role.FORBUNDSCHEF in request.roles:
        chain_broken = selectors.atkomstlogg_verify_chain(forbund_id=request.forbund.pk)
    anomalies = selectors.atkomstlogg_anomalies(qs)[:50]
    return render(
        request,
        "deltagare/logg.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "chain_broken": chain_broken,
            "anomalies": anomalies,
        },
    )


@role_required(Role.FORBUNDSCHEF)
def oversikt(request):
    """The förbundschef's page: counts per insats and period, data-quality counts; no rows."""
    today = services.today()
    form = PeriodForm(request.GET or None)
    start, end = dt.date(today.year, 1, 1), today
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["fran"], form.cleaned_data["till"]
    elif not form.is_bound:
        form = PeriodForm(initial={"fran": start, "till": end})
    rows = selectors.insats_aggregates(forbund=request.forbund, start=start, end=end, day=today)
    periods = [
        (f"Första halvåret {year}", dt.date(year, 1, 1), dt.date(year, 6, 30))
        for year in (today.year, today.year - 1)
    ] + [
        (
            f"Helåret {today.year - 1}",
            dt.date(today.year - 1, 1, 1),
            dt.date(today.year - 1, 12, 31),
        )
    ]
    current = selectors.gallring_manader(forbund=request.forbund)
    return render(
        request,
        "deltagare/oversikt.html",
        {
            "form": form,
            "rows": rows,
            "start": start,
            "end": end,
            "gallring_form": GallringForm(initial={"gallring_manader": current}),
            "periods": periods,
        },
    )


@role_required(Role.FORBUNDSCHEF)
@require_POST
def gallring(request):
    """The förbundschef sets the retention period of the förbund (default 24 months)."""
    form = GallringForm(request.POST)
    if form.is_valid():
        services.installning_set(
            forbund=request.forbund, gallring_manader=form.cleaned_data["gallring_manader"]
        )
        messages.success(
            request,
            f"Identiteter gallras nu {form.cleaned_data['gallring_manader']} månader efter "
            "senaste utskrivning.",
        )
    else:
        messages.error(request, "Ange ett antal månader mellan 1 och 240.")
    return redirect("deltagare:oversikt")
