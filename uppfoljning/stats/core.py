"""Report statistics, shared parts: periods, tables, the förbund and insatser sections,
``count_grouping_sets`` (several tables from one read of the rows) and ``Pending``/``pipelined``
(queries sent before their results are read).

Every figure is computed in PostgreSQL with conditional aggregation (at most one query per
table; tables over the same rows share one), never by looping over participations in Python,
so the number of queries does not grow with the data. The result
is a JSON-serialisable *snapshot* with stable keys (documented in the README): the same data feeds
the PDF, the Excel file, the browser preview and the ``rapport_stats`` command.

Snapshot shape::

    {
      "schema": 1,
      "meta": {"omfattning", "forbund", "period": {"start", "slut"}, "data_cutoff"},
      "nyckeltal": [{"key", "label", "value"} | {"key", "label", "n", "N"}],
      "sektioner": [
        {"key", "title", "text", "tables": [
          {"key", "title", "columns": [...], "rows": [[...]], "note", "count_columns": [...]}
        ]}
      ]
    }

Period semantics (design section 6): something counts in a period when it was active on at least
one day of it, i.e. it started on or before the period's last day and had not ended before its
first day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, Q

from forbund.models import Forbund, Medlem, MedlemTyp
from insatser.models import Insats, Registreringsform

SCHEMA_VERSION = 1
TOTAL = "Totalt"


@dataclass(frozen=True)
class Period:
    start: dt.date
    slut: dt.date

    def __post_init__(self):
        if self.slut < self.start:
            raise ValueError("Periodens slut ligger före dess början.")

    @property
    def days(self) -> int:
        return (self.slut - self.start).days + 1


def half_year(year: int) -> Period:
    return Period(dt.date(year, 1, 1), dt.date(year, 6, 30))


def full_year(year: int) -> Period:
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31))


def last_closed_half_year(today: dt.date) -> Period:
    """FK's half-year is 1 Jan–30 Jun; before 1 July the last closed one is last year's."""
    return half_year(today.year if today.month >= 7 else today.year - 1)


def last_closed_year(today: dt.date) -> Period:
    return full_year(today.year - 1)


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""
    # Indexes of the columns that hold person counts (masked in board and national variants).
    count_columns: list[int] = field(default_factory=list)
    # Index of a column holding each row's total, if any (complementary masking reads it).
    total_column: int | None = None

    def as_dict(self) -> dict:
        """What ``dataclasses.asdict`` gives (same keys, same order), with the rows copied a
        level deep instead of recursively: a fraction of the time on a national report."""
        return {
            "key": self.key,
            "title": self.title,
            "columns": list(self.columns),
            "rows": [list(row) for row in self.rows],
            "note": self.note,
            "count_columns": list(self.count_columns),
            "total_column": self.total_column,
        }


@dataclass
class Section:
    key: str
    title: str
    text: str = ""
    tables: list[Table] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "text": self.text,
            "tables": [table.as_dict() for table in self.tables],
        }


def active_in(period: Period, start_field: str, end_field: str) -> Q:
    """Active on at least one day of the period (design section 6)."""
    return Q(**{f"{start_field}__lte": period.slut}) & (
        Q(**{f"{end_field}__isnull": True}) | Q(**{f"{end_field}__gte": period.start})
    )


def forbund_scope(forbund: Forbund | None):
    """The förbund a report covers: one, or for the national report every active förbund that
    shares national statistics (a förbund setting, on unless the förbundschef turns it off)."""
    if forbund is not None:
        return Forbund.objects.filter(pk=forbund.pk)
    return Forbund.objects.active().exclude(
        uppfoljning_installning__delar_nationell_statistik=False
    )


def forbund_ids_in_scope(forbund: Forbund | None) -> list[int]:
    """The ids of ``forbund_scope``, read once per report. The report queries filter on these
    literal ids rather than on a subquery, so that PostgreSQL sees how many rows the förbund
    has (with a subquery it plans for an unknown förbund: the wrong index or a full scan)."""
    if forbund is not None:
        return [forbund.pk]
    return list(forbund_scope(None).values_list("pk", flat=True))


def financed_insatser(forbund_ids: list[int]):
    """The insatser a report counts: granted ones (every status after ansökan)."""
    from insatser.models import Status

    return Insats.objects.filter(forbund_id__in=forbund_ids).exclude(status=Status.ANSOKAN)


def active_medlemmar(forbund_ids: list[int], period: Period) -> list[Medlem]:
    """The members of the förbund on some day of the period, with kommun and förbund, in the
    members table's order (one query; the population table reads their kommuner too)."""
    return list(
        Medlem.objects.filter(forbund_id__in=forbund_ids)
        .filter(active_in(period, "startdatum", "slutdatum"))
        .select_related("kommun", "forbund")
        .order_by("forbund__namn", "typ", "namn")
    )


