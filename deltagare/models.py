"""Deltagare: identity (Person), consent (Samtycke), participations (Deltagande), their
försörjning rows, follow-ups and the append-only access log (design sections 1, 2, 4 and 5).

Invariants that belong to a row live here as database constraints, so that no path (ORM, bulk,
raw SQL, import) can break them: an anonymous participation holds no details, identity only
with a consent, no overlapping participations of one person in one insats, encrypted identity.
The triggers that go beyond a CHECK (consent consistency, append-only log) are created by the
migrations and described in ``deltagare/sql.py``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils.translation import gettext_lazy as _

from finsam.tracking import audited

from . import crypto
from .kodlistor import FEL, aldersgrupp

# --- Code lists (reference tables seeded by migration 0002) ---------------------------------


class Kodlista(models.Model):
    kod = models.CharField(_("kod"), max_length=20, primary_key=True)
    namn = models.CharField(_("benämning"), max_length=120)
    ordning = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["ordning"]

    def __str__(self) -> str:
        return self.namn


class Kon(Kodlista):
    class Meta(Kodlista.Meta):
        verbose_name = _("kön")
        verbose_name_plural = _("kön")


class Utbildningsniva(Kodlista):
    class Meta(Kodlista.Meta):
        verbose_name = _("utbildningsnivå")
        verbose_name_plural = _("utbildningsnivåer")


class Forsorjningskalla(Kodlista):
    offentlig = models.BooleanField(_("offentlig försörjning"), default=False)

    class Meta(Kodlista.Meta):
        verbose_name = _("försörjningskälla")
        verbose_name_plural = _("försörjningskällor")


class TidOffentligForsorjning(Kodlista):
    class Meta(Kodlista.Meta):
        verbose_name = _("tid i offentlig försörjning")
        verbose_name_plural = _("tider i offentlig försörjning")


class AnvisandePart(Kodlista):
    class Meta(Kodlista.Meta):
        verbose_name = _("anvisande part")
        verbose_name_plural = _("anvisande parter")


class Sysselsattning(Kodlista):
    arbete_eller_studier = models.BooleanField(_("arbete eller studier"), default=False)

    class Meta(Kodlista.Meta):
        verbose_name = _("sysselsättning")
        verbose_name_plural = _("sysselsättningar")


class Avslutsorsak(Kodlista):
    class Meta(Kodlista.Meta):
        verbose_name = _("avslutsorsak")
        verbose_name_plural = _("avslutsorsaker")


# --- Settings per förbund ----------------------------------------------------------------------


class DeltagareInstallning(models.Model):
    """Per-förbund settings of the deltagare app (retention period for gallring)."""

    forbund = models.OneToOneField(
        "forbund.Forbund", on_delete=models.CASCADE, related_name="deltagare_installning"
    )
    gallring_manader = models.PositiveSmallIntegerField(
        _("gallring efter (månader)"),
        default=24,
        help_text=_("Identiteter gallras så många månader efter personens senaste utskrivning."),
    )

    class Meta:
        verbose_name = _("inställning för deltagare")
        verbose_name_plural = _("inställningar för deltagare")
        constraints = [
            models.CheckConstraint(
                condition=Q(gallring_manader__gte=1), name="installning_gallring_positive"
            )
        ]

    def __str__(self) -> str:
        return f"Gallring {self.forbund_id}"


# --- Identity ------------------------------------------------------------------------------


class Person(models.Model):
    """An identity, kept apart from everything else and owned by the controlling member party.

    The same human registered by two controllers is two Persons (design section 2). The
    personnummer and the name are encrypted (``deltagare.crypto``); ``personnummer_hash`` is the
    keyed HMAC used to find the person again without decrypting.
    """

    forbund = models.ForeignKey("forbund.Forbund", on_delete=models.CASCADE, related_name="+")
    medlem = models.ForeignKey(
        "forbund.Medlem",
        verbose_name=_("personuppgiftsansvarig part"),
        on_delete=models.PROTECT,
        related_name="personer",
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    personnummer_krypterat = models.TextField()
    personnummer_hash = models.CharField(max_length=64)
    namn_krypterat = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("personer")
        constraints = [
            models.UniqueConstraint(
                fields=["medlem", "personnummer_hash"], name="person_unique_per_controller"
            ),
            # A Fernet token always starts with its version byte, base64 "gAAAAA": plaintext can
            # never land in the column, whatever path writes it.
            models.CheckConstraint(
                condition=Q(personnummer_krypterat__startswith="gAAAAA"),
                name="person_personnummer_encrypted",
            ),
            models.CheckConstraint(
                condition=Q(namn_krypterat="") | Q(namn_krypterat__startswith="gAAAAA"),
                name="person_namn_encrypted",
            ),
        ]

    def __str__(self) -> str:  # never the identity
        return f"Person {self.uuid}"

    @property
    def personnummer(self) -> str:
        """The normalised 12-digit number (decrypts: log the read where it is shown)."""
        return crypto.decrypt_text(self.personnummer_krypterat)

    @property
    def personnummer_display(self) -> str:
        pnr = self.personnummer
        return f"{pnr[:8]}-{pnr[8:]}"

    @property
    def namn(self) -> str:
        return crypto.decrypt_text(self.namn_krypterat)


class Samtyckessatt(models.TextChoices):
    BLANKETT = "BLANKETT", _("Undertecknad blankett (uppladdad)")
    PERSONLIGEN = "PERSONLIGEN", _("Muntligt vid personligt möte, med handläggaren som vittne")
    IMPORT = "IMPORT", _("Registrerat i tidigare system (import)")


class SamtyckeQuerySet(models.QuerySet):
    def valid_on(self, day: dt.date):
        return self.filter(datum__lte=day, aterkallad__isnull=True).filter(
            Q(giltig_till__isnull=True) | Q(giltig_till__gte=day)
        )


class Samtycke(models.Model):
    """Consent of one Person for one insats (consent is per insats).

    A paper form is stored encrypted in the row (not on disk), so erasing the row erases it.
    """

    forbund = models.ForeignKey("forbund.Forbund", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="samtycken")
    insats = models.ForeignKey("insatser.Insats", on_delete=models.PROTECT, related_name="+")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    datum = models.DateField(_("samtycke lämnat"))
    satt = models.CharField(_("hur samtycket lämnades"), max_length=12, choices=Samtyckessatt)
    blankettversion = models.CharField(_("blankettversion"), max_length=40, blank=True)
    dokument_krypterat = models.BinaryField(null=True, blank=True, editable=False)
    dokument_typ = models.CharField(max_length=60, blank=True)
    vittne = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vittne"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    giltig_till = models.DateField(_("giltigt till"), null=True, blank=True)
    aterkallad = models.DateField(_("återkallat"), null=True, blank=True)
    registrerad_av = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SamtyckeQuerySet.as_manager()

    class Meta:
        verbose_name = _("samtycke")
        verbose_name_plural = _("samtycken")
        indexes = [
            # Only consents with an end date (few): the reminder counts and the list join each
            # participation's consent on this small index instead of the primary key and the
            # row, to find those running out (docs/performance.md, section 3).
            models.Index(
                fields=["id"],
                include=["giltig_till"],
                condition=Q(giltig_till__isnull=False),
                name="samtycke_giltig",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(satt=Samtyckessatt.BLANKETT)
                | Q(dokument_krypterat__isnull=False)
                | Q(aterkallad__isnull=False),
                name="samtycke_blankett_has_document",
            ),
            models.CheckConstraint(
                condition=~Q(satt=Samtyckessatt.PERSONLIGEN) | Q(vittne__isnull=False),
                name="samtycke_personligen_has_witness",
            ),
            models.CheckConstraint(
                condition=Q(giltig_till__isnull=True) | Q(giltig_till__gte=F("datum")),
                name="samtycke_valid_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"Samtycke {self.datum:%Y-%m-%d}"

    def is_valid_on(self, day: dt.date) -> bool:
        return (
            self.datum <= day
            and self.aterkallad is None
            and (self.giltig_till is None or self.giltig_till >= day)
        )


# --- Participations -----------------------------------------------------------------------


class Lopnummer(models.Model):
    """The last participation number used per förbund and year (claimed with an upsert)."""

    forbund = models.ForeignKey("forbund.Forbund", on_delete=models.CASCADE, related_name="+")
    ar = models.PositiveSmallIntegerField()
    senaste = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["forbund", "ar"], name="lopnummer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.ar}: {self.senaste}"


# How long change rows are kept (``services.dataandring_prune``, nightly): longer than any cache
# that is checked against them lives (tests/deltagare/test_reminder_cache.py asserts it).
DATAANDRING_KEEP = dt.timedelta(days=8)


class Dataandring(models.Model):
    """One row per transaction, insats and inskrivning month that wrote participations,
    consents, försörjning rows or follow-ups, written by the triggers of migration 0008 (so
    every path counts: ORM, bulk, raw SQL). ``xid`` is the writing transaction's id: a cached
    aggregate over a part of an insats that remembers the snapshot it was computed under is
    still exact while every such row of that part that is now visible was visible in that
    snapshot (``deltagare.selectors.reminder_counts``). No lock is taken."""

    forbund = models.ForeignKey(
        "forbund.Forbund", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    insats = models.ForeignKey(
        "insatser.Insats", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    # The written participation's inskrivning year (0: every year, e.g. a consent changed).
    ar = models.PositiveSmallIntegerField()
    # Its inskrivning month (0 with year 0): the board dashboard counts this month's
    # registrations apart from the rest of the year (migration 0011).
    manad = models.PositiveSmallIntegerField(db_default=0)
    xid = models.BigIntegerField()
    tidpunkt = models.DateTimeField(db_default=models.functions.Now())

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["forbund", "insats", "ar", "manad", "xid"], name="dataandring_unique"
            ),
        ]
        indexes = [
            # The cache check asks, per insats, for rows of transactions at or after a cached
            # snapshot's xmin: a range on xid, the few recent rows, however many older rows
            # the table keeps until the nightly prune (a per-insats scan of all of them, or the
            # sequential scans PostgreSQL chose once the table was analysed, cost 40 ms).
            models.Index(fields=["forbund", "insats", "xid"], name="dataandring_senaste"),
        ]

    def __str__(self) -> str:
        return f"{self.forbund_id}/{self.insats_id}/{self.ar}: {self.xid}"


class DeltagandeQuerySet(models.QuerySet):
    def for_forbund(self, forbund):
        return self.filter(forbund=forbund)

    def counted(self):
        """FEL (felregistrering) takes a participation out of every count (design section 5)."""
        return self.exclude(avslutsorsak_id=FEL)

    def identified(self):
        return self.filter(person__isnull=False)

    def active_on(self, day: dt.date):
        return self.filter(inskrivning__lte=day).filter(
            Q(utskrivning__isnull=True) | Q(utskrivning__gte=day)
        )

    def active_in(self, start: dt.date, end: dt.date):
        """Active on at least one day of the period (design section 6)."""
        return self.filter(inskrivning__lte=end).filter(
            Q(utskrivning__isnull=True) | Q(utskrivning__gte=start)
        )


# Audit trail (finsam.audit): never the identity link (person, samtycke), the number or who
# registered it; the details are purged from the history when the participation is anonymised
# (services.radering), like from the row itself.
@audited(
    fields=[
        "forbund",
        "insats",
        "kon",
        "fodelsear",
        "inskrivning",
        "utbildning",
        "sysselsattning_fore",
        "tid_offentlig_forsorjning",
        "anvisande_part",
        "utskrivning",
        "avslutsorsak",
        "sysselsattning_efter",
        "anonymiserad",
    ],
    model_name="DeltagandeEvent",
)
class Deltagande(models.Model):
    """One participation of one person (or an anonymous one) in one insats.

    Anonymous (``person`` empty): kön, birth year and dates only; a CHECK refuses any detail.
    Identified: only with a consent for this insats (trigger), with start details, and ended only
    with avslutsorsak, försörjning efter and sysselsättning efter.
    """

    forbund = models.ForeignKey("forbund.Forbund", on_delete=models.CASCADE, related_name="+")
    insats = models.ForeignKey(
        "insatser.Insats", on_delete=models.PROTECT, related_name="deltaganden"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    nummer = models.CharField(_("deltagandenummer"), max_length=20)
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deltaganden",
        db_index=False,  # Meta.indexes has deltagande_person: the same column, once
    )
    samtycke = models.ForeignKey(
        Samtycke, on_delete=models.PROTECT, null=True, blank=True, related_name="deltaganden"
    )
    # The code-list columns (kön, start and end details) have no index of their own
    # (db_index=False): no query finds participations by a code alone (the lists and the
    # statistics read a förbund's rows and filter or group them; 0 scans of those indexes in
    # pg_stat_user_indexes after the benchmark), while every registration maintained two per
    # column (the varchar_pattern_ops twin). Deleting a code, which PROTECT refuses anyway,
    # would scan the table.
    kon = models.ForeignKey(
        Kon, verbose_name=_("kön"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    fodelsear = models.PositiveSmallIntegerField(_("födelseår"))
    inskrivning = models.DateField(_("inskrivning"))
    # Start details (identified only)
    utbildning = models.ForeignKey(
        Utbildningsniva,
        verbose_name=_("utbildningsnivå"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    sysselsattning_fore = models.ForeignKey(
        Sysselsattning,
        verbose_name=_("sysselsättning före"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    tid_offentlig_forsorjning = models.ForeignKey(
        TidOffentligForsorjning,
        verbose_name=_("tid i offentlig försörjning"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    anvisande_part = models.ForeignKey(
        AnvisandePart,
        verbose_name=_("anvisande part"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # End
    utskrivning = models.DateField(_("utskrivning"), null=True, blank=True)
    avslutsorsak = models.ForeignKey(
        Avslutsorsak,
        verbose_name=_("avslutsorsak"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    sysselsattning_efter = models.ForeignKey(
        Sysselsattning,
        verbose_name=_("sysselsättning efter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    anonymiserad = models.DateTimeField(_("identitet borttagen"), null=True, blank=True)
    registrerad_av = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The one-time key of the registration form that created the row: a second POST of the same
    # form (double click, resent request) finds this row instead of making a duplicate. Empty
    # for imported and service-made rows.
    inlamningsnyckel = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeltagandeQuerySet.as_manager()

    class Meta:
        verbose_name = _("deltagande")
        verbose_name_plural = _("deltaganden")
        ordering = ["-inskrivning", "-id"]
        indexes = [
            models.Index(fields=["forbund", "insats", "inskrivning"], name="deltagande_period"),
            models.Index(fields=["person"], name="deltagande_person"),
            # The lists' order (Meta.ordering): a page is the first rows of this index.
            models.Index(fields=["forbund", "-inskrivning", "-id"], name="deltagande_lista"),
            # The report statistics' period filters (uppfoljning.stats): "active in the period"
            # (utskrivning empty or on/after its start), "ended in the period" and the follow-up
            # points read a förbund's rows by utskrivning instead of all its rows.
            models.Index(fields=["forbund", "utskrivning"], name="deltagande_utskrivning"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["forbund", "nummer"], name="deltagande_nummer_unique"),
            models.UniqueConstraint(
                fields=["forbund", "inlamningsnyckel"], name="deltagande_inlamningsnyckel_unique"
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False)
                | (
                    Q(samtycke__isnull=True)
                    & Q(utbildning__isnull=True)
                    & Q(sysselsattning_fore__isnull=True)
                    & Q(tid_offentlig_forsorjning__isnull=True)
                    & Q(anvisande_part__isnull=True)
                    & Q(sysselsattning_efter__isnull=True)
                    & (Q(avslutsorsak__isnull=True) | Q(avslutsorsak=FEL))
                ),
                name="deltagande_anonymous_has_no_details",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=True) | Q(samtycke__isnull=False),
                name="deltagande_identity_needs_consent",
            ),
            models.CheckConstraint(
                condition=Q(utskrivning__isnull=True) | Q(utskrivning__gte=F("inskrivning")),
                name="deltagande_ut_not_before_in",
            ),
            models.CheckConstraint(
                condition=Q(utskrivning__isnull=False)
                | (Q(avslutsorsak__isnull=True) & Q(sysselsattning_efter__isnull=True)),
                name="deltagande_end_details_only_when_ended",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=True)
                | Q(utskrivning__isnull=True)
                | Q(avslutsorsak=FEL)
                | (Q(avslutsorsak__isnull=False) & Q(sysselsattning_efter__isnull=False)),
                name="deltagande_identified_end_complete",
            ),
            models.CheckConstraint(
                condition=Q(fodelsear__gte=1900) & Q(fodelsear__lte=2100),
                name="deltagande_fodelsear_plausible",
            ),
            ExclusionConstraint(
                name="deltagande_no_overlap_same_person_insats",
                expressions=[
                    (F("person"), RangeOperators.EQUAL),
                    (F("insats"), RangeOperators.EQUAL),
                    (
                        Func(
                            F("inskrivning"),
                            F("utskrivning"),
                            Value("[]"),
                            function="daterange",
                            output_field=DateRangeField(),
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(person__isnull=False) & ~Q(avslutsorsak=FEL),
            ),
        ]

    def __str__(self) -> str:
        return self.nummer

    @property
    def is_identified(self) -> bool:
        return self.person_id is not None

    @property
    def is_ended(self) -> bool:
        return self.utskrivning is not None

    @property
    def is_fel(self) -> bool:
        return self.avslutsorsak_id == FEL

    @property
    def aldersgrupp(self) -> str:
        return aldersgrupp(fodelsear=self.fodelsear, inskrivningsar=self.inskrivning.year)

    @property
    def alder(self) -> int:
        return self.inskrivning.year - self.fodelsear


class Skede(models.TextChoices):
    FORE = "FORE", _("Före insats")
    EFTER = "EFTER", _("Efter insats")


@audited(fields=["forbund", "deltagande", "skede", "kalla"], model_name="ForsorjningEvent")
class Forsorjning(models.Model):
    """One försörjningskälla before or after a participation (several may hold at once).

    Carries the participation's förbund, insats and dates (design section 3) so that period
    tables read one covering index instead of joining every participation.
    """

    forbund = models.ForeignKey("forbund.Forbund", on_delete=models.CASCADE, related_name="+")
    deltagande = models.ForeignKey(Deltagande, on_delete=models.CASCADE, related_name="forsorjning")
    insats = models.ForeignKey("insatser.Insats", on_delete=models.PROTECT, related_name="+")
    skede = models.CharField(_("skede"), max_length=5, choices=Skede)
    kalla = models.ForeignKey(
        Forsorjningskalla,
        verbose_name=_("försörjningskälla"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # see Deltagande.kon
    )
    inskrivning = models.DateField()
    utskrivning = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("försörjning")
        verbose_name_plural = _("försörjning")
        indexes = [
            models.Index(
                fields=["forbund", "skede", "utskrivning", "kalla"],
                name="forsorjning_period",
                include=["insats", "deltagande", "inskrivning"],
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["deltagande", "skede", "kalla"], name="forsorjning_unique_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skede} {self.kalla_id}"


@audited(
    fields=["forbund", "deltagande", "punkt", "nadd", "sysselsattning"],
    model_name="UppfoljningEvent",
)
class Uppfoljning(models.Model):
    """A follow-up at +6 or +12 months after utskrivning; "not reached" is a valid answer."""

    class Punkt(models.IntegerChoices):
        SEX = 6, _("6 månader")
        TOLV = 12, _("12 månader")

    forbund = models.ForeignKey("forbund.Forbund", on_delete=models.CASCADE, related_name="+")
    deltagande = models.ForeignKey(
        Deltagande, on_delete=models.CASCADE, related_name="uppfoljningar"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    punkt = models.PositiveSmallIntegerField(_("mätpunkt"), choices=Punkt)
    nadd = models.BooleanField(_("personen nåddes"), default=True)
    sysselsattning = models.ForeignKey(
        Sysselsattning,
        verbose_name=_("sysselsättning"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    forsorjning = models.ManyToManyField(
        Forsorjningskalla, verbose_name=_("försörjning"), blank=True, related_name="+"
    )
    registrerad_av = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    registrerad = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("uppföljning")
        verbose_name_plural = _("uppföljningar")
        constraints = [
            models.UniqueConstraint(fields=["deltagande", "punkt"], name="uppfoljning_unique"),
            models.CheckConstraint(
                condition=Q(nadd=True, sysselsattning__isnull=False)
                | Q(nadd=False, sysselsattning__isnull=True),
                name="uppfoljning_reached_iff_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"Uppföljning +{self.punkt} mån"


# --- Logs (append-only in PostgreSQL, see migration 0003) ----------------------------------


class Atkomst(models.TextChoices):
    VISA = "VISA", _("Visning")
    SOK = "SOK", _("Sökträff")
    ANDRA = "ANDRA", _("Ändring")
    EXPORT = "EXPORT", _("Export")
    UTDRAG = "UTDRAG", _("Registerutdrag")
    DOKUMENT = "DOKUMENT", _("Samtyckesdokument")
    NEKAD = "NEKAD", _("Nekad åtkomst")


class Atkomstlogg(models.Model):
    """One row per read of identified data: who, whom (the Person's uuid), which participation,
    when and what. UPDATE, DELETE and TRUNCATE are refused by triggers; each row carries a
    SHA-256 chained over the previous row of its förbund (set by the insert trigger), so that
    an edit by a superuser is detectable (``selectors.atkomstlogg_verify_chain``).

    The Person is referenced by uuid, not by foreign key: erasing a Person must not touch the log.
    """

    forbund = models.ForeignKey("forbund.Forbund", on_delete=models.PROTECT, related_name="+")
    medlem = models.ForeignKey(
        "forbund.Medlem", on_delete=models.PROTECT, null=True, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person_uuid = models.UUIDField(null=True, db_index=True)
    deltagande = models.ForeignKey(
        Deltagande, on_delete=models.PROTECT, null=True, related_name="+"
    )
    vad = models.CharField(_("åtkomst"), max_length=10, choices=Atkomst)
    tidpunkt = models.DateTimeField(_("tidpunkt"), auto_now_add=True, db_index=True)
    begaran = models.CharField(max_length=32, blank=True)
    kedja = models.PositiveBigIntegerField(default=0, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("åtkomstlogg")
        verbose_name_plural = _("åtkomstlogg")
        ordering = ["-tidpunkt", "-id"]
        indexes = [models.Index(fields=["forbund", "-tidpunkt"], name="atkomstlogg_forbund")]

    def __str__(self) -> str:
        return f"{self.vad} {self.tidpunkt:%Y-%m-%d %H:%M}"


class Anonymiseringsorsak(models.TextChoices):
    ATERKALLAT = "ATERKALLAT", _("Samtycke återkallat")
    GALLRING = "GALLRING", _("Gallring")


class Anonymisering(models.Model):
    """The ledger of erasures (consent withdrawn, gallring): who, when, which participation
    number, never the identity. Append-only like the access log."""

    forbund = models.ForeignKey("forbund.Forbund", on_delete=models.PROTECT, related_name="+")
    deltagande = models.ForeignKey(Deltagande, on_delete=models.PROTECT, related_name="+")
    nummer = models.CharField(max_length=20)
    orsak = models.CharField(max_length=12, choices=Anonymiseringsorsak)
    utford_av = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    tidpunkt = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("anonymisering")
        verbose_name_plural = _("anonymiseringar")
        ordering = ["-tidpunkt", "-id"]

    def __str__(self) -> str:
        return f"{self.orsak} {self.nummer}"
