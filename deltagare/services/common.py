"""Shared helpers and input carriers of the deltagare services."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.utils import timezone

from ..models import (
    Deltagande,
)

logger = logging.getLogger(__name__)

AGE_MIN, AGE_MAX = 16, 64
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
DOCUMENT_TYPES = {"application/pdf", "image/jpeg", "image/png"}


def today() -> dt.date:
    return timezone.localdate()


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, clamped to the month's last day (31 Aug + 6 m = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# --- Input carriers ------------------------------------------------------------------------


@dataclass(frozen=True)
class SamtyckeInput:
    datum: dt.date
    satt: str
    blankettversion: str = ""
    giltig_till: dt.date | None = None
    dokument: bytes | None = None
    dokument_typ: str = ""


@dataclass(frozen=True)
class StartUppgifter:
    utbildning: str
    sysselsattning_fore: str
    tid_offentlig_forsorjning: str
    anvisande_part: str
    forsorjning_fore: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EndUppgifter:
    utskrivning: dt.date
    avslutsorsak: str | None = None
    sysselsattning_efter: str | None = None
    forsorjning_efter: list[str] = field(default_factory=list)


@dataclass
class Registrering:
    deltagande: Deltagande
    warnings: list[str]
    person_found: bool = False
    # True when the same form had already been saved (a double submit): nothing new was made.
    redan_sparad: bool = False
