"""Identity, registration, correction, ending and follow-up of participations."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from insatser.models import Insats, Registreringsform

from .. import crypto
from ..kodlistor import FEL, alder
from ..models import (
    Atkomst,
    Deltagande,
    Forsorjning,
    Person,
    Skede,
    Uppfoljning,
)
from ..personnummer import PersonnummerError, parse
from .atkomst import atkomstlogg_write
from .common import (
    AGE_MAX,
    AGE_MIN,
    EndUppgifter,
    Registrering,
    SamtyckeInput,
    StartUppgifter,
    add_months,
    today,
)
from .samtycke import samtycke_create, validate_samtycke

logger = logging.getLogger(__name__)


# --- Identity ------------------------------------------------------------------------------


def person_find(*, medlem_id: int, personnummer: str) -> Person | None:
    """The Person with this number under this controller, found by keyed hash (never by
    decrypting). Same human under another controller is another Person (design section 2)."""
    normalised = parse(personnummer).normalised
    return (
        Person.objects.filter(
            medlem_id=medlem_id, personnummer_hash__in=crypto.lookup_hashes(normalised)
        )
        .order_by("id")
        .first()
    )


def _person_get_or_create(*, insats: Insats, personnummer: str, namn: str) -> tuple[Person, bool]:
    normalised = parse(personnummer).normalised
    existing = person_find(medlem_id=insats.personuppgiftsansvarig_id, personnummer=normalised)
    if existing is not None:
        if namn and not existing.namn_krypterat:
            existing.namn_krypterat = crypto.encrypt_text(namn)
            existing.save(update_fields=["namn_krypterat"])
        return existing, True
    person = Person.objects.create(
        forbund_id=insats.forbund_id,
        medlem_id=insats.personuppgiftsansvarig_id,
        personnummer_krypterat=crypto.encrypt_text(normalised),
        personnummer_hash=crypto.lookup_hash(normalised),
        namn_krypterat=crypto.encrypt_text(namn),
    )
    return person, False


# --- Participations ------------------------------------------------------------------------


def _next_nummer(*, forbund_id: int, year: int) -> str:
    """Claim the next number of the year in the förbund with one atomic upsert: two concurrent
    registrations can never get the same number, and none is skipped on success."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO deltagare_lopnummer (forbund_id, ar, senaste) VALUES (%s, %s, 1)
            ON CONFLICT (forbund_id, ar) DO UPDATE SET senaste = deltagare_lopnummer.senaste + 1
            RETURNING senaste
            """,
            [forbund_id, year],
        )
        (number,) = cursor.fetchone()
    return f"D-{year}-{number:04d}"


def registration_problems(insats: Insats, inskrivning: dt.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if insats.registreringsform != Registreringsform.PERSON:
        errors["insats"] = "Insatsen registrerar inte deltagare per person."
    if insats.personuppgiftsansvarig_id is None:
        errors["insats"] = "Insatsen saknar personuppgiftsansvarig part; kontakta förbundschefen."
    if inskrivning > today():
        errors["inskrivning"] = "Inskrivningsdatumet kan inte ligga i framtiden."
    elif inskrivning < insats.startdatum:
        start = insats.startdatum.isoformat()
        errors["inskrivning"] = f"Inskrivningen ligger före insatsens startdatum ({start})."
    elif insats.slutdatum and inskrivning > insats.slutdatum:
        end = insats.slutdatum.isoformat()
        errors["inskrivning"] = f"Inskrivningen ligger efter insatsens slutdatum ({end})."
    return errors


def _age_warnings(fodelsear: int, inskrivning: dt.date) -> list[str]:
    age = alder(fodelsear=fodelsear, inskrivningsar=inskrivning.year)
    if age < AGE_MIN or age > AGE_MAX:
        return [
            f"Deltagaren är {age} år vid inskrivningen, utanför lagens åldersspann 16–64 år. "
            "Registreringen är gjord; kontrollera att det stämmer."
        ]
    return []


def _overlapping(*, person: Person, insats: Insats, start: dt.date, end: dt.date | None):
    qs = Deltagande.objects.filter(person=person, insats=insats)
    return _overlapping_in(qs, start, end)


def _overlap_message(other: Deltagande) -> str:
    period = (
        other.inskrivning.isoformat()
        + " – "
        + (other.utskrivning.isoformat() if other.utskrivning else "pågår")
    )
    return (
        f"Personen har redan ett deltagande i insatsen under samma tid ({other.nummer}, "
        f"{period}). Avsluta det först eller ändra datumen."
    )


class _Collision(Exception):  # noqa: N818 - control flow: explained by _collision_explained
    """The participation's insert met a constraint (a concurrent registration, a reused form
    key). Raised inside the registration's transaction, so that the whole of it rolls back,
    and explained once it has: the insert needs no savepoint of its own (two round trips on
    every registration for a rare case, docs/performance.md section 3)."""

    def __init__(self, *, insats: Insats, person: Person | None, inskrivning: dt.date, key):
        super().__init__("registration collided")
        self.insats, self.person, self.inskrivning, self.key = insats, person, inskrivning, key

    def error(self) -> ValidationError:
        insats = self.insats
        if (
            self.key is not None
            and Deltagande.objects.filter(
                forbund_id=insats.forbund_id, inlamningsnyckel=self.key
            ).exists()
        ):
            # The key belongs to another user's or insats's form: never hand over that row.
            return ValidationError(
                {"__all__": "Formuläret har redan använts. Ladda om sidan och försök igen."}
            )
        # A concurrent registration won the race for the same person and period.
        other = (
            _overlapping(person=self.person, insats=insats, start=self.inskrivning, end=None)
            if self.person is not None
            else None
        )
        return ValidationError(
            {"inskrivning": _overlap_message(other) if other else "Registreringen krockade."}
        )


def _collision_explained(register):
    @functools.wraps(register)
    def wrapper(**kwargs):
        try:
            return register(**kwargs)
        except _Collision as collision:  # rolled back by now: look up why, and say so
            raise collision.error() from None

    return wrapper


@_collision_explained
@transaction.atomic
def deltagande_register(
    *,
    insats: Insats,
    user,
    kon: str,
    inskrivning: dt.date,
    fodelsear: int | None = None,
    skyddad: bool = False,
    personnummer: str | None = None,
    namn: str = "",
    samtycke: SamtyckeInput | None = None,
    start: StartUppgifter | None = None,
    begaran: str = "",
    inlamningsnyckel: uuid.UUID | None = None,
) -> Registrering:
    """Register a participation (design sections 1 and 4, issue 5 rules).

    * Skyddade personuppgifter → anonymous, and no identity may be entered at all.
    * No consent → anonymous. Anonymous = kön, birth year and dates only.
    * Identity needs a consent for this insats; the Person belongs to the insats's controller
      and is found again by keyed hash (an earlier registration is linked, not duplicated).
    * Inskrivning not in the future and inside the insats's period; age outside 16–64 warns.
    * The same person in the same insats with overlapping dates is refused.
    * No duplicates from a double submit (SECURITY.md #17): the form's one-time
      ``inlamningsnyckel`` is stored on the row; a second call with the same key in the förbund
      saves nothing and returns the row already made (``redan_sparad``).
    """
    if inlamningsnyckel is not None:
        earlier = _registered_with_key(insats=insats, user=user, key=inlamningsnyckel)
        if earlier is not None:
            return Registrering(earlier, [], redan_sparad=True)
    identified = personnummer is not None and personnummer != ""
    errors = registration_problems(insats, inskrivning)
    if identified and skyddad:
        errors["personnummer"] = (
            "Personen har skyddade personuppgifter: registrera anonymt, utan personnummer."
        )
    if identified and samtycke is None:
        errors["personnummer"] = "Utan samtycke registreras deltagaren anonymt, utan identitet."
    if not identified and (start is not None or samtycke is not None or namn):
        errors["__all__"] = "Anonyma deltaganden har bara kön, födelseår och datum."
    pnr = None
    if identified:
        try:
            pnr = parse(personnummer)
        except PersonnummerError as exc:
            errors["personnummer"] = str(exc)
        if samtycke is not None:
            errors.update(validate_samtycke(samtycke))
        if start is None:
            errors["__all__"] = "Uppgifterna vid inskrivning saknas."
        elif not start.forsorjning_fore:
            errors["forsorjning_fore"] = "Ange minst en försörjningskälla (eller Okänd)."
    if pnr is not None:
        fodelsear = pnr.birth_year
    if fodelsear is None:
        errors.setdefault("fodelsear", "Ange födelseår.")
    elif not 1900 <= fodelsear <= today().year:
        errors.setdefault("fodelsear", "Ange ett födelseår mellan 1900 och i år.")
    if errors:
        raise ValidationError(errors)

    person, found = None, False
    samtycke_row = None
    if identified:
        person, found = _person_get_or_create(
            insats=insats, personnummer=pnr.normalised, namn=namn.strip()
        )
        # A person created just now has no participation to overlap with.
        other = (
            _overlapping(person=person, insats=insats, start=inskrivning, end=None)
            if found
            else None
        )
        if other is not None:
            raise ValidationError({"inskrivning": _overlap_message(other)})
        samtycke_row = samtycke_create(person=person, insats=insats, samtycke=samtycke, user=user)
    deltagande = Deltagande(
        forbund_id=insats.forbund_id,
        insats=insats,
        nummer=_next_nummer(forbund_id=insats.forbund_id, year=inskrivning.year),
        person=person,
        samtycke=samtycke_row,
        kon_id=kon,
        fodelsear=fodelsear,
        inskrivning=inskrivning,
        registrerad_av=user,
        inlamningsnyckel=inlamningsnyckel,
    )
    if identified:
        deltagande.utbildning_id = start.utbildning
        deltagande.sysselsattning_fore_id = start.sysselsattning_fore
        deltagande.tid_offentlig_forsorjning_id = start.tid_offentlig_forsorjning
        deltagande.anvisande_part_id = start.anvisande_part
    try:
        deltagande.save()
        if identified:
            _forsorjning_set(deltagande, Skede.FORE, start.forsorjning_fore, new=True)
    except IntegrityError as exc:
        # Only a person found before can overlap: one made in this transaction is rolled back.
        raise _Collision(
            insats=insats,
            person=person if found else None,
            inskrivning=inskrivning,
            key=inlamningsnyckel,
        ) from exc
    if identified:
        atkomstlogg_write(
            user=user,
            forbund=insats.forbund,
            vad=Atkomst.ANDRA,
            deltagande=deltagande,
            person=person,
            begaran=begaran,
        )
    return Registrering(deltagande, _age_warnings(fodelsear, inskrivning), found)


def _registered_with_key(*, insats: Insats, user, key: uuid.UUID) -> Deltagande | None:
    """The participation an earlier submit of the same form (same insats, same user) made.

    A transaction-scoped advisory lock on the key makes two simultaneous submits of one form
    take turns: the second waits for the first to commit and then finds its row (each statement
    sees the latest committed data under READ COMMITTED). The unique constraint on
    (förbund, inlämningsnyckel) stays as the backstop."""
    lock_id = int.from_bytes(key.bytes[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])
    return Deltagande.objects.filter(
        forbund_id=insats.forbund_id, insats=insats, registrerad_av=user, inlamningsnyckel=key
    ).first()


def _forsorjning_set(
    deltagande: Deltagande, skede: str, koder: list[str], *, new: bool = False
) -> None:
    """``new``: the participation was inserted in this transaction and has no sources yet."""
    # Only the sources that really change are deleted or added, so that the audit trail
    # (finsam.audit) shows what changed instead of every source removed and added again.
    wanted = list(dict.fromkeys(koder))
    existing = set()
    if not new:
        Forsorjning.objects.filter(deltagande=deltagande, skede=skede).exclude(
            kalla_id__in=wanted
        ).delete()
        existing = set(
            Forsorjning.objects.filter(deltagande=deltagande, skede=skede).values_list(
                "kalla_id", flat=True
            )
        )
    Forsorjning.objects.bulk_create(
        [
            Forsorjning(
                forbund_id=deltagande.forbund_id,
                deltagande=deltagande,
                insats_id=deltagande.insats_id,
                skede=skede,
                kalla_id=kod,
                inskrivning=deltagande.inskrivning,
                utskrivning=deltagande.utskrivning,
            )
            for kod in wanted
            if kod not in existing
        ]
    )


@transaction.atomic
def deltagande_end(
    *,
    deltagande: Deltagande,
    user,
    utskrivning: dt.date,
    avslutsorsak: str | None = None,
    sysselsattning_efter: str | None = None,
    forsorjning_efter: list[str] | None = None,
    begaran: str = "",
) -> Deltagande:
    """End a participation (issue 5 rules).

    * Utskrivning not before inskrivning and not in the future.
    * Identified: only with avslutsorsak, försörjning efter and sysselsättning efter (each may be
      ``OKAND``, explicitly). Anonymous: the date only (it carries no details).
    """
    deltagande = Deltagande.objects.select_for_update().get(pk=deltagande.pk)
    errors: dict[str, str] = {}
    if deltagande.utskrivning is not None:
        errors["__all__"] = "Deltagandet är redan avslutat."
    end = EndUppgifter(
        utskrivning=utskrivning,
        avslutsorsak=avslutsorsak,
        sysselsattning_efter=sysselsattning_efter,
        forsorjning_efter=forsorjning_efter or [],
    )
    errors.update(_end_problems(deltagande, end))
    if errors:
        raise ValidationError(errors)
    deltagande.utskrivning = utskrivning
    if deltagande.is_identified:
        deltagande.avslutsorsak_id = avslutsorsak
        deltagande.sysselsattning_efter_id = sysselsattning_efter
    deltagande.save()
    Forsorjning.objects.filter(deltagande=deltagande).update(utskrivning=utskrivning)
    if deltagande.is_identified:
        _forsorjning_set(deltagande, Skede.EFTER, forsorjning_efter)
        atkomstlogg_write(
            user=user,
            forbund=deltagande.insats.forbund,
            vad=Atkomst.ANDRA,
            deltagande=deltagande,
            begaran=begaran,
        )
    return deltagande


@transaction.atomic
def deltagande_update(
    *,
    deltagande: Deltagande,
    user,
    kon: str,
    inskrivning: dt.date,
    fodelsear: int | None = None,
    start: StartUppgifter | None = None,
    end: EndUppgifter | None = None,
    begaran: str = "",
) -> Registrering:
    """Correct a participation (issue 5 rules, as for registering and ending it): inskrivning
    not in the future and inside the insats's period, utskrivning not before inskrivning and not
    in the future; an ended identified participation keeps avslutsorsak, försörjning efter and
    sysselsättning efter; no overlap with another participation of the same person in the
    insats. Anonymous participations can only change kön, birth year and dates; an identified
    one's birth year follows its personnummer. ``end`` applies only to an ended participation."""
    deltagande = Deltagande.objects.select_for_update().get(pk=deltagande.pk)
    errors = registration_problems(deltagande.insats, inskrivning)
    errors.pop("insats", None)
    utskrivning = deltagande.utskrivning
    if end is not None and deltagande.utskrivning is not None and not deltagande.is_fel:
        utskrivning = end.utskrivning
        errors.update(_end_problems(deltagande, end))
    if utskrivning and inskrivning > utskrivning:
        errors.setdefault(
            "inskrivning",
            f"Inskrivningen kan inte ligga efter utskrivningen ({utskrivning.isoformat()}).",
        )
    if deltagande.is_identified:
        if start is None:
            errors["__all__"] = "Uppgifterna vid inskrivning saknas."
        elif not start.forsorjning_fore:
            errors["forsorjning_fore"] = "Ange minst en försörjningskälla (eller Okänd)."
    elif start is not None:
        errors["__all__"] = "Anonyma deltaganden har bara kön, födelseår och datum."
    if not deltagande.is_identified and (
        fodelsear is None or not 1900 <= fodelsear <= today().year
    ):
        errors["fodelsear"] = "Ange ett födelseår mellan 1900 och i år."
    if not errors and deltagande.is_identified and not deltagande.is_fel:
        others = Deltagande.objects.filter(
            person=deltagande.person, insats=deltagande.insats
        ).exclude(pk=deltagande.pk)
        clash = _overlapping_in(others, inskrivning, utskrivning)
        if clash is not None:
            raise ValidationError({"inskrivning": _overlap_message(clash)})
    if errors:
        raise ValidationError(errors)
    deltagande.kon_id = kon
    deltagande.inskrivning = inskrivning
    deltagande.utskrivning = utskrivning
    if not deltagande.is_identified:
        deltagande.fodelsear = fodelsear
    else:
        deltagande.utbildning_id = start.utbildning
        deltagande.sysselsattning_fore_id = start.sysselsattning_fore
        deltagande.tid_offentlig_forsorjning_id = start.tid_offentlig_forsorjning
        deltagande.anvisande_part_id = start.anvisande_part
        if end is not None and utskrivning is not None and not deltagande.is_fel:
            deltagande.avslutsorsak_id = end.avslutsorsak
            deltagande.sysselsattning_efter_id = end.sysselsattning_efter
    try:
        with transaction.atomic():
            deltagande.save()
            Forsorjning.objects.filter(deltagande=deltagande).update(
                inskrivning=inskrivning, utskrivning=utskrivning
            )
            if deltagande.is_identified:
                _forsorjning_set(deltagande, Skede.FORE, start.forsorjning_fore)
                if end is not None and utskrivning is not None and not deltagande.is_fel:
                    _forsorjning_set(deltagande, Skede.EFTER, end.forsorjning_efter)
    except IntegrityError:
        raise ValidationError(
            {"inskrivning": "Ändringen krockade med ett annat deltagande."}
        ) from None
    if deltagande.is_identified:
        atkomstlogg_write(
            user=user,
            forbund=deltagande.insats.forbund,
            vad=Atkomst.ANDRA,
            deltagande=deltagande,
            begaran=begaran,
        )
    return Registrering(deltagande, _age_warnings(deltagande.fodelsear, inskrivning))


def _end_problems(deltagande: Deltagande, end: EndUppgifter) -> dict[str, str]:
    """The rules for ending (shared by ending and correcting an ended participation)."""
    errors: dict[str, str] = {}
    if end.utskrivning > today():
        errors["utskrivning"] = "Utskrivningsdatumet kan inte ligga i framtiden."
    elif end.utskrivning < deltagande.inskrivning:
        start = deltagande.inskrivning.isoformat()
        errors["utskrivning"] = f"Utskrivningen kan inte ligga före inskrivningen ({start})."
    if deltagande.is_identified:
        if not end.avslutsorsak:
            errors["avslutsorsak"] = "Ange avslutsorsak."
        if not end.sysselsattning_efter:
            errors["sysselsattning_efter"] = "Ange sysselsättning efter insatsen (eller Okänd)."
        if not end.forsorjning_efter:
            errors["forsorjning_efter"] = "Ange minst en försörjningskälla efter (eller Okänd)."
    elif end.avslutsorsak or end.sysselsattning_efter or end.forsorjning_efter:
        errors["__all__"] = "Ett anonymt deltagande avslutas bara med datum."
    return errors


def _overlapping_in(qs, start: dt.date, end: dt.date | None):
    qs = qs.exclude(avslutsorsak_id=FEL).filter(
        Q(utskrivning__isnull=True) | Q(utskrivning__gte=start)
    )
    if end is not None:
        qs = qs.filter(inskrivning__lte=end)
    return qs.order_by("inskrivning").first()


@transaction.atomic
def deltagande_mark_fel(*, deltagande: Deltagande, user, begaran: str = "") -> Deltagande:
    """Felregistrering (design section 5): avslutsorsak ``FEL`` takes the participation out of
    every count without deleting it (kept for the audit trail). An open one ends today."""
    deltagande = Deltagande.objects.select_for_update().get(pk=deltagande.pk)
    if deltagande.is_fel:
        return deltagande
    deltagande.avslutsorsak_id = FEL
    if deltagande.utskrivning is None:
        deltagande.utskrivning = max(today(), deltagande.inskrivning)
        Forsorjning.objects.filter(deltagande=deltagande).update(utskrivning=deltagande.utskrivning)
    deltagande.save()
    if deltagande.is_identified:
        atkomstlogg_write(
            user=user,
            forbund=deltagande.insats.forbund,
            vad=Atkomst.ANDRA,
            deltagande=deltagande,
            begaran=begaran,
        )
    return deltagande


# --- Follow-up -----------------------------------------------------------------------------


def uppfoljning_due_date(deltagande: Deltagande, punkt: int) -> dt.date:
    return add_months(deltagande.utskrivning, punkt)


@transaction.atomic
def uppfoljning_record(
    *,
    deltagande: Deltagande,
    user,
    punkt: int,
    nadd: bool,
    sysselsattning: str | None = None,
    forsorjning: list[str] | None = None,
    begaran: str = "",
) -> Uppfoljning:
    """Record the +6 or +12 month follow-up after utskrivning (issue 5): sysselsättning and
    försörjning at that time, or "not reached" as a valid answer. Identified, ended, non-FEL
    participations only; from 30 days before the point is due."""
    errors: dict[str, str] = {}
    if punkt not in (6, 12):
        errors["punkt"] = "Uppföljning görs efter 6 eller 12 månader."
    if not deltagande.is_identified or deltagande.utskrivning is None or deltagande.is_fel:
        errors["__all__"] = "Uppföljning görs bara för avslutade deltaganden med identitet."
    elif punkt in (6, 12):
        due = uppfoljning_due_date(deltagande, punkt)
        if today() < due - dt.timedelta(days=30):
            errors["__all__"] = (
                f"Uppföljningen kan registreras från {(due - dt.timedelta(days=30)).isoformat()}."
            )
    if nadd and not sysselsattning:
        errors["sysselsattning"] = "Ange sysselsättning (eller markera att personen inte nåddes)."
    if nadd and not forsorjning:
        errors["forsorjning"] = "Ange minst en försörjningskälla (eller Okänd)."
    if errors:
        raise ValidationError(errors)
    row, _created = Uppfoljning.objects.update_or_create(
        deltagande=deltagande,
        punkt=punkt,
        defaults={
            "forbund_id": deltagande.forbund_id,
            "nadd": nadd,
            "sysselsattning_id": sysselsattning if nadd else None,
            "registrerad_av": user,
        },
    )
    row.forsorjning.set(list(dict.fromkeys(forsorjning or [])) if nadd else [])
    atkomstlogg_write(
        user=user,
        forbund=deltagande.insats.forbund,
        vad=Atkomst.ANDRA,
        deltagande=deltagande,
        begaran=begaran,
    )
    return row