def section_forbundet(medlemmar: list[Medlem], *, national: bool) -> Section:
    """Members and kommuner from ``active_medlemmar``."""
    rows = [
        ([m.forbund.namn] if national else [])
        + [
            m.namn,
            str(MedlemTyp(m.typ).label),
            m.startdatum.isoformat(),
            m.slutdatum.isoformat() if m.slutdatum else "",
        ]
        for m in medlemmar
    ]
    kommuner = sorted({(m.kommun.kod, m.kommun.namn, m.kommun.lan) for m in medlemmar if m.kommun})
    return Section(
        key="forbundet",
        title="Förbundet",
        text="Medlemmar och kommuner som förbundet omfattade någon dag under perioden.",
        tables=[
            Table(
                key="medlemmar",
                title="Medlemmar under perioden",
                columns=(["Förbund"] if national else [])
                + ["Medlem", "Typ", "Medlem från", "Medlem till"],
                rows=rows,
            ),
            Table(
                key="kommuner",
                title="Kommuner som omfattas",
                columns=["Kommunkod", "Kommun", "Län"],
                rows=[list(k) for k in kommuner],
            ),
        ],
    )


def insats_groups(forbund_ids: list[int], period: Period) -> Pending:
    """Financed insatser active, new and ended in the period by kategori and registration mode
    (one query, sent at once; its result: dicts with the keys ``kategori__namn``,
    ``kategori__ordning``, ``registreringsform``, ``aktiva``, ``nya``, ``avslutade``, in the
    per-kategori table's order). Both insats tables are made from it. An application (status
    ansökan) is not yet an insats the förbund finances: not counted."""
    active = active_in(period, "startdatum", "slutdatum")
    new = Q(startdatum__gte=period.start, startdatum__lte=period.slut)
    ended = Q(slutdatum__gte=period.start, slutdatum__lte=period.slut)
    return send_values(
        financed_insatser(forbund_ids)
        .values("kategori__namn", "kategori__ordning", "registreringsform")
        .annotate(
            aktiva=Count("id", filter=active),
            nya=Count("id", filter=new),
            avslutade=Count("id", filter=ended),
        )
        .order_by("kategori__ordning", "kategori__namn", "registreringsform")
    )


def section_insatser(groups: list[dict]) -> tuple[Section, dict]:
    """Insatser active, new and ended in the period, per registration mode: the sums of
    ``insats_groups``'s result over the kategorier."""
    by_mode: dict[str, dict] = {}
    for g in groups:
        counts = by_mode.setdefault(g["registreringsform"], {"aktiva": 0, "nya": 0, "avslutade": 0})
        for key in counts:
            counts[key] += g[key]
    rows = []
    totals = {"aktiva": 0, "nya": 0, "avslutade": 0}
    for mode in Registreringsform:
        g = by_mode.get(mode.value, {"aktiva": 0, "nya": 0, "avslutade": 0})
        rows.append([str(mode.label), g["aktiva"], g["nya"], g["avslutade"]])
        for key in totals:
            totals[key] += g[key]
    rows.append([TOTAL, totals["aktiva"], totals["nya"], totals["avslutade"]])
    section = Section(
        key="insatser",
        title="Insatser",
        text="En insats räknas som aktiv om den pågick minst en dag under perioden.",
        tables=[
            Table(
                key="insatser_per_registreringsform",
                title="Insatser per registreringsform",
                columns=["Registreringsform", "Aktiva", "Nya", "Avslutade"],
                rows=rows,
            )
        ],
    )
    return section, totals


@contextmanager
def pipelined() -> Iterator[None]:
    """Within it, queries go to PostgreSQL without waiting for the previous one's result
    (psycopg's pipeline mode): a ``Pending`` sent early is computed by the server while Python
    builds and sends the next. The first read (a ``result()``, or any ORM query) waits for
    every query sent before it, so what overlaps is building and sending the queries, not
    building the tables from their results. Outside it, ``Pending`` runs its query at once:
    the same results, one after the other.

    In autocommit the queries of the block form one implicit transaction, ended when the block
    ends; a failed query makes every later read in the block raise (its error first), and the
    connection is usable again after the block. Inside it, no server-side cursor
    (``.iterator()``), no ``transaction.atomic()`` while results are unread, no COPY."""
    # Django checks a reused connection before its first query; inside the pipeline that check
    # would only be queued. Check (and reconnect) first, then enter.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


