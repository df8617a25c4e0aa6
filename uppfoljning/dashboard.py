"""The board's dashboard: what the styrelse needs to steer, from the reports' own statistics.

The figures are the board version of a report's (masked exactly as ``masking.mask_snapshot``
masks a report), for the chosen period and for the same period a year earlier: the participant
key figures, the per-insats and cost tables, the offentlig-försörjning change and the
sysselsättning table, plus active participations per month by kön and the year's budget, utfall
and eget kapital. Nothing here reads or returns a participation.

Speed without stale figures (docs/performance.md): the participant figures are sums of counts
per insats and inskrivning year (``stats.partials``), cached in Redis together with the förbund's
own figures (budget, utfall, costs) under the database snapshot they were computed under. On the
next request only what a transaction has changed since that snapshot is computed again: the
parts named by ``deltagare.Dataandring`` (a registration: its insats, this year) and the money
figures when ``forbund.Forbundsandring`` has a row. Any other figure is exact as cached
(``finsam.andringar``). An open period is therefore never shown stale, and the dashboard costs a
few small queries instead of a whole report.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from deltagare.selectors import dataandring_changed
from finsam.andringar import snapshot_now
from forbund.selectors import forbundsandring_since
from forbund.selectors_budget import budget_overview
from insatser.models import Insats

from .charts import Series, bar_chart, column_chart, line_chart
from .masking import MASK, mask_snapshot
from .stats import Period, full_year, last_closed_half_year
from .stats.ekonomi import eget_kapital_by_forbund, insats_costs
from .stats.partials import (
    MAX_MONTHS,
    counts_by_insats,
    dashboard_snapshot,
    months_of,
    partial_counts,
    parts_changed,
    parts_in_range,
)

# An entry is for one day (the key holds it); it must live shorter than the change rows it is
# checked against are kept (``DATAANDRING_KEEP``, ``FORBUNDSANDRING_KEEP``: eight days).
CACHE_SECONDS = 26 * 3600

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


def _money(forbund, period: Period, comparison: Period, today: dt.date) -> dict:
    """The förbund's own figures the dashboard shows (no participant counts): its insatser in
    the report's order, their costs in both periods, the period year's budget, utfall and eget
    kapital, and budget vs utfall per month."""
    forbund_ids = [forbund.pk]
    overviews = {
        year: budget_overview(forbund=forbund, ar=year, today=today)
        for year in range(period.start.year, period.slut.year + 1)
    }
    ek = None
    # The period's year, as the report shows it (the series up to that year, no later forecast).
    row = eget_kapital_by_forbund(forbund_ids, period, today, forbund_list=[forbund])[1].get(
        forbund.pk
    )
    if row is not None:
        ek = {
            "kr": int(row.utgaende),
            "troskel": int(row.troskel),
            "over": row.over_troskel,
            "prognos": row.prognos,
        }
    months = set(months_of(period))
    money_month = [
        {
            "month": f"{year}-{month:02d}",
            "budget": int(overview.manad_budget[month - 1]),
            "utfall": int(overview.manad_utfall[month - 1]),
        }
        for year, overview in overviews.items()
        for month in range(1, 13)
        if (year, month) in months
    ][-MAX_MONTHS:]
    year_overview = overviews[period.slut.year]
    return {
        "labels": list(
            Insats.objects.filter(forbund=forbund).order_by("kod").values_list("pk", "kod", "namn")
        ),
        "costs": {
            "now": insats_costs(forbund_ids, period),
            "before": insats_costs(forbund_ids, comparison),
        },
        "ar_budget": int(year_overview.summa_budget),
        "ar_utfall": int(year_overview.summa_utfall),
        "eget_kapital": ek,
        "money_month": money_month,
    }


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


def _figures(forbund, periods: dict[str, Period], today: dt.date) -> tuple[dict, dict]:
    """The partial counts per period (``{"now": …, "before": …}``, each ``{(insats, part):
    counters}``) and the money figures, from the cache where nothing they count has changed
    since the snapshot they were computed under, else computed again: only the changed parts,
    and the money figures only when the förbund's own figures changed. Constant query count."""
    key = f"styrelse:v4:{forbund.pk}:{periods['now'].start}:{periods['now'].slut}:{today}"
    # The snapshot is taken before anything is counted: the counts hold at least what it saw.
    clean, snapshot = snapshot_now()
    entry = _cache_get(key) if clean else None
    if entry is None:
        parts = {
            role: partial_counts(forbund_id=forbund.pk, period=p, day=today)
            for role, p in periods.items()
        }
        money = _money(forbund, periods["now"], periods["before"], today)
    else:
        parts, money = entry["parts"], entry["money"]
        changed = parts_changed(
            dataandring_changed(forbund_id=forbund.pk, snapshot=entry["snapshot"]), today
        )
        for role, p in periods.items():
            wanted = sorted(c for c in changed if c[1] in parts_in_range(p, today))
            if wanted:
                fresh = partial_counts(forbund_id=forbund.pk, period=p, day=today, parts=wanted)
                for part in wanted:
                    parts[role].pop(part, None)
                parts[role].update(fresh)
        money_changed = forbundsandring_since(forbund_id=forbund.pk, snapshots=[entry["snapshot"]])
        if money_changed:
            money = _money(forbund, periods["now"], periods["before"], today)
        if not changed and not money_changed:
            return parts, money
    if clean:
        _cache_set(key, {"snapshot": snapshot, "parts": parts, "money": money})
    return parts, money


def build_dashboard(*, forbund, period: Period, today: dt.date | None = None) -> Dashboard:
    """The dashboard's data for a förbund and period, always masked (board level)."""
    today = today or timezone.localdate()
    comparison = year_earlier(period)
    periods = {"now": period, "before": comparison}
    parts, money = _figures(forbund, periods, today)
    built = {
        role: dashboard_snapshot(
            forbund_namn=forbund.namn,
            period=p,
            per_insats=counts_by_insats(parts[role], p),
            labels=money["labels"],
            insats_costs=money["costs"][role],
        )
        for role, p in periods.items()
    }
    snapshot = mask_snapshot(built["now"][0])
    previous = mask_snapshot(built["before"][0])
    per_month = built["now"][1]
    for row in per_month:  # the board sees monthly counts masked like every other count
        for kon in ("K", "M", "X"):
            if 0 < row[kon] < 5:
                row[kon] = MASK
    figures = _key_figures(
        snapshot,
        previous,
        {"ar": period.slut.year, "ar_budget": money["ar_budget"], "ar_utfall": money["ar_utfall"]},
        money["eget_kapital"],
    )
    insats_rows = _insats_rows(snapshot)
    return Dashboard(
        period=period,
        comparison=comparison,
        snapshot=snapshot,
        previous=previous,
        figures=figures,
        per_month=per_month,
        money_month=money["money_month"],
        insats_rows=insats_rows,
        charts=_charts(per_month, money["money_month"], insats_rows, snapshot),
        eget_kapital=money["eget_kapital"],
    )
