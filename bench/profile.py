"""Where the report statistics spend their time: ``python -m bench.profile [--forbund N]``.

Runs ``build_snapshot`` for the annual report once to warm the cache, then again while
capturing every query, and prints the total, the query count and the slowest queries (each
timed again on its own: in pipeline mode the recorded time is only the send). Without
``--forbund`` it profiles the national report; ``--forbund 2`` is the 50,000 förbund.
"""

import argparse
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--forbund", type=int, help="the förbund's position (1 = the largest)")
    parser.add_argument("--ar", type=int, default=None)
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.generator import REPORT_YEAR
    from forbund.models import Forbund
    from uppfoljning.stats import build_snapshot, full_year

    period = full_year(args.ar or REPORT_YEAR)
    forbund = Forbund.objects.order_by("pk")[args.forbund - 1] if args.forbund else None
    build_snapshot(forbund=forbund, period=period)
    with CaptureQueriesContext(connection) as captured:
        t0 = time.perf_counter()
        build_snapshot(forbund=forbund, period=period)
        total = time.perf_counter() - t0
    # build_snapshot sends most queries in pipeline mode, where the recorded time is only the
    # send: each query is run again on its own here to time it.
    timed = []
    with connection.cursor() as cursor:
        for q in captured.captured_queries:
            t0 = time.perf_counter()
            cursor.execute(q["sql"])
            cursor.fetchall()
            timed.append((time.perf_counter() - t0, q["sql"]))
    timed.sort(reverse=True)
    in_sql = sum(t for t, _sql in timed)
    print(
        f"{forbund or 'nationellt'}: {total:.3f} s, {len(timed)} frågor, "
        f"{in_sql:.3f} s i SQL en i taget"
    )
    for seconds, sql in timed[: args.top]:
        print(f"{seconds:7.3f} {sql[:160]}")


if __name__ == "__main__":
    main()
