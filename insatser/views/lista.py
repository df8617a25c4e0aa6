"""The list of insatser, its Excel export and the handläggare's start page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from finsam.decorators import role_required
from finsam.reminders import reminders_for
from finsam.roles import Role

from .. import selectors
from ..excel import insatser_workbook
from ..forms import (
    MANADER,
    ListFilterForm,
)
from ..models import Insats, Registreringsform, Status
from .common import LIST_ROLES


def _filters(request) -> tuple[ListFilterForm, selectors.ListFilters]:
    form = ListFilterForm(request.GET or None, forbund=request.forbund)
    filters = selectors.ListFilters(money_year=timezone.localdate().year)
    if form.is_bound:
        form.is_valid()  # a bad value is shown next to its field; the valid filters still apply
        data = form.cleaned_data
        filters.q = data.get("q", "").strip()
        filters.status = data.get("status", "")
        filters.kategori = data.get("kategori", "")
        filters.inriktning = data.get("inriktning", "")
        filters.registreringsform = data.get("registreringsform", "")
        filters.huvudman = form.medlemmar.get(data.get("huvudman", ""))
        filters.ar = data.get("ar")
        filters.sort = data.get("sort") or "kod"
        filters.desc = data.get("desc", False)
        if filters.ar:
            filters.money_year = filters.ar
    return form, filters


@dataclass(frozen=True)
class ListRow:
    """One row of the list with its texts prepared once in Python: the same output as the
    template filters and tags (``url``, ``get_*_display``, ``date:"Y-m-d"``,
    ``floatformat:"0g"``), at a fraction of their per-row cost."""

    insats: Insats
    url: str
    registreringsform: str
    status: str
    huvudman: str
    start: str
    slut: str
    budget: str
    utfall: str


def _list_rows(insatser) -> list[ListRow]:
    status = {value: str(label) for value, label in Status.choices}
    registreringsform = {value: str(label) for value, label in Registreringsform.choices}
    return [
        ListRow(
            insats=insats,
            url=reverse("insatser:detalj", args=[insats.uuid]),
            registreringsform=registreringsform.get(
                insats.registreringsform, insats.registreringsform
            ),
            status=status.get(insats.status, insats.status),
            huvudman=", ".join(insats.huvudman_namn) or "–",
            start=_iso(insats.startdatum),
            slut=_iso(insats.planerat_slutdatum) or "–",
            budget=floatformat(insats.budget_ar, "0g"),
            utfall=floatformat(insats.utfall_ar, "0g"),
        )
        for insats in insatser
    ]


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


@role_required(*LIST_ROLES)
def lista(request):
    form, filters = _filters(request)
    qs = selectors.insats_list(queryset=selectors.insatser_visible(request), filters=filters)
    page = Paginator(qs, 25).get_page(request.GET.get("sida"))
    params = request.GET.copy()
    params.pop("sida", None)
    sort_params = params.copy()
    for key in ("sort", "desc"):
        sort_params.pop(key, None)
    columns = [
        ("kod", _("Kod")),
        ("namn", _("Insats")),
        ("kategori", _("Kategori")),
        ("status", _("Status")),
        ("start", _("Start")),
        ("slut", _("Planerat slut")),
        ("budget", _("Budget %(ar)s") % {"ar": filters.money_year}),
        ("utfall", _("Utfall %(ar)s") % {"ar": filters.money_year}),
    ]
    sort_links = []
    for key, label in columns:
        current = filters.sort == key
        desc = not filters.desc if current else False
        query = sort_params.copy()
        query["sort"] = key
        if desc:
            query["desc"] = "on"
        aria = ("descending" if filters.desc else "ascending") if current else None
        sort_links.append({"key": key, "label": label, "query": query.urlencode(), "aria": aria})
    return render(
        request,
        "insatser/lista.html",
        {
            "form": form,
            "page": page,
            "rows": _list_rows(page),
            "filters": filters,
            "sort_links": sort_links,
            "querystring": params.urlencode(),
            "can_create": Role.FORBUNDSCHEF in request.roles,
            "can_import": bool(request.roles & selectors.MONEY_EDITORS),
        },
    )


@role_required(*LIST_ROLES)
def export(request):
    """The list as an Excel file, with the same filters (all rows, not one page)."""
    _form, filters = _filters(request)
    qs = selectors.insats_list(queryset=selectors.insatser_visible(request), filters=filters)
    content = insatser_workbook(qs, money_year=filters.money_year)
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="insatser-{stamp}.xlsx"'
    return response


@role_required(Role.HANDLAGGARE, Role.INSATSANSVARIG)
def mina(request):
    today = timezone.localdate()
    rows = selectors.mina_insatser(forbund=request.forbund, user=request.user, today=today)
    last = today.replace(day=1) - dt.timedelta(days=1)
    figures = {
        "pagaende": sum(1 for r in rows if r.insats.status == "PAGAENDE"),
        "att_gora": sum(
            1 for r in rows if r.insats.registreringsform == "VOLYM" and r.volym_manad is None
        ),
        "slutar_snart": sum(
            1 for r in rows if r.dagar_kvar is not None and 0 <= r.dagar_kvar <= 90
        ),
    }
    return render(
        request,
        "insatser/mina.html",
        {
            "rows": rows,
            "figures": figures,
            "today": today,
            "last_month": last,
            "manad": MANADER[last.month - 1],
            "reminders": reminders_for(request),
        },
    )
