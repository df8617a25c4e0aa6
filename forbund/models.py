"""The förbund, its member organisations and the reference list of kommuner (design section 1)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kommun(models.Model):
    """One of Sweden's 290 kommuner (reference data, seeded by a migration)."""

    kod = models.CharField(_("kommunkod"), max_length=4, primary_key=True)
    namn = models.CharField(_("namn"), max_length=100)
    lanskod = models.CharField(_("länskod"), max_length=2)
    lan = models.CharField(_("län"), max_length=100)

    class Meta:
        verbose_name = _("kommun")
        verbose_name_plural = _("kommuner")
        ordering = ["namn"]

    def __str__(self) -> str:
        return self.namn


class ForbundQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Forbund(models.Model):
    """A samordningsförbund: the tenant every other row belongs to."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    namn = models.CharField(_("namn"), max_length=200, unique=True)
    organisationsnummer = models.CharField(_("organisationsnummer"), max_length=11, blank=True)
    is_active = models.BooleanField(_("aktivt"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ForbundQuerySet.as_manager()

    class Meta:
        verbose_name = _("förbund")
        verbose_name_plural = _("förbund")
        ordering = ["namn"]

    def __str__(self) -> str:
        return self.namn


class MedlemTyp(models.TextChoices):
    FK = "FK", _("Försäkringskassan")
    AF = "AF", _("Arbetsförmedlingen")
    REGION = "REGION", _("Region")
    KOMMUN = "KOMMUN", _("Kommun")


class MedlemQuerySet(models.QuerySet):
    def for_forbund(self, forbund):
        return self.filter(forbund=forbund)

    def active_on(self, day):
        return self.filter(startdatum__lte=day).filter(
            models.Q(slutdatum__isnull=True) | models.Q(slutdatum__gte=day)
        )


class Medlem(models.Model):
    """A member organisation's membership of a förbund, with its period.

    A kommun member points at the reference ``Kommun``; the covered kommuner at a date follow from
    the memberships active on that date.
    """

    forbund = models.ForeignKey(Forbund, on_delete=models.CASCADE, related_name="medlemmar")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    typ = models.CharField(_("typ"), max_length=10, choices=MedlemTyp.choices)
    namn = models.CharField(_("namn"), max_length=200)
    kommun = models.ForeignKey(
        Kommun,
        verbose_name=_("kommun"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="medlemskap",
    )
    startdatum = models.DateField(_("medlem från"))
    slutdatum = models.DateField(_("medlem till"), null=True, blank=True)

    objects = MedlemQuerySet.as_manager()

    class Meta:
        verbose_name = _("medlem")
        verbose_name_plural = _("medlemmar")
        ordering = ["forbund", "typ", "namn"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(typ="KOMMUN", kommun__isnull=False)
                | (~models.Q(typ="KOMMUN") & models.Q(kommun__isnull=True)),
                name="medlem_kommun_iff_typ_kommun",
            ),
            models.CheckConstraint(
                condition=models.Q(slutdatum__isnull=True)
                | models.Q(slutdatum__gte=models.F("startdatum")),
                name="medlem_slut_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.namn


class Sammantrade(models.Model):
    """A meeting of the styrelse (the förbund issue adds attendance and the quorum check)."""

    forbund = models.ForeignKey(Forbund, on_delete=models.CASCADE, related_name="sammantraden")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    datum = models.DateField(_("datum"))

    class Meta:
        verbose_name = _("sammanträde")
        verbose_name_plural = _("sammanträden")
        ordering = ["-datum"]

    def __str__(self) -> str:
        return f"Styrelsemöte {self.datum:%Y-%m-%d}"


class Beslut(models.Model):
    """A decision of the styrelse, with its paragraph number; budgets and insatser link here."""

    forbund = models.ForeignKey(Forbund, on_delete=models.CASCADE, related_name="beslut")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sammantrade = models.ForeignKey(
        Sammantrade, on_delete=models.PROTECT, related_name="beslut", null=True, blank=True
    )
    datum = models.DateField(_("beslutsdatum"))
    paragraf = models.CharField(_("paragraf"), max_length=20, help_text=_("T.ex. § 12/2026."))
    rubrik = models.CharField(_("rubrik"), max_length=200)
    text = models.TextField(_("beslutstext"), blank=True)

    class Meta:
        verbose_name = _("beslut")
        verbose_name_plural = _("beslut")
        ordering = ["-datum", "paragraf"]

    def __str__(self) -> str:
        return f"{self.paragraf} {self.rubrik}"
