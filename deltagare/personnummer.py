"""Swedish personnummer and samordningsnummer: validation and normalisation (design section 4).

A number is accepted with 10 or 12 digits, with or without the separator (``-``, or ``+`` for a
person who has turned 100), and normalised to 12 digits without separator (``YYYYMMDDNNNC``).
Samordningsnummer carry the day of birth plus 60. The check digit is the Luhn digit over the
10-digit form. The birth date must exist and may not lie in the future.

Nothing here logs or formats the number into a message: errors name the rule, never the value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_PATTERN = re.compile(
    r"^(?P<century>\d{2})?(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})(?P<sep>[-+]?)(?P<tail>\d{4})$"
)


class PersonnummerError(ValueError):
    """The input is not a valid personnummer or samordningsnummer; ``str()`` is a Swedish message
    that never repeats the input."""


@dataclass(frozen=True)
class Personnummer:
    normalised: str  # 12 digits
    birth_date: dt.date
    samordningsnummer: bool

    @property
    def birth_year(self) -> int:
        return self.birth_date.year

    def __str__(self) -> str:  # the dashed 12-digit form shown to authorised staff
        return f"{self.normalised[:8]}-{self.normalised[8:]}"

    def __repr__(self) -> str:  # never leak the number into tracebacks or logs
        return "Personnummer(<dolt>)"


def luhn_digit(nine_digits: str) -> int:
    """The Luhn check digit for the first nine digits of the 10-digit form."""
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def parse(value: object, *, today: dt.date | None = None) -> Personnummer:
    """Validate ``value`` and return the normalised number, or raise ``PersonnummerError``.

    Rules: 10 or 12 digits; an optional ``-`` or ``+`` before the last four; with 10 digits the
    century is the one that makes the person younger than 100 (``-``) or at least 100 (``+``);
    day + 60 marks a samordningsnummer; the date must exist and not be in the future; Luhn.
    """
    if not isinstance(value, str):
        raise PersonnummerError("Ange personnumret som text.")
    text = value.strip().replace(" ", "")
    match = _PATTERN.match(text)
    if not match:
        raise PersonnummerError(
            "Personnumret ska ha 10 eller 12 siffror, t.ex. ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN."
        )
    today = today or _today()
    century, yy, mm, dd, sep, tail = match.group("century", "yy", "mm", "dd", "sep", "tail")
    day = int(dd)
    samordning = day > 60
    if samordning:
        day -= 60
    if century is not None:
        if sep == "+":
            raise PersonnummerError("Plustecken används bara med 10 siffror.")
        year = int(century + yy)
    else:
        year = _year_from_two_digits(int(yy), int(mm), day, plus=(sep == "+"), today=today)
        if year is None:
            raise PersonnummerError("Födelsedatumet i personnumret finns inte.")
    try:
        birth = dt.date(year, int(mm), day)
    except ValueError:
        raise PersonnummerError("Födelsedatumet i personnumret finns inte.") from None
    if birth > today:
        raise PersonnummerError("Födelsedatumet i personnumret ligger i framtiden.")
    ten = yy + mm + dd + tail
    if luhn_digit(ten[:9]) != int(ten[9]):
        raise PersonnummerError("Kontrollsiffran stämmer inte; kontrollera personnumret.")
    return Personnummer(f"{year:04d}{mm}{dd}{tail}", birth, samordning)


def _year_from_two_digits(yy: int, mm: int, day: int, *, plus: bool, today: dt.date) -> int | None:
    """The latest year ending in ``yy`` whose date is not after today (minus 100 years for '+')."""
    limit = today.replace(year=today.year - 100) if plus else today
    for candidate in (
        limit.year - (limit.year - yy) % 100,
        limit.year - (limit.year - yy) % 100 - 100,
    ):
        try:
            if dt.date(candidate, mm, day) <= limit:
                return candidate
        except ValueError:
            return None
    return None


def normalise(value: object, *, today: dt.date | None = None) -> str:
    """The 12-digit form of a valid number; raises ``PersonnummerError`` otherwise."""
    return parse(value, today=today).normalised


def looks_like_personnummer(value: str) -> bool:
    """True when the text is a valid number (used to refuse numbers where none may be stored)."""
    try:
        parse(value)
    except PersonnummerError:
        return False
    return True


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
