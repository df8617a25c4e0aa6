"""Lists of participations and the registration flow."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from finsam import ratelimit
from finsam.decorators import role_required

from .. import selectors, services
from ..forms import (
    AnonymForm,
    ExportForm,
    FilterForm,
    IdentifiedForm,
    SokForm,
    StartFragorForm,
)
from ..kodlistor import ALDERSGRUPP_LABELS
from ..models import Atkomst
from .common import PAGE_SIZE, STAFF, _apply_errors, _begaran, _log

# --- Lists ---------------------------------------------------------------------------------


def _filtered_list(request, insats=None, unfiltered_count=None):
    """``unfiltered_count``: the number of visible participations when known (the cached
    reminder counts' ``alla``), used as the page count when no filter is set."""
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
    paginator = Paginator(qs, PAGE_SIZE)
    if unfiltered_count is not None and flt == selectors.Filter(insats=insats) and insats is None:
        paginator.count = unfiltered_count  # the same rows, counted without a query
    page = paginator.get_page(request.GET.get("sida"))
    query = request.GET.copy()
    query.pop("sida", None)
    return form, page, query.urlencode()


@role_required(*STAFF)
def mina(request):
    """Participations across the user's insatser, with reminders and the search."""
    insats_list = selectors.insatser_list_for_deltagare(request)  # first: it fills the ids
    reminders = selectors.reminder_counts(request, services.today())
    form, page, query = _filtered_list(request, unfiltered_count=reminders["alla"])
    context = {
        "filter_form": form,
        "page": page,
        "query": query,
        "insats_list": insats_list,
        "reminders": reminders,
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
@sensitive_post_parameters("personnummer", "namn")
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
                if result.redan_sparad:
                    messages.info(request, "Registreringen var redan sparad.")
                    return redirect("deltagare:deltagande", deltagande_uuid=d.uuid)
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
        form = form_class(
            initial={"inskrivning": services.today(), "inlamningsnyckel": uuid.uuid4()}
        )
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
            inlamningsnyckel=data.get("inlamningsnyckel"),
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
        inlamningsnyckel=data.get("inlamningsnyckel"),
    )


# No enumeration by brute force: at most this many personnummer searches per user and window.
SEARCH_LIMIT = 30
SEARCH_WINDOW = 10 * 60


@role_required(*STAFF)
@require_POST
@sensitive_post_parameters("personnummer")
def sok(request):
    """Search by personnummer (POST only: the number never reaches a URL or a server log).
    Finds the person under the controllers of the user's insatser; each hit with visible
    participations writes one access-log row."""
    form = SokForm(request.POST)
    hits = []
    if not ratelimit.allow(
        f"pnr-sok:{request.user.uuid}", limit=SEARCH_LIMIT, window_seconds=SEARCH_WINDOW
    ):
        context = {
            "form": SokForm(),
            "limit_error": "För många sökningar på kort tid. Vänta några minuter och försök igen.",
            "hits": [],
            "searched": False,
            "insats_list": selectors.insatser_for_deltagare(request),
        }
        return render(request, "deltagare/sok.html", context, status=429)
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
