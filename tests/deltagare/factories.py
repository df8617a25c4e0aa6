"""Helpers for deltagare tests: valid personnummer, an insats with its staff, registrations."""

from __future__ import annotations

import datetime as dt

from deltagare import kodlistor, services
from deltagare.personnummer import luhn_digit
from finsam.permissions import DELTAGARANSVARIG, INSATSANSVARIG, insats_grant
from finsam.roles import Role
from forbund.models import MedlemTyp
from tests.factories import InsatsFactory, user_with_role


def make_pnr(birth: dt.date, serial: int = 123, *, samordning: bool = False) -> str:
    """A valid 12-digit number for ``birth`` (serial = the three digits before the check)."""
    day = birth.day + (60 if samordning else 0)
    nine = f"{birth:%y%m}{day:02d}{serial:03d}"
    return f"{birth.year}{birth:%m}{day:02d}{serial:03d}{luhn_digit(nine)}"


CONSENT_DAY = dt.date(2025, 1, 10)
PNR_A = make_pnr(dt.date(1998, 4, 12), 239)
PNR_B = make_pnr(dt.date(1985, 11, 3), 456)


def kommun_medlem(forbund):
    return forbund.medlemmar.filter(typ=MedlemTyp.KOMMUN).order_by("id").first()


def region_medlem(forbund):
    return forbund.medlemmar.get(typ=MedlemTyp.REGION)


def person_insats(forbund, controller=None, **kwargs):
    kodlistor.ensure_loaded()
    return InsatsFactory(
        forbund=forbund,
        personuppgiftsansvarig=controller or kommun_medlem(forbund),
        startdatum=kwargs.pop("startdatum", dt.date(2020, 1, 1)),
        **kwargs,
    )


def staff_on(insats, role=Role.HANDLAGGARE, medlem=None, **kwargs):
    """A user employed by ``medlem`` (default: the insats's controller), granted on the insats."""
    user = user_with_role(
        insats.forbund, role, medlem=medlem or insats.personuppgiftsansvarig, **kwargs
    )
    perm = INSATSANSVARIG if role == Role.INSATSANSVARIG else DELTAGARANSVARIG
    insats_grant(user=user, insats=insats, perm=perm)
    return user


START = services.StartUppgifter(
    utbildning="GYMN",
    sysselsattning_fore="INGEN",
    tid_offentlig_forsorjning="1-2A",
    anvisande_part="AF",
    forsorjning_fore=["EKB", "AKST"],
)


def samtycke_personligen(datum=None):
    return services.SamtyckeInput(
        datum=datum or dt.date(2025, 1, 10), satt="PERSONLIGEN", blankettversion="2025:1"
    )


def register_identified(insats, user, pnr=PNR_A, inskrivning=dt.date(2025, 1, 15), **kwargs):
    return services.deltagande_register(
        insats=insats,
        user=user,
        kon=kwargs.pop("kon", "K"),
        inskrivning=inskrivning,
        personnummer=pnr,
        namn=kwargs.pop("namn", "Anna Andersson"),
        samtycke=kwargs.pop(
            "samtycke", samtycke_personligen(min(inskrivning, dt.date(2025, 1, 10)))
        ),
        start=kwargs.pop("start", START),
        **kwargs,
    ).deltagande


def register_anonymous(insats, user, inskrivning=dt.date(2025, 2, 1), **kwargs):
    return services.deltagande_register(
        insats=insats,
        user=user,
        kon=kwargs.pop("kon", "M"),
        fodelsear=kwargs.pop("fodelsear", 2001),
        inskrivning=inskrivning,
        **kwargs,
    ).deltagande


def end_identified(deltagande, user, utskrivning=dt.date(2025, 6, 30), **kwargs):
    return services.deltagande_end(
        deltagande=deltagande,
        user=user,
        utskrivning=utskrivning,
        avslutsorsak=kwargs.pop("avslutsorsak", "MAL"),
        sysselsattning_efter=kwargs.pop("sysselsattning_efter", "ARBETE"),
        forsorjning_efter=kwargs.pop("forsorjning_efter", ["LON"]),
    )
