"""Insatser: what the förbund finances (design sections 1 and 5).

An insats runs from application to final report: its facts, code-list classification, lifecycle
status, yearly budget and monthly costs, external co-financing, documents, the people granted on it
(django-guardian, see ``finsam.permissions``), the non-person counts (volume per month, structural
occasions) and a history of every change.
"""

import uuid
from pathlib import PurePath

from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from finsam.tracking import audited

# --- Code lists (reference tables seeded by migration 0003; codes are stable) ---


class Inriktning(models.TextChoices):
    INDIVID = "INDIVID", _("Individinriktad")
    STRUKTUR = "STRUKTUR", _("Strukturinriktad")


class Kategori(models.Model):
    """Insatskategori (design section 5); its ``inriktning`` is the insats's kind."""

    kod = models.CharField(_("kod"), max_length=10, primary_key=True)
    namn = models.CharField(_("namn"), max_length=100)
    inriktning = models.CharField(_("inriktning"), max_length=10, choices=Inriktning.choices)
    ordning = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("insatskategori")
        verbose_name_plural = _("insatskategorier")
        ordering = ["ordning", "kod"]

    def __str__(self) -> str:
        return self.namn


class Malgrupp(models.Model):
    kod = models.CharField(_("kod"), max_length=20, primary_key=True)
    namn = models.CharField(_("namn"), max_length=100)
    ordning = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("målgrupp")
        verbose_name_plural = _("målgrupper")
        ordering = ["ordning", "kod"]

    def __str__(self) -> str:
        return self.namn


class Metod(models.Model):
    kod = models.CharField(_("kod"), max_length=20, primary_key=True)
    namn = models.CharField(_("namn"), max_length=100)
    ordning = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("metod")
        verbose_name_plural = _("metoder")
        ordering = ["ordning", "kod"]

    def __str__(self) -> str:
        return self.namn


# --- The insats ---


class Registreringsform(models.TextChoices):
    PERSON = "PERSON", _("Deltagare per person")
    VOLYM = "VOLYM", _("Volym per månad")
    STRUKTUR = "STRUKTUR", _("Strukturinsats (tillfällen)")


class Status(models.TextChoices):
    """The lifecycle: ansökan → beviljad → pågående → avslutad → implementerad/avvecklad."""

    ANSOKAN = "ANSOKAN", _("Ansökan")
    BEVILJAD = "BEVILJAD", _("Beviljad")
    PAGAENDE = "PAGAENDE", _("Pågående")
    AVSLUTAD = "AVSLUTAD", _("Avslutad")
    IMPLEMENTERAD = "IMPLEMENTERAD", _("Implementerad i ordinarie verksamhet")
    AVVECKLAD = "AVVECKLAD", _("Avvecklad")


ENDED_STATUSES = (Status.AVSLUTAD, Status.IMPLEMENTERAD, Status.AVVECKLAD)


class InsatsQuerySet(models.QuerySet):
    def for_forbund(self, forbund):
        return self.filter(forbund=forbund)

    def active_in_year(self, year: int):
        """Insatser whose period touches the calendar year. The period ends at the actual end
        date, else at the planned end; with neither it is open."""
        import datetime as dt

        first = dt.date(year, 1, 1)
        return self.filter(startdatum__lte=dt.date(year, 12, 31)).filter(
            models.Q(slutdatum__gte=first)
            | models.Q(slutdatum__isnull=True, planerat_slutdatum__gte=first)
            | models.Q(slutdatum__isnull=True, planerat_slutdatum__isnull=True)
        )


