"""What the web sections (2 PDF, 3 pages, 4 load) share: timing statistics, the förbund they
measure, and the result row the runner prints.

The runner passes its ``bench.runner.Context``; these sections read only a few attributes of it
(``large_forbund_id``, ``report_year``, ``repeats``, ``quick``, ``cores``) and fall back to the
database when they are missing, so each module also runs on its own against any data
(``python -m bench.pdf``, ``python -m bench.pages``, ``python -m bench.load``).
"""

from __future__ import annotations

import gc
import math
import statistics
import time


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile (no interpolation: a value that was really observed)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(0.95 * len(ordered)))
    return ordered[rank - 1]


def timed_in_turn(*calls, runs: int) -> list[list[float]]:
    """Wall-clock seconds of ``runs`` calls of each, one of each in turn: on a shared machine a
    slow spell then falls on all of them, not on one. Each call is timed with the garbage
    collection of what it left behind (``gc.collect()`` after it, inside the timing) and starts
    from a collected heap: otherwise the collection of one call's cyclic garbage falls on
    whichever call next crosses the collector's threshold, and the other is timed too short."""
    times: list[list[float]] = [[] for _ in calls]
    gc.collect()
    for _ in range(runs):
        for call, timed in zip(calls, times, strict=True):
            start = time.perf_counter()
            call()
            gc.collect()
            timed.append(time.perf_counter() - start)
    return times


def ctx_get(ctx, name: str, default=None):
    if ctx is None:
        return default
    if isinstance(ctx, dict):
        return ctx.get(name, default)
    return getattr(ctx, name, default)


def forbund_by_size():
    """Förbund ordered by number of participations, largest first (one query)."""
    from django.db.models import Count

    from deltagare.models import Deltagande
    from forbund.models import Forbund

    counts = dict(
        Deltagande.objects.values_list("forbund_id")
        .annotate(n=Count("id"))
        .values_list("forbund_id", "n")
    )
    ranked = list(Forbund.objects.filter(pk__in=counts))
    for forbund in ranked:
        forbund.n_deltagande = counts[forbund.pk]
    ranked.sort(key=lambda f: (-f.n_deltagande, f.pk))
    return ranked


def cores(ctx=None) -> int:
    import os

    n = ctx_get(ctx, "cores")
    if n:
        return int(n)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def large_forbund(ctx=None):
    """The bench users' förbund (the runner's ``large_forbund_id``), else the largest one."""
    from forbund.models import Forbund

    pk = ctx_get(ctx, "large_forbund_id")
    if pk is not None:
        return Forbund.objects.get(pk=pk)
    ranked = forbund_by_size()
    if not ranked:
        raise RuntimeError("Inga deltaganden i databasen: kör bench_data (eller demo) först.")
    return ranked[0]


def small_forbund(ctx=None):
    """The förbund with the fewest participations (the other end of the size range)."""
    ranked = forbund_by_size()
    if not ranked:
        raise RuntimeError("Inga deltaganden i databasen: kör bench_data (eller demo) först.")
    return ranked[-1]


SECTION_LABELS = {2: "2 pdf", 3: "3 sidor", 4: "4 last"}


def row(
    *,
    section: int,
    measure: str,
    value: float,
    unit: str,
    floor: float | None = None,
    goal: str = "",
    ok: bool | None = None,
    **extra,
) -> dict:
    ratio = value / floor if floor else None
    return {
        "section": SECTION_LABELS.get(section, str(section)),
        "measure": measure,
        "value": round(value, 6),
        "unit": unit,
        "floor": round(floor, 6) if floor is not None else None,
        "ratio": round(ratio, 3) if ratio is not None else None,
        "goal": goal,
        "ok": ok,
        **extra,
    }


def print_rows(rows: list[dict]) -> None:
    for r in rows:
        extra = {
            k: v
            for k, v in r.items()
            if k not in {"section", "measure", "value", "unit", "floor", "ratio", "goal", "ok"}
        }
        print(
            f"{r['section']:<8} {r['measure']:<48} {r['value']:>12.4f} {r['unit']:<5} "
            f"floor={r['floor']} ratio={r['ratio']} goal={r['goal']!r} ok={r['ok']} {extra}"
        )
