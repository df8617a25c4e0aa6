"""Views for participations: thin; rules live in services, reads in selectors.

Every object comes through an access helper in ``selectors`` (404 to outsiders). Every page that
shows an identity writes one access-log row. No URL ever carries a personnummer: the search is
a POST, and objects are addressed by UUID.
"""

from .deltagande import (
    andra,
    aterkalla,
    avsluta,
    deltagande,
    felregistrera,
    samtycke_fornya,
    uppfoljning,
    uppfoljningar,
)
from .listor import insats_lista, mina, registrera, sok
from .oversikt import gallring, logg, oversikt
from .person import export, importera, person, registerutdrag, samtycke_dokument

__all__ = [
    "andra",
    "aterkalla",
    "avsluta",
    "deltagande",
    "export",
    "felregistrera",
    "gallring",
    "importera",
    "insats_lista",
    "logg",
    "mina",
    "oversikt",
    "person",
    "registerutdrag",
    "registrera",
    "samtycke_dokument",
    "samtycke_fornya",
    "sok",
    "uppfoljning",
    "uppfoljningar",
]
