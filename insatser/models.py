"""Insatser: what the förbund finances (design sections 1 and 5).

This is the thin core the foundation needs (scoping, guardian grants, the handläggare's start
page); the insatser issue fills in the rest of the registry.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class Registreringsform(models.TextChoices):
    PERSON = "PERSON", _("Deltagare per person")
    VOLYM = "VOLYM", _("Volym per månad")
    STRUKTUR = "STRUKTUR", _("Strukturinsats (tillfällen)")


class InsatsQuerySet(models.QuerySet):
    def for_forbund(self, forbund):
        return self.filter(forbund=forbund)


class Insats(models.Model):
    forbund = models.ForeignKey(
        "forbund.Forbund", on_delete=models.CASCADE, related_name="insatser"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kod = models.CharField(
        _("kod"), max_length=20, help_text=_("Kort kod, unik i förbundet (används vid import).")
    )
    namn = models.CharField(_("namn"), max_length=200)
    registreringsform = models.CharField(
        _("registreringsform"),
        max_length=10,
        choices=Registreringsform.choices,
        default=Registreringsform.PERSON,
    )
    personuppgiftsansvarig = models.ForeignKey(
        "forbund.Medlem",
        verbose_name=_("personuppgiftsansvarig part"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ansvariga_insatser",
    )
    startdatum = models.DateField(_("startdatum"))
    slutdatum = models.DateField(_("slutdatum"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InsatsQuerySet.as_manager()

    class Meta:
        verbose_name = _("insats")
        verbose_name_plural = _("insatser")
        ordering = ["forbund", "kod"]
        constraints = [
            models.UniqueConstraint(fields=["forbund", "kod"], name="insats_kod_unique_in_forbund"),
        ]
        permissions = [
            ("insatsansvarig", "Är insatsansvarig för insatsen"),
            ("deltagaransvarig", "Är deltagaransvarig i insatsen"),
        ]

    def __str__(self) -> str:
        return f"{self.kod} {self.namn}"


class InsatsUserObjectPermission(UserObjectPermissionBase):
    """Guardian grants with a real foreign key, so scoping joins stay indexed."""

    content_object = models.ForeignKey(Insats, on_delete=models.CASCADE)


class InsatsGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Insats, on_delete=models.CASCADE)