@audited(
    fields=[
        "forbund",
        "kod",
        "namn",
        "beskrivning",
        "kategori",
        "status",
        "beslut",
        "registreringsform",
        "personuppgiftsansvarig",
        "startdatum",
        "planerat_slutdatum",
        "slutdatum",
        "planerade_deltagare",
        "malvarden",
    ],
    model_name="InsatsEvent",
)
class Insats(models.Model):
    forbund = models.ForeignKey(
        "forbund.Forbund", on_delete=models.CASCADE, related_name="insatser"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kod = models.CharField(
        _("kod"), max_length=20, help_text=_("Kort kod, unik i förbundet (används vid import).")
    )
    namn = models.CharField(_("namn"), max_length=200)
    beskrivning = models.TextField(_("beskrivning"), blank=True)
    kategori = models.ForeignKey(
        Kategori,
        verbose_name=_("kategori"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="insatser",
    )
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.ANSOKAN
    )
    beslut = models.ForeignKey(
        "forbund.Beslut",
        verbose_name=_("styrelsebeslut"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="insatser",
        help_text=_("Beslutet som beviljade insatsen, om det finns registrerat."),
    )
    registreringsform = models.CharField(
        _("registreringsform"),
        max_length=10,
        choices=Registreringsform.choices,
        default=Registreringsform.PERSON,
    )
    malgrupper = models.ManyToManyField(
        Malgrupp, verbose_name=_("målgrupper"), blank=True, related_name="insatser"
    )
    metoder = models.ManyToManyField(
        Metod, verbose_name=_("metoder"), blank=True, related_name="insatser"
    )
    huvudman = models.ManyToManyField(
        "forbund.Medlem",
        verbose_name=_("huvudman/utförare"),
        blank=True,
        related_name="huvudman_for_insatser",
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
    planerat_slutdatum = models.DateField(_("planerat slutdatum"), null=True, blank=True)
    # The actual end date; empty while the insats runs.
    slutdatum = models.DateField(_("faktiskt slutdatum"), null=True, blank=True)
    planerade_deltagare = models.PositiveIntegerField(
        _("planerat antal deltagare"), null=True, blank=True
    )
    malvarden = models.TextField(
        _("målvärden"),
        blank=True,
        help_text=_("Ett mål per rad, t.ex. ”40 % till arbete eller studier”."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InsatsQuerySet.as_manager()

    class Meta:
        verbose_name = _("insats")
        verbose_name_plural = _("insatser")
        ordering = ["forbund", "kod"]
        constraints = [
            models.UniqueConstraint(fields=["forbund", "kod"], name="insats_kod_unique_in_forbund"),
            models.CheckConstraint(
                condition=models.Q(slutdatum__isnull=True)
                | models.Q(slutdatum__gte=models.F("startdatum")),
                name="insats_slut_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(planerat_slutdatum__isnull=True)
                | models.Q(planerat_slutdatum__gte=models.F("startdatum")),
                name="insats_planerat_slut_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=[s.value for s in ENDED_STATUSES])
                | models.Q(slutdatum__isnull=False),
                name="insats_ended_has_slutdatum",
            ),
        ]
        indexes = [models.Index(fields=["forbund", "status"])]
        permissions = [
            ("insatsansvarig", "Är insatsansvarig för insatsen"),
            ("deltagaransvarig", "Är deltagaransvarig i insatsen"),
        ]

    def __str__(self) -> str:
        return f"{self.kod} {self.namn}"

    def clean(self) -> None:
        """Row rules with a Swedish message next to the field they concern.

        - PERSON mode needs the member party that controls the participant data (design 2).
        - An ended insats (avslutad, implementerad, avvecklad) has its actual end date.
        - End dates are not before the start.
        """
        from django.core.exceptions import ValidationError

        errors: dict[str, str] = {}
        if (
            self.registreringsform == Registreringsform.PERSON
            and not self.personuppgiftsansvarig_id
        ):
            errors["personuppgiftsansvarig"] = _(
                "Ange vilken medlem som är personuppgiftsansvarig: det krävs när deltagare "
                "registreras per person."
            )
        if self.status in ENDED_STATUSES and not self.slutdatum:
            errors["slutdatum"] = _("En avslutad insats behöver ett faktiskt slutdatum.")
        if self.startdatum and self.slutdatum and self.slutdatum < self.startdatum:
            errors["slutdatum"] = _("Slutdatum kan inte vara före startdatum.")
        if (
            self.startdatum
            and self.planerat_slutdatum
            and self.planerat_slutdatum < self.startdatum
        ):
            errors["planerat_slutdatum"] = _("Planerat slutdatum kan inte vara före startdatum.")
        if errors:
            raise ValidationError(errors)

    @property
    def inriktning(self) -> str | None:
        return self.kategori.inriktning if self.kategori_id else None

    @property
    def saknar_personuppgiftsansvarig(self) -> bool:
        """PERSON mode without a data controller (rows from before the rule; the form requires
        it): nobody may register participants until one is chosen."""
        return (
            self.registreringsform == Registreringsform.PERSON
            and not self.personuppgiftsansvarig_id
        )

    @property
    def is_ended(self) -> bool:
        return self.status in ENDED_STATUSES

    @property
    def malvarden_list(self) -> list[str]:
        return [line.strip() for line in self.malvarden.splitlines() if line.strip()]


class InsatsUserObjectPermission(UserObjectPermissionBase):
    """Guardian grants with a real foreign key, so scoping joins stay indexed."""

    content_object = models.ForeignKey(Insats, on_delete=models.CASCADE)


class InsatsGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Insats, on_delete=models.CASCADE)


# --- Money ---


@audited(fields=["forbund", "insats", "ar", "belopp", "kommentar"], model_name="InsatsbudgetEvent")
class Insatsbudget(models.Model):
    """The förbund's own money for an insats in one calendar year (external money is separate)."""

    forbund = models.ForeignKey(
        "forbund.Forbund", on_delete=models.CASCADE, related_name="insatsbudgetar"
    )
    insats = models.ForeignKey(Insats, on_delete=models.CASCADE, related_name="budgetar")
    ar = models.PositiveSmallIntegerField(_("år"))
    belopp = models.DecimalField(_("belopp (kr)"), max_digits=12, decimal_places=0)
    kommentar = models.CharField(_("kommentar"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("insatsbudget")
        verbose_name_plural = _("insatsbudgetar")
        ordering = ["insats", "ar"]
        constraints = [
            models.UniqueConstraint(fields=["insats", "ar"], name="insatsbudget_one_per_year"),
            models.CheckConstraint(
                condition=models.Q(belopp__gte=0), name="insatsbudget_belopp_ge0"
            ),
            models.CheckConstraint(
                condition=models.Q(ar__gte=2000, ar__lte=2100), name="insatsbudget_ar_rimligt"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insats.kod} {self.ar}: {self.belopp} kr"


@audited(fields=["forbund", "insats", "ar", "manad", "belopp"], model_name="InsatskostnadEvent")
class Insatskostnad(models.Model):
    """Actual cost (utfall) of an insats in one month, paid with the förbund's money."""

    forbund = models.ForeignKey(
        "forbund.Forbund", on_delete=models.CASCADE, related_name="insatskostnader"
    )
    insats = models.ForeignKey(Insats, on_delete=models.CASCADE, related_name="kostnader")
    ar = models.PositiveSmallIntegerField(_("år"))
    manad = models.PositiveSmallIntegerField(_("månad"))
    belopp = models.DecimalField(_("belopp (kr)"), max_digits=12, decimal_places=0)

    class Meta:
        verbose_name = _("insatskostnad")
        verbose_name_plural = _("insatskostnader")
        ordering = ["insats", "ar", "manad"]
        constraints = [
            models.UniqueConstraint(
                fields=["insats", "ar", "manad"], name="insatskostnad_one_per_month"
            ),
            models.CheckConstraint(
                condition=models.Q(manad__gte=1, manad__lte=12), name="insatskostnad_manad_1_12"
            ),
            models.CheckConstraint(
                condition=models.Q(belopp__gte=0), name="insatskostnad_belopp_ge0"
            ),
        ]
        indexes = [models.Index(fields=["forbund", "ar", "manad"])]

    def __str__(self) -> str:
        return f"{self.insats.kod} {self.ar}-{self.manad:02d}: {self.belopp} kr"


@audited(
    fields=["forbund", "insats", "finansiar", "projektnummer", "ar", "belopp"],
    model_name="MedfinansieringEvent",
)
class Medfinansiering(models.Model):
    """External co-financing of an insats (e.g. ESF), per financier and year.

    Since 2023 FK reads the law so that the förbund itself may not take external money; it is
    recorded per project and partner and kept apart from the förbund's budget (design section 1).
    """

    forbund = models.ForeignKey(
        "forbund.Forbund", on_delete=models.CASCADE, related_name="medfinansieringar"
    )
    insats = models.ForeignKey(Insats, on_delete=models.CASCADE, related_name="medfinansiering")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    finansiar = models.CharField(_("finansiär"), max_length=200)
    projektnummer = models.CharField(_("projektnummer"), max_length=50, blank=True)
    ar = models.PositiveSmallIntegerField(_("år"))
    belopp = models.DecimalField(_("belopp (kr)"), max_digits=12, decimal_places=0)

    class Meta:
        verbose_name = _("extern medfinansiering")
        verbose_name_plural = _("externa medfinansieringar")
        ordering = ["insats", "ar", "finansiar"]
        constraints = [
            models.UniqueConstraint(
                fields=["insats", "finansiar", "ar"], name="medfinansiering_one_per_year"
            ),
            models.CheckConstraint(
                condition=models.Q(belopp__gte=0), name="medfinansiering_belopp_ge0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.finansiar} {self.ar}: {self.belopp} kr"


# --- Documents ---


class Dokumenttyp(models.TextChoices):
    ANSOKAN = "ANSOKAN", _("Ansökan")
    DELRAPPORT = "DELRAPPORT", _("Delrapport")
    SLUTRAPPORT = "SLUTRAPPORT", _("Slutrapport")
    UTVARDERING = "UTVARDERING", _("Utvärdering")
    OVRIGT = "OVRIGT", _("Övrigt")


def dokument_path(instance: "Dokument", filename: str) -> str:
    # The stored name is random: the user's file name is kept in ``filnamn`` only.
    suffix = PurePath(filename).suffix.lower()
    return f"insatser/{instance.insats.uuid}/{instance.uuid}{suffix}"


class Dokument(models.Model):
    """A document about an insats, stored under MEDIA_ROOT and streamed by an access-checked
    view (never served publicly)."""

    forbund = models.ForeignKey(
        "forbund.Forbund", on_delete=models.CASCADE, related_name="insatsdokument"
    )
    insats = models.ForeignKey(Insats, on_delete=models.CASCADE, related_name="dokument")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    typ = models.CharField(_("typ"), max_length=15, choices=Dokumenttyp.choices)
    datum = models.DateField(_("datum"))
    titel = models.CharField(_("titel"), max_length=200, blank=True)
    fil = models.FileField(_("fil"), upload_to=dokument_path, max_length=300)
    filnamn = models.CharField(_("filnamn"), max_length=200)
    storlek = models.PositiveIntegerField(_("storlek (byte)"))
    uploaded_by = models.ForeignKey(
        "finsam.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dokument")
        verbose_name_plural = _("dokument")
        ordering = ["-datum", "-uploaded_at"]

    def __str__(self) -> str:
        return self.titel or self.filnamn


# --- History ---


class Handelse(models.Model):
    """One recorded change of an insats: who, when, which field, old → new (as display text).

    Written only by ``insatser.services``; nothing in the insats is locked, so this history is
    what tells a förbundschef how the insats came to look as it does.
    """

    forbund = models.ForeignKey(
        "forbund.Forbund", on_delete=models.CASCADE, related_name="insatshandelser"
    )
    insats = models.ForeignKey(Insats, on_delete=models.CASCADE, related_name="handelser")
    at = models.DateTimeField(_("tidpunkt"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        "finsam.User",
        verbose_name=_("ändrad av"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    falt = models.CharField(_("vad"), max_length=100)
    gammalt = models.TextField(_("före"), blank=True)
    nytt = models.TextField(_("efter"), blank=True)

    class Meta:
        verbose_name = _("händelse")
        verbose_name_plural = _("händelser")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.falt}: {self.gammalt} → {self.nytt}"


# --- Non-person registration modes ---


class Volym(models.Model):
    """VOLYM mode: consultative or preventive contacts in one month, counted by kön."""

    forbund = models.ForeignKey("forbund.Forbund", on_delete=models.CASCADE, related_name="volymer")
    insats = models.ForeignKey(Insats, on_delete=models.CASCADE, related_name="volymer")
    ar = models.PositiveSmallIntegerField(_("år"))
    manad = models.PositiveSmallIntegerField(_("månad"))
    kvinnor = models.PositiveIntegerField(_("kvinnor (K)"), default=0)
    man = models.PositiveIntegerField(_("män (M)"), default=0)
    annat = models.PositiveIntegerField(_("annat/vill ej uppge (X)"), default=0)

    class Meta:
        verbose_name = _("volym")
        verbose_name_plural = _("volymer")
        ordering = ["insats", "ar", "manad"]
        constraints = [
            models.UniqueConstraint(fields=["insats", "ar", "manad"], name="volym_one_per_month"),
            models.CheckConstraint(
                condition=models.Q(manad__gte=1, manad__lte=12), name="volym_manad_1_12"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insats.kod} {self.ar}-{self.manad:02d}: {self.total}"

    @property
    def total(self) -> int:
        return self.kvinnor + self.man + self.annat


class Yrkesgrupp(models.TextChoices):
    HANDLAGGARE = "HANDLAGGARE", _("Handläggare")
    CHEF = "CHEF", _("Chef")
    VARDPERSONAL = "VARDPERSONAL", _("Vårdpersonal")
    OVRIG = "OVRIG", _("Övrig")


class Tillfalle(models.Model):
    """STRUKTUR mode: one occasion (training, seminar, network meeting) of a structural insats."""

    forbund = models.ForeignKey(
        "forbund.Forbund", on_delete=models.CASCADE, related_name="tillfallen"
    )
    insats = models.ForeignKey(Insats, on_delete=models.CASCADE, related_name="tillfallen")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    datum = models.DateField(_("datum"))
    titel = models.CharField(_("titel"), max_length=200)
    timmar = models.DecimalField(_("timmar"), max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = _("tillfälle")
        verbose_name_plural = _("tillfällen")
        ordering = ["-datum", "titel"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(timmar__gt=0), name="tillfalle_timmar_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.datum:%Y-%m-%d} {self.titel}"


class TillfalleDeltagare(models.Model):
    """How many from one member organisation and profession took part in an occasion."""

    forbund = models.ForeignKey("forbund.Forbund", on_delete=models.CASCADE, related_name="+")
    tillfalle = models.ForeignKey(Tillfalle, on_delete=models.CASCADE, related_name="antal")
    medlem = models.ForeignKey("forbund.Medlem", on_delete=models.PROTECT, related_name="+")
    yrkesgrupp = models.CharField(_("yrkesgrupp"), max_length=15, choices=Yrkesgrupp.choices)
    antal = models.PositiveIntegerField(_("antal"))

    class Meta:
        verbose_name = _("deltagare vid tillfälle")
        verbose_name_plural = _("deltagare vid tillfällen")
        constraints = [
            models.UniqueConstraint(
                fields=["tillfalle", "medlem", "yrkesgrupp"], name="tillfalledeltagare_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(antal__gt=0), name="tillfalledeltagare_antal_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tillfalle} {self.medlem} {self.yrkesgrupp}: {self.antal}"
