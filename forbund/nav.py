from django.utils.translation import gettext_lazy as _

from finsam.navigation import NavItem
from finsam.roles import Role

from .access import READERS

_READERS = frozenset(READERS)

ITEMS = [
    NavItem(_("Översikt"), "forbund:hem", frozenset({Role.FORBUNDSCHEF, Role.EKONOMI}), 10),
    NavItem(_("Förbundet"), "forbund:profil", _READERS, 20),
    NavItem(_("Budget och utfall"), "forbund:budget", _READERS, 30),
    NavItem(_("Styrelsen"), "forbund:styrelse", _READERS, 40),
    NavItem(_("Fördelningsmodell"), "forbund:modell", frozenset({Role.NATIONELL}), 50),
]
