"""Consent: recording it (at registration or renewed later). Withdrawal is in ``radering``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from .. import crypto
from ..models import Atkomst, Deltagande, Person, Samtycke, Samtyckessatt
from .atkomst import atkomstlogg_write
from .common import DOCUMENT_TYPES, MAX_DOCUMENT_BYTES, SamtyckeInput, today


def validate_samtycke(samtycke: SamtyckeInput) -> dict[str, str]:
    """Consent rules: given no later than today, still valid, and a paper form is a PDF or an
    image of at most 5 MB; a consent given in person has the handläggare as witness."""
    errors: dict[str, str] = {}
    if samtycke.datum > today():
        errors["samtycke_datum"] = "Samtyckets datum kan inte ligga i framtiden."
    if samtycke.giltig_till is not None and samtycke.giltig_till < today():
        errors["samtycke_giltig_till"] = "Samtycket har redan gått ut; ett nytt samtycke behövs."
    if samtycke.giltig_till is not None and samtycke.giltig_till < samtycke.datum:
        errors["samtycke_giltig_till"] = "Samtycket kan inte gälla till före det lämnades."
    if samtycke.satt == Samtyckessatt.BLANKETT:
        if not samtycke.dokument:
            errors["samtycke_dokument"] = "Ladda upp den undertecknade blanketten (PDF eller bild)."
        elif len(samtycke.dokument) > MAX_DOCUMENT_BYTES:
            errors["samtycke_dokument"] = "Filen är större än 5 MB."
        elif samtycke.dokument_typ not in DOCUMENT_TYPES:
            errors["samtycke_dokument"] = "Blanketten ska vara en PDF, JPEG eller PNG."
    elif samtycke.satt not in Samtyckessatt.values:
        errors["samtycke_satt"] = "Välj hur samtycket lämnades."
    return errors


def samtycke_create(*, person: Person, insats, samtycke: SamtyckeInput, user) -> Samtycke:
    """Store a validated consent; the paper form is encrypted into the row (never on disk)."""
    return Samtycke.objects.create(
        forbund_id=insats.forbund_id,
        person=person,
        insats=insats,
        datum=samtycke.datum,
        satt=samtycke.satt,
        blankettversion=samtycke.blankettversion,
        giltig_till=samtycke.giltig_till,
        dokument_krypterat=crypto.encrypt_bytes(samtycke.dokument) if samtycke.dokument else None,
        dokument_typ=samtycke.dokument_typ if samtycke.dokument else "",
        vittne=user if samtycke.satt == Samtyckessatt.PERSONLIGEN else None,
        registrerad_av=user,
    )


@transaction.atomic
def samtycke_renew(
    *, deltagande: Deltagande, user, samtycke: SamtyckeInput, begaran: str = ""
) -> Samtycke:
    """A new consent for an identified participation (e.g. before the old one runs out): this
    participation and the person's open ones in the insats point at it from now on; the earlier
    consent stays as history."""
    deltagande = Deltagande.objects.select_for_update().get(pk=deltagande.pk)
    if not deltagande.is_identified:
        raise ValidationError({"__all__": "Ett anonymt deltagande har inget samtycke."})
    errors = validate_samtycke(samtycke)
    if errors:
        raise ValidationError(errors)
    row = samtycke_create(
        person=deltagande.person, insats=deltagande.insats, samtycke=samtycke, user=user
    )
    Deltagande.objects.filter(
        Q(utskrivning__isnull=True) | Q(pk=deltagande.pk),
        person_id=deltagande.person_id,
        insats_id=deltagande.insats_id,
    ).update(samtycke=row)
    atkomstlogg_write(
        user=user,
        forbund=deltagande.insats.forbund,
        vad=Atkomst.ANDRA,
        deltagande=deltagande,
        begaran=begaran,
    )
    return row
