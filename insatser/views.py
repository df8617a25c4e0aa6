"""Views for insatser: thin. Access goes through ``insats_get_for_user`` and ``insats_access``;
writes through ``insatser.services``; bad input re-renders the form with Swedish messages."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from finsam.decorators import role_required
from finsam.models import User
from finsam.permissions import DELTAGARANSVARIG, INSATSANSVARIG
from finsam.roles import Role
from forbund.models import Medlem

from . import selectors, services
from .excel import insatser_workbook
from .forms import (
    MANADER,
    AssignForm,
    BudgetForm,
    DokumentForm,
    InsatsForm,
    KostnadGridForm,
    KostnadImportForm,
    ListFilterForm,
    MedfinansieringForm,
    TillfalleForm,
    TransitionForm,
    VolymGridForm,
)
from .models import Dokument, Handelse, Insats, Medfinansiering, Registreringsform, Yrkesgrupp

ALL_ROLES = (Role.FORBUNDSCHEF, Role.EKONOMI, Role.STYRELSE, Role.HANDLAGGARE, Role.INSATSANSVARIG)
LIST_ROLES = (Role.FORBUNDSCHEF, Role.EKONOMI, Role.STYRELSE)
ROLL_PERMS = {"insatsansvarig": INSATSANSVARIG, "deltagaransvarig": DELTAGARANSVARIG}


def _apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the form's fields (or on the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _year(request, default: int) -> int:
    try:
        year = int(request.GET.get("ar") or request.POST.get("ar") or default)
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default


# --- The list, the export and the start page ---


def _filters(request) -> tuple[ListFilterForm, selectors.ListFilters]:
    form = ListFilterForm(request.GET or None, forbund=request.forbund)
    filters = selectors.ListFilters(money_year=timezone.localdate().year)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters.q = data["q"].strip()
        filters.status = data["status"]
        filters.kategori = data["kategori"]
        filters.inriktning = data["inriktning"]
        filters.registreringsform = data["registreringsform"]
        filters.huvudman = form.medlemmar.get(data["huvudman"])
        filters.ar = data["ar"]
        filters.sort = data["sort"] or "kod"
        filters.desc = data["desc"]
        if filters.ar:
            filters.money_year = filters.ar
    return form, filters


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
        },
    )


# --- Create and edit ---


@role_required(Role.FORBUNDSCHEF)
@require_http_methods(["GET", "POST"])
def ny(request):
    form = InsatsForm(request.POST or None, forbund=request.forbund)
    if request.method == "POST" and form.is_valid():
        try:
            insats = services.insats_create(
                forbund=request.forbund, user=request.user, data=form.cleaned_data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Insatsen %(kod)s är skapad.") % {"kod": insats.kod})
            return redirect("insatser:detalj", uuid=insats.uuid)
    return render(request, "insatser/form.html", {"form": form, "insats": None})


@role_required(*ALL_ROLES)
@require_http_methods(["GET", "POST"])
def andra(request, uuid):
    insats = selectors.insats_get_for_user(request, uuid)
    if not selectors.insats_access(request, insats).edit:
        raise Http404
    form = InsatsForm(request.POST or None, instance=insats, forbund=request.forbund)
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.insats_update(
                insats=insats, user=request.user, data=form.cleaned_data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            if changes:
                messages.success(
                    request, _("Ändringarna är sparade (%(n)s fält).") % {"n": len(changes)}
                )
            else:
                messages.info(request, _("Inget ändrades."))
            return redirect("insatser:detalj", uuid=insats.uuid)
    return render(request, "insatser/form.html", {"form": form, "insats": insats})


# --- The insats page ---


def _detail(request, insats: Insats, status: int = 200, **forms):
    access = selectors.insats_access(request, insats)
    staff = selectors.insats_staff_lists(insats=insats)
    years = selectors.insats_budget_years(insats=insats)
    today = timezone.localdate()
    context = {
        "insats": insats,
        "access": access,
        "staff": staff,
        "staff_warning": selectors.staff_not_employed_by_controller(insats=insats, staff=staff),
        "malgrupper": list(insats.malgrupper.all()),
        "metoder": list(insats.metoder.all()),
        "huvudman": list(insats.huvudman.all()),
        "budget_years": years,
        "chart": selectors.budget_chart(years) if years else None,
        "medfinansiering": list(insats.medfinansiering.order_by("ar", "finansiar")),
        "dokument": list(insats.dokument.select_related("uploaded_by")),
        "handelser": list(Handelse.objects.filter(insats=insats).select_related("user")[:200]),
        "today": today,
    }
    if insats.registreringsform == Registreringsform.VOLYM:
        context["volym_ar"] = selectors.volym_totals(
            forbund=request.forbund,
            start=today.replace(month=1, day=1),
            end=today.replace(month=12, day=31),
            insats=insats,
        )
        context["volym_totalt"] = selectors.volym_totals(
            forbund=request.forbund,
            start=insats.startdatum,
            end=max(today, insats.slutdatum or today),
            insats=insats,
        )
    if insats.registreringsform == Registreringsform.STRUKTUR:
        context["struktur_totalt"] = selectors.struktur_totals(
            forbund=request.forbund,
            start=insats.startdatum,
            end=max(today, insats.slutdatum or today),
            insats=insats,
        )
    if access.edit:
        context["transition_form"] = forms.get("transition_form") or TransitionForm(insats=insats)
    if access.assign_ansvarig:
        context["ansvarig_form"] = forms.get("ansvarig_form") or AssignForm(
            queryset=services.assignable_users(insats=insats, perm=INSATSANSVARIG),
            label=_("Ny insatsansvarig"),
            prefix="insatsansvarig",
        )
    if access.assign_deltagare:
        context["deltagare_form"] = forms.get("deltagare_form") or AssignForm(
            queryset=services.assignable_users(insats=insats, perm=DELTAGARANSVARIG).exclude(
                pk__in=[u.pk for u in staff.deltagaransvariga]
            ),
            label=_("Lägg till deltagaransvarig"),
            prefix="deltagaransvarig",
        )
    if access.documents:
        context["dokument_form"] = forms.get("dokument_form") or DokumentForm()
    return render(request, "insatser/detalj.html", context, status=status)


@role_required(*ALL_ROLES)
def detalj(request, uuid):
    insats = selectors.insats_get_for_user(request, uuid)
    return _detail(request, insats)


@role_required(*ALL_ROLES)
@require_POST
def steg(request, uuid):
    insats = selectors.insats_get_for_user(request, uuid)
    if not selectors.insats_access(request, insats).edit:
        raise Http404
    form = TransitionForm(request.POST, insats=insats)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.insats_transition(
                insats=insats,
                user=request.user,
                status=data["status"],
                datum=data["datum"]
                or (timezone.localdate() if data["status"] == "AVSLUTAD" else None),
                beslut=data["beslut"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Insatsen har bytt status."))
            return redirect("insatser:detalj", uuid=insats.uuid)
    return _detail(request, insats, status=400, transition_form=form)


@role_required(*ALL_ROLES)
@require_POST
def personal_lagg_till(request, uuid, roll):
    insats = selectors.insats_get_for_user(request, uuid)
    access = selectors.insats_access(request, insats)
    perm = ROLL_PERMS.get(roll)
    allowed = access.assign_ansvarig if perm == INSATSANSVARIG else access.assign_deltagare
    if perm is None or not allowed:
        raise Http404
    form = AssignForm(
        request.POST,
        queryset=services.assignable_users(insats=insats, perm=perm),
        prefix=roll,
        label=_("Ny insatsansvarig") if perm == INSATSANSVARIG else _("Lägg till deltagaransvarig"),
    )
    if form.is_valid():
        try:
            services.insats_assign(
                insats=insats, actor=request.user, user=form.cleaned_data["user"], perm=perm
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Personalen är uppdaterad."))
            return redirect("insatser:detalj", uuid=insats.uuid)
    key = "ansvarig_form" if perm == INSATSANSVARIG else "deltagare_form"
    return _detail(request, insats, status=400, **{key: form})


@role_required(*ALL_ROLES)
@require_POST
def personal_ta_bort(request, uuid, roll, user_uuid):
    insats = selectors.insats_get_for_user(request, uuid)
    access = selectors.insats_access(request, insats)
    perm = ROLL_PERMS.get(roll)
    allowed = access.assign_ansvarig if perm == INSATSANSVARIG else access.assign_deltagare
    if perm is None or not allowed:
        raise Http404
    user = User.objects.filter(uuid=user_uuid, roller__forbund=request.forbund).first()
    if user is None:
        raise Http404
    services.insats_unassign(insats=insats, actor=request.user, user=user, perm=perm)
    messages.success(request, _("Personalen är uppdaterad."))
    return redirect("insatser:detalj", uuid=insats.uuid)


# --- Money ---


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


# --- Documents ---


@role_required(*ALL_ROLES)
@require_POST
def dokument_ladda_upp(request, uuid):
    insats = selectors.insats_get_for_user(request, uuid)
    if not selectors.insats_access(request, insats).documents:
        raise Http404
    form = DokumentForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.dokument_upload(
                insats=insats,
                user=request.user,
                typ=d["typ"],
                datum=d["datum"],
                titel=d["titel"],
                fil=d["fil"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Dokumentet är uppladdat."))
            return redirect("insatser:detalj", uuid=insats.uuid)
    return _detail(request, insats, status=400, dokument_form=form)


def _dokument(request, uuid, dok) -> Dokument:
    insats = selectors.insats_get_for_user(request, uuid)
    dokument = Dokument.objects.filter(insats=insats, uuid=dok).select_related("insats").first()
    if dokument is None:
        raise Http404
    return dokument


@role_required(*ALL_ROLES)
def dokument_hamta(request, uuid, dok):
    """Stream a document to someone who may see the insats (never served from a public URL)."""
    dokument = _dokument(request, uuid, dok)
    try:
        handle = dokument.fil.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=dokument.filnamn)


@role_required(*ALL_ROLES)
@require_POST
def dokument_ta_bort(request, uuid, dok):
    dokument = _dokument(request, uuid, dok)
    if not selectors.insats_access(request, dokument.insats).documents:
        raise Http404
    services.dokument_delete(dokument=dokument, user=request.user)
    messages.success(request, _("Dokumentet är borttaget."))
    return redirect("insatser:detalj", uuid=uuid)


# --- VOLYM and STRUKTUR ---


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


@role_required(*ALL_ROLES)
@require_http_methods(["GET", "POST"])
def tillfallen(request, uuid):
    insats = _registering(request, uuid, Registreringsform.STRUKTUR)
    access = selectors.insats_access(request, insats)
    form = TillfalleForm(request.POST or None, medlemmar=_medlemmar(request))
    if request.method == "POST":
        if not access.register:
            raise Http404
        if form.is_valid():
            d = form.cleaned_data
            services.tillfalle_save(
                insats=insats,
                user=request.user,
                datum=d["datum"],
                titel=d["titel"],
                timmar=d["timmar"],
                antal=form.antal(),
            )
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
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        services.tillfalle_save(
            insats=insats,
            user=request.user,
            datum=d["datum"],
            titel=d["titel"],
            timmar=d["timmar"],
            antal=form.antal(),
            tillfalle=row,
        )
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
