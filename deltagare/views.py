"""Views for participations: thin; rules live in services, reads in selectors.

Every object comes through an access helper in ``selectors`` (404 to outsiders). Every page that
shows an identity writes one access-log row. No URL ever carries a personnummer: the search is
a POST, and objects are addressed by UUID.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from finsam.decorators import role_required
from finsam.roles import Role

from . import exporter, importer, selectors, services
from .forms import (
    AndraForm,
    AnonymForm,
    AvslutaForm,
    ExportForm,
    FilterForm,
    GallringForm,
    IdentifiedForm,
    ImportForm,
    LoggFilterForm,
    PeriodForm,
    SokForm,
    StartFragorForm,
    UppfoljningForm,
)
from .kodlistor import ALDERSGRUPP_LABELS
from .models import Atkomst, Deltagande, Samtycke, Uppfoljning

STAFF = (Role.HANDLAGGARE, Role.INSATSANSVARIG)
PAGE_SIZE = 50


def _begaran(request) -> str:
    return request.META.get("HTTP_X_REQUEST_ID", "")[:32]


def _log(request, *, vad, deltagande=None, person=None):
    services.atkomstlogg_write(
        user=request.user,
        forbund=request.forbund,
        vad=vad,
        deltagande=deltagande,
        person=person,
        begaran=_begaran(request),
    )


def _apply_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)


# --- Lists ---------------------------------------------------------------------------------


def _filtered_list(request, insats=None):
    form = FilterForm(request.GET or None)
    flt = selectors.Filter(insats=insats)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        flt = selectors.Filter(
            status=data["status"],
            fran=data["fran"],
            till=data["till"],
            kon=data["kon"],
            aldersgrupp=data["aldersgrupp"],
            saknas=data["saknas"],
            insats=insats,
        )
    qs = selectors.deltagande_list(request, flt, services.today())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("sida"))
    query = request.GET.copy()
    query.pop("sida", None)
    return form, page, query.urlencode()


@role_required(*STAFF)
def mina(request):
    """Participations across the user's insatser, with reminders and the search."""
    form, page, query = _filtered_list(request)
    context = {
        "filter_form": form,
        "page": page,
        "query": query,
        "insats_list": selectors.insatser_for_deltagare(request),
        "reminders": selectors.reminder_counts(request, services.today()),
        "sok_form": SokForm(),
        "aldersgrupper": ALDERSGRUPP_LABELS,
    }
    return render(request, "deltagare/mina.html", context)


@role_required(*STAFF)
def insats_lista(request, insats_uuid):
    insats = selectors.insats_get_for_deltagare(request, insats_uuid)
    form, page, query = _filtered_list(request, insats)
    context = {
        "insats": insats,
        "filter_form": form,
        "page": page,
        "query": query,
        "export_form": ExportForm(),
        "sok_form": SokForm(),
        "aldersgrupper": ALDERSGRUPP_LABELS,
    }
    return render(request, "deltagare/insats.html", context)


# --- Registration --------------------------------------------------------------------------


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def registrera(request, insats_uuid):
    """ "Registrera deltagare": first the consent and protected-identity questions (GET, no
    personal data), then only the form those answers allow."""
    insats = selectors.insats_get_for_deltagare(request, insats_uuid)
    fragor = StartFragorForm(request.GET or request.POST or None)
    if not fragor.is_bound or not fragor.is_valid():
        return render(
            request, "deltagare/registrera_fragor.html", {"insats": insats, "form": fragor}
        )
    identified = fragor.identified()
    form_class = IdentifiedForm if identified else AnonymForm
    if request.method == "POST":
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = _register(request, insats, form, identified)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                d = result.deltagande
                messages.success(request, f"Deltagandet {d.nummer} är registrerat.")
                if result.person_found:
                    messages.info(
                        request,
                        "Personen fanns redan hos samma personuppgiftsansvariga; "
                        "registreringen är kopplad till den.",
                    )
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect("deltagare:deltagande", deltagande_uuid=d.uuid)
    else:
        form = form_class(initial={"inskrivning": services.today()})
    context = {
        "insats": insats,
        "form": form,
        "fragor": fragor,
        "identified": identified,
        "skyddad": fragor.cleaned_data["skyddad"] == "ja",
    }
    return render(request, "deltagare/registrera.html", context)


def _register(request, insats, form, identified: bool):
    data = form.cleaned_data
    if not identified:
        return services.deltagande_register(
            insats=insats,
            user=request.user,
            kon=data["kon"].kod,
            fodelsear=data["fodelsear"],
            inskrivning=data["inskrivning"],
            begaran=_begaran(request),
        )
    return services.deltagande_register(
        insats=insats,
        user=request.user,
        kon=data["kon"].kod,
        inskrivning=data["inskrivning"],
        personnummer=data["personnummer"],
        namn=data["namn"],
        samtycke=services.SamtyckeInput(
            datum=data["samtycke_datum"],
            satt=data["samtycke_satt"],
            blankettversion=data["blankettversion"],
            giltig_till=data["samtycke_giltig_till"],
            dokument=data.get("dokument_bytes"),
            dokument_typ=data.get("dokument_typ", ""),
        ),
        start=services.StartUppgifter(
            utbildning=data["utbildning"].kod,
            sysselsattning_fore=data["sysselsattning_fore"].kod,
            tid_offentlig_forsorjning=data["tid_offentlig_forsorjning"].kod,
            anvisande_part=data["anvisande_part"].kod,
            forsorjning_fore=[k.kod for k in data["forsorjning_fore"]],
        ),
        begaran=_begaran(request),
    )


