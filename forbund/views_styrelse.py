"""Styrelse pages: the board on a date, assignments, meetings with attendance, quorum and
decisions. The förbundschef edits; ekonomi and the styrelse read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from finsam.decorators import role_required

from . import selectors_styrelse as sel
from . import services_styrelse as svc
from .access import READERS, can_edit, require_edit
from .excel import Sheet, xlsx_response
from .forms import BeslutForm, DatumForm, SammantradeForm, UppdragForm, add_errors
from .models import ORDINARIE_ROLLER, StyrelseRoll, Styrelseuppdrag


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def styrelse(request):
    forbund = request.forbund
    datum_form = DatumForm(request.GET or None)
    day = timezone.localdate()
    if datum_form.is_valid() and datum_form.cleaned_data["datum"]:
        day = datum_form.cleaned_data["datum"]
    form = UppdragForm(request.POST if request.method == "POST" else None, forbund=forbund)
    if request.method == "POST":
        require_edit(request)
        if form.is_valid():
            try:
                u = svc.uppdrag_create(forbund=forbund, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(namn)s är registrerad som %(roll)s.")
                    % {"namn": u.namn, "roll": u.get_roll_display().lower()},
                )
                return redirect("forbund:styrelse")
    return render(
        request,
        "forbund/styrelse.html",
        {
            "bild": sel.styrelse_on(forbund=forbund, day=day),
            "uppdrag": list(sel.uppdrag_all(forbund=forbund)),
            "datum_form": datum_form,
            "form": form,
            "can_edit": can_edit(request),
        },
        status=400 if form.errors else 200,
    )


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def uppdrag_edit(request, uuid):
    u = sel.uppdrag_get(forbund=request.forbund, uuid=uuid)
    require_edit(request)
    initial = {
        "medlem": u.medlem.uuid,
        "namn": u.namn,
        "roll": u.roll,
        "fran": u.fran,
        "till": u.till,
        "valbarhet": u.valbarhet,
        "anvandare": u.anvandare.uuid if u.anvandare_id else None,
    }
    form = UppdragForm(
        request.POST if request.method == "POST" else None,
        forbund=request.forbund,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            svc.uppdrag_update(uppdrag=u, **form.cleaned_data)
        except ValidationError as exc:
            u.refresh_from_db()
            add_errors(form, exc)
        else:
            messages.success(request, _("Uppdraget för %(namn)s är ändrat.") % {"namn": u.namn})
            return redirect("forbund:styrelse")
    return render(
        request,
        "forbund/uppdrag_edit.html",
        {"u": u, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def sammantraden(request):
    form = SammantradeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        require_edit(request)
        if form.is_valid():
            s = svc.sammantrade_create(forbund=request.forbund, **form.cleaned_data)
            messages.success(request, _("Sammanträdet är registrerat. Fyll i närvaron."))
            return redirect("forbund:sammantrade", uuid=s.uuid)
    return render(
        request,
        "forbund/sammantraden.html",
        {
            "rows": sel.sammantraden_list(forbund=request.forbund),
            "form": form,
            "can_edit": can_edit(request),
        },
        status=400 if form.errors else 200,
    )


def _attendance_rows(s, narvaro_by_uppdrag):
    """Everyone with an assignment on the meeting's date, with what is recorded for them."""
    uppdrag = list(
        Styrelseuppdrag.objects.for_forbund(s.forbund_id)
        .active_on(s.datum)
        .select_related("medlem")
    )
    # FK, AF, region, kommuner; the ledamot before the ersättare of each member
    typ_order = {"FK": 0, "AF": 1, "REGION": 2, "KOMMUN": 3}
    uppdrag.sort(
        key=lambda u: (typ_order[u.medlem.typ], u.medlem.namn, u.roll not in ORDINARIE_ROLLER)
    )
    ordinary = [u for u in uppdrag if u.roll in ORDINARIE_ROLLER]
    rows = []
    for u in uppdrag:
        recorded = narvaro_by_uppdrag.get(u.pk)
        rows.append(
            {
                "u": u,
                "narvarande": bool(recorded and recorded.narvarande),
                "tjanstgor_for": recorded.tjanstgor_for_id if recorded else None,
                "tjanstgor_for_namn": next(
                    (o.namn for o in uppdrag if recorded and o.pk == recorded.tjanstgor_for_id),
                    "",
                ),
                "choices": [o for o in ordinary if o.medlem_id == u.medlem_id]
                if u.roll == StyrelseRoll.ERSATTARE
                else [],
            }
        )
    return rows, {u.uuid.hex: u for u in uppdrag}


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def sammantrade(request, uuid):
    s = sel.sammantrade_get(forbund=request.forbund, uuid=uuid)
    recorded = {n.uppdrag_id: n for n in s.narvaro.select_related("uppdrag")}
    rows, by_hex = _attendance_rows(s, recorded)
    beslut_form = BeslutForm(
        prefix="beslut",
        initial={"paragraf": svc.next_paragraf(forbund=request.forbund, year=s.datum.year)},
    )
    attendance_errors: list[str] = []
    action = request.POST.get("action") if request.method == "POST" else None
    if request.method == "POST":
        require_edit(request)
        if action not in ("narvaro", "beslut"):
            raise Http404
    if action == "narvaro":
        present = set(request.POST.getlist("narvarande"))
        entries = []
        for key, u in by_hex.items():
            target = by_hex.get(request.POST.get(f"tjanstgor-{key}", ""))
            entries.append(svc.NarvaroInput(u, key in present, target))
        try:
            svc.narvaro_set(sammantrade=s, entries=entries)
        except ValidationError as exc:
            attendance_errors = exc.messages
            # show what the user chose, not what is stored
            for row in rows:
                key = row["u"].uuid.hex
                row["narvarande"] = key in present
                target = by_hex.get(request.POST.get(f"tjanstgor-{key}", ""))
                row["tjanstgor_for"] = target.pk if target else None
        else:
            messages.success(request, _("Närvaron är sparad."))
            return redirect("forbund:sammantrade", uuid=s.uuid)
    elif action == "beslut":
        beslut_form = BeslutForm(request.POST, prefix="beslut")
        if beslut_form.is_valid():
            try:
                b = svc.beslut_create(sammantrade=s, **beslut_form.cleaned_data)
            except ValidationError as exc:
                add_errors(beslut_form, exc)
            else:
                messages.success(request, _("Beslutet %(p)s är registrerat.") % {"p": b.paragraf})
                return redirect("forbund:sammantrade", uuid=s.uuid)
    failed = bool(attendance_errors or beslut_form.errors)
    return render(
        request,
        "forbund/sammantrade.html",
        {
            "s": s,
            "rows": rows,
            "verdict": sel.quorum(sammantrade=s, rows=list(recorded.values())),
            "beslut_list": list(s.beslut.order_by("paragraf")),
            "beslut_form": beslut_form,
            "attendance_errors": attendance_errors,
            "can_edit": can_edit(request),
        },
        status=400 if failed else 200,
    )


