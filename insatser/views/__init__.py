"""Views for insatser: thin. Access goes through ``insats_get_for_user`` and ``insats_access``;
writes through ``insatser.services``; bad input re-renders the form with Swedish messages."""

from .dokument import dokument_hamta, dokument_ladda_upp, dokument_ta_bort
from .ekonomi import (
    budget_spara,
    budget_ta_bort,
    ekonomi,
    kostnader_spara,
    kostnadsimport,
    medfinansiering_spara,
    medfinansiering_ta_bort,
    oversikt,
)
from .insats import andra, detalj, ny, personal_lagg_till, personal_ta_bort, steg
from .lista import export, lista, mina
from .registrering import tillfalle_andra, tillfalle_ta_bort, tillfallen, volym

__all__ = [
    "andra",
    "budget_spara",
    "budget_ta_bort",
    "detalj",
    "dokument_hamta",
    "dokument_ladda_upp",
    "dokument_ta_bort",
    "ekonomi",
    "export",
    "kostnader_spara",
    "kostnadsimport",
    "lista",
    "medfinansiering_spara",
    "medfinansiering_ta_bort",
    "mina",
    "ny",
    "oversikt",
    "personal_lagg_till",
    "personal_ta_bort",
    "steg",
    "tillfalle_andra",
    "tillfalle_ta_bort",
    "tillfallen",
    "volym",
]
