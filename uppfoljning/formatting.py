"""Swedish number formatting for reports: space as thousands separator, comma decimals, "12,5 %".

Used by the PDF, the browser preview and (for text cells) the Excel file, so every surface prints
the same figure the same way.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"


def sv_number(value, decimals: int = 0) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        return value
    if type(value) is int and not decimals:
        # Whole numbers need no rounding: Python groups the digits (the charts and tables format
        # hundreds of counts per page; the Decimal path below gives the same text).
        text = f"{abs(value):,}".replace(",", NBSP)
        return f"−{text}" if value < 0 else text
    quantum = Decimal(1).scaleb(-decimals)
    number = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "−" if number < 0 else ""
    whole, _, frac = f"{abs(number):f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = NBSP.join(groups) or "0"
    return f"{sign}{text},{frac}" if decimals else f"{sign}{text}"


def sv_percent(numerator, denominator, decimals: int = 1) -> str:
    """A share as "12,5 %" (with a non-breaking space), or "–" when the denominator is 0."""
    if not denominator or isinstance(numerator, str) or isinstance(denominator, str):
        return "–"
    return f"{sv_number(Decimal(numerator) * 100 / Decimal(denominator), decimals)}{NBSP}%"


def sv_kronor(value) -> str:
    return f"{sv_number(value)}{NBSP}kr"
