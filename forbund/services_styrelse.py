"""Writes on the styrelse: board assignments, meetings, attendance and decisions.

Finsam law 2003:1210 §§ 10–12 as the design reads it: each member organisation appoints one
ordinary ledamot (and usually one ersättare); a ledamot must sit in kommun- or regionfullmäktige
or be employed by FK or AF; the styrelse may decide when at least half of the ledamöter are
present, counting ersättare who step in.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from finsam.models import User
from finsam.roles import Role

from .models import (
    ORDINARIE_ROLLER,
    VALBARHET_FOR_TYP,
    Beslut,
    Forbund,
    Medlem,
    Narvaro,
    Sammantrade,
    StyrelseRoll,
    Styrelseuppdrag,
    Valbarhet,
)


def _overlapping(qs, fran: dt.date, till: dt.date):
    return qs.filter(fran__lte=till, till__gte=fran)


def _validate_uppdrag(
    *,
    forbund: Forbund,
    medlem: Medlem,
    roll: str,
    fran: dt.date,
    till: dt.date,
    valbarhet: str,
    exclude: int | None,
) -> None:
    if medlem.forbund_id != forbund.pk:
        raise ValidationError({"medlem": _("Medlemmen hör inte till förbundet.")})
    if till < fran:
        raise ValidationError({"till": _("Mandatet kan inte sluta före det börjar.")})
    if fran < medlem.startdatum or (medlem.slutdatum and till > medlem.slutdatum):
        raise ValidationError(
            {
                "fran": _(
                    "Mandatperioden måste ligga inom %(namn)s medlemskap (%(start)s–%(slut)s)."
                )
                % {
                    "namn": medlem.namn,
                    "start": medlem.startdatum.isoformat(),
                    "slut": medlem.slutdatum.isoformat() if medlem.slutdatum else "",
                }
            }
        )
    if valbarhet not in VALBARHET_FOR_TYP[medlem.typ]:
        allowed = ", ".join(
            str(Valbarhet(v).label).lower() for v in sorted(VALBARHET_FOR_TYP[medlem.typ])
        )
        raise ValidationError(
            {
                "valbarhet": _("Den som utses av %(namn)s ska vara valbar som: %(allowed)s.")
                % {"namn": medlem.namn, "allowed": allowed}
            }
        )
    others = Styrelseuppdrag.objects.filter(forbund=forbund).exclude(pk=exclude)
    if roll in ORDINARIE_ROLLER:
        clash = _overlapping(
            others.filter(medlem=medlem, roll__in=ORDINARIE_ROLLER), fran, till
        ).first()
        if clash:
            raise ValidationError(
                {
                    "roll": _(
                        "%(medlem)s har redan en ordinarie ledamot under perioden (%(namn)s, "
                        "%(fran)s–%(till)s). Avsluta det mandatet först."
                    )
                    % {
                        "medlem": medlem.namn,
                        "namn": clash.namn,
                        "fran": clash.fran.isoformat(),
                        "till": clash.till.isoformat(),
                    }
                }
            )
    if roll in (StyrelseRoll.ORDFORANDE, StyrelseRoll.VICE):
        clash = _overlapping(others.filter(roll=roll), fran, till).first()
        if clash:
            raise ValidationError(
                {
                    "roll": _("%(namn)s är redan %(roll)s under perioden.")
                    % {"namn": clash.namn, "roll": str(StyrelseRoll(roll).label).lower()}
                }
            )


@transaction.atomic
def uppdrag_create(
    *,
    forbund: Forbund,
    medlem: Medlem,
    namn: str,
    roll: str,
    fran: dt.date,
    till: dt.date,
    valbarhet: str,
    anvandare: User | None = None,
) -> Styrelseuppdrag:
    """Appoint a ledamot (possibly ordförande or vice) or an ersättare for a member organisation,
    with the mandate period and the eligibility ground stated at appointment. One ordinary
    ledamot per member and one ordförande and vice ordförande at a time."""
    Forbund.objects.select_for_update().get(pk=forbund.pk)
    _validate_uppdrag(
        forbund=forbund,
        medlem=medlem,
        roll=roll,
        fran=fran,
        till=till,
        valbarhet=valbarhet,
        exclude=None,
    )
    _check_login(forbund, anvandare)
    return Styrelseuppdrag.objects.create(
        forbund=forbund,
        medlem=medlem,
        namn=namn.strip(),
        roll=roll,
        fran=fran,
        till=till,
        valbarhet=valbarhet,
        anvandare=anvandare,
    )


def _check_login(forbund: Forbund, user: User | None) -> None:
    """A board member's log-in must hold the styrelse role in this förbund (design section 2)."""
    if (
        user is not None
        and not user.roller.filter(forbund=forbund, roll=Role.STYRELSE, is_active=True).exists()
    ):
        raise ValidationError({"anvandare": _("Användaren har inte rollen styrelse i förbundet.")})


