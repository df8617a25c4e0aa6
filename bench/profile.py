"""Where the report statistics spend their time: ``python -m bench.profile [--forbund N]``.

Runs ``build_snapshot`` for the annual report once to warm the cache, then again while
capturing every query, and prints the total, the query count and the slowest queries. Without
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
    queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
    in_sql = sum(float(q["time"]) for q in queries)
    print(f"{forbund or 'nationellt'}: {total:.3f} s, {len(queries)} frågor, {in_sql:.3f} s i SQL")
    for q in queries[: args.top]:
        print(f"{q['time']:>7} {q['sql'][:160]}")


if __name__ == "__main__":
    main()
