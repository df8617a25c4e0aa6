"""Reads of participations, always scoped: förbund first, then the visibility rule.

The visibility rule (design section 2, the central privacy promise) lives here and only here:
a participation, identified or anonymous, is visible to a user who

  (a) holds handläggare or insatsansvarig in the förbund,
  (b) is granted on its insats (guardian, through ``finsam.permissions``), and
  (c) is employed by the insats's controlling party (``Roll.medlem == personuppgiftsansvarig``).

Everyone else, the förbundschef included, gets aggregates (``insats_aggregates``) and never a row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import ExtractHour, TruncDate
from django.http import Http404
from django.utils import timezone

from finsam.audit import History
from finsam.audit import history as audit_history
from finsam.models import User
from finsam.permissions import insatser_granted
from finsam.roles import PARTICIPANT_ROLES, Role
from insatser.models import Insats, Registreringsform

from .kodlistor import ALDERSGRUPPER, FEL, OKAND
from .lista import DeltagandeLista, Villkor
from .models import (
    Atkomst,
    Atkomstlogg,
    Deltagande,
    DeltagareInstallning,
    Forsorjning,
    Person,
    Samtycke,
    Skede,
    Uppfoljning,
)
from .services import add_months, atkomstlogg_write

_CACHE_ATTR = "_deltagare_insats_ids"
_ROWS_ATTR = "_deltagare_insatser"
SAMTYCKE_WARN_DAYS = 30


def employer_ids(request) -> set[int]:
    """The member parties that employ the user in a participant role in the chosen förbund."""
    if request.forbund is None:
        return set()
    return {
        r.medlem_id
        for r in request.roll_rows
        if r.forbund_id == request.forbund.pk and r.roll in PARTICIPANT_ROLES and r.medlem_id
    }


def _staff_insatser(*, forbund, user, medlem_ids: set[int]) -> QuerySet[Insats]:
    scoped = Insats.objects.for_forbund(forbund).filter(
        personuppgiftsansvarig_id__in=medlem_ids,
        registreringsform=Registreringsform.PERSON,
    )
    return insatser_granted(user=user, queryset=scoped)


def insatser_for_staff(*, forbund, user, medlem_ids: set[int]) -> list[int]:
    """Ids of the PERSON insatser of ``forbund`` controlled by one of ``medlem_ids`` (the
    user's employers) on which the user is granted: rules (b) and (c) above."""
    if not medlem_ids:
        return []
    qs = _staff_insatser(forbund=forbund, user=user, medlem_ids=medlem_ids)
    return list(qs.order_by().values_list("pk", flat=True))


def insatser_for_deltagare(request) -> QuerySet[Insats]:
    """The insatser whose participations the user may work with: (a) + (b) + (c) above.

    Cached per request (never on a model instance, so it cannot go stale across requests).
    """
    ids = getattr(request, _CACHE_ATTR, None)
    if ids is None:
        ids = []
        if request.roles & PARTICIPANT_ROLES:
            ids = insatser_for_staff(
                forbund=request.forbund, user=request.user, medlem_ids=employer_ids(request)
            )
        setattr(request, _CACHE_ATTR, ids)
    return Insats.objects.filter(pk__in=ids, forbund=request.forbund).order_by("kod")


def insatser_list_for_deltagare(request) -> list[Insats]:
    """The insatser of ``insatser_for_deltagare`` as rows in code order, for a page that shows
    them: one query per request, which also fills the cache of their ids (a page that needs
    both asks for the rows first and saves a query)."""
    rows = getattr(request, _ROWS_ATTR, None)
    if rows is None:
        rows, medlem_ids = [], employer_ids(request)
        if request.roles & PARTICIPANT_ROLES and medlem_ids:
            qs = _staff_insatser(forbund=request.forbund, user=request.user, medlem_ids=medlem_ids)
            rows = list(qs.order_by("kod"))
        setattr(request, _ROWS_ATTR, rows)
        setattr(request, _CACHE_ATTR, [insats.pk for insats in rows])
    return rows


def insats_get_for_deltagare(request, insats_uuid) -> Insats:
    """An insats the user may register in and list, or 404 (outsiders learn nothing)."""
    if getattr(request, _CACHE_ATTR, None) is not None:
        qs = insatser_for_deltagare(request)
    elif request.roles & PARTICIPANT_ROLES:
        # One query for the one insats (the same rules as ``insatser_for_staff``) instead of
        # listing every visible insats first: registration and the insats pages need only it.
        medlem_ids = employer_ids(request)
        qs = insatser_granted(
            user=request.user,
            queryset=Insats.objects.for_forbund(request.forbund).filter(
                personuppgiftsansvarig_id__in=medlem_ids,
                registreringsform=Registreringsform.PERSON,
            ),
        )
    else:
        raise Http404
    # No ordering: at most one row matches, and the list order joins the förbund for nothing.
    insats = next(
        iter(qs.select_related("personuppgiftsansvarig").filter(uuid=insats_uuid).order_by()[:1]),
        None,
    )
    if insats is None:
        raise Http404
    # The förbund is the request's (both querysets above are scoped to it): no join for it.
    insats.forbund = request.forbund
    return insats


def deltagande_qs_for_user(request) -> QuerySet[Deltagande]:
    """Every participation the user may see (identified and anonymous), förbund-scoped."""
    if request.forbund is None:
        return Deltagande.objects.none()
    insatser_for_deltagare(request)  # fills the per-request cache of visible insats ids
    # The ids as literals, not as a subquery: PostgreSQL then estimates the rows from its
    # statistics and can walk the (forbund, -inskrivning, -id) index for a page of the list.
    return Deltagande.objects.filter(
        forbund=request.forbund, insats_id__in=getattr(request, _CACHE_ATTR)
    )


def deltagande_get_for_user(request, deltagande_uuid) -> Deltagande:
    """The one access helper for a participation: 404 unless visible to the user."""
    deltagande = (
        deltagande_qs_for_user(request)
        .select_related(
            "insats__personuppgiftsansvarig",
            "insats__forbund",
            "person",
            "samtycke",
            "kon",
            "utbildning",
            "sysselsattning_fore",
            "tid_offentlig_forsorjning",
            "anvisande_part",
            "avslutsorsak",
            "sysselsattning_efter",
        )
        .filter(uuid=deltagande_uuid)
        .first()
    )
    if deltagande is None:
        _log_denied(request, Deltagande.objects.filter(uuid=deltagande_uuid, person__isnull=False))
        raise Http404
    return deltagande


def person_get_for_user(request, person_uuid) -> Person:
    """A Person of the user's employer with at least one participation the user may see."""
    person = (
        Person.objects.filter(
            forbund=request.forbund,
            medlem_id__in=employer_ids(request),
            uuid=person_uuid,
            deltaganden__in=deltagande_qs_for_user(request),
        )
        .select_related("medlem")
        .distinct()
        .first()
    )
    if person is None:
        _log_denied(request, Person.objects.filter(uuid=person_uuid))
        raise Http404
    return person


def _log_denied(request, target: QuerySet) -> None:
    """Rule (SECURITY.md #7): a refused attempt to open someone's identifying data is logged
    too, in the log of the förbund that holds the data, so that probing shows up in the review.
    Nothing is logged when the id does not exist (there is nobody whose data was asked for)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    found = target.select_related("forbund").first()
    if found is None:
        return
    is_person = isinstance(found, Person)
    atkomstlogg_write(
        user=user,
        forbund=found.forbund,
        vad=Atkomst.NEKAD,
        deltagande=None if is_person else found,
        person=found if is_person else None,
        begaran=getattr(request, "request_id", ""),
    )


def person_deltaganden_for_user(request, person: Person) -> QuerySet[Deltagande]:
    """The person's participations the user may see (linked across insatser and over time)."""
    return (
        deltagande_qs_for_user(request)
        .filter(person=person)
        .select_related("insats", "avslutsorsak")
        .order_by("-inskrivning")
    )


# --- Code lists --------------------------------------------------------------------------------


def kodlista_rows(wanted: dict[type, set[str]]) -> dict[type, dict[str, object]]:
    """The rows of several code lists (``deltagare.models.Kodlista`` subclasses), only the codes
    asked for, in one query: ``{Model: {kod: instance}}``. A code that is not in its list is
    simply absent. The registration form validates its six code-list answers with it instead of
    one query per field (docs/performance.md, section 3)."""
    found: dict[type, dict[str, object]] = {model: {} for model in wanted}
    parts, params, models = [], [], list(wanted)
    for index, model in enumerate(models):
        codes = sorted(wanted[model])
        if codes:
            table = connection.ops.quote_name(model._meta.db_table)  # an identifier, not data
            parts.append(f"SELECT {index}, to_jsonb(t)::text FROM {table} t WHERE t.kod = ANY(%s)")  # noqa: S608
            params.append(codes)
    if not parts:
        return found
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for index, text in cursor.fetchall():
            model, row = models[index], json.loads(text)
            instance = model.from_db(
                connection.alias,
                [f.attname for f in model._meta.concrete_fields],
                [row[f.column] for f in model._meta.concrete_fields],
            )
            found[model][instance.kod] = instance
    return found


# --- Data-quality flags, as annotations (constant query count) -----------------------------


def _efter_known():
    return Forsorjning.objects.filter(deltagande=OuterRef("pk"), skede=Skede.EFTER).exclude(
        kalla_id=OKAND
    )


def _uppfoljning_done(punkt: int):
    return Uppfoljning.objects.filter(deltagande=OuterRef("pk"), punkt=punkt)


def saknar_efter_q() -> Q:
    """Ended identified (non-FEL) participations without known efter-data."""
    return (
        Q(person__isnull=False, utskrivning__isnull=False)
        & ~Q(avslutsorsak_id=FEL)
        & (Q(sysselsattning_efter_id=OKAND) | Q(has_efter=False))
    )


def uppfoljning_due_q(day: dt.date) -> Q:
    """Identified participations whose +6 or +12 month point has passed without a follow-up."""
    six = _months_back(day, 6)
    twelve = _months_back(day, 12)
    base = Q(person__isnull=False, utskrivning__isnull=False) & ~Q(avslutsorsak_id=FEL)
    return base & (
        (Q(utskrivning__lte=six) & Q(has_u6=False))
        | (Q(utskrivning__lte=twelve) & Q(has_u12=False))
    )


def samtycke_expiring_q(day: dt.date) -> Q:
    """Open identified participations whose consent ends within 30 days (or has ended)."""
    return Q(
        person__isnull=False,
        utskrivning__isnull=True,
        samtycke__giltig_till__isnull=False,
        samtycke__giltig_till__lte=day + dt.timedelta(days=SAMTYCKE_WARN_DAYS),
    )


def _months_back(day: dt.date, months: int) -> dt.date:
    return add_months(day, -months)


def with_flags(qs: QuerySet[Deltagande], day: dt.date) -> QuerySet[Deltagande]:
    qs = qs.annotate(
        has_efter=Exists(_efter_known()),
        has_u6=Exists(_uppfoljning_done(6)),
        has_u12=Exists(_uppfoljning_done(12)),
    )
    return qs.annotate(
        flag_saknar_efter=_q_bool(saknar_efter_q()),
        flag_uppfoljning=_q_bool(uppfoljning_due_q(day)),
        flag_samtycke=_q_bool(samtycke_expiring_q(day)),
    )


def _q_bool(q: Q):
    return ExpressionWrapper(q, output_field=BooleanField())


@dataclass(frozen=True)
class Filter:
    status: str = ""  # "" all, "aktiva", "avslutade"
    fran: dt.date | None = None
    till: dt.date | None = None
    kon: str = ""
    aldersgrupp: str = ""
    saknas: str = ""  # "", "efter", "uppfoljning", "samtycke", "alla"
    insats: Insats | None = None


def deltagande_list(request, flt: Filter, day: dt.date) -> DeltagandeLista:
    """The list behind "Deltagare" pages: the participations ``deltagande_qs_for_user`` lets
    the user see (förbund, visible insatser), filtered, with the data-quality flags of
    ``with_flags``, newest first. The statement is written out in ``deltagare.lista``."""
    ids: tuple[int, ...] = ()
    if request.forbund is not None:
        insatser_for_deltagare(request)  # fills the per-request cache of visible insats ids
        ids = tuple(getattr(request, _CACHE_ATTR))
    low, high = _age_bounds(flt.aldersgrupp) if flt.aldersgrupp else (None, None)
    return DeltagandeLista(
        Villkor(
            forbund_id=request.forbund.pk if request.forbund is not None else 0,
            insats_ids=ids,
            day=day,
            insats_id=flt.insats.pk if flt.insats is not None else None,
            status=flt.status,
            fran=flt.fran,
            till=flt.till,
            kon=flt.kon,
            alder_fran=low,
            alder_till=high,
            saknas=flt.saknas,
        )
    )


def _age_bounds(kod: str) -> tuple[int | None, int | None]:
    for code, low, high, _label in ALDERSGRUPPER:
        if code == kod:
            return low, high
    return None, None


def uppfoljning_worklist(request, day: dt.date) -> list[dict]:
    """Follow-ups due (issue 5 worklist): each visible participation whose +6/+12 point is due
    (from 30 days before) and not yet recorded, earliest first."""
    horizon = add_months(day + dt.timedelta(days=30), -6)
    qs = (
        deltagande_qs_for_user(request)
        .counted()
        .filter(person__isnull=False, utskrivning__isnull=False, utskrivning__lte=horizon)
        .annotate(has_u6=Exists(_uppfoljning_done(6)), has_u12=Exists(_uppfoljning_done(12)))
        .filter(Q(has_u6=False) | Q(has_u12=False))
        .select_related("insats")
        .order_by("utskrivning", "id")
    )
    items = []
    for d in qs:
        for punkt, done in ((6, d.has_u6), (12, d.has_u12)):
            due = add_months(d.utskrivning, punkt)
            if not done and due - dt.timedelta(days=30) <= day:
                items.append({"deltagande": d, "punkt": punkt, "due": due, "late": due < day})
    return sorted(items, key=lambda i: (i["due"], i["deltagande"].nummer))


REMINDER_CACHE_SECONDS = 60 * 60
REMINDERS = ("alla", "aktiva", "saknar_efter", "uppfoljning", "samtycke")
# The parts a visible insats's counts are cached in, by inskrivning date: this month (and any
# later date), the rest of this year, last year, and older. A registration recounts only its
# insats's ``MANAD`` part: this month's participations, not the whole year's.
MANAD, AR, FJOL, ALDRE = "manad", "ar", "fjol", "aldre"
PARTS = (MANAD, AR, FJOL, ALDRE)


def reminder_counts(request, day: dt.date) -> dict[str, int]:
    """The counts shown as reminders on the handläggare's start of the Deltagare pages, and
    ``alla``: every visible participation (the unfiltered list's length, FEL included).

    Counting means an EXISTS per participation (about a second for 78,000), so the counts are
    cached in Redis per insats, part (participations that started this month, ``manad``, earlier
    this year, ``ar``, last year, ``fjol``, or before, ``aldre``) and day (one key per insats
    and day), each part with
    the snapshot it was computed under, and summed. A part's counts are served only while no
    transaction that wrote its participations, consents, försörjning rows or follow-ups
    (``Dataandring``, written by triggers) has committed outside that snapshot; the other parts
    are counted again, in the same statement. The figures are therefore always those of a
    fresh count, and a registration recounts only its insats's part of this month.
    A transaction that has written itself neither uses nor fills the cache; any cache outage is
    a miss (SECURITY.md #22). Constant query count: one statement, whatever the cache holds.
    """
    if request.forbund is None:
        return dict.fromkeys(REMINDERS, 0)
    insatser_for_deltagare(request)  # fills the per-request cache of visible insats ids
    ids = sorted(getattr(request, _CACHE_ATTR))
    if not ids:
        return dict.fromkeys(REMINDERS, 0)
    forbund_id = request.forbund.pk
    parts = [(i, part) for i in ids for part in PARTS]
    # One key per insats and day holding its parts, each with its own snapshot.
    prefix = f"deltagare:paminnelser:v4:{forbund_id}"
    keys = {i: f"{prefix}:{i}:{day.isoformat()}" for i in ids}
    cached = _cache_get_many(list(keys.values()))
    hits = {
        (i, part): entry
        for i in ids
        for part, entry in cached.get(keys[i], {}).items()
        if part in PARTS
    }
    # One statement: the snapshot, which cached parts are still exact under it, and the counts
    # of the others, all under that same snapshot.
    clean, snapshot, fresh = _reminders_statement(
        forbund_id, parts, {p: h["snapshot"] for p, h in hits.items()}, day
    )
    hits = {p: h for p, h in hits.items() if p not in fresh}
    if clean and fresh:
        # An insats's key is written whole, every part with this snapshot: the recounted parts
        # were counted under it, and the others were just found exact under it (no change row
        # outside their own snapshot is visible to this statement, so their rows read the same
        # under both). Advancing their snapshot keeps the next check to the change rows written
        # since, not every one since the part was first cached (a busy insats's parts were
        # re-checked against hundreds of rows on every request). A concurrent writer of the
        # same key can only leave an older, still self-consistent entry behind.
        entries = {p: {"snapshot": snapshot, "counts": counts} for p, counts in fresh.items()}
        entries.update({p: {"snapshot": snapshot, "counts": h["counts"]} for p, h in hits.items()})
        _cache_set_many(
            {
                keys[i]: {part: entries[(i, part)] for part in PARTS if (i, part) in entries}
                for i in {i for i, _part in fresh}
            }
        )
    totals = dict.fromkeys(REMINDERS, 0)
    for counts in [*(h["counts"] for h in hits.values()), *fresh.values()]:
        for name in REMINDERS:
            totals[name] += counts[name]
    return totals


def dataandring_changed(*, forbund_id: int, snapshot: str) -> set[tuple[int, int, int]]:
    """Every (insats id, inskrivning year, inskrivning month) of the förbund whose
    participations, consents, försörjning rows or follow-ups a transaction has written outside
    of ``snapshot`` (``Dataandring``, one query): an aggregate cached under that snapshot is
    exact for every participation not named here, including those of insatser it did not know
    yet (``finsam.andringar``). Year and month 0: a consent, every participation of its
    insats; month 0 with a year: a row written before the month was recorded, all that year."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT insats_id, ar, manad FROM deltagare_dataandring"
            " WHERE forbund_id = %s AND xid >= txid_snapshot_xmin(%s::txid_snapshot)"
            " AND NOT txid_visible_in_snapshot(xid, %s::txid_snapshot)",
            [forbund_id, snapshot, snapshot],
        )
        return {tuple(row) for row in cursor.fetchall()}


# The reminder counts in one statement written out by hand. ``stale``: the parts to count
# again: not cached, cached under a snapshot that misses a change row visible now (a
# ``Dataandring`` row of a transaction the snapshot did not see; year 0 is a consent, every
# part; month 0 of this year, a row written before months were recorded, both parts of this
# year), or asked for by a transaction that has written itself. ``counts``: those parts
# counted, by the same rules as ``with_flags`` (saknar_efter_q, uppfoljning_due_q,
# samtycke_expiring_q) and the unfiltered list. The snapshot is the statement's own
# (pg_current_snapshot), so the check and the counts see exactly what it saw. One statement
# whatever the cache holds: no ORM expression tree to build on a recount (about 5 ms of Python)
# and no round trips for the snapshot and the check (docs/performance.md, section 3).
# The consent is joined only when it has an end date, through the small partial index
# samtycke_giltig: every participation's probe of the primary key and the consent row was
# most of a recount (3.6 of 5.7 ms for 2,400 rows, EXPLAIN ANALYZE on the bench database).
# tests/deltagare/test_reminder_counts.py compares the counts with the ORM definitions and
# tests/deltagare/test_reminder_cache.py the cache with fresh counts.
_REMINDERS_SQL = """
WITH v AS (
  SELECT * FROM unnest(%(insatser)s::bigint[], %(parts)s::text[], %(snaps)s::text[])
    AS v(insats_id, part, snap)
), stale AS MATERIALIZED (
  SELECT v.insats_id, v.part FROM v
  WHERE v.snap IS NULL OR txid_current_if_assigned() IS NOT NULL OR EXISTS (
    SELECT 1 FROM deltagare_dataandring a
    WHERE a.forbund_id = %(forbund)s AND a.insats_id = v.insats_id
    AND (a.ar = 0
      OR (v.part = 'manad' AND (a.ar > %(year)s
                                OR a.ar = %(year)s AND (a.manad = 0 OR a.manad >= %(month)s)))
      OR (v.part = 'ar' AND a.ar = %(year)s AND a.manad < %(month)s)
      OR (v.part = 'fjol' AND a.ar = %(year)s - 1)
      OR (v.part = 'aldre' AND a.ar < %(year)s - 1))
    AND a.xid >= txid_snapshot_xmin(v.snap::txid_snapshot)
    AND NOT txid_visible_in_snapshot(a.xid, v.snap::txid_snapshot))
), counts AS (
  SELECT d.insats_id,
    CASE WHEN d.inskrivning >= %(this_month)s THEN 'manad'
         WHEN d.inskrivning >= %(this_year)s THEN 'ar'
         WHEN d.inskrivning >= %(last_year)s THEN 'fjol' ELSE 'aldre' END AS part,
    count(*) AS alla,
    count(*) FILTER (WHERE c.counted AND d.utskrivning IS NULL) AS aktiva,
    count(*) FILTER (WHERE c.counted AND c.ended_identified AND (
      d.sysselsattning_efter_id = %(okand)s OR NOT EXISTS (
        SELECT 1 FROM deltagare_forsorjning f WHERE f.deltagande_id = d.id
        AND f.skede = %(efter)s AND f.kalla_id <> %(okand)s))) AS saknar_efter,
    count(*) FILTER (WHERE c.counted AND c.ended_identified AND (
      (d.utskrivning <= %(six)s AND NOT EXISTS (
        SELECT 1 FROM deltagare_uppfoljning u WHERE u.deltagande_id = d.id AND u.punkt = 6))
      OR (d.utskrivning <= %(twelve)s AND NOT EXISTS (
        SELECT 1 FROM deltagare_uppfoljning u WHERE u.deltagande_id = d.id AND u.punkt = 12))
    )) AS uppfoljning,
    count(*) FILTER (WHERE c.counted AND d.person_id IS NOT NULL AND d.utskrivning IS NULL
      AND s.giltig_till <= %(samtycke_until)s) AS samtycke
  FROM deltagare_deltagande d
  LEFT JOIN deltagare_samtycke s ON s.id = d.samtycke_id AND s.giltig_till IS NOT NULL
  CROSS JOIN LATERAL (SELECT d.avslutsorsak_id IS DISTINCT FROM %(fel)s AS counted,
    d.person_id IS NOT NULL AND d.utskrivning IS NOT NULL AS ended_identified) c
  WHERE d.forbund_id = %(forbund)s AND (
    (d.insats_id = ANY(ARRAY(SELECT insats_id FROM stale WHERE part = 'manad'))
      AND d.inskrivning >= %(this_month)s)
    OR (d.insats_id = ANY(ARRAY(SELECT insats_id FROM stale WHERE part = 'ar'))
      AND d.inskrivning >= %(this_year)s AND d.inskrivning < %(this_month)s)
    OR (d.insats_id = ANY(ARRAY(SELECT insats_id FROM stale WHERE part = 'fjol'))
      AND d.inskrivning >= %(last_year)s AND d.inskrivning < %(this_year)s)
    OR (d.insats_id = ANY(ARRAY(SELECT insats_id FROM stale WHERE part = 'aldre'))
      AND d.inskrivning < %(last_year)s))
  GROUP BY 1, 2
)
SELECT txid_current_if_assigned() IS NULL, txid_current_snapshot()::text,
  ARRAY(SELECT insats_id || ':' || part FROM stale),
  ARRAY(SELECT concat_ws(':', insats_id, part, alla, aktiva, saknar_efter, uppfoljning, samtycke)
    FROM counts)
"""


def _reminders_statement(
    forbund_id: int, parts: list[tuple[int, str]], snapshots: dict, day: dt.date
) -> tuple[bool, str, dict]:
    """Run ``_REMINDERS_SQL`` for ``parts`` (``snapshots``: the cached parts' snapshots).
    Returns whether this transaction is clean (has not written), the snapshot, and the counts
    of every part that had to be counted again."""
    params = {
        "insatser": [p[0] for p in parts],
        "parts": [p[1] for p in parts],
        "snaps": [snapshots.get(p) for p in parts],
        "forbund": forbund_id,
        "year": day.year,
        "month": day.month,
        "this_month": day.replace(day=1),
        "this_year": dt.date(day.year, 1, 1),
        "last_year": dt.date(day.year - 1, 1, 1),
        "six": _months_back(day, 6),
        "twelve": _months_back(day, 12),
        "samtycke_until": day + dt.timedelta(days=SAMTYCKE_WARN_DAYS),
        "okand": OKAND,
        "fel": FEL,
        "efter": Skede.EFTER.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(_REMINDERS_SQL, params)
        clean, snapshot, stale, counted = cursor.fetchone()
    fresh = {}
    for text in stale:
        insats_id, part = text.split(":")
        fresh[(int(insats_id), part)] = dict.fromkeys(REMINDERS, 0)
    for text in counted:
        insats_id, part, *values = text.split(":")
        fresh[(int(insats_id), part)] = dict(zip(REMINDERS, map(int, values), strict=True))
    return clean, snapshot, fresh


def _reminder_counts_by_part(forbund_id: int, parts: list[tuple[int, str]], day: dt.date):
    """The counts of ``parts``, counted now (nothing from the cache)."""
    return _reminders_statement(forbund_id, parts, {}, day)[2]


def _cache_get_many(keys: list[str]) -> dict:
    try:
        return cache.get_many(keys)
    except Exception:  # noqa: BLE001 - any cache outage is a miss
        return {}


def _cache_set_many(values: dict) -> None:
    with contextlib.suppress(Exception):  # any cache outage: just not cached
        cache.set_many(values, REMINDER_CACHE_SECONDS)


# --- Aggregates for the förbundschef (no rows, ever) -----------------------------------------


def insats_aggregates(*, forbund, start: dt.date, end: dt.date, day: dt.date) -> list[dict]:
    """Counts per insats and period plus data-quality counts (design section 2): what the
    förbundschef may see. FEL participations count nowhere. One query for all insatser."""
    qs = with_flags(Deltagande.objects.for_forbund(forbund).counted(), day)
    active = Q(inskrivning__lte=end) & (Q(utskrivning__isnull=True) | Q(utskrivning__gte=start))
    rows = (
        qs.values("insats_id")
        .annotate(
            aktiva=Count("pk", filter=active),
            nya=Count("pk", filter=Q(inskrivning__gte=start, inskrivning__lte=end)),
            avslutade=Count("pk", filter=Q(utskrivning__gte=start, utskrivning__lte=end)),
            kvinnor=Count("pk", filter=active & Q(kon_id="K")),
            man=Count("pk", filter=active & Q(kon_id="M")),
            annat=Count("pk", filter=active & Q(kon_id="X")),
            anonyma=Count("pk", filter=active & Q(person__isnull=True)),
            unga=Count(
                "pk",
                filter=active
                & Q(fodelsear__gte=F("inskrivning__year") - 29)
                & Q(fodelsear__lte=F("inskrivning__year") - 16),
            ),
            saknar_efter=Count("pk", filter=Q(flag_saknar_efter=True)),
            uppfoljning=Count("pk", filter=Q(flag_uppfoljning=True)),
            samtycke=Count("pk", filter=Q(flag_samtycke=True)),
        )
        .order_by()
    )
    by_insats = {r["insats_id"]: r for r in rows}
    empty = dict.fromkeys(
        (
            "aktiva",
            "nya",
            "avslutade",
            "kvinnor",
            "man",
            "annat",
            "anonyma",
            "unga",
            "saknar_efter",
            "uppfoljning",
            "samtycke",
        ),
        0,
    )
    out = []
    for insats in (
        Insats.objects.for_forbund(forbund)
        .filter(registreringsform=Registreringsform.PERSON)
        .select_related("personuppgiftsansvarig")
        .order_by("kod")
    ):
        counts = {
            **empty,
            **{k: v for k, v in by_insats.get(insats.pk, {}).items() if k != "insats_id"},
        }
        out.append({"insats": insats, **counts})
    return out


def invariant_violations() -> dict[str, int]:
    """The nightly invariant check (SECURITY 4): every count must be 0. The database refuses
    these states already; this proves it stayed so (e.g. after a manual repair)."""
    identified = Deltagande.objects.filter(person__isnull=False)
    return {
        "identitet_utan_giltigt_samtycke": identified.filter(
            Q(samtycke__isnull=True)
            | ~Q(samtycke__person=F("person"))
            | ~Q(samtycke__insats=F("insats"))
            | Q(samtycke__aterkallad__isnull=False)
        ).count(),
        "uppgifter_pa_anonyma": Forsorjning.objects.filter(deltagande__person__isnull=True).count()
        + Uppfoljning.objects.filter(deltagande__person__isnull=True).count(),
        "anonyma_med_detaljer": Deltagande.objects.filter(person__isnull=True)
        .filter(
            Q(utbildning__isnull=False)
            | Q(sysselsattning_fore__isnull=False)
            | Q(sysselsattning_efter__isnull=False)
            | Q(samtycke__isnull=False)
        )
        .count(),
        "personer_utan_deltagande": Person.objects.filter(deltaganden__isnull=True).count(),
    }


def gallring_manader(*, forbund) -> int:
    """The förbund's retention period in months (default 24)."""
    row = DeltagareInstallning.objects.filter(forbund=forbund).first()
    return row.gallring_manader if row else 24


# --- Access log ------------------------------------------------------------------------------


def atkomstlogg_for_user(request) -> QuerySet[Atkomstlogg]:
    """The förbundschef reviews the whole förbund's log; the controller's staff review the rows
    of their own member party. Nobody else sees the log."""
    qs = Atkomstlogg.objects.filter(forbund=request.forbund).select_related(
        "user", "deltagande__insats", "medlem"
    )
    if Role.FORBUNDSCHEF in request.roles:
        return qs
    return qs.filter(medlem_id__in=employer_ids(request))


MANGA_LASNINGAR = 30  # distinct persons read by one user in one day before it is flagged
NATT = (22, 6)  # reads from 22:00 to 05:59 local time are flagged


def atkomstlogg_anomalies(qs: QuerySet[Atkomstlogg]) -> list[dict]:
    """Reads worth a second look (SECURITY 9), computed in PostgreSQL over ``qs``: a user who read
    more than ``MANGA_LASNINGAR`` different persons in a day, reads at night, and exports with
    identity. Each finding names the user, the day and the count, never a person."""
    tz = timezone.get_current_timezone()
    per_day = qs.annotate(dag=TruncDate("tidpunkt", tzinfo=tz))
    findings = []
    many = (
        per_day.exclude(person_uuid=None)
        .values("user_id", "dag")
        .annotate(n=Count("person_uuid", distinct=True))
        .filter(n__gt=MANGA_LASNINGAR)
    )
    for row in many:
        findings.append({**row, "typ": "Många olika personer lästa samma dag"})
    night = (
        per_day.annotate(timme=ExtractHour("tidpunkt", tzinfo=tz))
        .filter(Q(timme__gte=NATT[0]) | Q(timme__lt=NATT[1]))
        .values("user_id", "dag")
        .annotate(n=Count("pk"))
    )
    for row in night:
        findings.append({**row, "typ": "Läsningar nattetid (22–06)"})
    exports = per_day.filter(vad=Atkomst.EXPORT).values("user_id", "dag").annotate(n=Count("pk"))
    for row in exports:
        findings.append({**row, "typ": "Export med personnummer"})
    users = {u.pk: u for u in User.objects.filter(pk__in={f["user_id"] for f in findings})}
    for finding in findings:
        finding["user"] = users.get(finding["user_id"])
    return sorted(findings, key=lambda f: (f["dag"], f["typ"]), reverse=True)


def atkomstlogg_verify_chain(*, forbund_id: int) -> list[int]:
    """Ids of access-log rows whose hash or link does not match (altered by someone able to
    bypass the append-only triggers). Empty when the chain is intact."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT id FROM (
              SELECT id, hash, prev_hash, deltagare_atkomstlogg_hash(l) AS expected,
                     lag(hash, 1, '') OVER (ORDER BY kedja) AS previous
                FROM deltagare_atkomstlogg l WHERE forbund_id = %s
            ) c WHERE hash <> expected OR prev_hash <> previous ORDER BY id
            """,
            [forbund_id],
        )
        return [row[0] for row in cursor.fetchall()]


def samtycke_for_user(request, samtycke_uuid) -> Samtycke:
    """A consent whose person and insats the user may see, or 404."""
    samtycke = (
        Samtycke.objects.filter(
            forbund=request.forbund,
            uuid=samtycke_uuid,
            insats__in=insatser_for_deltagare(request),
            person__medlem_id__in=employer_ids(request),
        )
        .select_related("person", "insats")
        .first()
    )
    if samtycke is None:
        _log_denied(request, Person.objects.filter(samtycken__uuid=samtycke_uuid))
        raise Http404
    return samtycke


# --- Audit trail -------------------------------------------------------------------------------


def deltagande_history(request, *, deltagande: Deltagande) -> History:
    """The participation's changes and its försörjning rows and follow-ups (finsam.audit),
    newest first, paged. Shown only on the participation's page, so only to the staff who may
    see it (``deltagande_get_for_user``). Never holds identity: the Person and consent links
    are not tracked, and anonymisation purges the details (services.radering)."""
    return audit_history(
        request,
        obj=deltagande,
        event_models=[
            Deltagande.pgh_event_model,
            Forsorjning.pgh_event_model,
            Uppfoljning.pgh_event_model,
        ],
        hidden=("forbund", "insats"),
    )
