"""Factories and helpers for the förbund tests (added beside the shared tests/factories.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from forbund.models import Befolkning, Finansieringsar, Forbund, Medlem, MedlemTyp
from tests.factories import kommun


def kommun_medlem(forbund: Forbund, kod: str) -> Medlem:
    return Medlem.objects.get(forbund=forbund, kommun__kod=kod)


def befolkning(forbund: Forbund, ar: int, **by_kod: int) -> None:
    for kod, antal in by_kod.items():
        Befolkning.objects.create(
            forbund=forbund, kommun=kommun(kod.removeprefix("k")), ar=ar, antal=antal
        )


def tilldelning(forbund: Forbund, ar: int, belopp: int, ovriga: int = 0) -> Finansieringsar:
    return Finansieringsar.objects.create(
        forbund=forbund, ar=ar, statlig_tilldelning=Decimal(belopp), ovriga_intakter=Decimal(ovriga)
    )


def region(forbund: Forbund) -> Medlem:
    return Medlem.objects.get(forbund=forbund, typ=MedlemTyp.REGION)


D = dt.date
