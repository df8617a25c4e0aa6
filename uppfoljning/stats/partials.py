"""The participant figures of the board's dashboard as sums of partial counts.

The dashboard shows a subset of the report (``build_snapshot``): the participant key figures,
the per-insats table, the cost table's participants, the offentlig-försörjning change, the
sysselsättning table and active participations per month by kön. Every one of those is a sum
over participations, so it is a sum over *parts*: an insats and the inskrivning dates of its
participations (this month, the rest of this year, last year, older: ``PARTS``). A part's
counts only change when a transaction writes that part's participations, consents, försörjning
rows or follow-ups, which the ``deltagare.Dataandring`` triggers record with the inskrivning's
year and month; so the dashboard caches the counts per part and counts again only the parts
that changed (a registration changes one part: its insats, this month).
``uppfoljning.dashboard`` does the caching; this module counts (one statement for any set of
parts) and builds the tables with the report's own builders, so the two never disagree
(tests/uppfoljning/test_dashboard_partials.py compares them).

The definitions are the report's (``uppfoljning.stats.deltagare``): counted = not ended as
``FEL``; active, new and ended in the period; age = inskrivning year − birth year; outcome
counts over identified participations ended in the period, "Okänd" counting as no data.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from deltagare.kodlistor import FEL, OKAND, SYSSELSATTNING
from deltagare.models import Skede

from . import kostnad_per_deltagare_figure
from .core import Period
from .deltagare import (
    ARBETE_ELLER_STUDIER,
    KON_CODES,
    OFFENTLIG,
    Outcome,
    offentlig_forandring_table,
    participant_key_figures,
    per_insats_table,
    sysselsattning_table,
)
from .ekonomi import kostnad_per_insats_table

MAX_MONTHS = 36
# The parts, by inskrivning on the day counted: this month (or later), the rest of this year,
# last year, older.
MANAD, AR, FJOL, ALDRE = "manad", "ar", "fjol", "aldre"
PARTS = (MANAD, AR, FJOL, ALDRE)
SYSS_CODES = [code for code, _label, _aes in SYSSELSATTNING]


def months_of(period: Period) -> list[tuple[int, int]]:
    """The (year, month) pairs the period touches, in order."""
    months, year, month = [], period.start.year, period.start.month
    while (year, month) <= (period.slut.year, period.slut.month):
        months.append((year, month))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return months


def chart_months(period: Period) -> list[tuple[int, int]]:
    """The months of the per-month chart: the period's, at most the last ``MAX_MONTHS``."""
    return months_of(period)[-MAX_MONTHS:]


def _month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    return first, dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def counter_names(months: list[tuple[int, int]]) -> list[str]:
    names = ["a", "e", "unga", "f_N", "f_off_fore", "f_off_efter", "s_N", "aes_fore", "aes_efter"]
    for kon in KON_CODES:
        names += [f"a_{kon}", f"n_{kon}", f"e_{kon}"]
    for code in SYSS_CODES:
        names += [f"s_f_{code}", f"s_e_{code}"]
    for i in range(len(months)):
        names += [f"m{i}_{kon}" for kon in KON_CODES]
    return names


def _filters(months: list[tuple[int, int]]) -> list[str]:
    """The FILTER condition of each counter, in ``counter_names`` order (parameters only)."""
    ended_known = "c.avsl AND c.ident"
    forsorjning = f"{ended_known} AND fl.har_fore AND fl.har_efter"
    syss = (
        f"{ended_known} AND d.sysselsattning_fore_id IS NOT NULL"
        " AND d.sysselsattning_efter_id IS NOT NULL"
        " AND d.sysselsattning_fore_id <> %(okand)s AND d.sysselsattning_efter_id <> %(okand)s"
    )
    out = [
        "c.act",
        "c.avsl",
        "c.act AND c.alder BETWEEN 16 AND 29",
        forsorjning,
        f"{forsorjning} AND fl.off_fore",
        f"{forsorjning} AND fl.off_efter",
        syss,
        f"{syss} AND d.sysselsattning_fore_id = ANY(%(aes)s)",
        f"{syss} AND d.sysselsattning_efter_id = ANY(%(aes)s)",
    ]
    for kon in KON_CODES:
        out += [
            f"c.act AND d.kon_id = %(kon_{kon})s",
            f"c.ny AND d.kon_id = %(kon_{kon})s",
            f"c.avsl AND d.kon_id = %(kon_{kon})s",
        ]
    for code in SYSS_CODES:
        out += [
            f"{syss} AND d.sysselsattning_fore_id = %(syss_{code})s",
            f"{syss} AND d.sysselsattning_efter_id = %(syss_{code})s",
        ]
    for i in range(len(months)):
        out += [
            f"d.inskrivning <= %(m{i}_last)s"
            f" AND (d.utskrivning IS NULL OR d.utskrivning >= %(m{i}_first)s)"
            f" AND d.kon_id = %(kon_{kon})s"
            for kon in KON_CODES
        ]
    return out


