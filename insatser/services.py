"""Every write on an insats and what belongs to it. Each function states the rule it enforces.

Nothing in an insats is locked (unlike the national tool): every field stays editable, and every
change is recorded as ``Handelse`` rows (who, when, old → new) in the same transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from finsam.models import Roll
from finsam.permissions import (
    DELTAGARANSVARIG,
    INSATSANSVARIG,
    insats_grant,
    insats_revoke,
    insats_users_with_perm,
)
from finsam.roles import Role

from .models import (
    Dokument,
    Dokumenttyp,
    Handelse,
    Insats,
    Insatsbudget,
    Insatskostnad,
    Medfinansiering,
    Status,
    Tillfalle,
    TillfalleDeltagare,
    Volym,
    Yrkesgrupp,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from finsam.models import User
    from forbund.models import Beslut, Forbund, Medlem

# The insats fields a user edits, in the order the history and the form show them.
TRACKED_FIELDS = [
    "kod",
    "namn",
    "beskrivning",
    "kategori",
    "status",
    "beslut",
    "registreringsform",
    "malgrupper",
    "metoder",
    "huvudman",
    "personuppgiftsansvarig",
    "startdatum",
    "planerat_slutdatum",
    "slutdatum",
    "planerade_deltagare",
    "malvarden",
]
M2M_FIELDS = {"malgrupper", "metoder", "huvudman"}

# The lifecycle's next steps (the edit form may still set any status, as a correction).
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    Status.ANSOKAN: (Status.BEVILJAD,),
    Status.BEVILJAD: (Status.PAGAENDE,),
    Status.PAGAENDE: (Status.AVSLUTAD,),
    Status.AVSLUTAD: (Status.IMPLEMENTERAD, Status.AVVECKLAD),
    Status.IMPLEMENTERAD: (),
    Status.AVVECKLAD: (),
}

DOKUMENT_SUFFIXES = {".pdf", ".docx", ".doc", ".odt", ".xlsx", ".xls", ".ods", ".pptx", ".txt"}
DOKUMENT_MAX_BYTES = 20 * 1024 * 1024
EMPTY = "–"


# --- History ---


def _label(name: str) -> str:
    label = str(Insats._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


def _display(value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _field_text(insats: Insats, name: str) -> str:
    if name in M2M_FIELDS:
        names = sorted(str(o) for o in getattr(insats, name).all())
        return ", ".join(names) if names else EMPTY
    model_field = Insats._meta.get_field(name)
    if model_field.choices:
        return _display(getattr(insats, f"get_{name}_display")())
    return _display(getattr(insats, name))


def _snapshot(insats: Insats) -> dict[str, str]:
    return {name: _field_text(insats, name) for name in TRACKED_FIELDS}


def handelse_record(*, insats: Insats, user: User | None, falt: str, gammalt: str, nytt: str):
    return Handelse.objects.create(
        forbund_id=insats.forbund_id,
        insats=insats,
        user=user,
        falt=falt,
        gammalt=gammalt,
        nytt=nytt,
    )


def _record_diff(insats: Insats, user: User | None, before: dict[str, str]) -> list[Handelse]:
    after = _snapshot(insats)
    return [
        handelse_record(
            insats=insats, user=user, falt=_label(name), gammalt=before[name], nytt=after[name]
        )
        for name in TRACKED_FIELDS
        if before[name] != after[name]
    ]


# --- The insats ---


def _check_scoped(forbund: Forbund, data: Mapping[str, Any]) -> None:
    """Every member and decision an insats points at belongs to its own förbund (design 4.1)."""
    errors = {}
    medlemmar = list(data.get("huvudman") or [])
    if data.get("personuppgiftsansvarig"):
        medlemmar.append(data["personuppgiftsansvarig"])
    if any(m.forbund_id != forbund.pk for m in medlemmar):
        errors["huvudman"] = _("Välj bland förbundets egna medlemmar.")
    beslut = data.get("beslut")
    if beslut is not None and beslut.forbund_id != forbund.pk:
        errors["beslut"] = _("Välj ett beslut i förbundets egen styrelse.")
    if errors:
        raise ValidationError(errors)


def _apply(insats: Insats, data: Mapping[str, Any]) -> dict[str, Any]:
    m2m = {}
    for name in TRACKED_FIELDS:
        if name not in data:
            continue
        if name in M2M_FIELDS:
            m2m[name] = list(data[name] or [])
        else:
            setattr(insats, name, data[name])
    return m2m


@transaction.atomic
def insats_create(*, forbund: Forbund, user: User, data: Mapping[str, Any]) -> Insats:
    """Create an insats in the förbund (förbundschef). The row rules of ``Insats.clean`` hold;
    the creation is the first history entry."""
    _check_scoped(forbund, data)
    insats = Insats(forbund=forbund)
    m2m = _apply(insats, data)
    insats.full_clean()
    insats.save()
    for name, values in m2m.items():
        getattr(insats, name).set(values)
    handelse_record(
        insats=insats, user=user, falt=_("Insatsen skapad"), gammalt="", nytt=str(insats)
    )
    return insats


@transaction.atomic
def insats_update(*, insats: Insats, user: User, data: Mapping[str, Any]) -> list[Handelse]:
    """Change any field of an insats; nothing is locked, every changed field is recorded
    (old → new) in the history. Returns the recorded events (empty when nothing changed)."""
    _check_scoped(insats.forbund, data)
    # Lock the row and compare against what is stored, not what the caller last read.
    Insats.objects.select_for_update().filter(pk=insats.pk).values("pk").first()
    insats.refresh_from_db()
    before = _snapshot(insats)
    m2m = _apply(insats, data)
    try:
        insats.full_clean()
    except ValidationError:
        insats.refresh_from_db()  # the caller's object shows what is stored, not the bad input
        raise
    insats.save()
    for name, values in m2m.items():
        getattr(insats, name).set(values)
    return _record_diff(insats, user, before)


@transaction.atomic
def insats_transition(
    *,
    insats: Insats,
    user: User,
    status: str,
    datum: dt.date | None = None,
    beslut: Beslut | None = None,
) -> list[Handelse]:
    """Move an insats one step along its lifecycle: ansökan → beviljad (linked to the styrelse
    beslut when one exists) → pågående (``datum`` sets the start) → avslutad (``datum`` is the
    actual end) → implementerad i ordinarie verksamhet or avvecklad.

    Only the next steps are offered here; the edit form may still correct any status.
    """
    insats.refresh_from_db(fields=["status", "slutdatum", "startdatum"])
    if status not in NEXT_STATUSES.get(insats.status, ()):
        raise ValidationError(
            {
                "status": _("Insatsen kan inte gå från ”%(fran)s” till ”%(till)s”.")
                % {"fran": Status(insats.status).label, "till": Status(status).label}
            }
        )
    data: dict[str, Any] = {"status": status}
    if status == Status.BEVILJAD and beslut is not None:
        data["beslut"] = beslut
    if status == Status.PAGAENDE and datum is not None:
        data["startdatum"] = datum
    if status == Status.AVSLUTAD:
        data["slutdatum"] = datum or insats.slutdatum
        if data["slutdatum"] is None:
            raise ValidationError({"datum": _("Ange datum då insatsen avslutades.")})
    try:
        return insats_update(insats=insats, user=user, data=data)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "slutdatum" in exc.error_dict:
            raise ValidationError({"datum": exc.error_dict["slutdatum"]}) from exc
        if hasattr(exc, "error_dict") and "planerat_slutdatum" in exc.error_dict:
            raise ValidationError({"datum": exc.error_dict["planerat_slutdatum"]}) from exc
        raise


# --- People ---


def assignable_users(*, insats: Insats, perm: str):
    """Who may be granted on an insats: users with an active handläggare role in the förbund
    (insatsansvarig: also the insatsansvarig role). For PERSON insatser only staff employed by
    the data controller qualify: participant data is visible only to that party's staff in the
    insats (design section 2)."""
    from finsam.models import User

    roles = [Role.HANDLAGGARE]
    if perm == INSATSANSVARIG:
        roles.append(Role.INSATSANSVARIG)
    rows = Roll.objects.active().filter(forbund_id=insats.forbund_id, roll__in=roles)
    if insats.registreringsform == "PERSON" and insats.personuppgiftsansvarig_id:
        rows = rows.filter(medlem_id=insats.personuppgiftsansvarig_id)
    return (
        User.objects.filter(is_active=True, roller__in=rows)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _person_text(user: User) -> str:
    return user.get_full_name() or user.username


@transaction.atomic
def insats_assign(*, insats: Insats, actor: User, user: User, perm: str) -> None:
    """Grant ``user`` a role on the insats (förbundschef or the insatsansvarig decide).

    An insats has one insatsansvarig: granting a new one revokes the previous. Only users from
    ``assignable_users`` qualify. The change is recorded in the history.
    """
    if perm not in (INSATSANSVARIG, DELTAGARANSVARIG):
        raise ValidationError({"perm": _("Okänd roll.")})
    if not assignable_users(insats=insats, perm=perm).filter(pk=user.pk).exists():
        raise ValidationError(
            {
                "user": _(
                    "Personen kan inte tilldelas: hen behöver en aktiv handläggarroll i "
                    "förbundet och, för insatser med deltagare per person, vara anställd hos "
                    "den personuppgiftsansvariga parten."
                )
            }
        )
    Insats.objects.select_for_update().filter(pk=insats.pk).first()
    current = list(insats_users_with_perm(insats=insats, perm=perm))
    if user in current:
        return
    if perm == INSATSANSVARIG:
        for old in current:
            insats_revoke(user=old, insats=insats, perm=perm)
        handelse_record(
            insats=insats,
            user=actor,
            falt=_("Insatsansvarig"),
            gammalt=", ".join(_person_text(u) for u in current) or EMPTY,
            nytt=_person_text(user),
        )
    else:
        handelse_record(
            insats=insats,
            user=actor,
            falt=_("Deltagaransvarig tillagd"),
            gammalt=EMPTY,
            nytt=_person_text(user),
        )
    insats_grant(user=user, insats=insats, perm=perm)


@transaction.atomic
def insats_unassign(*, insats: Insats, actor: User, user: User, perm: str) -> None:
    """Remove a user's role on the insats; recorded in the history. Removing someone who holds
    no such grant changes nothing."""
    if perm not in (INSATSANSVARIG, DELTAGARANSVARIG):
        raise ValidationError({"perm": _("Okänd roll.")})
    if user not in insats_users_with_perm(insats=insats, perm=perm):
        return
    insats_revoke(user=user, insats=insats, perm=perm)
    falt = _("Insatsansvarig") if perm == INSATSANSVARIG else _("Deltagaransvarig borttagen")
    handelse_record(insats=insats, user=actor, falt=falt, gammalt=_person_text(user), nytt=EMPTY)


# --- Money ---


def _kr(value: Decimal | None) -> str:
    if value is None:
        return EMPTY
    return f"{int(value):,}".replace(",", "\u00a0") + " kr"


@transaction.atomic
def budget_set(
    *, insats: Insats, user: User, ar: int, belopp: Decimal, kommentar: str = ""
) -> Insatsbudget:
    """Set the förbund's budget for an insats in a year (whole kronor, not negative). The
    förbund budget's insats line is the sum of these (``forbund.extensions``)."""
    existing = Insatsbudget.objects.select_for_update().filter(insats=insats, ar=ar).first()
    old = existing.belopp if existing else None
    budget = existing or Insatsbudget(forbund_id=insats.forbund_id, insats=insats, ar=ar)
    budget.belopp = belopp
    budget.kommentar = kommentar
    budget.full_clean()
    budget.save()
    if old != belopp:
        handelse_record(
            insats=insats,
            user=user,
            falt=_("Budget %(ar)s") % {"ar": ar},
            gammalt=_kr(old),
            nytt=_kr(belopp),
        )
    return budget


