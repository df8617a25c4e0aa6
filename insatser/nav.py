from django.utils.translation import gettext_lazy as _

from finsam.navigation import NavItem
from finsam.roles import Role

ITEMS = [
    NavItem(
        _("Insatser"),
        "insatser:lista",
        frozenset({Role.FORBUNDSCHEF, Role.EKONOMI, Role.STYRELSE}),
        15,
    ),
    NavItem(
        _("Mina insatser"), "insatser:mina", frozenset({Role.HANDLAGGARE, Role.INSATSANSVARIG}), 20
    ),
]
