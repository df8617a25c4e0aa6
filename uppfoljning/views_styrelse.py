"""The board's dashboard, its board-level insats page and the styrelsepaket."""

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from finsam.decorators import role_required
from finsam.roles import Role

from .dashboard import build_dashboard, period_for, sort_insats_rows
from .forms import DashboardPeriodForm, StyrelsepaketForm
from .services import styrelsepaket_order

BOARD_ROLES = (Role.STYRELSE, Role.FORBUNDSCHEF)


def _period(request):
    form = DashboardPeriodForm(request.GET or None)
    today = timezone.localdate()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, period_for(data.get("period") or "i_ar", today, data["fran"], data["till"])
    return form, period_for("i_ar", today)


def insats_links(rows: list[dict], query: str) -> None:
    """Each row's link to its board-level insats page, with the period kept: the path Django's
    ``reverse`` gives, built from one ``reverse`` for all rows (one per row cost a tenth of the
    page)."""
    prefix = reverse("uppfoljning:styrelse_insats", kwargs={"kod": "_"}).removesuffix("_/")
    suffix = f"?{query}" if query else ""
    for row in rows:
        row["url"] = f"{prefix}{quote(row['kod'], safe=RFC3986_SUBDELIMS + '/~:@')}/{suffix}"


@role_required(*BOARD_ROLES)
def styrelse(request):
    form, period = _period(request)
    dashboard = build_dashboard(forbund=request.forbund, period=period)
    sort = request.GET.get("sortera", "insats")
    descending = request.GET.get("ordning") == "fallande"
    rows = sort_insats_rows(dashboard.insats_rows, sort, descending)
    peak_deltagare = max([r["deltagare"] for r in rows if isinstance(r["deltagare"], int)] + [1])
    peak_kostnad = max(
        [r["per_deltagare"] for r in rows if isinstance(r["per_deltagare"], int)] + [1]
    )
    keep = {k: v for k, v in request.GET.items() if k in ("period", "fran", "till")}
    insats_links(rows, urlencode(keep))
    sort_links = {}
    for key in ("insats", "deltagare", "avslutade", "arbete_studier", "kostnad", "per_deltagare"):
        next_desc = not (sort == key and descending)
        sort_links[key] = "?" + urlencode(
            {**keep, "sortera": key, "ordning": "fallande" if next_desc else "stigande"}
        )
    return render(
        request,
        "uppfoljning/styrelse.html",
        {
            "form": form,
            "d": dashboard,
            "rows": rows,
            "peak_deltagare": peak_deltagare,
            "peak_kostnad": peak_kostnad,
            "sort": sort,
            "descending": descending,
            "sort_links": sort_links,
            "query": urlencode(keep),
            "paket_form": StyrelsepaketForm(),
        },
    )


@role_required(*BOARD_ROLES)
def styrelse_insats(request, kod):
    """One insats at board level: the aggregates of the dashboard's row, never a participation."""
    from insatser.models import Insats

    insats = (
        Insats.objects.filter(forbund=request.forbund, kod=kod)
        .exclude(status="ANSOKAN")
        .select_related("kategori")
        .first()
    )
    if insats is None:
        raise Http404
    form, period = _period(request)
    dashboard = build_dashboard(forbund=request.forbund, period=period)
    row = next((r for r in dashboard.insats_rows if r["kod"] == insats.kod), None)
    return render(
        request,
        "uppfoljning/styrelse_insats.html",
        {"insats": insats, "row": row, "d": dashboard, "form": form},
    )


@role_required(*BOARD_ROLES)
@require_POST
def styrelsepaket(request):
    form, period = _period(request)
    paket = StyrelsepaketForm(request.POST)
    if not paket.is_valid():
        messages.error(request, _("Diarienumret får vara högst 40 tecken."))
        return redirect("uppfoljning:styrelse")
    rapport = styrelsepaket_order(
        forbund=request.forbund,
        user=request.user,
        period=period,
        diarienummer=paket.cleaned_data["diarienummer"],
    )
    messages.success(
        request, _("%(titel)s är beställt och tas fram i bakgrunden.") % {"titel": rapport.titel}
    )
    return redirect("uppfoljning:rapporter")
