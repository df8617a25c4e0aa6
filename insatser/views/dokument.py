"""Uploading, streaming and removing an insats's documents."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from finsam.decorators import role_required

from .. import selectors, services
from ..forms import (
    DokumentForm,
)
from ..models import Dokument
from .common import ALL_ROLES, _apply_errors
from .insats import _detail


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
