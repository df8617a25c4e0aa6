"""The board's dashboard: what the styrelse needs to steer, from the reports' own statistics.

Every figure comes from ``stats.build_snapshot`` for the chosen period and for the same period a
year earlier, masked exactly as the board version of a report (``masking.mask_snapshot``), so the
dashboard and the reports never disagree. Two monthly series are added (participants per month
by kön, budget vs utfall per month). Nothing here reads or returns a participation.

Figures of closed periods (a closed period's whole dashboard, and an open period's year-earlier
comparison) are cached in Redis under a key that includes a fingerprint of the förbund's data (a
handful of aggregate queries): any change of a participation, follow-up, cost or booking changes
the fingerprint, so a stale figure is never shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from deltagare.kodlistor import FEL
from deltagare.models import Deltagande, Uppfoljning
from forbund.models import Utfall
from forbund.selectors_budget import budget_overview, eget_kapital_series
from insatser.models import Insats, Insatsbudget, Insatskostnad

from .charts import Series, bar_chart, column_chart, line_chart
from .masking import MASK, mask_snapshot
from .stats import Period, build_snapshot, full_year, last_closed_half_year

MAX_MONTHS = 36
CACHE_SECONDS = 7 * 24 * 3600

logger = logging.getLogger(__name__)


def _cache_get(key: str):
    """The cache is only a shortcut: with Redis down the dashboard is computed (SECURITY.md #22,
    pages still work), never a 500."""
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - any cache outage is a miss
        logger.warning("Cachen kunde inte nås; styrelsevyn beräknas utan den")
        return None


def _cache_set(key: str, value) -> None:
    try:
        cache.set(key, value, CACHE_SECONDS)
    except Exception:  # noqa: BLE001 - any cache outage: just not cached
        logger.warning("Cachen kunde inte nås; styrelsevyn sparades inte i den")


PERIOD_CHOICES = [
    ("i_ar", "I år hittills"),
    ("halvar", "Senaste halvår"),
    ("forra_aret", "Förra året"),
    ("egen", "Egen period"),
]


def period_for(choice: str, today: dt.date, fran=None, till=None) -> Period:
    if choice == "halvar":
        return last_closed_half_year(today)
    if choice == "forra_aret":
        return full_year(today.year - 1)
    if choice == "egen" and fran and till:
        return Period(fran, till)
    return Period(dt.date(today.year, 1, 1), today)


def year_earlier(period: Period) -> Period:
    def shift(day: dt.date) -> dt.date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:  # 29 February
            return day.replace(year=day.year - 1, day=28)

    return Period(shift(period.start), shift(period.slut))


def months_of(period: Period) -> list[tuple[int, int]]:
    months, year, month = [], period.start.year, period.start.month
    while (year, month) <= (period.slut.year, period.slut.month):
        months.append((year, month))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return months


def data_fingerprint(forbund, *, inskrivning_until: dt.date | None = None) -> str:
    """Changes whenever data that the dashboard shows changes (six aggregate queries).

    ``inskrivning_until``: for a closed period, only participations that started by its last
    day can count in it, so only they are fingerprinted (today's registrations leave a closed
    period's cache alone; any change to an older participation still shows)."""
    deltagande_qs = Deltagande.objects.filter(forbund=forbund)
    if inskrivning_until is not None:
        deltagande_qs = deltagande_qs.filter(inskrivning__lte=inskrivning_until)
    parts = [
        deltagande_qs.aggregate(n=Count("id"), t=Max("updated_at")),
        Uppfoljning.objects.filter(forbund=forbund).aggregate(n=Count("id"), t=Max("registrerad")),
        Insatskostnad.objects.filter(forbund=forbund).aggregate(n=Count("id"), s=Sum("belopp")),
        Utfall.objects.filter(forbund=forbund).aggregate(
            n=Count("id"), s=Sum("belopp"), t=Max("skapad")
        ),
        Insats.objects.filter(forbund=forbund).aggregate(n=Count("id"), t=Max("updated_at")),
        Insatsbudget.objects.filter(forbund=forbund).aggregate(n=Count("id"), s=Sum("belopp")),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def participants_per_month(forbund, period: Period) -> list[dict]:
    """Active participations per month of the period, by kön (one query)."""
    months = months_of(period)[-MAX_MONTHS:]
    aggregates = {}
    for i, (year, month) in enumerate(months):
        first = dt.date(year, month, 1)
        last = (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)
        active = Q(inskrivning__lte=last) & (
            Q(utskrivning__isnull=True) | Q(utskrivning__gte=first)
        )
        for kon in ("K", "M", "X"):
            aggregates[f"m{i}_{kon}"] = Count("id", filter=active & Q(kon_id=kon))
    counts = (
        Deltagande.objects.filter(forbund=forbund)
        .exclude(avslutsorsak_id=FEL)
        .aggregate(**aggregates)
        if aggregates
        else {}
    )
    return [
        {
            "month": f"{year}-{month:02d}",
            "K": counts[f"m{i}_K"],
            "M": counts[f"m{i}_M"],
            "X": counts[f"m{i}_X"],
        }
        for i, (year, month) in enumerate(months)
    ]


def budget_per_month(forbund, period: Period, today: dt.date) -> list[dict]:
    rows = []
    for year in range(period.start.year, period.slut.year + 1):
        overview = budget_overview(forbund=forbund, ar=year, today=today)
        for month in range(1, 13):
            if (year, month) in months_of(period):
                rows.append(
                    {
                        "month": f"{year}-{month:02d}",
                        "budget": int(overview.manad_budget[month - 1]),
                        "utfall": int(overview.manad_utfall[month - 1]),
                    }
                )
    return rows[-MAX_MONTHS:]


def _figure(snapshot: dict, key: str) -> dict:
    return next((f for f in snapshot["nyckeltal"] if f["key"] == key), {})


def _table_rows(snapshot: dict, key: str) -> list[list]:
    for section in snapshot["sektioner"]:
        for table in section["tables"]:
            if table["key"] == key:
                return table["rows"]
    return []


def _share(figure: dict) -> float | None:
    n, total = figure.get("n"), figure.get("N")
    if isinstance(n, int) and isinstance(total, int) and total:
        return n * 100 / total
    return None


def _change_pp(now: dict, before: dict) -> float | None:
    a, b = _share(now), _share(before)
    return round(a - b, 1) if a is not None and b is not None else None


def _change(now, before):
    if isinstance(now, int) and isinstance(before, int):
        return now - before
    return None


@dataclass
class Dashboard:
    period: Period
    comparison: Period
    snapshot: dict
    previous: dict
    figures: list[dict]
    per_month: list[dict]
    money_month: list[dict]
    insats_rows: list[dict]
    charts: dict
    eget_kapital: dict | None


def _key_figures(now: dict, before: dict, money: dict, ek: dict | None) -> list[dict]:
    out = []
    for key, label in (
        ("deltagare_aktiva", "Aktiva deltagare"),
        ("deltagare_nya", "Nya deltagare"),
        ("deltagare_avslutade", "Avslutade deltagare"),
    ):
        value, old = _figure(now, key).get("value"), _figure(before, key).get("value")
        out.append({"key": key, "label": label, "value": value, "change": _change(value, old)})
    for key, label in (
        ("unga", "Unga 16–29 år"),
        ("offentlig_fore", "I offentlig försörjning före"),
        ("offentlig_efter", "I offentlig försörjning efter"),
        ("arbete_studier_efter", "I arbete eller studier efter"),
    ):
        fig = _figure(now, key)
        out.append(
            {
                "key": key,
                "label": label,
                "n": fig.get("n"),
                "N": fig.get("N"),
                "change_pp": _change_pp(fig, _figure(before, key)),
            }
        )
    # Arbete eller studier: the change from before to after, in percentage points.
    out[-1]["from_before_pp"] = _change_pp(
        _figure(now, "arbete_studier_efter"), _figure(now, "arbete_studier_fore")
    )
    cost = _figure(now, "kostnad_per_deltagare").get("value")
    out.append(
        {
            "key": "kostnad_per_deltagare",
            "label": "Kostnad per deltagare",
            "kr": cost,
            "change": _change(cost, _figure(before, "kostnad_per_deltagare").get("value")),
        }
    )
    out.append(
        {
            "key": "budget_forbrukad",
            "label": f"Förbrukat av budget {money['ar']}",
            "kr": money.get("ar_utfall"),
            "kr_of": money.get("ar_budget"),
        }
    )
    if ek:
        out.append({"key": "eget_kapital", "label": "Eget kapital", **ek})
    return out


def _insats_rows(snapshot: dict) -> list[dict]:
    per = {r[0]: r for r in _table_rows(snapshot, "per_insats")}
    cost = {r[0]: r for r in _table_rows(snapshot, "kostnad_per_insats") if r[0] != "Totalt"}
    rows = []
    for label in sorted(set(per) | set(cost)):
        p, c = per.get(label), cost.get(label)
        rows.append(
            {
                "label": label,
                "kod": label.split(" ", 1)[0],
                "deltagare": p[1] if p else 0,
                "kvinnor": p[2] if p else 0,
                "man": p[3] if p else 0,
                "avslutade": p[5] if p else 0,
                "arbete_studier": p[7] if p else None,
                "kostnad": c[2] if c else 0,
                "per_deltagare": c[4] if c else None,
            }
        )
    return rows


SORT_KEYS = {
    "insats": "label",
    "deltagare": "deltagare",
    "avslutade": "avslutade",
    "arbete_studier": "arbete_studier",
    "kostnad": "kostnad",
    "per_deltagare": "per_deltagare",
}


def sort_insats_rows(rows: list[dict], key: str, descending: bool) -> list[dict]:
    field = SORT_KEYS.get(key, "label")

    def value(row):
        v = row[field]
        if isinstance(v, dict) and "N" in v:
            v = v["n"] / v["N"] if v["N"] else -1
        if v == MASK or v is None:
            return (0, 0)
        return (1, v if not isinstance(v, str) else v.lower())

    return sorted(rows, key=value, reverse=descending)


def _charts(per_month, money_month, insats_rows, snapshot) -> dict:
    charts = {
        "per_manad": column_chart(
            title="Aktiva deltagare per månad, per kön",
            categories=[m["month"] for m in per_month],
            series=[
                Series("Kvinnor", [m["K"] for m in per_month]),
                Series("Män", [m["M"] for m in per_month]),
                Series("Annat/vill ej uppge", [m["X"] for m in per_month]),
            ],
        ),
        "budget": line_chart(
            title="Budget och utfall per månad (kr)",
            categories=[m["month"] for m in money_month],
            series=[
                Series("Budget", [m["budget"] for m in money_month]),
                Series("Utfall", [m["utfall"] for m in money_month]),
            ],
        ),
    }
    fors = list(_table_rows(snapshot, "offentlig_forandring"))
    if fors:
        charts["forsorjning"] = bar_chart(
            title="Offentlig försörjning före och efter (antal)",
            categories=[r[0] for r in fors],
            series=[Series("Före", [r[1] for r in fors]), Series("Efter", [r[2] for r in fors])],
        )
    syss = [
        r
        for r in _table_rows(snapshot, "sysselsattning_fore_efter")
        if not str(r[0]).startswith("Arbete eller studier")
    ]
    if syss:
        charts["sysselsattning"] = bar_chart(
            title="Sysselsättning efter insatsen (antal)",
            categories=[r[0] for r in syss],
            series=[Series("Efter", [r[3] for r in syss])],
        )
    return charts


def _comparison_snapshot(forbund, period: Period, today: dt.date) -> dict:
    """The masked snapshot of the year-earlier period. That period is closed, so it is cached
    like a closed dashboard, under the fingerprint of the data that can count in it (and the
    day): an open period's own figures are still computed on every request, the comparison only
    when its data changed.
    Measured in docs/performance.md (the board dashboard computed two full snapshots per
    request)."""
    if period.slut >= today:
        return mask_snapshot(build_snapshot(forbund=forbund, period=period))
    fingerprint = data_fingerprint(forbund, inskrivning_until=period.slut)
    key = f"styrelse-jmf:v1:{forbund.pk}:{period.start}:{period.slut}:{today}:{fingerprint}"
    previous = _cache_get(key)
    if previous is None:
        previous = mask_snapshot(build_snapshot(forbund=forbund, period=period))
        _cache_set(key, previous)
    return previous


def build_dashboard(*, forbund, period: Period, today: dt.date | None = None) -> Dashboard:
    """The dashboard's data for a förbund and period, always masked (board level)."""
    today = today or timezone.localdate()
    comparison = year_earlier(period)
    cache_key = None
    if period.slut < today:
        cache_key = (
            f"styrelse:v1:{forbund.pk}:{period.start}:{period.slut}:{data_fingerprint(forbund)}"
        )
        cached = _cache_get(cache_key)
        if cached is not None:
            return cached
    snapshot = mask_snapshot(build_snapshot(forbund=forbund, period=period))
    previous = _comparison_snapshot(forbund, comparison, today)
    money = dict(snapshot["meta"]["ekonomi"])
    year_overview = budget_overview(forbund=forbund, ar=period.slut.year, today=today)
    money["ar_budget"] = int(year_overview.summa_budget)
    money["ar_utfall"] = int(year_overview.summa_utfall)
    ek = None
    # Only the period's year is shown: the series stops there (no forecast of later years).
    for row in eget_kapital_series(forbund=forbund, today=today, until=period.slut.year):
        if row.ar == period.slut.year:
            ek = {
                "kr": int(row.utgaende),
                "troskel": int(row.troskel),
                "over": row.over_troskel,
                "prognos": row.prognos,
            }
    per_month = participants_per_month(forbund, period)
    for row in per_month:  # the board sees monthly counts masked like every other count
        for kon in ("K", "M", "X"):
            if 0 < row[kon] < 5:
                row[kon] = MASK
    money_month = budget_per_month(forbund, period, today)
    insats_rows = _insats_rows(snapshot)
    dashboard = Dashboard(
        period=period,
        comparison=comparison,
        snapshot=snapshot,
        previous=previous,
        figures=_key_figures(snapshot, previous, money, ek),
        per_month=per_month,
        money_month=money_month,
        insats_rows=insats_rows,
        charts=_charts(per_month, money_month, insats_rows, snapshot),
        eget_kapital=ek,
    )
    if cache_key:
        _cache_set(cache_key, dashboard)
    return dashboard
