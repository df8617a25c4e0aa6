"""Creating and editing an insats, its page, status steps and people."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from finsam.decorators import role_required
from finsam.models import User
from finsam.permissions import DELTAGARANSVARIG, INSATSANSVARIG
from finsam.roles import Role

from .. import selectors, services
from ..extensions import participant_summary
from ..forms import (
    AssignForm,
    DokumentForm,
    InsatsForm,
    TransitionForm,
)
from ..models import Insats, Registreringsform
from .common import ALL_ROLES, ROLL_PERMS, _apply_errors


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


HISTORY_SHOWN = 200


def _detail(request, insats: Insats, status: int = 200, **forms):
    access = selectors.insats_access(request, insats)
    handelser = list(selectors.insats_handelser(insats=insats, limit=HISTORY_SHOWN))
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
        "deltagare_section": participant_summary(request=request, insats=insats),
        "handelser": handelser,
        "handelser_total": (
            selectors.insats_handelser(insats=insats, limit=None).count()
            if len(handelser) == HISTORY_SHOWN
            else None
        ),
        "historik": selectors.insats_history(request, insats=insats),
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
