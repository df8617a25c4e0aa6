"""Documents of an insats, stored under MEDIA_ROOT and only streamed by access-checked views."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    Dokument,
    Dokumenttyp,
    Insats,
)
from .history import handelse_record

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from finsam.models import User

DOKUMENT_SUFFIXES = {".pdf", ".docx", ".doc", ".odt", ".xlsx", ".xls", ".ods", ".pptx", ".txt"}
DOKUMENT_MAX_BYTES = 20 * 1024 * 1024


def dokument_check(fil: UploadedFile) -> None:
    """Only office and PDF documents up to 20 MB: they are opened by colleagues' programs."""
    from pathlib import PurePath

    suffix = PurePath(fil.name or "").suffix.lower()
    if suffix not in DOKUMENT_SUFFIXES:
        raise ValidationError(
            {
                "fil": _("Filtypen %(s)s tillåts inte. Tillåtna: %(ok)s.")
                % {"s": suffix or "(ingen)", "ok": ", ".join(sorted(DOKUMENT_SUFFIXES))}
            }
        )
    if fil.size > DOKUMENT_MAX_BYTES:
        raise ValidationError({"fil": _("Filen är större än 20 MB.")})
    if fil.size == 0:
        raise ValidationError({"fil": _("Filen är tom.")})


@transaction.atomic
def dokument_upload(
    *, insats: Insats, user: User, typ: str, datum: dt.date, fil: UploadedFile, titel: str = ""
) -> Dokument:
    """Store a document (ansökan, delrapport, slutrapport, utvärdering …) with its date under
    MEDIA_ROOT; it is only ever streamed by an access-checked view. Recorded in the history."""
    dokument_check(fil)
    from pathlib import PurePath

    dokument = Dokument(
        forbund_id=insats.forbund_id,
        insats=insats,
        typ=typ,
        datum=datum,
        titel=titel.strip(),
        filnamn=PurePath(fil.name).name[:200],
        storlek=fil.size,
        uploaded_by=user,
    )
    dokument.fil.save(fil.name, fil, save=False)
    try:
        dokument.full_clean(exclude=["fil"])
        dokument.save()
    except Exception:
        dokument.fil.delete(save=False)
        raise
    handelse_record(
        insats=insats,
        user=user,
        falt=_("Dokument uppladdat"),
        gammalt="",
        nytt=f"{Dokumenttyp(typ).label} {datum:%Y-%m-%d}: {dokument.titel or dokument.filnamn}",
    )
    return dokument


@transaction.atomic
def dokument_delete(*, dokument: Dokument, user: User) -> None:
    """Remove a document and its file; the history keeps that it existed."""
    insats = dokument.insats
    handelse_record(
        insats=insats,
        user=user,
        falt=_("Dokument borttaget"),
        gammalt=f"{dokument.get_typ_display()} {dokument.datum:%Y-%m-%d}: "
        f"{dokument.titel or dokument.filnamn}",
        nytt="",
    )
    storage, name = dokument.fil.storage, dokument.fil.name
    dokument.delete()
    transaction.on_commit(lambda: storage.delete(name))
