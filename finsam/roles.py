"""The roles a user holds per förbund (design section 2).

A role is a row in ``finsam.Roll`` (user, förbund, role). The systemadministratör is a flag on the
user, not a förbund role. Object-level rights (which insatser a handläggare works in) are
django-guardian permissions, wrapped in ``finsam.permissions``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FORBUNDSCHEF = "forbundschef", _("Förbundschef")
    HANDLAGGARE = "handlaggare", _("Handläggare")
    INSATSANSVARIG = "insatsansvarig", _("Insatsansvarig")
    STYRELSE = "styrelse", _("Styrelse")
    EKONOMI = "ekonomi", _("Ekonomi")
    NATIONELL = "nationell", _("Nationell")


# Roles whose holders work with participant data of the insatser they are assigned to.
PARTICIPANT_ROLES = frozenset({Role.HANDLAGGARE, Role.INSATSANSVARIG})
# Roles that may only ever see aggregates (masked for styrelse and nationell).
AGGREGATE_ROLES = frozenset({Role.FORBUNDSCHEF, Role.STYRELSE, Role.EKONOMI, Role.NATIONELL})

# Which start page each role lands on, in order of precedence when a user holds several.
START_PAGES = [
    (Role.FORBUNDSCHEF, "forbund:oversikt"),
    (Role.INSATSANSVARIG, "insatser:mina"),
    (Role.HANDLAGGARE, "insatser:mina"),
    (Role.EKONOMI, "forbund:oversikt"),
    (Role.STYRELSE, "uppfoljning:styrelse"),
    (Role.NATIONELL, "uppfoljning:nationell"),
]