@transaction.atomic
def budget_delete(*, insats: Insats, user: User, ar: int) -> None:
    """Remove a year's budget; recorded in the history."""
    budget = Insatsbudget.objects.filter(insats=insats, ar=ar).first()
    if budget is None:
        return
    handelse_record(
        insats=insats,
        user=user,
        falt=_("Budget %(ar)s") % {"ar": ar},
        gammalt=_kr(budget.belopp),
        nytt=EMPTY,
    )
    budget.delete()


@transaction.atomic
def kostnader_set_year(
    *, insats: Insats, user: User, ar: int, belopp_by_month: Mapping[int, Decimal | None]
) -> int:
    """Set the actual costs of an insats per month of one year: an empty month removes its row.
    Returns how many months changed; the changed months are recorded as one history entry."""
    existing = {k.manad: k for k in Insatskostnad.objects.filter(insats=insats, ar=ar)}
    changed: list[str] = []
    for manad in range(1, 13):
        new = belopp_by_month.get(manad)
        row = existing.get(manad)
        old = row.belopp if row else None
        if new == old:
            continue
        if new is None:
            row.delete()
        elif row is None:
            Insatskostnad.objects.create(
                forbund_id=insats.forbund_id, insats=insats, ar=ar, manad=manad, belopp=new
            )
        else:
            row.belopp = new
            row.save(update_fields=["belopp"])
        changed.append(f"{ar}-{manad:02d}: {_kr(old)} → {_kr(new)}")
    if changed:
        handelse_record(
            insats=insats,
            user=user,
            falt=_("Kostnader %(ar)s") % {"ar": ar},
            gammalt="",
            nytt="; ".join(changed),
        )
    return len(changed)


