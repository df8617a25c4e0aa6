"""The förbund, its member organisations and the reference list of kommuner (design section 1)."""

import datetime as dt
import uuid
from decimal import Decimal

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeBoundary, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from finsam.tracking import audited


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


class DateRange(models.Func):
    """``daterange(start, end, '[]')``: a closed period; a null end is open-ended."""

    function = "DATERANGE"
    output_field = DateRangeField()


class KommunFordelning(models.TextChoices):
    BEFOLKNING = "BEFOLKNING", _("Efter befolkning 16–64 år")
    LIKA = "LIKA", _("Lika delar")
    FAST = "FAST", _("Fasta andelar enligt förbundsordningen")


class ForbundQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


@audited(
    fields=[
        "namn",
        "organisationsnummer",
        "is_active",
        "startdatum",
        "utdelningsadress",
        "postnummer",
        "postort",
        "epost",
        "telefon",
        "webbplats",
        "kommun_fordelning",
        "ek_troskel_procent",
        "ek_ingaende_ar",
        "ek_ingaende_belopp",
    ],
    model_name="ForbundEvent",
)
class Forbund(models.Model):
    """A samordningsförbund: the tenant every other row belongs to."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    namn = models.CharField(_("namn"), max_length=200, unique=True)
    organisationsnummer = models.CharField(_("organisationsnummer"), max_length=11, blank=True)
    is_active = models.BooleanField(_("aktivt"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    startdatum = models.DateField(_("bildat"), null=True, blank=True)
    utdelningsadress = models.CharField(_("utdelningsadress"), max_length=200, blank=True)
    postnummer = models.CharField(_("postnummer"), max_length=6, blank=True)
    postort = models.CharField(_("postort"), max_length=100, blank=True)
    epost = models.EmailField(_("e-post"), blank=True)
    telefon = models.CharField(_("telefon"), max_length=30, blank=True)
    webbplats = models.URLField(_("webbplats"), blank=True)
    kommun_fordelning = models.CharField(
        _("kommunernas fördelning"),
        max_length=12,
        choices=KommunFordelning.choices,
        default=KommunFordelning.BEFOLKNING,
        help_text=_("Hur kommunerna delar sin fjärdedel av finansieringen."),
    )
    ek_troskel_procent = models.DecimalField(
        _("gräns för eget kapital (%)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal(20),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(200))],
        help_text=_("Varning när eget kapital överstiger denna andel av årets medlemsbidrag."),
    )
    ek_ingaende_ar = models.PositiveSmallIntegerField(
        _("första år med eget kapital"), null=True, blank=True
    )
    ek_ingaende_belopp = models.DecimalField(
        _("ingående eget kapital (kr)"), max_digits=14, decimal_places=0, default=Decimal(0)
    )

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

    def ordered(self):
        """FK, AF, the region, then the kommuner by name: the order förbund list their members."""
        return self.annotate(
            typ_order=models.Case(
                models.When(typ="FK", then=0),
                models.When(typ="AF", then=1),
                models.When(typ="REGION", then=2),
                default=3,
            )
        ).order_by("typ_order", "namn", "startdatum")


@audited(
    fields=["forbund", "typ", "namn", "kommun", "startdatum", "slutdatum", "andel_procent"],
    model_name="MedlemEvent",
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
    andel_procent = models.DecimalField(
        _("fast andel (%)"),
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_(
            "Kommunens andel av kommunernas del, om förbundsordningen anger fasta andelar."
        ),
    )

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
            # Backstop for the service's friendlier check: a kommun is a member of at most one
            # förbund (and once) on any date.
            ExclusionConstraint(
                name="medlem_kommun_no_overlap",
                expressions=[
                    (
                        DateRange("startdatum", "slutdatum", RangeBoundary()),
                        RangeOperators.OVERLAPS,
                    ),
                    ("kommun", RangeOperators.EQUAL),
                ],
                condition=models.Q(kommun__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.namn

    def is_active_on(self, day) -> bool:
        return self.startdatum <= day and (self.slutdatum is None or self.slutdatum >= day)


class Sammantrade(models.Model):
    """A meeting of the styrelse (the förbund issue adds attendance and the quorum check)."""

    forbund = models.ForeignKey(Forbund, on_delete=models.CASCADE, related_name="sammantraden")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    datum = models.DateField(_("datum"))
    plats = models.CharField(_("plats"), max_length=200, blank=True)
    anteckning = models.TextField(_("anteckning"), blank=True)

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


def _forbundsordning_path(instance, filename: str) -> str:
    # The file name is ours, never the uploader's: no path tricks, no personal names on disk.
    return f"forbundsordning/{instance.forbund.uuid}/{instance.uuid}.pdf"


class Forbundsordning(models.Model):
    """One version of the förbund's charter (a PDF), valid from a date."""

    forbund = models.ForeignKey(Forbund, on_delete=models.CASCADE, related_name="forbundsordningar")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    giltig_fran = models.DateField(_("gäller från"))
    fil = models.FileField(_("PDF-fil"), upload_to=_forbundsordning_path)
    filnamn = models.CharField(_("filnamn"), max_length=200)
    kommentar = models.CharField(_("kommentar"), max_length=200, blank=True)
    uppladdad_av = models.ForeignKey(
        "finsam.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uppladdad = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("förbundsordning")
        verbose_name_plural = _("förbundsordningar")
        ordering = ["-giltig_fran"]
        constraints = [
            models.UniqueConstraint(
                fields=["forbund", "giltig_fran"], name="forbundsordning_one_per_date"
            ),
        ]

    def __str__(self) -> str:
        return f"Förbundsordning från {self.giltig_fran:%Y-%m-%d}"


class Befolkning(models.Model):
    """Population aged 16–64 in a kommun for a year (the basis of the kommuner's split)."""

    forbund = models.ForeignKey(Forbund, on_delete=models.CASCADE, related_name="befolkning")
    kommun = models.ForeignKey(Kommun, on_delete=models.PROTECT, related_name="+")
    ar = models.PositiveSmallIntegerField(
        _("år"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    antal = models.PositiveIntegerField(_("antal 16–64 år"))
    kalla = models.CharField(_("källa"), max_length=20, default="manuell")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("befolkning")
        verbose_name_plural = _("befolkning")
        ordering = ["-ar", "kommun__namn"]
        constraints = [
            models.UniqueConstraint(
                fields=["forbund", "kommun", "ar"], name="befolkning_unique_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kommun_id} {self.ar}: {self.antal}"


class Finansieringsar(models.Model):
    """A year's financing: the state's contribution (statlig tilldelning, decided by FK) and the
    förbund's other income. The members' contributions follow from it (services.bidrag_*)."""

    forbund = models.ForeignKey(Forbund, on_delete=models.CASCADE, related_name="finansieringsar")
    ar = models.PositiveSmallIntegerField(
        _("år"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    statlig_tilldelning = models.DecimalField(
        _("statlig tilldelning (kr)"),
        max_digits=14,
        decimal_places=0,
        validators=[MinValueValidator(Decimal(0))],
    )
    ovriga_intakter = models.DecimalField(
        _("övriga intäkter (kr)"),
        max_digits=14,
        decimal_places=0,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("T.ex. ränteintäkter. Externa projektmedel redovisas per insats."),
    )
    kalla = models.CharField(_("källa"), max_length=20, default="manuell")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("finansieringsår")
        verbose_name_plural = _("finansieringsår")
        ordering = ["-ar"]
        constraints = [
            models.UniqueConstraint(fields=["forbund", "ar"], name="finansieringsar_unique"),
            models.CheckConstraint(
                condition=models.Q(statlig_tilldelning__gte=0), name="tilldelning_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Finansiering {self.ar}"

    @property
    def total_finansiering(self) -> Decimal:
        """The state's part plus the same again from region and kommuner (50/25/25 %)."""
        return self.statlig_tilldelning * 2


class Budgetpost(models.TextChoices):
    """The budget lines förbund use. INSATSER is derived from the insats budgets."""

    STYRELSE = "STYRELSE", _("Styrelse")
    KANSLI_PERSONAL = "KANSLI_PERSONAL", _("Kansli: personal")
    KANSLI_LOKALER = "KANSLI_LOKALER", _("Kansli: lokaler")
    KANSLI_OVRIGT = "KANSLI_OVRIGT", _("Kansli: övrigt")
    REVISION = "REVISION", _("Revision")
    INSATSER = "INSATSER", _("Insatser")
    RESERV = "RESERV", _("Reserv")


ENTERED_POSTER = [p for p in Budgetpost if p != Budgetpost.INSATSER]


class BudgetStatus(models.TextChoices):
    UTKAST = "UTKAST", _("Utkast")
    BESLUTAD = "BESLUTAD", _("Beslutad")
    ERSATT = "ERSATT", _("Ersatt av ny version")


@audited(
    fields=[
        "forbund",
        "ar",
        "version",
        "status",
        "andringsorsak",
        "beslut",
        "beslutsdatum",
        "last_at",
    ],
    model_name="BudgetEvent",
)
class Budget(models.Model):
    """One version of a year's budget. A draft may be edited; a decided budget is locked, and a
    change after decision is a new version with its reason (the old one is kept as history)."""

    forbund = models.ForeignKey(Forbund, on_delete=models.CASCADE, related_name="budgetar")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ar = models.PositiveSmallIntegerField(
        _("år"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=BudgetStatus.choices, default=BudgetStatus.UTKAST
    )
    andringsorsak = models.TextField(_("skäl till ändringen"), blank=True)
    beslut = models.ForeignKey(
        Beslut,
        verbose_name=_("styrelsebeslut"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budgetar",
    )
    beslutsdatum = models.DateField(_("beslutsdatum"), null=True, blank=True)
    skapad = models.DateTimeField(auto_now_add=True)
    skapad_av = models.ForeignKey(
        "finsam.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    last_at = models.DateTimeField(_("låst"), null=True, blank=True)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgetar")
        ordering = ["-ar", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["forbund", "ar", "version"], name="budget_unique_version"
            ),
            models.UniqueConstraint(
                fields=["forbund", "ar"],
                condition=models.Q(status="UTKAST"),
                name="budget_one_draft_per_year",
            ),
            models.UniqueConstraint(
                fields=["forbund", "ar"],
                condition=models.Q(status="BESLUTAD"),
                name="budget_one_decided_per_year",
            ),
            models.CheckConstraint(
                condition=models.Q(status="UTKAST")
                | models.Q(beslut__isnull=False, beslutsdatum__isnull=False),
                name="budget_decided_has_beslut",
            ),
        ]

    def __str__(self) -> str:
        return f"Budget {self.ar} v{self.version}"

    @property
    def is_locked(self) -> bool:
        return self.status != BudgetStatus.UTKAST


@audited(fields=["forbund", "budget", "post", "belopp"], model_name="BudgetradEvent")
class Budgetrad(models.Model):
    """The amount of one line in one budget version (whole kronor)."""

    forbund = models.ForeignKey(Forbund, on_delete=models.CASCADE, related_name="+")
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="rader")
    post = models.CharField(_("budgetpost"), max_length=20, choices=Budgetpost.choices)
    belopp = models.DecimalField(
        _("belopp (kr)"),
        max_digits=14,
        decimal_places=0,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )

    class Meta:
        verbose_name = _("budgetrad")
        verbose_name_plural = _("budgetrader")
        constraints = [
            models.UniqueConstraint(fields=["budget", "post"], name="budgetrad_unique_post"),
        ]

    def __str__(self) -> str:
        return f"{self.get_post_display()}: {self.belopp}"


class Kontomappning(models.Model):
    """Which budget line an account of the förbund's ledger belongs to (for the utfall import)."""

    forbund = models.ForeignKey(Forbund, on_delete=models.CASCADE, related_name="kontomappningar")
    konto = models.CharField(_("konto"), max_length=10)
    post = models.CharField(_("budgetpost"), max_length=20, choices=Budgetpost.choices)

    class Meta:
        verbose_name = _("kontomappning")
        verbose_name_plural = _("kontomappningar")
        ordering = ["konto"]
        constraints = [
            models.UniqueConstraint(fields=["forbund", "konto"], name="konto_unique_in_forbund"),
        ]

    def __str__(self) -> str:
        return f"{self.konto} → {self.get_post_display()}"


@audited(fields=["forbund", "datum", "post", "belopp", "konto", "text"], model_name="UtfallEvent")
class Utfall(models.Model):
    """An actual cost booked on a budget line on a date (entered by hand or imported)."""

    forbund = models.ForeignKey(Forbund, on_delete=models.CASCADE, related_name="utfall")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    datum = models.DateField(_("datum"))
    post = models.CharField(_("budgetpost"), max_length=20, choices=Budgetpost.choices)
    belopp = models.DecimalField(_("belopp (kr)"), max_digits=14, decimal_places=0)
    konto = models.CharField(_("konto"), max_length=10, blank=True)
    text = models.CharField(_("text"), max_length=200, blank=True)
    importerad = models.BooleanField(default=False)
    skapad = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("utfall")
        verbose_name_plural = _("utfall")
        ordering = ["-datum"]
        indexes = [models.Index(fields=["forbund", "datum"], name="utfall_forbund_datum")]

    def __str__(self) -> str:
        return f"{self.datum:%Y-%m-%d} {self.get_post_display()} {self.belopp}"


class StyrelseRoll(models.TextChoices):
    ORDFORANDE = "ORDFORANDE", _("Ordförande")
    VICE = "VICE", _("Vice ordförande")
    LEDAMOT = "LEDAMOT", _("Ledamot")
    ERSATTARE = "ERSATTARE", _("Ersättare")


ORDINARIE_ROLLER = (StyrelseRoll.ORDFORANDE, StyrelseRoll.VICE, StyrelseRoll.LEDAMOT)


class Valbarhet(models.TextChoices):
    """The eligibility grounds of Finsam law 2003:1210 (ledamot or ersättare in fullmäktige, or
    employed by FK or AF)."""

    KF_LEDAMOT = "KF_LEDAMOT", _("Ledamot i kommunfullmäktige")
    KF_ERSATTARE = "KF_ERSATTARE", _("Ersättare i kommunfullmäktige")
    RF_LEDAMOT = "RF_LEDAMOT", _("Ledamot i regionfullmäktige")
    RF_ERSATTARE = "RF_ERSATTARE", _("Ersättare i regionfullmäktige")
    ANSTALLD_FK = "ANSTALLD_FK", _("Anställd vid Försäkringskassan")
    ANSTALLD_AF = "ANSTALLD_AF", _("Anställd vid Arbetsförmedlingen")


VALBARHET_FOR_TYP = {
    MedlemTyp.KOMMUN: {Valbarhet.KF_LEDAMOT, Valbarhet.KF_ERSATTARE},
    MedlemTyp.REGION: {Valbarhet.RF_LEDAMOT, Valbarhet.RF_ERSATTARE},
    MedlemTyp.FK: {Valbarhet.ANSTALLD_FK},
    MedlemTyp.AF: {Valbarhet.ANSTALLD_AF},
}


class UppdragQuerySet(models.QuerySet):
    def for_forbund(self, forbund):
        return self.filter(forbund=forbund)

    def active_on(self, day):
        return self.filter(fran__lte=day, till__gte=day)


class Styrelseuppdrag(models.Model):
    """A board assignment: a person sits for a member organisation as ledamot (possibly
    ordförande or vice) or ersättare during a mandate period."""

    forbund = models.ForeignKey(Forbund, on_delete=models.CASCADE, related_name="styrelseuppdrag")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    medlem = models.ForeignKey(
        Medlem, verbose_name=_("utsedd av"), on_delete=models.PROTECT, related_name="uppdrag"
    )
    namn = models.CharField(_("namn"), max_length=200)
    roll = models.CharField(_("roll"), max_length=12, choices=StyrelseRoll.choices)
    fran = models.DateField(_("mandat från"))
    till = models.DateField(_("mandat till"))
    valbarhet = models.CharField(_("valbarhetsgrund"), max_length=14, choices=Valbarhet.choices)
    anvandare = models.ForeignKey(
        "finsam.User",
        verbose_name=_("inloggning"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="styrelseuppdrag",
    )

    objects = UppdragQuerySet.as_manager()

    class Meta:
        verbose_name = _("styrelseuppdrag")
        verbose_name_plural = _("styrelseuppdrag")
        ordering = ["medlem__typ", "medlem__namn", "roll", "fran"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(till__gte=models.F("fran")), name="uppdrag_till_after_fran"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.namn} ({self.get_roll_display()})"

    @property
    def is_ordinarie(self) -> bool:
        return self.roll in ORDINARIE_ROLLER


class Narvaro(models.Model):
    """Who attended a meeting; an ersättare may step in for one absent ledamot."""

    forbund = models.ForeignKey(Forbund, on_delete=models.CASCADE, related_name="+")
    sammantrade = models.ForeignKey(Sammantrade, on_delete=models.CASCADE, related_name="narvaro")
    uppdrag = models.ForeignKey(Styrelseuppdrag, on_delete=models.PROTECT, related_name="narvaro")
    narvarande = models.BooleanField(_("närvarande"), default=False)
    tjanstgor_for = models.ForeignKey(
        Styrelseuppdrag,
        verbose_name=_("tjänstgör för"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ersatt_av",
    )

    class Meta:
        verbose_name = _("närvaro")
        verbose_name_plural = _("närvaro")
        constraints = [
            models.UniqueConstraint(fields=["sammantrade", "uppdrag"], name="narvaro_unique"),
            models.UniqueConstraint(
                fields=["sammantrade", "tjanstgor_for"], name="narvaro_one_substitute"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.uppdrag_id} {'närvarande' if self.narvarande else 'frånvarande'}"


class Modellberakning(models.Model):
    """A run of the state allocation model (FK's fördelningsmodell), with all its parameters, so
    that a published allocation can always be traced back to its inputs."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ar = models.PositiveSmallIntegerField(
        _("år"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    nationell_summa = models.DecimalField(
        _("nationell summa (kr)"), max_digits=14, decimal_places=0
    )
    grundbelopp = models.DecimalField(
        _("grundbelopp per förbund (kr)"), max_digits=14, decimal_places=0, default=Decimal(400000)
    )
    vikt_forsorjning = models.DecimalField(
        _("vikt försörjningsmått (%)"), max_digits=5, decimal_places=2, default=Decimal(75)
    )
    vikt_befolkning = models.DecimalField(
        _("vikt befolkning (%)"), max_digits=5, decimal_places=2, default=Decimal(25)
    )
    golv_procent = models.DecimalField(
        _("största minskning per år (%)"), max_digits=5, decimal_places=2, default=Decimal(-10)
    )
    skapad = models.DateTimeField(auto_now_add=True)
    skapad_av = models.ForeignKey(
        "finsam.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    publicerad = models.DateTimeField(_("publicerad"), null=True, blank=True)

    class Meta:
        verbose_name = _("modellberäkning")
        verbose_name_plural = _("modellberäkningar")
        ordering = ["-skapad"]

    def __str__(self) -> str:
        return f"Fördelningsmodell {self.ar}"


class Modellrad(models.Model):
    """One förbund's inputs and result in a model run."""

    berakning = models.ForeignKey(Modellberakning, on_delete=models.CASCADE, related_name="rader")
    forbund = models.ForeignKey(Forbund, on_delete=models.PROTECT, related_name="+")
    befolkning = models.PositiveIntegerField(_("befolkning"))
    forsorjningsmatt = models.DecimalField(
        _("försörjningsmått (kr)"), max_digits=16, decimal_places=0
    )
    foregaende = models.DecimalField(
        _("föregående års tilldelning (kr)"), max_digits=14, decimal_places=0, default=Decimal(0)
    )
    ek_over_niva = models.BooleanField(_("eget kapital över rekommenderad nivå"), default=False)
    modellbelopp = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    justering = models.CharField(max_length=20, blank=True)
    tilldelning = models.DecimalField(max_digits=14, decimal_places=0, default=Decimal(0))

    class Meta:
        verbose_name = _("modellrad")
        verbose_name_plural = _("modellrader")
        ordering = ["forbund__namn"]
        constraints = [
            models.UniqueConstraint(fields=["berakning", "forbund"], name="modellrad_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.forbund_id}: {self.tilldelning}"


# How long change rows are kept (``services.forbundsandring_prune``, nightly): longer than any
# cache that is checked against them lives.
FORBUNDSANDRING_KEEP = dt.timedelta(days=8)


class Forbundsandring(models.Model):
    """One row per transaction and förbund that wrote the förbund's own figures: the förbund,
    its members, population, financing, budgets and utfall, and its insatser with their budgets
    and costs (written by the triggers of forbund 0007 and insatser 0005, so every path counts:
    ORM, bulk, raw SQL). Participations have their own, finer change rows
    (``deltagare.Dataandring``).

    ``xid`` is the writing transaction's id: a cached figure that remembers the snapshot it was
    computed under is still exact while every such row of its förbund that is visible now was
    visible in that snapshot (``selectors.forbundsandring_since``). No lock is taken: the unique
    index only ever meets the same transaction's own row."""

    forbund = models.ForeignKey(
        Forbund, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    xid = models.BigIntegerField()
    tidpunkt = models.DateTimeField(db_default=models.functions.Now())

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["forbund", "xid"], name="forbundsandring_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.forbund_id}: {self.xid}"