@role_required(*STAFF)
@require_POST
def sok(request):
    """Search by personnummer (POST only: the number never reaches a URL or a server log).
    Finds the person under the controllers of the user's insatser; each hit with visible
    participations writes one access-log row."""
    form = SokForm(request.POST)
    hits = []
    if form.is_valid():
        pnr = form.cleaned_data["personnummer"]
        medlem_ids = {
            i.personuppgiftsansvarig_id for i in selectors.insatser_for_deltagare(request)
        }
        for medlem_id in sorted(medlem_ids):
            person = services.person_find(medlem_id=medlem_id, personnummer=pnr)
            if person is None:
                continue
            visible = list(selectors.person_deltaganden_for_user(request, person))
            if visible:
                _log(request, vad=Atkomst.SOK, person=person)
            hits.append({"person": person, "deltaganden": visible})
    context = {
        "form": form,
        "hits": hits,
        "searched": form.is_valid(),
        "insats_list": selectors.insatser_for_deltagare(request),
    }
    return render(request, "deltagare/sok.html", context)


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
    }
    form = AndraForm(request.POST or None, initial=initial, identified=d.is_identified)
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
        try:
            result = services.deltagande_update(
                deltagande=d,
                user=request.user,
                kon=data["kon"].kod,
                inskrivning=data["inskrivning"],
                fodelsear=data.get("fodelsear"),
                start=start,
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


# --- Person, consent document, registerutdrag ------------------------------------------------


@role_required(*STAFF)
def person(request, person_uuid):
    p = selectors.person_get_for_user(request, person_uuid)
    _log(request, vad=Atkomst.VISA, person=p)
    deltaganden = selectors.person_deltaganden_for_user(request, p)
    samtycken = Samtycke.objects.filter(
        person=p, insats__in=selectors.insatser_for_deltagare(request)
    ).select_related("insats", "vittne")
    return render(
        request,
        "deltagare/person.html",
        {"person": p, "deltaganden": deltaganden, "samtycken": samtycken},
    )


@role_required(*STAFF)
def samtycke_dokument(request, samtycke_uuid):
    samtycke = selectors.samtycke_for_user(request, samtycke_uuid)
    if not samtycke.dokument_krypterat:
        raise Http404
    from .crypto import decrypt_bytes

    _log(request, vad=Atkomst.DOKUMENT, person=samtycke.person)
    content = decrypt_bytes(samtycke.dokument_krypterat)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
        samtycke.dokument_typ, "bin"
    )
    response = HttpResponse(content, content_type=samtycke.dokument_typ)
    response["Content-Disposition"] = f'attachment; filename="samtycke-{samtycke.uuid}.{extension}"'
    return response


@role_required(*STAFF)
@require_POST
def registerutdrag(request, person_uuid):
    """Registerutdrag (GDPR art. 15) for a Person: everything the controller stores about them."""
    from .registerutdrag import registerutdrag_pdf

    p = selectors.person_get_for_user(request, person_uuid)
    with transaction.atomic():
        _log(request, vad=Atkomst.UTDRAG, person=p)
        pdf = registerutdrag_pdf(person=p, made_by=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="registerutdrag-{stamp}.pdf"'
    return response


# --- Export and import ---------------------------------------------------------------------


@role_required(*STAFF)
@require_POST
def export(request, insats_uuid):
    """Excel export of an insats's participations for its own staff; identity only when asked
    for, and then every identity in the file is logged as a read."""
    insats = selectors.insats_get_for_deltagare(request, insats_uuid)
    form = ExportForm(request.POST)
    with_identity = form.is_valid() and form.cleaned_data["identitet"]
    qs = selectors.deltagande_qs_for_user(request).filter(insats=insats)
    content = exporter.deltaganden_xlsx(
        qs=qs, with_identity=with_identity, user=request.user, begaran=_begaran(request)
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="deltagare-{insats.kod}-{stamp}.xlsx"'
    return response


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def importera(request):
    """Import participations from CSV/Excel (design section 7): validate all, then all or
    nothing; a dry-run changes nothing."""
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["fil"]
        result = importer.import_file(
            content=upload.read(),
            filename=upload.name,
            forbund=request.forbund,
            user=request.user,
            insatser=selectors.insatser_for_deltagare(request),
            dry_run=form.cleaned_data["provkor"],
        )
        if result.imported:
            messages.success(request, f"{result.imported} deltaganden är importerade.")
    return render(
        request,
        "deltagare/importera.html",
        {"form": form, "result": result, "columns": importer.COLUMNS},
    )


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
    return render(
        request,
        "deltagare/logg.html",
        {"form": form, "page": page, "query": query.urlencode(), "chain_broken": chain_broken},
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
