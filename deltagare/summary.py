"""The participants summary on the insats page (an ``insatser.extensions`` section).

Aggregates only: counts for this year and the data-quality counts that tell the förbundschef
whom to ask. Staff who may see the participations get a link to the list; everyone who is not
the förbundschef or such staff (styrelse, ekonomi) sees counts under 5 masked.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from finsam.roles import Role
from insatser.extensions import Section
from insatser.models import Registreringsform

from .selectors import insats_aggregates

COUNT_KEYS = ("aktiva", "nya", "avslutade", "kvinnor", "man", "annat", "anonyma", "unga")
QUALITY_KEYS = ("saknar_efter", "uppfoljning", "samtycke")


def participant_summary(*, request, insats) -> Section | None:
    from insatser.selectors import insats_may_see_participants

    if insats.registreringsform != Registreringsform.PERSON:
        return None
    today = timezone.localdate()
    start = dt.date(today.year, 1, 1)
    row = next(
        (
            r
            for r in insats_aggregates(forbund=insats.forbund, start=start, end=today, day=today)
            if r["insats"].pk == insats.pk
        ),
        None,
    )
    if row is None:
        return None
    staff = insats_may_see_participants(request, insats)
    unmasked = staff or Role.FORBUNDSCHEF in request.roles
    counts = {k: row[k] for k in COUNT_KEYS + QUALITY_KEYS}
    if not unmasked:
        counts = {k: ("<5" if isinstance(v, int) and 0 < v < 5 else v) for k, v in counts.items()}
    return Section(
        heading=f"Deltagare {today.year}",
        template="deltagare/_insats_sammanfattning.html",
        context={
            "counts": counts,
            "quality": Role.FORBUNDSCHEF in request.roles or staff,
            "list_url": reverse("deltagare:insats", kwargs={"insats_uuid": insats.uuid})
            if staff
            else None,
            "masked": not unmasked,
        },
    )


def start_page_reminders(request) -> list[dict]:
    """Follow-ups due, participations ended without efter-data and consents about to expire,
    for the handläggare's own insatser (counts only; the lists are one click away)."""
    from finsam.roles import PARTICIPANT_ROLES

    from . import services
    from .selectors import reminder_counts

    if not (request.roles & PARTICIPANT_ROLES):
        return []
    counts = reminder_counts(request, services.today())
    items = []
    if counts["uppfoljning"]:
        items.append(
            {
                "text": f"{counts['uppfoljning']} uppföljningar efter avslut är aktuella",
                "url": reverse("deltagare:uppfoljningar"),
            }
        )
    if counts["saknar_efter"]:
        items.append(
            {
                "text": f"{counts['saknar_efter']} avslutade deltaganden saknar uppgifter efter",
                "url": reverse("deltagare:mina"),
            }
        )
    if counts["samtycke"]:
        items.append(
            {
                "text": f"{counts['samtycke']} samtycken går snart ut",
                "url": reverse("deltagare:mina"),
            }
        )
    return items
