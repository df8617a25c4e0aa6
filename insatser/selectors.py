"""Reads about insatser, always scoped to the förbund first and the user second."""

from __future__ import annotations

from django.db.models import QuerySet

from finsam.permissions import insatser_granted

from .models import Insats


def insatser_for_user(*, forbund, user) -> QuerySet[Insats]:
    """The insatser of the förbund that the user is granted on (insatsansvarig or
    deltagaransvarig). Scoped to the förbund before guardian narrows it."""
    return insatser_granted(user=user, queryset=Insats.objects.for_forbund(forbund)).select_related(
        "personuppgiftsansvarig"
    )