@dataclass
class ImportResult:
    rows: int = 0
    changed: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


KOSTNAD_COLUMNS = ("insats", "ar", "manad", "belopp")
_AMOUNT = re.compile(r"^-?\d+([.,]0+)?$")


def parse_kronor(text: str) -> Decimal:
    """Whole kronor from Swedish-formatted text: spaces as thousands separators, an optional
    ",00" and "kr" are accepted; öre and negatives are not."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").removesuffix("kr").strip()
    if not _AMOUNT.match(cleaned):
        raise ValueError(_("”%(v)s” är inte ett belopp i hela kronor.") % {"v": text})
    value = Decimal(cleaned.replace(",", "."))
    if value < 0:
        raise ValueError(_("Beloppet får inte vara negativt."))
    return value.quantize(Decimal(1))


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(_("Filen kunde inte läsas som text (UTF-8 eller Windows-1252)."))


@transaction.atomic
def kostnader_import(*, forbund: Forbund, user: User, raw: bytes) -> ImportResult:
    """Import actual costs per insats and month from CSV (columns ``insats;ar;manad;belopp``,
    separated by semicolon or comma). Every row is checked before anything is saved; one bad row
    and nothing is imported, with each error reported by row number. A month already registered
    gets the imported amount."""
    result = ImportResult()
    try:
        text = _decode(raw)
    except ValueError as exc:
        result.errors.append((0, str(exc)))
        return result
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        result.errors.append((1, _("Filen är tom.")))
        return result
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in KOSTNAD_COLUMNS if c not in header]
    if missing:
        result.errors.append(
            (
                1,
                _("Kolumner saknas: %(cols)s. Rubrikraden ska vara: insats;ar;manad;belopp.")
                % {"cols": ", ".join(missing)},
            )
        )
        return result
    reader.fieldnames = header
    by_kod = {i.kod.upper(): i for i in Insats.objects.for_forbund(forbund)}
    parsed: dict[tuple[int, int, int], tuple[Insats, Decimal]] = {}
    for rownum, row in enumerate(reader, start=2):
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        result.rows += 1
        problems = []
        kod = (row.get("insats") or "").strip().upper()
        insats = by_kod.get(kod)
        if insats is None:
            problems.append(_("okänd insatskod ”%(kod)s”") % {"kod": kod})
        try:
            ar = int((row.get("ar") or "").strip())
            if not 2000 <= ar <= 2100:
                raise ValueError
        except ValueError:
            problems.append(_("år måste vara ett årtal (t.ex. 2026)"))
            ar = None
        try:
            manad = int((row.get("manad") or "").strip())
            if not 1 <= manad <= 12:
                raise ValueError
        except ValueError:
            problems.append(_("månad måste vara 1–12"))
            manad = None
        try:
            belopp = parse_kronor((row.get("belopp") or "").strip())
        except (ValueError, InvalidOperation) as exc:
            problems.append(str(exc) if str(exc) else _("ogiltigt belopp"))
            belopp = None
        if not problems and (insats.pk, ar, manad) in parsed:
            problems.append(_("samma insats och månad finns på flera rader"))
        if problems:
            result.errors.append((rownum, "; ".join(problems)))
            continue
        parsed[(insats.pk, ar, manad)] = (insats, belopp)
    if result.rows == 0 and not result.errors:
        result.errors.append((2, _("Filen innehåller inga rader att importera.")))
    if result.errors:
        return result
    grouped: dict[tuple[int, int], dict[int, Decimal | None]] = {}
    insats_by_pk = {}
    for (insats_pk, ar, manad), (insats, belopp) in parsed.items():
        insats_by_pk[insats_pk] = insats
        grouped.setdefault((insats_pk, ar), {})[manad] = belopp
    for (insats_pk, ar), months in grouped.items():
        insats = insats_by_pk[insats_pk]
        current = {k.manad: k.belopp for k in Insatskostnad.objects.filter(insats=insats, ar=ar)}
        current.update(months)
        result.changed += kostnader_set_year(
            insats=insats, user=user, ar=ar, belopp_by_month=current
        )
    return result


@transaction.atomic
def medfinansiering_set(
    *,
    insats: Insats,
    user: User,
    finansiar: str,
    ar: int,
    belopp: Decimal,
    projektnummer: str = "",
) -> Medfinansiering:
    """Record external co-financing (e.g. ESF) of an insats for a year, apart from the förbund's
    own money; one row per financier and year."""
    finansiar = finansiar.strip()
    row = (
        Medfinansiering.objects.select_for_update()
        .filter(insats=insats, finansiar__iexact=finansiar, ar=ar)
        .first()
    )
    old = row.belopp if row else None
    row = row or Medfinansiering(
        forbund_id=insats.forbund_id, insats=insats, finansiar=finansiar, ar=ar
    )
    row.belopp = belopp
    row.projektnummer = projektnummer.strip()
    row.full_clean()
    row.save()
    handelse_record(
        insats=insats,
        user=user,
        falt=_("Extern finansiering %(f)s %(ar)s") % {"f": finansiar, "ar": ar},
        gammalt=_kr(old),
        nytt=_kr(belopp),
    )
    return row


@transaction.atomic
def medfinansiering_delete(*, insats: Insats, user: User, row_id: int) -> None:
    row = Medfinansiering.objects.filter(insats=insats, pk=row_id).first()
    if row is None:
        return
    handelse_record(
        insats=insats,
        user=user,
        falt=_("Extern finansiering %(f)s %(ar)s") % {"f": row.finansiar, "ar": row.ar},
        gammalt=_kr(row.belopp),
        nytt=EMPTY,
    )
    row.delete()


# --- Documents ---


def dokument_check(fil: UploadedFile) -> None:
    """Only office and PDF documents up to 20 MB: they are opened by colleagues' programs."""
    from pathlib import PurePath

    suffix = PurePath(fil.name or "").suffix.lower()
    if suffix not in DOKUMENT_SUFFIXES:
        raise ValidationError(
            {
                "fil": _("Filtypen %(s)s tillåts inte. Tillåtna: %(ok)s.")
                % {"s": suffix or "(ingen)", "ok": ", ".join(sorted(DOKUMENT_SUFFIXES))}
            }
        )
    if fil.size > DOKUMENT_MAX_BYTES:
        raise ValidationError({"fil": _("Filen är större än 20 MB.")})
    if fil.size == 0:
        raise ValidationError({"fil": _("Filen är tom.")})


