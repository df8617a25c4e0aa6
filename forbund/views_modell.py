"""The state allocation model calculator for the nationell role (design section 1)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from finsam.decorators import role_required
from finsam.roles import Role

from . import services_modell as svc
from .forms import ModellParamForm, ModellRadFormSet, add_errors
from .models import Befolkning, Finansieringsar, Forbund, Modellberakning
from .selectors_budget import eget_kapital_over_threshold


def _initial_rows(ar: int, forbund_list: list[Forbund]) -> list[dict]:
    """Prefill from what the förbund have registered: population of the year before, last
    year's allocation and whether eget kapital at the last closed year's end was above the
    förbund's threshold. A constant number of queries for any number of förbund."""
    closed = min(ar - 1, timezone.localdate().year - 1)
    high_ek = eget_kapital_over_threshold(forbund_list=forbund_list, ar=closed)
    population = dict(
        Befolkning.objects.filter(ar=ar - 1, forbund__in=forbund_list)
        .values("forbund")
        .annotate(n=Sum("antal"))
        .values_list("forbund", "n")
    )
    previous = dict(
        Finansieringsar.objects.filter(ar=ar - 1, forbund__in=forbund_list).values_list(
            "forbund", "statlig_tilldelning"
        )
    )
    return [
        {
            "forbund": f.uuid,
            "befolkning": population.get(f.pk, 0),
            "forsorjningsmatt": None,
            "foregaende": previous.get(f.pk, Decimal(0)),
            "ek_over_niva": high_ek.get(f.pk, False),
        }
        for f in forbund_list
    ]


@role_required(Role.NATIONELL)
@require_http_methods(["GET", "POST"])
def modell(request):
    forbund_list = list(Forbund.objects.active().order_by("namn"))
    by_uuid = {f.uuid: f for f in forbund_list}
    ar = timezone.localdate().year + 1
    if request.method == "POST":
        params = ModellParamForm(request.POST)
        rows = ModellRadFormSet(request.POST, prefix="rad")
        if params.is_valid() and rows.is_valid():
            inputs = []
            for form in rows:
                f = by_uuid.get(form.cleaned_data["forbund"])
                if f is None:
                    raise Http404
                inputs.append(
                    svc.ModellRadInput(
                        f,
                        form.cleaned_data["befolkning"],
                        form.cleaned_data["forsorjningsmatt"],
                        form.cleaned_data["foregaende"],
                        form.cleaned_data["ek_over_niva"],
                    )
                )
            try:
                run = svc.modell_berakna(rows=inputs, user=request.user, **params.cleaned_data)
            except ValidationError as exc:
                add_errors(params, exc)
            else:
                messages.success(request, _("Beräkningen är klar. Granska och publicera."))
                return redirect("forbund:modell_resultat", uuid=run.uuid)
    else:
        params = ModellParamForm(initial={"ar": ar})
        rows = ModellRadFormSet(initial=_initial_rows(ar, forbund_list), prefix="rad")
    names = {str(f.uuid): f.namn for f in forbund_list}
    row_list = [(names.get(str(form["forbund"].value()), ""), form) for form in rows]
    return render(
        request,
        "forbund/modell.html",
        {
            "params": params,
            "rows": rows,
            "row_list": row_list,
            "runs": list(Modellberakning.objects.select_related("skapad_av")[:20]),
        },
        status=400 if request.method == "POST" else 200,
    )


def _run_get(uuid) -> Modellberakning:
    try:
        return Modellberakning.objects.get(uuid=uuid)
    except (Modellberakning.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


@role_required(Role.NATIONELL)
@require_GET
def modell_resultat(request, uuid):
    run = _run_get(uuid)
    rader = list(run.rader.select_related("forbund"))
    return render(
        request,
        "forbund/modell_resultat.html",
        {
            "run": run,
            "rader": rader,
            "summa": sum((r.tilldelning for r in rader), Decimal(0)),
            "rest": run.nationell_summa - run.grundbelopp * len(rader),
        },
    )


@role_required(Role.NATIONELL)
@require_POST
def modell_publicera(request, uuid):
    run = _run_get(uuid)
    try:
        n = svc.modell_publicera(berakning=run)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Tilldelningen för %(ar)s är publicerad till %(n)s förbund.")
            % {"ar": run.ar, "n": n},
        )
    return redirect("forbund:modell_resultat", uuid=run.uuid)


urlpatterns = [
    path("fordelningsmodell/", modell, name="modell"),
    path("fordelningsmodell/<uuid:uuid>/", modell_resultat, name="modell_resultat"),
    path("fordelningsmodell/<uuid:uuid>/publicera/", modell_publicera, name="modell_publicera"),
]
