"""Registerutdrag (GDPR art. 15): a PDF of everything stored about one Person by its controller:
identity, consents, participations with their details and follow-ups, and who read the data.

WeasyPrint renders with a URL fetcher that refuses everything: the template is self-contained
(no stylesheets, images or fonts fetched), so no URL in stored data can make it fetch anything.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone, translation

from .kodlistor import ALDERSGRUPP_LABELS
from .models import Atkomstlogg, Deltagande, Person, Samtycke, Skede, Uppfoljning


def _refuse_fetch(url: str, *args, **kwargs):
    raise ValueError("Registerutdraget hämtar inga externa resurser.")


def registerutdrag_context(*, person: Person) -> dict:
    deltaganden = list(
        Deltagande.objects.filter(person=person)
        .select_related(
            "insats",
            "kon",
            "utbildning",
            "sysselsattning_fore",
            "tid_offentlig_forsorjning",
            "anvisande_part",
            "avslutsorsak",
            "sysselsattning_efter",
        )
        .prefetch_related("forsorjning__kalla")
        .order_by("inskrivning")
    )
    for d in deltaganden:
        d.fore = [f.kalla for f in d.forsorjning.all() if f.skede == Skede.FORE]
        d.efter = [f.kalla for f in d.forsorjning.all() if f.skede == Skede.EFTER]
        d.aldersgrupp_label = ALDERSGRUPP_LABELS[d.aldersgrupp]
    return {
        "person": person,
        "personnummer": person.personnummer_display,
        "namn": person.namn,
        "samtycken": Samtycke.objects.filter(person=person).select_related("insats", "vittne"),
        "deltaganden": deltaganden,
        "uppfoljningar": Uppfoljning.objects.filter(deltagande__person=person)
        .select_related("deltagande", "sysselsattning")
        .prefetch_related("forsorjning")
        .order_by("deltagande__nummer", "punkt"),
        "logg": Atkomstlogg.objects.filter(person_uuid=person.uuid)
        .select_related("user", "deltagande")
        .order_by("tidpunkt"),
        "skapad": timezone.localtime(),
    }


def registerutdrag_pdf(*, person: Person, made_by) -> bytes:
    from weasyprint import HTML

    with translation.override("sv"):
        context = registerutdrag_context(person=person)
        context["made_by"] = made_by
        html = render_to_string("deltagare/pdf/registerutdrag.html", context)
    return HTML(string=html, url_fetcher=_refuse_fetch, base_url=None).write_pdf()