@transaction.atomic
def dokument_upload(
    *, insats: Insats, user: User, typ: str, datum: dt.date, fil: UploadedFile, titel: str = ""
) -> Dokument:
    """Store a document (ansökan, delrapport, slutrapport, utvärdering …) with its date under
    MEDIA_ROOT; it is only ever streamed by an access-checked view. Recorded in the history."""
    dokument_check(fil)
    from pathlib import PurePath

    dokument = Dokument(
        forbund_id=insats.forbund_id,
        insats=insats,
        typ=typ,
        datum=datum,
        titel=titel.strip(),
        filnamn=PurePath(fil.name).name[:200],
        storlek=fil.size,
        uploaded_by=user,
    )
    dokument.fil.save(fil.name, fil, save=False)
    try:
        dokument.full_clean(exclude=["fil"])
        dokument.save()
    except Exception:
        dokument.fil.delete(save=False)
        raise
    handelse_record(
        insats=insats,
        user=user,
        falt=_("Dokument uppladdat"),
        gammalt="",
        nytt=f"{Dokumenttyp(typ).label} {datum:%Y-%m-%d}: {dokument.titel or dokument.filnamn}",
    )
    return dokument


@transaction.atomic
def dokument_delete(*, dokument: Dokument, user: User) -> None:
    """Remove a document and its file; the history keeps that it existed."""
    insats = dokument.insats
    handelse_record(
        insats=insats,
        user=user,
        falt=_("Dokument borttaget"),
        gammalt=f"{dokument.get_typ_display()} {dokument.datum:%Y-%m-%d}: "
        f"{dokument.titel or dokument.filnamn}",
        nytt="",
    )
    storage, name = dokument.fil.storage, dokument.fil.name
    dokument.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- Non-person registration modes ---