@transaction.atomic
def uppdrag_update(
    *,
    uppdrag: Styrelseuppdrag,
    medlem: Medlem,
    namn: str,
    roll: str,
    fran: dt.date,
    till: dt.date,
    valbarhet: str,
    anvandare: User | None = None,
) -> Styrelseuppdrag:
    """Change an assignment (e.g. end a mandate early). Same rules as appointing; a period that
    no longer covers a meeting the person attended is refused."""
    Forbund.objects.select_for_update().get(pk=uppdrag.forbund_id)
    _validate_uppdrag(
        forbund=uppdrag.forbund,
        medlem=medlem,
        roll=roll,
        fran=fran,
        till=till,
        valbarhet=valbarhet,
        exclude=uppdrag.pk,
    )
    outside = uppdrag.narvaro.exclude(sammantrade__datum__range=(fran, till)).first()
    if outside:
        raise ValidationError(
            {
                "till": _("%(namn)s finns i närvaron vid sammanträdet %(d)s, utanför perioden.")
                % {"namn": uppdrag.namn, "d": outside.sammantrade.datum.isoformat()}
            }
        )
    if roll != uppdrag.roll and uppdrag.narvaro.exists():
        raise ValidationError(
            {
                "roll": _(
                    "Rollen kan inte ändras när personen finns i närvaron; gör ett nytt uppdrag."
                )
            }
        )
    uppdrag.medlem, uppdrag.namn, uppdrag.roll = medlem, namn.strip(), roll
    _check_login(uppdrag.forbund, anvandare)
    uppdrag.fran, uppdrag.till, uppdrag.valbarhet = fran, till, valbarhet
    uppdrag.anvandare = anvandare
    uppdrag.save()
    return uppdrag


# --- meetings -------------------------------------------------------------------------------


@transaction.atomic
def sammantrade_create(*, forbund: Forbund, datum: dt.date, plats: str = "") -> Sammantrade:
    """Register a meeting of the styrelse."""
    return Sammantrade.objects.create(forbund=forbund, datum=datum, plats=plats.strip())


@transaction.atomic
def sammantrade_delete(*, sammantrade: Sammantrade) -> None:
    """Remove a meeting registered by mistake; one with decisions is kept (they are the record)."""
    if sammantrade.beslut.exists():
        raise ValidationError(_("Sammanträdet har beslut och kan inte tas bort."))
    sammantrade.delete()


@dataclass
class NarvaroInput:
    uppdrag: Styrelseuppdrag
    narvarande: bool
    tjanstgor_for: Styrelseuppdrag | None = None


