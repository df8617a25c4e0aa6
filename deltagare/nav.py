from django.utils.translation import gettext_lazy as _

from finsam.navigation import NavItem
from finsam.roles import Role

STAFF = frozenset({Role.HANDLAGGARE, Role.INSATSANSVARIG})

ITEMS = [
    NavItem(_("Deltagare"), "deltagare:mina", STAFF, 25),
    NavItem(_("Uppföljningar"), "deltagare:uppfoljningar", STAFF, 26),
    NavItem(_("Importera"), "deltagare:import", STAFF, 27),
    NavItem(_("Deltagare per insats"), "deltagare:oversikt", frozenset({Role.FORBUNDSCHEF}), 20),
    NavItem(_("Åtkomstlogg"), "deltagare:logg", STAFF | frozenset({Role.FORBUNDSCHEF}), 40),
]