def _require_mode(insats: Insats, mode: str) -> None:
    if insats.registreringsform != mode:
        raise ValidationError(_("Insatsen registreras inte som ”%(m)s”.") % {"m": mode.lower()})


@transaction.atomic
def volym_set_year(
    *,
    insats: Insats,
    user: User,
    ar: int,
    counts: Mapping[int, tuple[int, int, int] | None],
) -> int:
    """VOLYM mode: set the number of contacts per month by kön (K, M, X) for one year. A month
    left empty removes its row. Returns the number of changed months; recorded in the history."""
    _require_mode(insats, "VOLYM")
    existing = {v.manad: v for v in Volym.objects.filter(insats=insats, ar=ar)}
    changed = []
    for manad in range(1, 13):
        new = counts.get(manad)
        row = existing.get(manad)
        old = (row.kvinnor, row.man, row.annat) if row else None
        if new == old:
            continue
        if new is None:
            row.delete()
        elif row is None:
            Volym.objects.create(
                forbund_id=insats.forbund_id,
                insats=insats,
                ar=ar,
                manad=manad,
                kvinnor=new[0],
                man=new[1],
                annat=new[2],
            )
        else:
            row.kvinnor, row.man, row.annat = new
            row.save(update_fields=["kvinnor", "man", "annat"])

        def fmt(t):
            return EMPTY if t is None else f"K {t[0]}, M {t[1]}, X {t[2]}"

        changed.append(f"{ar}-{manad:02d}: {fmt(old)} → {fmt(new)}")
    if changed:
        handelse_record(
            insats=insats,
            user=user,
            falt=_("Volym %(ar)s") % {"ar": ar},
            gammalt="",
            nytt="; ".join(changed),
        )
    return len(changed)