# Each participation's flags once (CROSS JOIN LATERAL), its försörjning flags only when it is an
# identified one ended in the period (the lateral subquery's outer condition gates the scan).
_SQL = """
SELECT d.insats_id,
  CASE WHEN d.inskrivning >= %(this_month)s THEN %(manad)s
       WHEN d.inskrivning >= %(this_year)s THEN %(ar)s
       WHEN d.inskrivning >= %(last_year)s THEN %(fjol)s ELSE %(aldre)s END AS part,
  {counters}
FROM deltagare_deltagande d
CROSS JOIN LATERAL (SELECT
  d.inskrivning <= %(slut)s AND (d.utskrivning IS NULL OR d.utskrivning >= %(start)s) AS act,
  d.inskrivning >= %(start)s AND d.inskrivning <= %(slut)s AS ny,
  d.utskrivning >= %(start)s AND d.utskrivning <= %(slut)s AS avsl,
  d.person_id IS NOT NULL AS ident,
  extract(year FROM d.inskrivning)::integer - d.fodelsear AS alder) c
LEFT JOIN LATERAL (SELECT
  bool_or(f.skede = %(fore)s AND f.kalla_id <> %(okand)s) AS har_fore,
  bool_or(f.skede = %(efter)s AND f.kalla_id <> %(okand)s) AS har_efter,
  bool_or(f.skede = %(fore)s AND f.kalla_id = ANY(%(offentlig)s)) AS off_fore,
  bool_or(f.skede = %(efter)s AND f.kalla_id = ANY(%(offentlig)s)) AS off_efter
  FROM deltagare_forsorjning f
  WHERE f.deltagande_id = d.id AND c.avsl AND c.ident) fl ON true
WHERE d.forbund_id = %(forbund)s
  AND d.avslutsorsak_id IS DISTINCT FROM %(fel)s
  AND d.inskrivning <= %(range_end)s
  AND (d.utskrivning IS NULL OR d.utskrivning >= %(range_start)s)
  {parts}
GROUP BY 1, 2
"""

_PARTS_SQL = """AND ((d.insats_id = ANY(%(manad_ids)s) AND d.inskrivning >= %(this_month)s)
    OR (d.insats_id = ANY(%(ar_ids)s) AND d.inskrivning >= %(this_year)s
        AND d.inskrivning < %(this_month)s)
    OR (d.insats_id = ANY(%(fjol_ids)s) AND d.inskrivning >= %(last_year)s
        AND d.inskrivning < %(this_year)s)
    OR (d.insats_id = ANY(%(aldre_ids)s) AND d.inskrivning < %(last_year)s))"""


def partial_counts(
    *,
    forbund_id: int,
    period: Period,
    day: dt.date,
    parts: list[tuple[int, str]] | None = None,
) -> dict[tuple[int, str], tuple[int, ...]]:
    """The dashboard's counters (in ``counter_names`` order) per ``(insats id, part)`` for the
    period, in one statement: for the parts asked for, or for every part of the förbund
    (``parts=None``). Parts without a counted participation in the period (or in the chart's
    months) are left out: all zero."""
    months = chart_months(period)
    bounds = [_month_bounds(y, m) for y, m in months]
    params = {
        "forbund": forbund_id,
        "fel": FEL,
        "okand": OKAND,
        "fore": Skede.FORE.value,
        "efter": Skede.EFTER.value,
        "offentlig": OFFENTLIG,
        "aes": ARBETE_ELLER_STUDIER,
        "start": period.start,
        "slut": period.slut,
        # The chart's months may reach past the period on both sides (whole months).
        "range_start": min([period.start, *(b[0] for b in bounds)]),
        "range_end": max([period.slut, *(b[1] for b in bounds)]),
        "this_month": dt.date(day.year, day.month, 1),
        "this_year": dt.date(day.year, 1, 1),
        "last_year": dt.date(day.year - 1, 1, 1),
        "manad": MANAD,
        "ar": AR,
        "fjol": FJOL,
        "aldre": ALDRE,
        **{f"kon_{kon}": kon for kon in KON_CODES},
        **{f"syss_{code}": code for code in SYSS_CODES},
    }
    for i, (first, last) in enumerate(bounds):
        params[f"m{i}_first"], params[f"m{i}_last"] = first, last
    part_filter = ""
    if parts is not None:
        if not parts:
            return {}
        part_filter = _PARTS_SQL
        for part in PARTS:
            params[f"{part}_ids"] = sorted({i for i, p in parts if p == part})
    counters = ",\n  ".join(
        f"count(*) FILTER (WHERE {condition})" for condition in _filters(months)
    )
    sql = _SQL.format(counters=counters, parts=part_filter)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {(row[0], row[1]): tuple(row[2:]) for row in rows}


