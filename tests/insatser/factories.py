"""Factories for the insatser tests (the shared ``tests/factories.py`` stays untouched)."""

from __future__ import annotations

import datetime as dt

from finsam.permissions import DELTAGARANSVARIG, insats_grant
from finsam.roles import Role
from forbund.models import Medlem, MedlemTyp
from insatser.models import Insats, Kategori, Malgrupp, Metod
from insatser.reference import kodlistor_ensure
from insatser.services import insats_create
from tests.factories import user_with_role


def kommun_medlem(forbund) -> Medlem:
    return forbund.medlemmar.filter(typ=MedlemTyp.KOMMUN).order_by("namn").first()


def region(forbund) -> Medlem:
    return forbund.medlemmar.get(typ=MedlemTyp.REGION)


def full_insats(forbund, *, user=None, **overrides) -> Insats:
    """An insats created through the service, with kategori, members and a data controller."""
    kodlistor_ensure()
    controller = kommun_medlem(forbund)
    data = {
        "kod": overrides.pop("kod", None) or f"T{Insats.objects.count() + 1}",
        "namn": "Ungdomsteamet",
        "beskrivning": "",
        "kategori": Kategori.objects.get(kod="SAMORD"),
        "status": "ANSOKAN",
        "beslut": None,
        "registreringsform": "PERSON",
        "malgrupper": list(Malgrupp.objects.filter(kod__in=["UNGA", "PSYK"])),
        "metoder": list(Metod.objects.filter(kod="COACH")),
        "huvudman": [controller],
        "personuppgiftsansvarig": controller,
        "startdatum": dt.date(2025, 1, 1),
        "planerat_slutdatum": dt.date(2026, 12, 31),
        "slutdatum": None,
        "planerade_deltagare": 40,
        "malvarden": "40 % till arbete eller studier",
    }
    data.update(overrides)
    if isinstance(data["kategori"], str):
        data["kategori"] = Kategori.objects.get(kod=data["kategori"])
    return insats_create(forbund=forbund, user=user, data=data)


def volym_insats(forbund, **kw) -> Insats:
    return full_insats(
        forbund, kategori="FOREB", registreringsform="VOLYM", personuppgiftsansvarig=None, **kw
    )


def struktur_insats(forbund, **kw) -> Insats:
    return full_insats(
        forbund, kategori="KOMP", registreringsform="STRUKTUR", personuppgiftsansvarig=None, **kw
    )


def staff(forbund, insats: Insats, perm: str = DELTAGARANSVARIG, role=Role.HANDLAGGARE):
    """A user employed by the insats's controller (or the first kommun), granted ``perm``."""
    medlem = insats.personuppgiftsansvarig or kommun_medlem(forbund)
    user = user_with_role(forbund, role, medlem=medlem)
    insats_grant(user=user, insats=insats, perm=perm)
    return user
