"""Money: the förbund's budget per insats and year, actual costs per month (entered or
imported from CSV) and external co-financing."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    Insats,
    Insatsbudget,
    Insatskostnad,
    Medfinansiering,
)
from .history import EMPTY, handelse_record

if TYPE_CHECKING:
    from finsam.models import User
    from forbund.models import Forbund


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
MAX_KRONOR = Decimal(10**12 - 1)  # the money columns hold 12 digits
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
    if value > MAX_KRONOR:
        raise ValueError(_("Beloppet är orimligt stort."))
    return value.quantize(Decimal(1))


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(_("Filen kunde inte läsas som text (UTF-8 eller Windows-1252)."))


def _whole_number(text: str | None) -> int:
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()):
        raise ValueError
    return int(text)


def _check_row(rownum: int, row: dict, by_kod: dict, parsed: dict, result: ImportResult) -> None:
    """Check one CSV row; a good row goes into ``parsed``, a bad one into ``result.errors``."""
    if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
        return
    result.rows += 1
    problems = []
    kod = (row.get("insats") or "").strip().upper()
    insats = by_kod.get(kod)
    if insats is None:
        problems.append(_("okänd insatskod ”%(kod)s”") % {"kod": kod})
    try:
        ar = _whole_number(row.get("ar"))
        if not 2000 <= ar <= 2100:
            raise ValueError
    except ValueError:
        problems.append(_("år måste vara ett årtal (t.ex. 2026)"))
        ar = None
    try:
        manad = _whole_number(row.get("manad"))
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
        return
    parsed[(insats.pk, ar, manad)] = (insats, belopp)


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
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
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
    try:
        for row in reader:
            _check_row(reader.line_num, row, by_kod, parsed, result)
    except csv.Error as exc:
        result.errors.append(
            (reader.line_num, _("Filen kunde inte läsas som CSV (%(fel)s).") % {"fel": exc})
        )
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
