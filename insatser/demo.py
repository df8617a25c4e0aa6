"""Demo data for the insatser app."""

from __future__ import annotations

import datetime as dt

from finsam.permissions import DELTAGARANSVARIG, INSATSANSVARIG, insats_grant

from .models import Insats, Registreringsform


def seed(ctx) -> None:
    forbund = ctx.forbund
    specs = [
        ("UNGA", "Ungdomsteamet Bergslagsdalen", "Hedemora kommun", dt.date(2024, 1, 1)),
        ("SE-PSYK", "Supported Employment psykiatri", "Region Dalarna", dt.date(2024, 3, 1)),
    ]
    for kod, namn, controller, start in specs:
        insats, created = Insats.objects.get_or_create(
            forbund=forbund,
            kod=kod,
            defaults={
                "namn": namn,
                "registreringsform": Registreringsform.PERSON,
                "personuppgiftsansvarig": ctx.medlemmar[controller],
                "startdatum": start,
            },
        )
        if created:
            ctx.log.append(f"insats {kod}")
    unga = Insats.objects.get(forbund=forbund, kod="UNGA")
    se = Insats.objects.get(forbund=forbund, kod="SE-PSYK")
    insats_grant(user=ctx.users["handlaggare"], insats=unga, perm=DELTAGARANSVARIG)
    insats_grant(user=ctx.users["insatsansvarig"], insats=se, perm=INSATSANSVARIG)
