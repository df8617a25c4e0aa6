from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from finsam.decorators import role_required
from finsam.roles import Role

from .forms import DelningForm, RapportOrderForm
from .models import Omfattning, RapportStatus, UppfoljningInstallning, Variant
from .rendering import report_context
from .selectors import rapport_get_for_user, rapporter_visible, snapshot_changes
from .services import installning_set_delning, rapport_order, rapport_reorder
from .stats.core import forbund_scope

REPORT_READERS = (Role.FORBUNDSCHEF, Role.EKONOMI, Role.STYRELSE, Role.NATIONELL)


def _ordered_message(request, rapport, text: str) -> None:
    """The order is saved either way; say plainly when it waits for the background service
    (Redis down) rather than pretend it is being made."""
    if getattr(rapport, "skickad", None) is False:
        messages.warning(
            request,
            _(
                "%(titel)s är beställd och står i kö. Bakgrundstjänsten går inte att nå just nu; "
                "rapporten tas fram automatiskt när den är tillbaka."
            )
            % {"titel": rapport.titel},
        )
        return
    messages.success(request, text)


@role_required(Role.NATIONELL)
@require_http_methods(["GET", "POST"])
def nationell(request):
    """National reports: the nationell role orders them across every förbund that shares
    national statistics; they are always masked, and read-only for everyone else."""
    form = RapportOrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rapport = rapport_order(
            forbund=None,
            user=request.user,
            typ=form.cleaned_data["typ"],
            period=form.cleaned_data["period"],
            variant=Variant.NATIONELL,
        )
        _ordered_message(
            request,
            rapport,
            _("Nationell %(titel)s är beställd och tas fram i bakgrunden.")
            % {"titel": rapport.titel.lower()},
        )
        return redirect("uppfoljning:nationell")
    rapport_list = list(rapporter_visible(request).filter(omfattning=Omfattning.NATIONELL)[:100])
    return render(
        request,
        "uppfoljning/nationell.html",
        {
            "form": form,
            "rapport_list": rapport_list,
            "polling": any(r.is_running for r in rapport_list),
            "antal_forbund": forbund_scope(None).count(),
        },
    )


@role_required(*REPORT_READERS)
@require_http_methods(["GET", "POST"])
def rapporter(request):
    can_order = Role.FORBUNDSCHEF in request.roles
    form = RapportOrderForm(request.POST or None) if can_order else None
    if request.method == "POST":
        if not can_order:
            raise Http404
        if form.is_valid():
            rapport = rapport_order(
                forbund=request.forbund,
                user=request.user,
                typ=form.cleaned_data["typ"],
                period=form.cleaned_data["period"],
            )
            _ordered_message(
                request,
                rapport,
                _("%(titel)s är beställd och tas fram i bakgrunden.") % {"titel": rapport.titel},
            )
            return redirect("uppfoljning:rapporter")
    rapport_list = list(rapporter_visible(request)[:100])
    delning = None
    if can_order:
        setting = UppfoljningInstallning.objects.filter(forbund=request.forbund).first()
        delning = DelningForm(
            initial={
                "delar_nationell_statistik": setting.delar_nationell_statistik if setting else True
            }
        )
    context = {
        "delning": delning,
        "form": form,
        "rapport_list": rapport_list,
        "polling": any(r.is_running for r in rapport_list),
    }
    return render(request, "uppfoljning/rapporter.html", context)


@role_required(Role.FORBUNDSCHEF)
@require_POST
def delning(request):
    form = DelningForm(request.POST)
    if form.is_valid():
        delar = form.cleaned_data["delar_nationell_statistik"]
        installning_set_delning(forbund=request.forbund, delar=delar)
        messages.success(
            request,
            _("Förbundets statistik ingår nu i nationella sammanställningar.")
            if delar
            else _("Förbundets statistik ingår inte längre i nationella sammanställningar."),
        )
    return redirect("uppfoljning:rapporter")


@role_required(*REPORT_READERS)
@require_safe
def rapporter_rader(request):
    """htmx partial: the report rows, polled while any report is being made."""
    rapport_list = list(rapporter_visible(request)[:100])
    return render(
        request,
        "uppfoljning/_rapport_rader.html",
        {"rapport_list": rapport_list, "polling": any(r.is_running for r in rapport_list)},
    )


@role_required(*REPORT_READERS)
@require_safe
def rapport_detalj(request, uuid):
    rapport = rapport_get_for_user(request, uuid)
    context = {"rapport": rapport, "changes": []}
    if rapport.status == RapportStatus.KLAR and rapport.snapshot:
        context.update(report_context(rapport, rapport.snapshot))
        if rapport.foregaende_id:
            previous = rapporter_visible(request).filter(pk=rapport.foregaende_id).first()
            if previous is not None:
                context["foregaende"] = previous
                context["changes"] = snapshot_changes(previous.snapshot, rapport.snapshot)
    return render(request, "uppfoljning/rapport_detalj.html", context)


@role_required(*REPORT_READERS)
@require_safe
def rapport_fil(request, uuid, format):
    rapport = rapport_get_for_user(request, uuid)
    field = {"pdf": rapport.pdf, "xlsx": rapport.xlsx}.get(format)
    if rapport.status != RapportStatus.KLAR or not field:
        raise Http404
    return FileResponse(
        field.open("rb"), as_attachment=True, filename=f"{rapport.file_stem()}.{format}"
    )


@role_required(Role.FORBUNDSCHEF)
@require_POST
def rapport_ny_version(request, uuid):
    rapport = rapport_get_for_user(request, uuid)
    if rapport.status not in (RapportStatus.KLAR, RapportStatus.MISSLYCKAD):
        raise Http404
    new = rapport_reorder(rapport=rapport, user=request.user)
    messages.success(request, _("En ny version av rapporten tas fram."))
    return redirect("uppfoljning:rapport", uuid=new.uuid)
