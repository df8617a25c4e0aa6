from django.utils.translation import gettext_lazy as _

from finsam.navigation import NavItem
from finsam.roles import Role

ITEMS = [
    NavItem(_("Översikt"), "forbund:oversikt", frozenset({Role.FORBUNDSCHEF, Role.EKONOMI}), 10),
]
