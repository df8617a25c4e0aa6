"""One participation: detail, end, correction, FEL, withdrawal, follow-up."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from finsam.decorators import role_required

from .. import selectors, services
from ..forms import (
    AndraForm,
    AvslutaForm,
    SamtyckeForm,
    UppfoljningForm,
)
from ..kodlistor import ALDERSGRUPP_LABELS
from ..models import Atkomst, Deltagande, Uppfoljning
from .common import STAFF, _apply_errors, _begaran, _log

# --- One participation ---------------------------------------------------------------------


@role_required(*STAFF)
def deltagande(request, deltagande_uuid):
    d = selectors.deltagande_get_for_user(request, deltagande_uuid)
    if d.is_identified:
        _log(request, vad=Atkomst.VISA, deltagande=d)
    forsorjning = {"FORE": [], "EFTER": []}
    for row in d.forsorjning.select_related("kalla").order_by("kalla__ordning"):
        forsorjning[row.skede].append(row.kalla)
    uppfoljningar = {
        u.punkt: u
        for u in Uppfoljning.objects.filter(deltagande=d)
        .select_related("sysselsattning")
        .prefetch_related("forsorjning")
    }
    today = services.today()
    punkter = []
    if d.is_identified and d.utskrivning and not d.is_fel:
        for punkt in (6, 12):
            due = services.add_months(d.utskrivning, punkt)
            punkter.append(
                {
                    "punkt": punkt,
                    "due": due,
                    "open": today >= due - dt.timedelta(days=30),
                    "row": uppfoljningar.get(punkt),
                }
            )
    others = []
    if d.is_identified:
        others = [o for o in selectors.person_deltaganden_for_user(request, d.person) if o != d]
    context = {
        "d": d,
        "forsorjning": forsorjning,
        "punkter": punkter,
        "others": others,
        "aldersgrupp": ALDERSGRUPP_LABELS[d.aldersgrupp],
        "historik": selectors.deltagande_history(request, deltagande=d),
    }
    return render(request, "deltagare/deltagande.html", context)


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def avsluta(request, deltagande_uuid):
    """ "Avsluta deltagande": its own short form."""
    d = selectors.deltagande_get_for_user(request, deltagande_uuid)
    if d.utskrivning is not None:
        messages.info(request, "Deltagandet är redan avslutat.")
        return redirect("deltagare:deltagande", deltagande_uuid=d.uuid)
    form = AvslutaForm(request.POST or None, identified=d.is_identified)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.deltagande_end(
                deltagande=d,
                user=request.user,
                utskrivning=data["utskrivning"],
                avslutsorsak=data["avslutsorsak"].kod if "avslutsorsak" in data else None,
                sysselsattning_efter=data["sysselsattning_efter"].kod
                if "sysselsattning_efter" in data
                else None,
                forsorjning_efter=[k.kod for k in data["forsorjning_efter"]]
                if "forsorjning_efter" in data
                else None,
                begaran=_begaran(request),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Deltagandet {d.nummer} är avslutat.")
            return redirect("deltagare:deltagande", deltagande_uuid=d.uuid)
    return render(request, "deltagare/avsluta.html", {"d": d, "form": form})


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def andra(request, deltagande_uuid):
    """ "Ändra uppgifter": correct what was registered at start."""
    d = selectors.deltagande_get_for_user(request, deltagande_uuid)
    initial = {
        "kon": d.kon_id,
        "fodelsear": d.fodelsear,
        "inskrivning": d.inskrivning,
        "anvisande_part": d.anvisande_part_id,
        "utbildning": d.utbildning_id,
        "sysselsattning_fore": d.sysselsattning_fore_id,
        "tid_offentlig_forsorjning": d.tid_offentlig_forsorjning_id,
        "forsorjning_fore": list(
            d.forsorjning.filter(skede="FORE").values_list("kalla_id", flat=True)
        ),
        "utskrivning": d.utskrivning,
        "avslutsorsak": d.avslutsorsak_id,
        "sysselsattning_efter": d.sysselsattning_efter_id,
        "forsorjning_efter": list(
            d.forsorjning.filter(skede="EFTER").values_list("kalla_id", flat=True)
        ),
    }
    ended = d.utskrivning is not None and not d.is_fel
    form = AndraForm(request.POST or None, initial=initial, identified=d.is_identified, ended=ended)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        start = None
        if d.is_identified:
            start = services.StartUppgifter(
                utbildning=data["utbildning"].kod,
                sysselsattning_fore=data["sysselsattning_fore"].kod,
                tid_offentlig_forsorjning=data["tid_offentlig_forsorjning"].kod,
                anvisande_part=data["anvisande_part"].kod,
                forsorjning_fore=[k.kod for k in data["forsorjning_fore"]],
            )
        end = None
        if ended:
            end = services.EndUppgifter(
                utskrivning=data["utskrivning"],
                avslutsorsak=data["avslutsorsak"].kod if d.is_identified else None,
                sysselsattning_efter=data["sysselsattning_efter"].kod if d.is_identified else None,
                forsorjning_efter=[k.kod for k in data["forsorjning_efter"]]
                if d.is_identified
                else [],
            )
        try:
            result = services.deltagande_update(
                deltagande=d,
                user=request.user,
                kon=data["kon"].kod,
                inskrivning=data["inskrivning"],
                fodelsear=data.get("fodelsear"),
                start=start,
                end=end,
                begaran=_begaran(request),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Uppgifterna för {d.nummer} är ändrade.")
            for warning in result.warnings:
                messages.warning(request, warning)
            return redirect("deltagare:deltagande", deltagande_uuid=d.uuid)
    return render(request, "deltagare/andra.html", {"d": d, "form": form})


@role_required(*STAFF)
@require_POST
def felregistrera(request, deltagande_uuid):
    d = selectors.deltagande_get_for_user(request, deltagande_uuid)
    services.deltagande_mark_fel(deltagande=d, user=request.user, begaran=_begaran(request))
    messages.success(
        request, f"{d.nummer} är markerat som felregistrering och räknas inte i statistiken."
    )
    return redirect("deltagare:deltagande", deltagande_uuid=d.uuid)


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def aterkalla(request, deltagande_uuid):
    """Record a consent withdrawal: identity and details are erased at once."""
    d = selectors.deltagande_get_for_user(request, deltagande_uuid)
    if not d.is_identified:
        messages.info(request, "Deltagandet är redan anonymt.")
        return redirect("deltagare:deltagande", deltagande_uuid=d.uuid)
    if request.method == "POST":
        numbers = services.samtycke_withdraw(deltagande=d, user=request.user)
        messages.success(
            request,
            "Samtycket är återkallat. Identitet och uppgifter är raderade; "
            f"{', '.join(numbers)} finns kvar som anonyma deltaganden.",
        )
        return redirect("deltagare:deltagande", deltagande_uuid=d.uuid)
    count = Deltagande.objects.filter(person_id=d.person_id, insats_id=d.insats_id).count()
    return render(request, "deltagare/aterkalla.html", {"d": d, "count": count})


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def uppfoljning(request, deltagande_uuid, punkt):
    d = selectors.deltagande_get_for_user(request, deltagande_uuid)
    if punkt not in (6, 12) or not d.is_identified or d.utskrivning is None or d.is_fel:
        raise Http404
    existing = Uppfoljning.objects.filter(deltagande=d, punkt=punkt).first()
    initial = {}
    if existing:
        initial = {
            "nadd": "ja" if existing.nadd else "nej",
            "sysselsattning": existing.sysselsattning_id,
            "forsorjning": list(existing.forsorjning.all()),
        }
    form = UppfoljningForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.uppfoljning_record(
                deltagande=d,
                user=request.user,
                punkt=punkt,
                nadd=data["nadd"] == "ja",
                sysselsattning=data["sysselsattning"].kod if data["sysselsattning"] else None,
                forsorjning=[k.kod for k in data["forsorjning"]],
                begaran=_begaran(request),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Uppföljningen efter {punkt} månader är sparad.")
            return redirect("deltagare:deltagande", deltagande_uuid=d.uuid)
    due = services.add_months(d.utskrivning, punkt)
    return render(
        request, "deltagare/uppfoljning.html", {"d": d, "form": form, "punkt": punkt, "due": due}
    )


@role_required(*STAFF)
def uppfoljningar(request):
    items = selectors.uppfoljning_worklist(request, services.today())
    return render(request, "deltagare/uppfoljningar.html", {"items": items})


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def samtycke_fornya(request, deltagande_uuid):
    """Record a renewed consent (the old one is running out or was incomplete)."""
    d = selectors.deltagande_get_for_user(request, deltagande_uuid)
    if not d.is_identified:
        raise Http404
    form = SamtyckeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.samtycke_renew(
                deltagande=d,
                user=request.user,
                samtycke=services.SamtyckeInput(
                    datum=data["samtycke_datum"],
                    satt=data["samtycke_satt"],
                    blankettversion=data["blankettversion"],
                    giltig_till=data["samtycke_giltig_till"],
                    dokument=data.get("dokument_bytes"),
                    dokument_typ=data.get("dokument_typ", ""),
                ),
                begaran=_begaran(request),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Det nya samtycket är registrerat.")
            return redirect("deltagare:deltagande", deltagande_uuid=d.uuid)
    return render(request, "deltagare/samtycke.html", {"d": d, "form": form})
