"""Display of exact figures: fractions and shares without floats."""

from decimal import Decimal
from fractions import Fraction

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from forbund.berakning import percent

register = template.Library()


@register.filter
def fraction(value) -> str:
    """An exact weight as a number with at most two decimals (display only)."""
    if not isinstance(value, Fraction):
        return str(value)
    if value.denominator == 1:
        return intcomma(value.numerator)
    shown = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"))
    return intcomma(shown)


@register.filter
def pct(value) -> str:
    return str(percent(Fraction(value))).replace(".", ",")


@register.filter
def kr(value) -> str:
    """Whole kronor with thousands separators; '–' for nothing."""
    if value is None or value == "":
        return "–"
    return intcomma(int(value))


@register.filter
def sub(value, other):
    return value - other


@register.filter
def split(value: str) -> list[str]:
    return value.split()


@register.filter
def field(form, name: str):
    return form[name]