@transaction.atomic
def narvaro_set(*, sammantrade: Sammantrade, entries: list[NarvaroInput]) -> None:
    """Record who attended. Everyone must hold an assignment on the meeting's date. An ersättare
    may step in for one absent ordinary ledamot of the same member organisation, and then counts
    as present; each absent ledamot can be replaced once. Replaces the earlier record."""
    day = sammantrade.datum
    by_pk = {e.uppdrag.pk: e for e in entries}
    errors = []
    replaced: set[int] = set()
    for e in entries:
        u = e.uppdrag
        if u.forbund_id != sammantrade.forbund_id or not (u.fran <= day <= u.till):
            errors.append(_("%(namn)s har inget uppdrag den %(d)s.") % {"namn": u.namn, "d": day})
            continue
        if e.tjanstgor_for is None:
            continue
        ordinary = e.tjanstgor_for
        if u.roll != StyrelseRoll.ERSATTARE:
            errors.append(_("%(namn)s är inte ersättare.") % {"namn": u.namn})
        elif not e.narvarande:
            errors.append(
                _("%(namn)s kan inte tjänstgöra utan att vara närvarande.") % {"namn": u.namn}
            )
        elif ordinary.roll not in ORDINARIE_ROLLER or not (ordinary.fran <= day <= ordinary.till):
            errors.append(
                _("%(namn)s är inte ordinarie ledamot den dagen.") % {"namn": ordinary.namn}
            )
        elif ordinary.medlem_id != u.medlem_id:
            errors.append(
                _("%(e)s är ersättare för en annan medlem än %(o)s.")
                % {"e": u.namn, "o": ordinary.namn}
            )
        elif by_pk.get(ordinary.pk) and by_pk[ordinary.pk].narvarande:
            errors.append(
                _("%(o)s är närvarande; %(e)s kan inte tjänstgöra för hen.")
                % {"o": ordinary.namn, "e": u.namn}
            )
        elif ordinary.pk in replaced:
            errors.append(_("%(o)s har redan en ersättare.") % {"o": ordinary.namn})
        else:
            replaced.add(ordinary.pk)
    if errors:
        raise ValidationError(errors)
    Narvaro.objects.filter(sammantrade=sammantrade).delete()
    Narvaro.objects.bulk_create(
        [
            Narvaro(
                forbund_id=sammantrade.forbund_id,
                sammantrade=sammantrade,
                uppdrag=e.uppdrag,
                narvarande=e.narvarande,
                tjanstgor_for=e.tjanstgor_for,
            )
            for e in entries
        ]
    )


def next_paragraf(*, forbund: Forbund, year: int) -> str:
    """The next paragraph number of the year, as '§ n/YYYY' (numbering restarts each year)."""
    highest = 0
    for text in Beslut.objects.filter(forbund=forbund, datum__year=year).values_list(
        "paragraf", flat=True
    ):
        match = re.search(r"(\d+)", text)
        if match:
            highest = max(highest, int(match.group(1)))
    return f"§ {highest + 1}/{year}"


@transaction.atomic
def beslut_create(
    *, sammantrade: Sammantrade, paragraf: str, rubrik: str, text: str = ""
) -> Beslut:
    """A decision of the styrelse at a meeting, with its paragraph number (unique within the
    förbund). Only a meeting where the styrelse is beslutsför can decide."""
    from .selectors_styrelse import quorum

    verdict = quorum(sammantrade=sammantrade)
    if not verdict.beslutsfor:
        raise ValidationError(
            _(
                "Styrelsen är inte beslutsför vid sammanträdet (%(n)s av %(total)s ledamöter). "
                "Registrera närvaron först."
            )
            % {"n": verdict.tjanstgorande, "total": verdict.platser}
        )
    paragraf = paragraf.strip()
    if Beslut.objects.filter(forbund=sammantrade.forbund, paragraf=paragraf).exists():
        raise ValidationError({"paragraf": _("Paragrafen %(p)s finns redan.") % {"p": paragraf}})
    try:
        with transaction.atomic():
            return Beslut.objects.create(
                forbund=sammantrade.forbund,
                sammantrade=sammantrade,
                datum=sammantrade.datum,
                paragraf=paragraf,
                rubrik=rubrik.strip(),
                text=text.strip(),
            )
    except IntegrityError as exc:
        raise ValidationError(_("Beslutet kunde inte sparas; försök igen.")) from exc