def parts_in_range(period: Period, day: dt.date) -> tuple[str, ...]:
    """The parts that can hold participations counted for the period: a part whose first
    inskrivning day lies after the period (and its chart months) holds none."""
    range_end = max(period.slut, _month_bounds(*chart_months(period)[-1])[1])
    firsts = {
        MANAD: dt.date(day.year, day.month, 1),
        AR: dt.date(day.year, 1, 1),
        FJOL: dt.date(day.year - 1, 1, 1),
    }
    return tuple(part for part in PARTS if part == ALDRE or firsts[part] <= range_end)


def parts_changed(changes: set[tuple[int, int, int]], day: dt.date) -> set[tuple[int, str]]:
    """The parts ``(insats id, part)`` named by change rows (insats, inskrivning year, month;
    ``deltagare.selectors.dataandring_changed``) on ``day``. Year 0 (a consent) is every part
    of the insats; a year without a month is every part of that year."""
    out = set()
    for insats_id, ar, manad in changes:
        if ar == 0:
            parts = PARTS
        elif ar < day.year - 1:
            parts = (ALDRE,)
        elif ar == day.year - 1:
            parts = (FJOL,)
        elif ar > day.year or manad >= day.month:
            parts = (MANAD,)
        elif manad == 0:
            parts = (MANAD, AR)
        else:
            parts = (AR,)
        out.update((insats_id, part) for part in parts)
    return out


def counts_by_insats(
    parts: dict[tuple[int, str], tuple[int, ...]], period: Period
) -> dict[int, dict[str, int]]:
    """The counters of each insats (the sum of its parts), by name."""
    names = counter_names(chart_months(period))
    vectors: dict[int, list[tuple[int, ...]]] = {}
    for (insats_id, _part), counts in parts.items():
        vectors.setdefault(insats_id, []).append(counts)
    return {
        insats_id: dict(zip(names, map(sum, zip(*rows, strict=True)), strict=True))
        for insats_id, rows in vectors.items()
    }


def dashboard_snapshot(
    *,
    forbund_namn: str,
    period: Period,
    per_insats: dict[int, dict[str, int]],
    labels: list[tuple[int, str, str]],
    insats_costs: list[dict],
) -> tuple[dict, list[dict]]:
    """The dashboard's part of the report snapshot (unmasked, the report's shape: key figures
    and tables with the report's keys) from the counters per insats, the förbund's insatser in
    the report's order (``labels``: id, kod, namn) and their costs (``ekonomi.insats_costs``);
    and the active participations per chart month by kön."""
    months = chart_months(period)
    names = counter_names(months)
    total = {name: sum(c[name] for c in per_insats.values()) for name in names}
    outcome = Outcome(
        aktiva=sum(total[f"a_{kon}"] for kon in KON_CODES),
        nya=sum(total[f"n_{kon}"] for kon in KON_CODES),
        avslutade=sum(total[f"e_{kon}"] for kon in KON_CODES),
        unga=total["unga"],
        forsorjning_N=total["f_N"],
        offentlig_fore=total["f_off_fore"],
        offentlig_efter=total["f_off_efter"],
        syss_N=total["s_N"],
        aes_fore=total["aes_fore"],
        aes_efter=total["aes_efter"],
    )
    lines = [
        {
            "insats_id": pk,
            "kod": kod,
            "namn": namn,
            "forbund_namn": forbund_namn,
            "deltagare": c["a"],
            "k": c["a_K"],
            "m": c["a_M"],
            "x": c["a_X"],
            "avslutade": c["e"],
            "aes_N": c["s_N"],
            "aes_n": c["aes_efter"],
        }
        for pk, kod, namn in labels
        if (c := per_insats.get(pk)) and c["a"] > 0
    ]
    per_insats_tab = per_insats_table(lines, national=False, outcome=outcome)
    cost_table, person_cost = kostnad_per_insats_table(
        insats_costs, outcome.deltagare_per_insats, national=False, year=period.slut.year
    )
    tables = [
        per_insats_tab,
        cost_table,
        offentlig_forandring_table(total["f_off_fore"], total["f_off_efter"], total["f_N"]),
        sysselsattning_table(
            total["s_N"],
            {code: total[f"s_f_{code}"] for code in SYSS_CODES},
            {code: total[f"s_e_{code}"] for code in SYSS_CODES},
            total["aes_fore"],
            total["aes_efter"],
        ),
    ]
    snapshot = {
        "meta": {"ekonomi": {"ar": period.slut.year}},
        "nyckeltal": [
            *participant_key_figures(outcome),
            kostnad_per_deltagare_figure(person_cost, outcome.aktiva),
        ],
        "sektioner": [
            {"key": "styrelse", "title": "", "text": "", "tables": [vars(t) for t in tables]}
        ],
    }
    per_month = [
        {"month": f"{y}-{m:02d}", **{kon: total[f"m{i}_{kon}"] for kon in KON_CODES}}
        for i, (y, m) in enumerate(months)
    ]
    return snapshot, per_month
