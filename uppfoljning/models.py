"""Reports: a ``Rapport`` row is the source of truth for one ordered report (design section 3).

The row is saved first and the Celery task is sent after commit; the task computes the statistics,
renders the same HTML the browser preview shows, turns it into a PDF with WeasyPrint and writes the
Excel file. A finished report is frozen: "ta fram på nytt" makes a new row.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


class RapportTyp(models.TextChoices):
    HALVAR = "halvar", _("Halvårsrapport")
    HELAR = "helar", _("Årsrapport")
    EGEN = "egen", _("Egen period")
    STYRELSEPAKET = "styrelsepaket", _("Styrelsepaket")


class Omfattning(models.TextChoices):
    FORBUND = "forbund", _("Förbund")
    NATIONELL = "nationell", _("Nationell")


class Variant(models.TextChoices):
    ARBETSVERSION = "arbetsversion", _("Arbetsversion (omaskerad)")
    STYRELSE = "styrelse", _("Styrelseversion (maskerad)")
    NATIONELL = "nationell", _("Nationell (maskerad)")


class RapportStatus(models.TextChoices):
    KOAD = "koad", _("Köad")
    PAGAR = "pagar", _("Pågår")
    KLAR = "klar", _("Klar")
    MISSLYCKAD = "misslyckad", _("Misslyckad")


class RapportQuerySet(models.QuerySet):
    def for_forbund(self, forbund):
        return self.filter(forbund=forbund, omfattning=Omfattning.FORBUND)


def rapport_upload_to(instance, filename: str) -> str:
    return f"rapporter/{instance.uuid}/{filename}"


class Rapport(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    forbund = models.ForeignKey(
        "forbund.Forbund",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rapporter",
        help_text=_("Tomt för nationella rapporter."),
    )
    typ = models.CharField(_("typ"), max_length=15, choices=RapportTyp.choices)
    omfattning = models.CharField(
        _("omfattning"), max_length=10, choices=Omfattning.choices, default=Omfattning.FORBUND
    )
    variant = models.CharField(
        _("variant"), max_length=15, choices=Variant.choices, default=Variant.ARBETSVERSION
    )
    period_start = models.DateField(_("från"))
    period_slut = models.DateField(_("till"))
    data_cutoff = models.DateTimeField(_("data t.o.m."), null=True, blank=True)

    status = models.CharField(
        _("status"), max_length=12, choices=RapportStatus.choices, default=RapportStatus.KOAD
    )
    progress = models.PositiveSmallIntegerField(_("förlopp (%)"), default=0)
    steg = models.CharField(_("steg"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    bestalld_av = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("beställd av"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    bestalld_at = models.DateTimeField(_("beställd"), auto_now_add=True)
    klar_at = models.DateTimeField(_("klar"), null=True, blank=True)
    foregaende = models.ForeignKey(
        "self",
        verbose_name=_("föregående version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    pdf = models.FileField(upload_to=rapport_upload_to, max_length=255, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    xlsx = models.FileField(upload_to=rapport_upload_to, max_length=255, blank=True)
    xlsx_sha256 = models.CharField(max_length=64, blank=True)
    snapshot = models.JSONField(_("statistik"), null=True, blank=True)
    fel = models.TextField(_("fel"), blank=True)
    diarienummer = models.CharField(
        _("diarienummer"),
        max_length=40,
        blank=True,
        help_text=_("Sammanträdets diarienummer, för styrelsepaket."),
    )

    objects = RapportQuerySet.as_manager()

    class Meta:
        verbose_name = _("rapport")
        verbose_name_plural = _("rapporter")
        ordering = ["-bestalld_at"]
        indexes = [models.Index(fields=["status", "bestalld_at"], name="rapport_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(omfattning="nationell", forbund__isnull=True)
                | models.Q(omfattning="forbund", forbund__isnull=False),
                name="rapport_scope_matches_forbund",
            ),
            models.CheckConstraint(
                condition=models.Q(period_slut__gte=models.F("period_start")),
                name="rapport_period_order",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="rapport_progress_max_100"
            ),
        ]

    def __str__(self) -> str:
        return self.titel

    @property
    def titel(self) -> str:
        if self.typ == RapportTyp.HALVAR:
            return f"Halvårsrapport {self.period_start.year}"
        if self.typ == RapportTyp.HELAR:
            return f"Årsrapport {self.period_start.year}"
        if self.typ == RapportTyp.STYRELSEPAKET:
            return f"Styrelsepaket {self.period_start:%Y-%m-%d}–{self.period_slut:%Y-%m-%d}"
        return f"Rapport {self.period_start:%Y-%m-%d}–{self.period_slut:%Y-%m-%d}"

    @property
    def is_finished(self) -> bool:
        return self.status == RapportStatus.KLAR

    @property
    def is_running(self) -> bool:
        return self.status in (RapportStatus.KOAD, RapportStatus.PAGAR)

    @property
    def is_masked(self) -> bool:
        return self.variant != Variant.ARBETSVERSION

    def file_stem(self) -> str:
        scope = slugify(self.forbund.namn if self.forbund_id else "nationell")[:60]
        return f"{scope}-{self.typ}-{self.period_start:%Y%m%d}-{self.period_slut:%Y%m%d}"


class UppfoljningInstallning(models.Model):
    """A förbund's settings for follow-up: whether its figures go into national reports."""

    forbund = models.OneToOneField(
        "forbund.Forbund", on_delete=models.CASCADE, related_name="uppfoljning_installning"
    )
    delar_nationell_statistik = models.BooleanField(
        _("dela statistik nationellt"),
        default=True,
        help_text=_(
            "Förbundets maskerade sammanställningar ingår i nationella rapporter. Inga "
            "enskilda deltaganden lämnar förbundet."
        ),
    )

    class Meta:
        verbose_name = _("inställning för uppföljning")
        verbose_name_plural = _("inställningar för uppföljning")

    def __str__(self) -> str:
        return f"Uppföljning {self.forbund}"
