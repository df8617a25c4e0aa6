"""The person page, the consent document, the registerutdrag, export and import."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from finsam.decorators import role_required

from .. import exporter, importer, selectors
from ..forms import (
    ExportForm,
    ImportForm,
)
from ..models import Atkomst, Samtycke
from .common import STAFF, _begaran, _log

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
    from ..crypto import decrypt_bytes

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
    from ..registerutdrag import registerutdrag_pdf

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