@transaction.atomic
def tillfalle_save(
    *,
    insats: Insats,
    user: User,
    datum: dt.date,
    titel: str,
    timmar: Decimal,
    antal: Mapping[tuple[Medlem, str], int],
    tillfalle: Tillfalle | None = None,
) -> Tillfalle:
    """STRUKTUR mode: record (or correct) an occasion with its participant counts by member
    organisation and profession. Counts of zero are not stored; members must belong to the
    insats's förbund."""
    _require_mode(insats, "STRUKTUR")
    if any(m.forbund_id != insats.forbund_id for m, _y in antal):
        raise ValidationError(_("Välj bland förbundets egna medlemmar."))
    if any(y not in Yrkesgrupp.values for _m, y in antal):
        raise ValidationError(_("Okänd yrkesgrupp."))
    created = tillfalle is None
    tillfalle = tillfalle or Tillfalle(forbund_id=insats.forbund_id, insats=insats)
    tillfalle.datum, tillfalle.titel, tillfalle.timmar = datum, titel.strip(), timmar
    tillfalle.full_clean()
    tillfalle.save()
    tillfalle.antal.all().delete()
    TillfalleDeltagare.objects.bulk_create(
        TillfalleDeltagare(
            forbund_id=insats.forbund_id, tillfalle=tillfalle, medlem=m, yrkesgrupp=y, antal=n
        )
        for (m, y), n in antal.items()
        if n
    )
    total = sum(n for n in antal.values() if n)
    handelse_record(
        insats=insats,
        user=user,
        falt=_("Tillfälle registrerat") if created else _("Tillfälle ändrat"),
        gammalt="",
        nytt=f"{tillfalle}: {timmar} h, {total} deltagare",
    )
    return tillfalle


@transaction.atomic
def tillfalle_delete(*, tillfalle: Tillfalle, user: User) -> None:
    handelse_record(
        insats=tillfalle.insats,
        user=user,
        falt=_("Tillfälle borttaget"),
        gammalt=str(tillfalle),
        nytt="",
    )
    tillfalle.delete()
