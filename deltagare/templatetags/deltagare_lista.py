"""The rows of the participant lists (``deltagare/_lista.html``), rendered in Python.

A page shows 50 rows of eight cells; through the template language each row cost about 0.2 ms
(variable lookups, filters, a URL reversed per row), most of the list page's time at 100,000
participations (docs/performance.md, section 3). This tag writes the same markup with
``format_html``: every value is escaped as the template would escape it.
"""

from __future__ import annotations

import uuid

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join

register = template.Library()

_PLACEHOLDER = uuid.UUID(int=0)
_BADGES = (
    ("flag_saknar_efter", "Efter-uppgifter saknas"),
    ("flag_uppfoljning", "Uppföljning att göra"),
    ("flag_samtycke", "Samtycke går ut"),
)


def _url_parts(name: str) -> tuple[str, str]:
    url = reverse(name, args=[_PLACEHOLDER])
    before, after = url.split(str(_PLACEHOLDER), 1)
    return before, after


def _registrering(d) -> str:
    if d.is_fel:
        return format_html('<span class="badge badge--muted">{}</span>', "Felregistrering")
    return "Med identitet" if d.person_id else "Anonym"


def _saknas(d) -> str:
    return format_html_join(
        "",
        '<span class="badge badge--warn">{}</span>',
        ((label,) for flag, label in _BADGES if getattr(d, flag, False)),
    )


@register.simple_tag
def deltagande_rader(page, show_insats=False):
    """``<tr>`` for each row of ``page``: ``deltagare.lista.ListRow`` (or a participation
    annotated by ``selectors.with_flags``)."""
    # One reverse for the page: the participation's URL differs only in its uuid.
    before, after = _url_parts("deltagare:deltagande")
    rows = []
    for d in page:
        rows.append(
            format_html(
                '<tr><td><a href="{}{}{}">{}</a></td>{}<td>{}</td><td>{} år</td><td>{}</td>'
                "<td>{}</td><td>{}</td><td>{}</td></tr>",
                before,
                d.uuid,
                after,
                d.nummer,
                format_html("<td>{}</td>", d.insats.kod) if show_insats else "",
                d.kon.namn,
                d.alder,
                d.inskrivning.isoformat(),
                d.utskrivning.isoformat() if d.utskrivning else "pågår",
                _registrering(d),
                _saknas(d),
            )
        )
    if not rows:
        return format_html(
            '<tr><td colspan="{}">Inga deltaganden matchar.</td></tr>', 8 if show_insats else 7
        )
    return format_html_join("\n", "{}", ((row,) for row in rows))  # each row is already safe


@register.simple_tag
def insats_atgarder(insatser):
    """``<li>`` per insats on the start of the Deltagare pages: register in it, open its list."""
    registrera, lista = _url_parts("deltagare:registrera"), _url_parts("deltagare:insats")
    return format_html_join(
        "\n",
        '<li><a class="button" href="{}{}{}">Registrera i {}'
        '<span class="visually-hidden"> {}</span></a> <a href="{}{}{}">{}</a></li>',
        (
            (
                registrera[0],
                insats.uuid,
                registrera[1],
                insats.kod,
                insats.namn,
                lista[0],
                insats.uuid,
                lista[1],
                insats.namn,
            )
            for insats in insatser
        ),
    )
