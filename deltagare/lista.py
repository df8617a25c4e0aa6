"""The participant lists' page query, written out by hand (``selectors.deltagande_list``).

Through the ORM a page of the list cost about 7 ms of Python at 100,000 participations: the
queryset with its three flag annotations (each an ``Exists``) built, compiled and 50 rows turned
into three model instances each, for one statement PostgreSQL runs in under a millisecond
(docs/performance.md, section 3). Here the statement is put together from fixed pieces, every
value a parameter, and each row is a small read-only ``ListRow``.

The flags are the rules of ``selectors.with_flags`` (``saknar_efter_q``, ``uppfoljning_due_q``,
``samtycke_expiring_q``) and the filters those of the list's filter form;
tests/deltagare/test_list_sql.py compares rows, flags and counts with the ORM definitions for
every filter. Who may see what is not decided here: the caller passes the förbund and the
visible insatser (``selectors.deltagande_qs_for_user``'s rule).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import connection

# The flags, as with_flags defines them. %(…)s are parameters (see _params).
_HAS_EFTER = (
    "EXISTS (SELECT 1 FROM deltagare_forsorjning f WHERE f.deltagande_id = d.id"
    " AND f.skede = %(efter)s AND f.kalla_id <> %(okand)s)"
)
_ENDED_IDENTIFIED = (
    "d.person_id IS NOT NULL AND d.utskrivning IS NOT NULL"
    " AND d.avslutsorsak_id IS DISTINCT FROM %(fel)s"
)
SAKNAR_EFTER = (
    f"({_ENDED_IDENTIFIED} AND (d.sysselsattning_efter_id = %(okand)s OR NOT {_HAS_EFTER}))"
)
UPPFOLJNING = (  # constant pieces only, here and below
    f"({_ENDED_IDENTIFIED} AND ("  # noqa: S608
    "(d.utskrivning <= %(six)s AND NOT EXISTS (SELECT 1 FROM deltagare_uppfoljning u"
    " WHERE u.deltagande_id = d.id AND u.punkt = 6))"
    " OR (d.utskrivning <= %(twelve)s AND NOT EXISTS (SELECT 1 FROM deltagare_uppfoljning u"
    " WHERE u.deltagande_id = d.id AND u.punkt = 12))))"
)
SAMTYCKE = (
    "(d.person_id IS NOT NULL AND d.utskrivning IS NULL"
    " AND s.giltig_till IS NOT NULL AND s.giltig_till <= %(samtycke_until)s)"
)
_SAKNAS = {
    "efter": SAKNAR_EFTER,
    "uppfoljning": UPPFOLJNING,
    "samtycke": SAMTYCKE,
    "alla": f"({SAKNAR_EFTER} OR {UPPFOLJNING} OR {SAMTYCKE})",
}
# A join, not EXISTS: with a LIMIT PostgreSQL then looks up the page's consents by key, where an
# EXISTS was planned as a hashed scan of every consent (44 ms). Only consents with an end date
# can count, and those are in the small partial index samtycke_giltig. Where the count does not
# use it, PostgreSQL removes the join (unique key, no column used).
_SAMTYCKE_JOIN = (
    " LEFT JOIN deltagare_samtycke s ON s.id = d.samtycke_id AND s.giltig_till IS NOT NULL"
)
_AGE = "(extract(year FROM d.inskrivning)::integer - d.fodelsear)"

_SELECT = (
    "SELECT d.uuid, d.nummer, i.kod, k.namn, d.fodelsear, d.inskrivning, d.utskrivning,"  # noqa: S608
    f" d.avslutsorsak_id, d.person_id, {SAKNAR_EFTER}, {UPPFOLJNING}, {SAMTYCKE}"
    " FROM deltagare_deltagande d"
    " JOIN insatser_insats i ON i.id = d.insats_id"
    " JOIN deltagare_kon k ON k.kod = d.kon_id"
    f"{_SAMTYCKE_JOIN} WHERE "
)
_ORDER = " ORDER BY d.inskrivning DESC, d.id DESC LIMIT %(limit)s OFFSET %(offset)s"
_COUNT = f"SELECT count(*) FROM deltagare_deltagande d{_SAMTYCKE_JOIN} WHERE "  # noqa: S608


@dataclass(frozen=True, slots=True)
class Kod:
    kod: str = ""
    namn: str = ""


@dataclass(frozen=True, slots=True)
class ListRow:
    """One participation as the list shows it (templates/deltagare/_lista.html)."""

    uuid: uuid.UUID
    nummer: str
    insats: Kod
    kon: Kod
    fodelsear: int
    inskrivning: dt.date
    utskrivning: dt.date | None
    avslutsorsak_id: str | None
    person_id: int | None
    flag_saknar_efter: bool
    flag_uppfoljning: bool
    flag_samtycke: bool

    @property
    def alder(self) -> int:
        return self.inskrivning.year - self.fodelsear

    @property
    def is_fel(self) -> bool:
        from .kodlistor import FEL

        return self.avslutsorsak_id == FEL


@dataclass(frozen=True)
class Villkor:
    """What a list shows: the caller's scope (förbund, visible insatser) and the filters."""

    forbund_id: int
    insats_ids: tuple[int, ...]
    day: dt.date
    insats_id: int | None = None
    status: str = ""  # "", "aktiva", "avslutade"
    fran: dt.date | None = None
    till: dt.date | None = None
    kon: str = ""
    alder_fran: int | None = None
    alder_till: int | None = None
    saknas: str = ""  # "", "efter", "uppfoljning", "samtycke", "alla"


