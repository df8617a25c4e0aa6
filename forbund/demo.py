"""Demo data for the förbund app: one fictional förbund covering three real kommuner."""

from __future__ import annotations

import datetime as dt

from .models import Forbund, Kommun, Medlem, MedlemTyp
from .reference import kommuner_load

DEMO_FORBUND = "Samordningsförbundet Bergslagsdalen"
DEMO_KOMMUNER = ["2083", "2082", "2084"]  # Hedemora, Säter, Avesta
DEMO_START = dt.date(2019, 1, 1)


def seed(ctx) -> None:
    kommuner_load(Kommun)  # a flushed test database has lost the migration's rows
    forbund, created = Forbund.objects.get_or_create(
        namn=DEMO_FORBUND, defaults={"organisationsnummer": "222000-0000"}
    )
    if created:
        ctx.log.append(f"förbund {forbund.namn}")
    ctx.forbund = forbund
    members = [
        (MedlemTyp.FK, "Försäkringskassan", None),
        (MedlemTyp.AF, "Arbetsförmedlingen", None),
        (MedlemTyp.REGION, "Region Dalarna", None),
    ]
    for kod in DEMO_KOMMUNER:
        kommun = Kommun.objects.get(kod=kod)
        members.append((MedlemTyp.KOMMUN, f"{kommun.namn} kommun", kommun))
    for typ, namn, kommun in members:
        medlem, _ = Medlem.objects.get_or_create(
            forbund=forbund,
            typ=typ,
            namn=namn,
            defaults={"kommun": kommun, "startdatum": DEMO_START},
        )
        ctx.medlemmar[namn] = medlem
