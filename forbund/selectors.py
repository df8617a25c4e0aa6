"""Reads about a förbund, always scoped to it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from finsam.models import Roll
from finsam.roles import Role

from .models import Forbund, Kommun, Medlem


def medlemmar_on(*, forbund: Forbund, day: dt.date) -> QuerySet[Medlem]:
    return Medlem.objects.for_forbund(forbund).active_on(day).select_related("kommun")


def kommuner_covered_on(*, forbund: Forbund, day: dt.date) -> QuerySet[Kommun]:
    """The kommuner a förbund covers on a day: those that are members on that day."""
    return Kommun.objects.filter(
        medlemskap__in=Medlem.objects.for_forbund(forbund).active_on(day)
    ).order_by("namn")


@dataclass
class Oversikt:
    forbund: Forbund
    day: dt.date
    medlemmar: list[Medlem]
    kommuner: list[Kommun]
    staff_by_role: list[tuple[str, int]]


def forbund_oversikt(*, forbund: Forbund, day: dt.date) -> Oversikt:
    medlemmar = list(medlemmar_on(forbund=forbund, day=day))
    kommuner = [m.kommun for m in medlemmar if m.kommun_id]
    counts = (
        Roll.objects.active()
        .filter(forbund=forbund)
        .values("roll")
        .annotate(n=Count("id"))
        .order_by("roll")
    )
    staff = [(Role(row["roll"]).label, row["n"]) for row in counts]
    return Oversikt(forbund, day, medlemmar, sorted(kommuner, key=lambda k: k.namn), staff)