@role_required(*READERS)
@require_POST
def sammantrade_delete(request, uuid):
    s = sel.sammantrade_get(forbund=request.forbund, uuid=uuid)
    require_edit(request)
    try:
        svc.sammantrade_delete(sammantrade=s)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("forbund:sammantrade", uuid=s.uuid)
    messages.success(request, _("Sammanträdet är borttaget."))
    return redirect("forbund:sammantraden")


@role_required(*READERS)
@require_GET
def styrelse_excel(request):
    rows = [
        (
            u.namn,
            u.get_roll_display(),
            u.medlem.namn,
            u.fran,
            u.till,
            u.get_valbarhet_display(),
        )
        for u in sel.uppdrag_all(forbund=request.forbund)
    ]
    headers = ["Namn", "Roll", "Utsedd av", "Mandat från", "Mandat till", "Valbarhetsgrund"]
    return xlsx_response("styrelseuppdrag.xlsx", [Sheet("Styrelseuppdrag", headers, rows)])


urlpatterns = [
    path("styrelse/", styrelse, name="styrelse"),
    path("styrelse/excel/", styrelse_excel, name="styrelse_excel"),
    path("styrelse/uppdrag/<uuid:uuid>/", uppdrag_edit, name="uppdrag"),
    path("styrelse/sammantraden/", sammantraden, name="sammantraden"),
    path("styrelse/sammantraden/<uuid:uuid>/", sammantrade, name="sammantrade"),
    path(
        "styrelse/sammantraden/<uuid:uuid>/ta-bort/", sammantrade_delete, name="sammantrade_ta_bort"
    ),
]
