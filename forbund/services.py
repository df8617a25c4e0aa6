"""Every write on the förbund, its members, population and financing (STYLE: services).

Budget and utfall live in ``services_budget``; the styrelse in ``services_styrelse``. Each function
validates the whole rule it names and raises ``ValidationError`` (Swedish, keyed by field where
one field is at fault) before anything is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from finsam.models import Roll, User
from finsam.roles import Role

from .berakning import normalise_organisationsnummer
from .imports import FilFel, Radfel, parse_scb_population
from .models import (
    Befolkning,
    Finansieringsar,
    Forbund,
    Forbundsordning,
    Kommun,
    Medlem,
    MedlemTyp,
)

MAX_PDF_BYTES = 10 * 1024 * 1024


# --- förbund ----------------------------------------------------------------------------------


def clean_organisationsnummer(value: str) -> str:
    normalised = normalise_organisationsnummer(value)
    if normalised is None:
        raise ValidationError(
            {
                "organisationsnummer": _(
                    "Ogiltigt organisationsnummer. Skriv tio siffror, t.ex. 222000-1234; "
                    "kontrollsiffran stämmer inte eller numret är inte en juridisk persons."
                )
            }
        )
    return normalised


@transaction.atomic
def forbund_create(
    *,
    namn: str,
    organisationsnummer: str,
    startdatum: dt.date,
    region_namn: str,
    kommuner: list[Kommun],
    chef_username: str,
    chef_first_name: str,
    chef_last_name: str,
    chef_email: str,
    chef_password: str,
) -> Forbund:
    """The systemadministratör creates a förbund with its founding members (FK, AF, one region
    and at least one kommun, all from the start date, so the förbund is valid from day one) and
    its first förbundschef. The förbundschef does the rest."""
    orgnr = clean_organisationsnummer(organisationsnummer)
    if Forbund.objects.filter(namn__iexact=namn.strip()).exists():
        raise ValidationError({"namn": _("Det finns redan ett förbund med det namnet.")})
    if not kommuner:
        raise ValidationError({"kommuner": _("Välj minst en kommun.")})
    if User.objects.filter(username__iexact=chef_username).exists():
        raise ValidationError({"chef_username": _("Användarnamnet är upptaget.")})
    forbund = Forbund.objects.create(
        namn=namn.strip(), organisationsnummer=orgnr, startdatum=startdatum
    )
    for kommun in kommuner:
        _check_kommun_free(kommun=kommun, start=startdatum, end=None, exclude=None)
    Medlem.objects.bulk_create(
        [
            Medlem(
                forbund=forbund, typ=MedlemTyp.FK, namn="Försäkringskassan", startdatum=startdatum
            ),
            Medlem(
                forbund=forbund, typ=MedlemTyp.AF, namn="Arbetsförmedlingen", startdatum=startdatum
            ),
            Medlem(forbund=forbund, typ=MedlemTyp.REGION, namn=region_namn, startdatum=startdatum),
        ]
        + [
            Medlem(
                forbund=forbund,
                typ=MedlemTyp.KOMMUN,
                namn=f"{k.namn} kommun",
                kommun=k,
                startdatum=startdatum,
            )
            for k in kommuner
        ]
    )
    user = User(
        username=chef_username,
        first_name=chef_first_name,
        last_name=chef_last_name,
        email=chef_email,
    )
    try:
        validate_password(chef_password, user)
    except ValidationError as exc:
        raise ValidationError({"chef_password": exc.messages}) from exc
    user.set_password(chef_password)
    user.save()
    Roll.objects.create(user=user, forbund=forbund, roll=Role.FORBUNDSCHEF)
    return forbund


PROFILE_FIELDS = (
    "namn",
    "organisationsnummer",
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
)


@transaction.atomic
def forbund_update_profile(*, forbund: Forbund, data: dict) -> Forbund:
    """The förbundschef edits the profile. The organisationsnummer must pass the Luhn check; the
    name must stay unique."""
    data = dict(data)
    if "organisationsnummer" in data:
        data["organisationsnummer"] = clean_organisationsnummer(data["organisationsnummer"])
    if (
        "namn" in data
        and Forbund.objects.filter(namn__iexact=data["namn"]).exclude(pk=forbund.pk).exists()
    ):
        raise ValidationError({"namn": _("Det finns redan ett förbund med det namnet.")})
    for key, value in data.items():
        if key not in PROFILE_FIELDS:
            raise ValueError(key)
        setattr(forbund, key, value)
    forbund.full_clean(exclude=["uuid"])
    forbund.save()
    return forbund


@transaction.atomic
def forbundsordning_upload(
    *, forbund: Forbund, giltig_fran: dt.date, fil, kommentar: str, user: User
) -> Forbundsordning:
    """A new version of the förbundsordning, valid from a date. Only PDF files (checked by their
    content, not their name), at most 10 MB; one version per date."""
    if fil.size > MAX_PDF_BYTES:
        raise ValidationError({"fil": _("Filen är för stor (högst 10 MB).")})
    head = fil.read(5)
    fil.seek(0)
    if head != b"%PDF-":
        raise ValidationError(
            {"fil": _("Filen är ingen PDF. Ladda upp förbundsordningen som PDF.")}
        )
    if Forbundsordning.objects.filter(forbund=forbund, giltig_fran=giltig_fran).exists():
        raise ValidationError(
            {"giltig_fran": _("Det finns redan en version som gäller från det datumet.")}
        )
    version = Forbundsordning(
        forbund=forbund,
        giltig_fran=giltig_fran,
        filnamn=(fil.name or "forbundsordning.pdf")[-200:],
        kommentar=kommentar,
        uppladdad_av=user,
    )
    version.fil.save(f"{version.uuid}.pdf", fil, save=False)
    version.save()
    return version


# --- members ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Period:
    typ: str
    start: dt.date
    end: dt.date | None

    def active(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


def composition_problem(periods: list[_Period]) -> str | None:
    """Finsam law 2003:1210 §§ 1–2 as the design reads it: on every date a förbund has members,
    it has Försäkringskassan, Arbetsförmedlingen, exactly one region and at least one kommun.
    Returns the first breach in Swedish, or None."""
    if not periods:
        return None
    days = sorted(
        {p.start for p in periods} | {p.end + dt.timedelta(days=1) for p in periods if p.end}
    )
    for day in days:
        active = [p for p in periods if p.active(day)]
        if not active:
            continue
        counts = {t: sum(1 for p in active if p.typ == t) for t in MedlemTyp.values}
        when = day.isoformat()
        if counts[MedlemTyp.FK] != 1:
            return _("Förbundet måste ha Försäkringskassan som medlem (den %(d)s).") % {"d": when}
        if counts[MedlemTyp.AF] != 1:
            return _("Förbundet måste ha Arbetsförmedlingen som medlem (den %(d)s).") % {"d": when}
        if counts[MedlemTyp.REGION] != 1:
            if counts[MedlemTyp.REGION] == 0:
                return _("Förbundet saknar region som medlem den %(d)s.") % {"d": when}
            return _("Förbundet kan bara ha en region som medlem (den %(d)s).") % {"d": when}
        if counts[MedlemTyp.KOMMUN] < 1:
            return _("Förbundet måste ha minst en kommun som medlem (den %(d)s).") % {"d": when}
    return None


def _check_composition(forbund: Forbund, *, replace: dict[int, _Period | None], add=()) -> None:
    periods = []
    for medlem in Medlem.objects.for_forbund(forbund):
        if medlem.pk in replace:
            if replace[medlem.pk] is not None:
                periods.append(replace[medlem.pk])
        else:
            periods.append(_Period(medlem.typ, medlem.startdatum, medlem.slutdatum))
    periods.extend(add)
    problem = composition_problem(periods)
    if problem:
        raise ValidationError(problem)


def _check_kommun_free(
    *, kommun: Kommun, start: dt.date, end: dt.date | None, exclude: int | None
) -> None:
    """A kommun can be a member of only one förbund on any date (and of that one only once)."""
    clash = (
        Medlem.objects.filter(kommun=kommun, startdatum__lte=end or dt.date.max)
        .exclude(slutdatum__lt=start)
        .exclude(pk=exclude)
        .select_related("forbund")
        .first()
    )
    if clash:
        period = (
            f"{clash.startdatum:%Y-%m-%d}–{clash.slutdatum:%Y-%m-%d}"
            if clash.slutdatum
            else (f"från {clash.startdatum:%Y-%m-%d}")
        )
        raise ValidationError(
            {
                "kommun": _(
                    "%(kommun)s är redan medlem i %(forbund)s under samma tid (%(period)s). En "
                    "kommun kan bara vara medlem i ett förbund åt gången."
                )
                % {"kommun": kommun.namn, "forbund": clash.forbund.namn, "period": period}
            }
        )


def _check_dates(start: dt.date, end: dt.date | None) -> None:
    if end is not None and end < start:
        raise ValidationError({"slutdatum": _("Slutdatum kan inte vara före startdatum.")})


@transaction.atomic
def medlem_add(
    *,
    forbund: Forbund,
    typ: str,
    namn: str,
    startdatum: dt.date,
    slutdatum: dt.date | None = None,
    kommun: Kommun | None = None,
    andel_procent: Decimal | None = None,
) -> Medlem:
    """A member joins (a kommun from the reference list, or the region/FK/AF). The förbund's
    composition must hold on every date afterwards, and the kommun must not be a member of another
    förbund at the same time."""
    Forbund.objects.select_for_update().get(pk=forbund.pk)  # serialise member changes
    _check_dates(startdatum, slutdatum)
    if typ == MedlemTyp.KOMMUN:
        if kommun is None:
            raise ValidationError({"kommun": _("Välj kommun.")})
        _check_kommun_free(kommun=kommun, start=startdatum, end=slutdatum, exclude=None)
        namn = namn or f"{kommun.namn} kommun"
    else:
        kommun = None
        andel_procent = None
    if not namn:
        raise ValidationError({"namn": _("Ange medlemmens namn.")})
    _check_composition(forbund, replace={}, add=[_Period(typ, startdatum, slutdatum)])
    return _save_medlem(
        Medlem(
            forbund=forbund,
            typ=typ,
            namn=namn,
            kommun=kommun,
            startdatum=startdatum,
            slutdatum=slutdatum,
            andel_procent=andel_procent,
        )
    )


def _save_medlem(medlem: Medlem) -> Medlem:
    try:
        with transaction.atomic():
            medlem.save()
    except IntegrityError as exc:  # a concurrent join slipped past the check: the constraint holds
        raise ValidationError(
            {"kommun": _("Kommunen är redan medlem i ett förbund under samma tid.")}
        ) from exc
    return medlem


@transaction.atomic
def medlem_update(
    *,
    medlem: Medlem,
    namn: str,
    startdatum: dt.date,
    slutdatum: dt.date | None,
    andel_procent: Decimal | None = None,
) -> Medlem:
    """Change a membership's period (e.g. a kommun leaves: set its end date) or name. Same rules
    as joining."""
    Forbund.objects.select_for_update().get(pk=medlem.forbund_id)
    _check_dates(startdatum, slutdatum)
    if medlem.kommun_id:
        _check_kommun_free(kommun=medlem.kommun, start=startdatum, end=slutdatum, exclude=medlem.pk)
    _check_composition(
        medlem.forbund, replace={medlem.pk: _Period(medlem.typ, startdatum, slutdatum)}
    )
    medlem.namn = namn or medlem.namn
    medlem.startdatum = startdatum
    medlem.slutdatum = slutdatum
    medlem.andel_procent = andel_procent if medlem.typ == MedlemTyp.KOMMUN else None
    return _save_medlem(medlem)


@transaction.atomic
def medlem_replace(*, medlem: Medlem, namn: str, fran: dt.date) -> Medlem:
    """A member organisation is succeeded by another of the same kind (e.g. a region reorganised):
    the old membership ends the day before ``fran`` and the new one starts on it, in one step so
    the förbund never lacks the member in between. Kommuner join and leave one by one instead."""
    if medlem.typ == MedlemTyp.KOMMUN:
        raise ValidationError(_("En kommun ersätts genom att en kommun går ut och en annan in."))
    if fran <= medlem.startdatum:
        raise ValidationError({"fran": _("Datumet måste vara efter medlemskapets start.")})
    if medlem.slutdatum is not None and fran > medlem.slutdatum + dt.timedelta(days=1):
        raise ValidationError({"fran": _("Medlemskapet har redan upphört före det datumet.")})
    end = fran - dt.timedelta(days=1)
    new_end = medlem.slutdatum if medlem.slutdatum and medlem.slutdatum >= fran else None
    _check_composition(
        medlem.forbund,
        replace={medlem.pk: _Period(medlem.typ, medlem.startdatum, end)},
        add=[_Period(medlem.typ, fran, new_end)],
    )
    medlem.slutdatum = end
    medlem.save(update_fields=["slutdatum"])
    return Medlem.objects.create(
        forbund=medlem.forbund, typ=medlem.typ, namn=namn, startdatum=fran, slutdatum=new_end
    )


@transaction.atomic
def medlem_delete(*, medlem: Medlem) -> None:
    """Remove a membership registered by mistake (not one that has ended: set an end date for
    that). Refused when staff or board members are linked to it, or the composition would break."""
    _check_composition(medlem.forbund, replace={medlem.pk: None})
    if medlem.personal.exists() or medlem.uppdrag.exists():
        raise ValidationError(
            _(
                "Medlemmen har kopplade användare eller styrelseuppdrag; "
                "ange ett slutdatum i stället."
            )
        )
    try:
        with transaction.atomic():
            medlem.delete()
    except ProtectedError as exc:  # e.g. an insats names it as the controlling party
        raise ValidationError(
            _(
                "Medlemmen används i andra uppgifter (t.ex. en insats); "
                "ange ett slutdatum i stället."
            )
        ) from exc


# --- population -------------------------------------------------------------------------------


def _check_kommun_member_in_year(forbund: Forbund, kommun: Kommun, ar: int) -> str | None:
    member = (
        Medlem.objects.for_forbund(forbund)
        .filter(kommun=kommun, startdatum__lte=dt.date(ar, 12, 31))
        .exclude(slutdatum__lt=dt.date(ar, 1, 1))
        .exists()
    )
    if not member:
        return _("%(kommun)s är inte medlem i förbundet under %(ar)s.") % {
            "kommun": kommun.namn,
            "ar": ar,
        }
    return None


@transaction.atomic
def befolkning_set(*, forbund: Forbund, kommun: Kommun, ar: int, antal: int) -> Befolkning:
    """Population 16–64 of a member kommun for a year, entered by hand (replaces an earlier
    value)."""
    problem = _check_kommun_member_in_year(forbund, kommun, ar)
    if problem:
        raise ValidationError({"kommun": problem})
    if antal < 0:
        raise ValidationError({"antal": _("Antalet kan inte vara negativt.")})
    row, _created = Befolkning.objects.update_or_create(
        forbund=forbund, kommun=kommun, ar=ar, defaults={"antal": antal, "kalla": "manuell"}
    )
    return row


@dataclass
class ImportResultat:
    saved: int
    errors: list[Radfel]
    file_error: str | None = None
    rows: list = None

    @property
    def ok(self) -> bool:
        return not self.errors and self.file_error is None


def befolkning_import(*, forbund: Forbund, data: bytes) -> ImportResultat:
    """Import population 16–64 from an SCB CSV. Every row is checked first (known kommun, a member
    of the förbund that year, whole numbers, all ages 16–64 present); any error and nothing is
    saved. Existing figures for the same kommun and year are replaced."""
    kommuner = list(Kommun.objects.all())
    by_code = {k.kod: k for k in kommuner}
    from .imports import normalise_key

    by_name = {normalise_key(k.namn): k for k in kommuner}
    try:
        parsed = parse_scb_population(data, kommun_by_code=by_code, kommun_by_name=by_name)
    except FilFel as exc:
        return ImportResultat(0, [], str(exc))
    errors = list(parsed.errors)
    for row in parsed.rows:
        problem = _check_kommun_member_in_year(forbund, by_code[row.kommunkod], row.ar)
        if problem:
            errors.append(Radfel(row.rad, problem))
    if not parsed.rows and not errors:
        return ImportResultat(0, [], _("Filen innehåller inga rader med åldrarna 16–64."))
    if errors:
        return ImportResultat(0, sorted(errors, key=lambda e: e.rad))
    with transaction.atomic():
        for row in parsed.rows:
            Befolkning.objects.update_or_create(
                forbund=forbund,
                kommun=by_code[row.kommunkod],
                ar=row.ar,
                defaults={"antal": row.antal, "kalla": "SCB"},
            )
    return ImportResultat(len(parsed.rows), [], rows=parsed.rows)


# --- financing --------------------------------------------------------------------------------


@transaction.atomic
def finansieringsar_set(
    *, forbund: Forbund, ar: int, statlig_tilldelning: Decimal, ovriga_intakter: Decimal
) -> Finansieringsar:
    """The state's contribution for a year as decided by FK (whole kronor), and other income."""
    for name, value in (
        ("statlig_tilldelning", statlig_tilldelning),
        ("ovriga_intakter", ovriga_intakter),
    ):
        if value < 0 or value != value.to_integral_value():
            raise ValidationError({name: _("Ange ett belopp i hela kronor, noll eller mer.")})
    row, _created = Finansieringsar.objects.update_or_create(
        forbund=forbund,
        ar=ar,
        defaults={
            "statlig_tilldelning": statlig_tilldelning,
            "ovriga_intakter": ovriga_intakter,
            "kalla": "manuell",
        },
    )
    return row


# A horizon row has förbund 0 (no real change row does); its ``xid`` is the oldest transaction
# still running when the prune ran.
_ANDRING_DELETE = (
    "DELETE FROM forbund_forbundsandring WHERE xid < ("
    " SELECT max(xid) FROM forbund_forbundsandring WHERE forbund_id = 0"
    " AND tidpunkt < now() - %s)"
)
_ANDRING_HORIZON = (
    "INSERT INTO forbund_forbundsandring (forbund_id, xid)"
    " VALUES (0, txid_snapshot_xmin(txid_current_snapshot()))"
    " ON CONFLICT (forbund_id, xid) DO NOTHING"
)


@transaction.atomic
def forbundsandring_prune() -> int:
    """Delete the förbund change rows no cache can still need; returns how many. Run nightly.
    Every cache checked against them lives shorter than ``FORBUNDSANDRING_KEEP``; the rule is
    ``finsam.andringar``'s."""
    from finsam.andringar import prune_change_rows

    from .models import FORBUNDSANDRING_KEEP

    return prune_change_rows(
        delete_sql=_ANDRING_DELETE, horizon_sql=_ANDRING_HORIZON, keep=FORBUNDSANDRING_KEEP
    )
