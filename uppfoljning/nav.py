from django.utils.translation import gettext_lazy as _

from finsam.navigation import NavItem
from finsam.roles import Role

ITEMS = [
    NavItem(
        _("Styrelsens översikt"),
        "uppfoljning:styrelse",
        frozenset({Role.STYRELSE, Role.FORBUNDSCHEF}),
        70,
    ),
    NavItem(_("Nationell statistik"), "uppfoljning:nationell", frozenset({Role.NATIONELL}), 10),
    NavItem(
        _("Rapporter"),
        "uppfoljning:rapporter",
        frozenset({Role.FORBUNDSCHEF, Role.EKONOMI, Role.STYRELSE, Role.NATIONELL}),
        80,
    ),
]
