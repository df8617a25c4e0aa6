"""Erasure: consent withdrawal and gallring turn participations anonymous."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from forbund.models import Forbund

from ..kodlistor import FEL
from ..models import (
    Anonymisering,
    Anonymiseringsorsak,
    Deltagande,
    DeltagareInstallning,
    Forsorjning,
    Person,
    Samtycke,
    Uppfoljning,
)
from .common import add_months, today

logger = logging.getLogger(__name__)


# --- Erasure: consent withdrawal and gallring ------------------------------------------------


def _deltagande_anonymise(deltagande: Deltagande, *, orsak: str, user) -> None:
    """Turn a participation into an anonymous one (design section 4.4): kön, birth year,
    insats and dates stay; identity link, consent, start/end details, försörjning rows and
    follow-ups go. The ledger gets who, when and the number, never the identity."""
    Forsorjning.objects.filter(deltagande=deltagande).delete()
    Uppfoljning.objects.filter(deltagande=deltagande).delete()
    deltagande.person = None
    deltagande.samtycke = None
    deltagande.utbildning = None
    deltagande.sysselsattning_fore = None
    deltagande.tid_offentlig_forsorjning = None
    deltagande.anvisande_part = None
    deltagande.sysselsattning_efter = None
    if deltagande.avslutsorsak_id != FEL:
        deltagande.avslutsorsak = None
    deltagande.anonymiserad = timezone.now()
    deltagande.save()
    _deltagande_history_purge(deltagande)
    Anonymisering.objects.create(
        forbund_id=deltagande.forbund_id,
        deltagande=deltagande,
        nummer=deltagande.nummer,
        orsak=orsak,
        utford_av=user,
    )


# The participation's details, which anonymisation removes from the row and its history.
DETAIL_FIELDS = (
    "utbildning",
    "sysselsattning_fore",
    "tid_offentlig_forsorjning",
    "anvisande_part",
    "sysselsattning_efter",
)


def _deltagande_history_purge(deltagande: Deltagande) -> None:
    """The audit trail (finsam.audit) forgets the details too (design section 4.4): its events of
    the participation keep kön, birth year, insats, dates and who changed them when, the
    details become empty (avslutsorsak too, unless FEL), and the events of its försörjning rows
    and follow-ups are deleted. Same transaction as the anonymisation."""
    events = Deltagande.pgh_event_model.objects.filter(pgh_obj_id=deltagande.pk)
    events.update(**dict.fromkeys(DETAIL_FIELDS))
    events.exclude(avslutsorsak_id=FEL).update(avslutsorsak=None)
    Forsorjning.pgh_event_model.objects.filter(deltagande_id=deltagande.pk).delete()
    Uppfoljning.pgh_event_model.objects.filter(deltagande_id=deltagande.pk).delete()


def _person_delete_if_unused(person: Person) -> bool:
    if Deltagande.objects.filter(person=person).exists():
        return False
    person.delete()  # its consents (and their documents) go with it
    return True


@transaction.atomic
def samtycke_withdraw(*, deltagande: Deltagande, user) -> list[str]:
    """Consent withdrawal (issue 5, design section 4.4): the consent is per insats, so every
    participation of the person in this insats becomes anonymous at once; the consents for the
    insats (with their documents) are erased; a Person left without participations is erased.
    Finished reports are frozen elsewhere and do not change. Returns the numbers anonymised."""
    deltagande = Deltagande.objects.select_for_update().get(pk=deltagande.pk)
    if deltagande.person_id is None:
        raise ValidationError({"__all__": "Deltagandet är redan anonymt."})
    person = deltagande.person
    affected = list(
        Deltagande.objects.select_for_update().filter(person=person, insats_id=deltagande.insats_id)
    )
    for row in affected:
        _deltagande_anonymise(row, orsak=Anonymiseringsorsak.ATERKALLAT, user=user)
    if not _person_delete_if_unused(person):
        # The person takes part elsewhere with consent: keep the fact and date of the
        # withdrawal (shown in the registerutdrag), erase the signed form at once.
        Samtycke.objects.filter(person=person, insats_id=deltagande.insats_id).update(
            aterkallad=today(), dokument_krypterat=None, dokument_typ=""
        )
    logger.info("samtycke återkallat: %d deltaganden anonymiserade", len(affected))
    return [row.nummer for row in affected]


@dataclass
class GallringResult:
    persons: int = 0
    deltaganden: int = 0
    per_forbund: dict[str, int] = field(default_factory=dict)


@transaction.atomic
def gallring_run(*, day: dt.date | None = None) -> GallringResult:
    """Gallring (issue 5): anonymise the identity of every Person whose last participation ended
    more than N months ago (N per förbund, default 24), the same way as a withdrawal. Persons
    with an open participation are kept. Idempotent: a second run finds nothing to do."""
    day = day or today()
    result = GallringResult()
    months = dict(DeltagareInstallning.objects.values_list("forbund_id", "gallring_manader"))
    candidates = (
        Person.objects.annotate(
            senaste=Max("deltaganden__utskrivning"),
        )
        .filter(senaste__isnull=False)
        .exclude(deltaganden__utskrivning__isnull=True)
        .select_related("forbund")
        .order_by("id")
    )
    for person in candidates:
        limit = add_months(person.senaste, months.get(person.forbund_id, 24))
        if limit >= day:
            continue
        rows = list(Deltagande.objects.select_for_update().filter(person=person))
        if any(r.utskrivning is None for r in rows) or max(r.utskrivning for r in rows) != (
            person.senaste
        ):
            continue  # changed since the candidates were read
        for row in rows:
            _deltagande_anonymise(row, orsak=Anonymiseringsorsak.GALLRING, user=None)
        person.delete()
        result.persons += 1
        result.deltaganden += len(rows)
        name = person.forbund.namn
        result.per_forbund[name] = result.per_forbund.get(name, 0) + len(rows)
    logger.info(
        "gallring: %d personer, %d deltaganden anonymiserade", result.persons, result.deltaganden
    )
    return result


@transaction.atomic
def installning_set(*, forbund: Forbund, gallring_manader: int) -> DeltagareInstallning:
    """The retention period per förbund (months after the last utskrivning; at least 1)."""
    if gallring_manader < 1:
        raise ValidationError({"gallring_manader": "Ange minst en månad."})
    row, _ = DeltagareInstallning.objects.update_or_create(
        forbund=forbund, defaults={"gallring_manader": gallring_manader}
    )
    return row