class DeltagandeLista:
    """The rows of one list as a ``Paginator`` asks for them: ``count()`` and one slice, each
    a single statement. Always ordered as the list index (inskrivning, id, newest first)."""

    def __init__(self, villkor: Villkor):
        self.villkor = villkor
        self._where, self._params = _where(villkor)

    def count(self) -> int:
        if not self.villkor.insats_ids:
            return 0
        with connection.cursor() as cursor:
            # nosemgrep: finsam-sql-string-building - fixed pieces only, values are parameters
            cursor.execute(_COUNT + self._where, self._params)
            return cursor.fetchone()[0]

    def __getitem__(self, index: slice) -> list[ListRow]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("DeltagandeLista supports plain slices only.")
        start, stop = index.start or 0, index.stop
        if stop is None or stop <= start or not self.villkor.insats_ids:
            return []
        params = {**self._params, "limit": stop - start, "offset": start}
        with connection.cursor() as cursor:
            # nosemgrep: finsam-sql-string-building - fixed pieces only, values are parameters
            cursor.execute(_SELECT + self._where + _ORDER, params)
            return [
                ListRow(
                    uuid=row[0],
                    nummer=row[1],
                    insats=Kod(kod=row[2]),
                    kon=Kod(namn=row[3]),
                    fodelsear=row[4],
                    inskrivning=row[5],
                    utskrivning=row[6],
                    avslutsorsak_id=row[7],
                    person_id=row[8],
                    flag_saknar_efter=bool(row[9]),
                    flag_uppfoljning=bool(row[10]),
                    flag_samtycke=bool(row[11]),
                )
                for row in cursor.fetchall()
            ]


def _where(v: Villkor) -> tuple[str, dict]:
    """The WHERE clause (fixed pieces only) and its parameters."""
    from .kodlistor import FEL, OKAND
    from .models import Skede
    from .services import add_months

    params = {
        "forbund": v.forbund_id,
        "insatser": list(v.insats_ids),
        "okand": OKAND,
        "fel": FEL,
        "efter": Skede.EFTER.value,
        "six": add_months(v.day, -6),
        "twelve": add_months(v.day, -12),
        "samtycke_until": v.day + dt.timedelta(days=30),
    }
    where = ["d.forbund_id = %(forbund)s", "d.insats_id = ANY(%(insatser)s)"]
    if v.insats_id is not None:
        where.append("d.insats_id = %(insats)s")
        params["insats"] = v.insats_id
    if v.status == "aktiva":
        where.append("d.utskrivning IS NULL")
    elif v.status == "avslutade":
        where.append("d.utskrivning IS NOT NULL")
    if v.fran or v.till:  # active on at least one day of the period (design section 6)
        where.append(
            "d.inskrivning <= %(till)s AND (d.utskrivning IS NULL OR d.utskrivning >= %(fran)s)"
        )
        params["fran"] = v.fran or dt.date(1900, 1, 1)
        params["till"] = v.till or dt.date(2999, 12, 31)
    if v.kon:
        where.append("d.kon_id = %(kon)s")
        params["kon"] = v.kon
    if v.alder_fran is not None:
        where.append(f"{_AGE} >= %(alder_fran)s")
        params["alder_fran"] = v.alder_fran
    if v.alder_till is not None:
        where.append(f"{_AGE} <= %(alder_till)s")
        params["alder_till"] = v.alder_till
    if v.saknas in _SAKNAS:
        where.append(_SAKNAS[v.saknas])
    return " AND ".join(where), params