class Pending:
    """A query sent now whose result is read later: ``result()`` fetches its rows (waiting for
    the server if it is still at them), turns them into the caller's value with ``convert``
    and keeps it. ``sql=None`` is a query known to match nothing (its rows are ``[]``). In
    ``pipelined``, reading raises the error of any earlier query of the block that failed;
    a failed read raises the same error again on every later call."""

    def __init__(self, sql: str | None, params, convert: Callable[[list], object]):
        self._convert = convert
        self._cursor = None
        self._done = False
        self._value = None
        self._error: BaseException | None = None
        if sql is not None:
            cursor = connection.cursor()
            try:
                cursor.execute(sql, params)
            except Exception:
                cursor.close()
                raise
            self._cursor = cursor

    def result(self):
        if self._error is not None:
            raise self._error
        if not self._done:
            try:
                rows: list = []
                if self._cursor is not None:
                    try:
                        rows = self._cursor.fetchall()
                    finally:
                        self._cursor.close()
                        self._cursor = None
                value = self._convert(rows)
            except Exception as exc:
                self._error = exc
                raise
            self._value, self._done = value, True
        return self._value


def send_values(queryset, convert: Callable[[list[dict]], object] | None = None) -> Pending:
    """Send a ``.values()`` queryset (on the default database); its result is what iterating
    it gives (dicts, Django's converters applied), passed through ``convert`` when given."""
    query = queryset.query
    compiler = query.get_compiler(using=queryset.db)
    convert = convert or (lambda dicts: dicts)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return Pending(None, (), lambda rows: convert([]))
    if query.selected:
        names = list(query.selected)
    else:
        names = [*query.extra_select, *query.values_select, *query.annotation_select]

    def dicts(rows: list) -> object:
        if compiler.has_extra_select:
            rows = [row[: compiler.col_count] for row in rows]
        converted = compiler.results_iter([rows])
        return convert([dict(zip(names, row, strict=True)) for row in converted])

    return Pending(sql, params, dicts)


def flag(condition: Q) -> ExpressionWrapper:
    """A row-level condition as a boolean column (for counts with ``FILTER``)."""
    return ExpressionWrapper(condition, output_field=BooleanField())


def count_grouping_sets(
    rows,
    sets: dict[str, tuple[str, ...]],
    aggregates: dict[str, str],
    order_by: tuple[str, ...] = (),
) -> Pending:
    """Aggregate ``rows`` (a ``.values()`` queryset: one row per participation, with the
    columns the tables group and count by) for several groupings in ONE query: PostgreSQL's
    ``GROUPING SETS`` reads the rows once for all the tables, where a query per table reads
    them once per table. The row-level rules (active, new, age, …) stay ORM expressions on
    ``rows``; only the grouping is SQL. ``sets`` names each grouping (``()`` is the total);
    ``aggregates`` maps a result name to an aggregate over the row columns
    (``count(*) FILTER (WHERE ny)``); every set gets every aggregate. The query is sent at
    once; its result is each set's groups as dicts, in the database's order of the
    ``order_by`` columns."""
    empty: dict[str, list[dict]] = {name: [] for name in sets}
    try:
        rows_sql, params = rows.order_by().query.sql_with_params()
    except EmptyResultSet:  # no förbund in scope: no groups (and totals of 0, see grouping_total)
        return Pending(None, (), lambda _rows: empty)
    columns = list(dict.fromkeys(c for grouping in sets.values() for c in grouping))
    quoted = ", ".join(f'd."{c}"' for c in columns)
    sets_sql = ", ".join(
        "(" + ", ".join(f'd."{c}"' for c in grouping) + ")" for grouping in sets.values()
    )
    selects = ", ".join(f'{expr} AS "{name}"' for name, expr in aggregates.items())
    order_sql = "".join(f', d."{c}"' for c in order_by)
    # Only Django's own compiled SQL (its parameters kept apart) and the column names and
    # aggregates the statistics code writes (never input) go into the text.
    sql = (
        f"SELECT GROUPING({quoted}), {quoted}, {selects} "  # noqa: S608
        f"FROM ({rows_sql}) d GROUP BY GROUPING SETS ({sets_sql}) ORDER BY 1{order_sql}"
    )
    # GROUPING() has one bit per column (the first column highest), set when the column is
    # not grouped in that result row: that tells which set the row belongs to.
    set_of_bits = {
        sum(1 << (len(columns) - 1 - i) for i, c in enumerate(columns) if c not in grouping): name
        for name, grouping in sets.items()
    }
    names = [*columns, *aggregates]

    def by_set(result: list) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {name: [] for name in sets}
        for bits, *values in result:
            out[set_of_bits[bits]].append(dict(zip(names, values, strict=True)))
        return out

    return Pending(sql, params, by_set)


def grouping_total(groups: list[dict], aggregates: dict[str, str]) -> dict:
    """The one row of the total set ``()``. PostgreSQL returns it even when no row matched;
    without a förbund in scope nothing was asked: counts 0, other aggregates (a median) None."""
    if groups:
        return groups[0]
    return {name: 0 if expr.startswith("count(") else None for name, expr in aggregates.items()}
