"""Views of the förbund, its members, population and financing. Thin: a form, a service, a page.

Budget and utfall views are in ``views_budget``, the styrelse in ``views_styrelse``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from finsam.decorators import role_required, systemadmin_required
from finsam.roles import Role

from . import selectors, selectors_budget, selectors_styrelse, services
from .access import READERS, can_edit, require_edit
from .berakning import percent
from .excel import Sheet, xlsx_response
from .forms import (
    BefolkningForm,
    DatumForm,
    FinansieringForm,
    ForbundCreateForm,
    ForbundProfileForm,
    ForbundsordningForm,
    ImportForm,
    MedlemAddForm,
    MedlemEditForm,
    MedlemReplaceForm,
    add_errors,
)


def _year(request, default: int | None = None) -> int:
    """The ``?ar=`` of a page, or this year; bad values fall back instead of failing."""
    try:
        year = int(request.GET.get("ar", ""))
    except ValueError:
        return default or timezone.localdate().year
    return year if 1990 <= year <= 2100 else (default or timezone.localdate().year)


@role_required(Role.FORBUNDSCHEF, Role.EKONOMI)
@require_GET
def oversikt(request):
    """The förbundschef's start page: members, this year's economy, eget kapital and what the
    board needs attended to, each with a link to its page."""
    forbund, today = request.forbund, timezone.localdate()
    data = selectors.forbund_oversikt(forbund=forbund, day=today)
    series = selectors_budget.eget_kapital_series(forbund=forbund, today=today)
    closed = [r for r in series if not r.prognos]
    return render(
        request,
        "forbund/oversikt.html",
        {
            "oversikt": data,
            "ekonomi": selectors_budget.budget_overview(
                forbund=forbund, ar=today.year, today=today
            ),
            "ek": closed[-1] if closed else None,
            "ek_prognos": next((r for r in series if r.ar == today.year), None),
            "bild": selectors_styrelse.styrelse_on(forbund=forbund, day=today),
        },
    )


# --- the systemadministratör creates a förbund ------------------------------------------------


@systemadmin_required
@require_http_methods(["GET", "POST"])
def forbund_create(request):
    form = ForbundCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            forbund = services.forbund_create(**form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(namn)s är skapat med förbundschef %(chef)s.")
                % {"namn": forbund.namn, "chef": form.cleaned_data["chef_username"]},
            )
            return redirect("system")
    return render(request, "forbund/forbund_create.html", {"form": form})


# --- profile and förbundsordning ---------------------------------------------------------------


@role_required(*READERS)
@require_GET
def profil(request):
    forbund = request.forbund
    today = timezone.localdate()
    return render(
        request,
        "forbund/profil.html",
        {
            "forbund": forbund,
            "chefer": selectors.forbundschefer(forbund=forbund),
            "ordningar": list(forbund.forbundsordningar.select_related("uppladdad_av")),
            "gallande": selectors.forbundsordning_current(forbund=forbund, day=today),
            "can_edit": can_edit(request),
            "upload_form": ForbundsordningForm(),
            "historik": selectors.forbund_history(request, forbund=forbund),
        },
    )


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def profil_edit(request):
    require_edit(request)
    forbund = request.forbund
    form = ForbundProfileForm(request.POST if request.method == "POST" else None, instance=forbund)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in ForbundProfileForm.Meta.fields}
        try:
            services.forbund_update_profile(forbund=forbund, data=data)
        except ValidationError as exc:
            forbund.refresh_from_db()
            add_errors(form, exc)
        else:
            messages.success(request, _("Förbundets uppgifter är sparade."))
            return redirect("forbund:profil")
    return render(request, "forbund/profil_edit.html", {"form": form})


@role_required(*READERS)
@require_POST
def forbundsordning_upload(request):
    require_edit(request)
    form = ForbundsordningForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.forbundsordning_upload(
                forbund=request.forbund, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Förbundsordningen är uppladdad."))
            return redirect("forbund:profil")
    forbund = request.forbund
    return render(
        request,
        "forbund/profil.html",
        {
            "forbund": forbund,
            "chefer": selectors.forbundschefer(forbund=forbund),
            "ordningar": list(forbund.forbundsordningar.select_related("uppladdad_av")),
            "gallande": selectors.forbundsordning_current(
                forbund=forbund, day=timezone.localdate()
            ),
            "can_edit": True,
            "upload_form": form,
        },
        status=400,
    )


@role_required(*READERS)
@require_GET
def forbundsordning_download(request, uuid):
    version = selectors.forbundsordning_get(forbund=request.forbund, uuid=uuid)
    try:
        handle = version.fil.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        content_type="application/pdf",
        as_attachment=True,
        filename=f"forbundsordning-{version.giltig_fran:%Y-%m-%d}.pdf",
    )


# --- members ----------------------------------------------------------------------------------


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def medlemmar(request):
    forbund = request.forbund
    datum_form = DatumForm(request.GET or None)
    day = timezone.localdate()
    if datum_form.is_valid() and datum_form.cleaned_data["datum"]:
        day = datum_form.cleaned_data["datum"]
    form = MedlemAddForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        require_edit(request)
        if form.is_valid():
            try:
                medlem = services.medlem_add(forbund=forbund, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request, _("%(namn)s är registrerad som medlem.") % {"namn": medlem.namn}
                )
                return redirect("forbund:medlemmar")
    all_members = list(selectors.medlemmar_all(forbund=forbund))
    active = [m for m in all_members if m.is_active_on(day)]
    return render(
        request,
        "forbund/medlemmar.html",
        {
            "day": day,
            "datum_form": datum_form,
            "medlemmar": all_members,
            "aktiva": active,
            "kommuner": sorted((m.kommun for m in active if m.kommun_id), key=lambda k: k.namn),
            "form": form,
            "can_edit": can_edit(request),
        },
        status=400 if form.errors else 200,
    )


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def medlem_edit(request, uuid):
    medlem = selectors.medlem_get(forbund=request.forbund, uuid=uuid)
    require_edit(request)
    form = MedlemEditForm(
        request.POST if request.method == "POST" else None,
        initial={
            "namn": medlem.namn,
            "startdatum": medlem.startdatum,
            "slutdatum": medlem.slutdatum,
            "andel_procent": medlem.andel_procent,
        },
    )
    replace_form = MedlemReplaceForm(prefix="byt")
    if request.method == "POST" and form.is_valid():
        try:
            services.medlem_update(medlem=medlem, **form.cleaned_data)
        except ValidationError as exc:
            medlem.refresh_from_db()
            add_errors(form, exc)
        else:
            messages.success(
                request, _("Medlemskapet för %(namn)s är ändrat.") % {"namn": medlem.namn}
            )
            return redirect("forbund:medlemmar")
    return render(
        request,
        "forbund/medlem_edit.html",
        {"medlem": medlem, "form": form, "replace_form": replace_form},
        status=400 if form.errors else 200,
    )


@role_required(*READERS)
@require_POST
def medlem_replace(request, uuid):
    medlem = selectors.medlem_get(forbund=request.forbund, uuid=uuid)
    require_edit(request)
    replace_form = MedlemReplaceForm(request.POST, prefix="byt")
    if replace_form.is_valid():
        try:
            ny = services.medlem_replace(medlem=medlem, **replace_form.cleaned_data)
        except ValidationError as exc:
            medlem.refresh_from_db()
            add_errors(replace_form, exc)
        else:
            messages.success(
                request,
                _("%(ny)s ersätter %(gammal)s från %(d)s.")
                % {"ny": ny.namn, "gammal": medlem.namn, "d": ny.startdatum.isoformat()},
            )
            return redirect("forbund:medlemmar")
    form = MedlemEditForm(
        initial={
            "namn": medlem.namn,
            "startdatum": medlem.startdatum,
            "slutdatum": medlem.slutdatum,
        }
    )
    return render(
        request,
        "forbund/medlem_edit.html",
        {"medlem": medlem, "form": form, "replace_form": replace_form},
        status=400,
    )


@role_required(*READERS)
@require_POST
def medlem_delete(request, uuid):
    medlem = selectors.medlem_get(forbund=request.forbund, uuid=uuid)
    require_edit(request)
    try:
        services.medlem_delete(medlem=medlem)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(
            request, _("Medlemskapet för %(namn)s är borttaget.") % {"namn": medlem.namn}
        )
    return redirect("forbund:medlemmar")


@role_required(*READERS)
@require_GET
def medlemmar_excel(request):
    rows = [
        (
            m.namn,
            m.get_typ_display(),
            m.kommun.kod if m.kommun_id else "",
            m.kommun.lan if m.kommun_id else "",
            m.startdatum,
            m.slutdatum,
            m.andel_procent,
        )
        for m in selectors.medlemmar_all(forbund=request.forbund)
    ]
    headers = ["Medlem", "Typ", "Kommunkod", "Län", "Från", "Till", "Fast andel (%)"]
    return xlsx_response("medlemmar.xlsx", [Sheet("Medlemmar", headers, rows)])


# --- population -------------------------------------------------------------------------------


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def befolkning(request):
    forbund = request.forbund
    form = BefolkningForm(request.POST if request.method == "POST" else None, forbund=forbund)
    import_form = ImportForm()
    if request.method == "POST":
        require_edit(request)
        if form.is_valid():
            try:
                services.befolkning_set(forbund=forbund, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Befolkningssiffran är sparad."))
                return redirect("forbund:befolkning")
    return _befolkning_page(request, form, import_form, None)


def _befolkning_page(request, form, import_form, result, status=None):
    years, table = selectors.befolkning_table(forbund=request.forbund)
    bad = (form is not None and form.errors) or (result is not None and not result.ok)
    return render(
        request,
        "forbund/befolkning.html",
        {
            "form": form,
            "import_form": import_form,
            "result": result,
            "years": years,
            "table": table,
            "can_edit": can_edit(request),
        },
        status=status or (400 if bad else 200),
    )


@role_required(*READERS)
@require_POST
def befolkning_import(request):
    require_edit(request)
    import_form = ImportForm(request.POST, request.FILES)
    result = None
    if import_form.is_valid():
        result = services.befolkning_import(
            forbund=request.forbund, data=import_form.cleaned_data["fil"].read()
        )
        if result.ok:
            messages.success(
                request,
                _("Importen är klar: %(n)s befolkningssiffror sparade.") % {"n": result.saved},
            )
            return redirect("forbund:befolkning")
    return _befolkning_page(
        request, BefolkningForm(forbund=request.forbund), import_form, result, status=400
    )


# --- financing --------------------------------------------------------------------------------


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def finansiering(request):
    forbund = request.forbund
    ar = _year(request)
    table = selectors.bidrag_for_year(forbund=forbund, ar=ar)
    fin = table.finansiering
    form = FinansieringForm(
        request.POST if request.method == "POST" else None,
        initial={
            "ar": ar,
            "statlig_tilldelning": fin.statlig_tilldelning if fin else None,
            "ovriga_intakter": fin.ovriga_intakter if fin else 0,
        },
    )
    if request.method == "POST":
        require_edit(request)
        if form.is_valid():
            try:
                row = services.finansieringsar_set(forbund=forbund, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request, _("Finansieringen för %(ar)s är sparad.") % {"ar": row.ar}
                )
                return redirect(f"{request.path}?ar={row.ar}")
    return render(
        request,
        "forbund/finansiering.html",
        {
            "ar": ar,
            "table": table,
            "form": form,
            "years": selectors.finansiering_years(forbund=forbund),
            "can_edit": can_edit(request),
            "year_choices": _year_choices(ar),
        },
        status=400 if form.errors else 200,
    )


def _year_choices(ar: int) -> list[int]:
    this = timezone.localdate().year
    return sorted({*range(this - 4, this + 2), ar}, reverse=True)


@role_required(*READERS)
@require_GET
def finansiering_excel(request):
    ar = _year(request)
    table = selectors.bidrag_for_year(forbund=request.forbund, ar=ar)
    if table.problems:
        raise Http404
    rows = [("Staten genom Försäkringskassan", "Staten", "", "", "", table.statlig)]
    for kind, group in (("Region", table.region_rader), ("Kommun", table.kommun_rader)):
        for r in group:
            rows.append((r.namn, kind, str(r.underlag), r.dagar, percent(r.andel), r.belopp))
    rows.append(("Summa", "", "", "", "", table.total))
    return xlsx_response(
        f"medlemsbidrag-{ar}.xlsx",
        [
            Sheet(
                f"Medlemsbidrag {ar}",
                ["Medlem", "Typ", "Underlag", "Dagar", "Andel (%)", "Belopp (kr)"],
                rows,
            )
        ],
    )
