"""Profile one page of section 3 (or the PDF of section 2) with pyinstrument.

    python -m bench.profile_web styrelse        # or deltagarlista, insatslista, registrering,
                                                # minimal, pdf
    python -m bench.profile_web styrelse -n 20 --html /tmp/styrelse.html

Uses the same log-ins and requests as the benchmark (``bench.pages``); prints pyinstrument's
text report (or writes the HTML one).
"""

from __future__ import annotations

import argparse


def main() -> None:
    import django

    django.setup()
    from django.test.utils import override_settings
    from pyinstrument import Profiler

    from . import pages
    from .webcommon import large_forbund

    parser = argparse.ArgumentParser()
    parser.add_argument("target", choices=[p.key for p in pages.PAGES] + ["minimal", "pdf"])
    parser.add_argument("-n", type=int, default=10, help="requests (or renders) profiled")
    parser.add_argument("--html", help="write pyinstrument's HTML report here")
    parser.add_argument("--all", action="store_true", help="show library frames too")
    args = parser.parse_args()

    import random

    profiler = Profiler(interval=0.0005)
    if args.target == "pdf":
        from uppfoljning.rendering import render_pdf, render_report_html
        from uppfoljning.stats import build_snapshot

        from .pdf import report_period, unsaved_rapport

        forbund = large_forbund()
        period = report_period()
        snapshot = build_snapshot(forbund=forbund, period=period)
        rapport = unsaved_rapport(forbund, period)
        render_pdf(render_report_html(rapport, snapshot, for_pdf=True))
        with profiler:
            for _ in range(args.n):
                render_pdf(render_report_html(rapport, snapshot, for_pdf=True))
    else:
        with override_settings(ROOT_URLCONF="bench.urls"):
            session = pages.Session(large_forbund(), random.Random())
            page = next((p for p in pages.PAGES if p.key == args.target), None)

            def once():
                session.minimal() if page is None else session.request(page)

            once()
            with profiler:
                for _ in range(args.n):
                    once()
    if args.html:
        with open(args.html, "w") as handle:
            handle.write(profiler.output_html())
    else:
        print(profiler.output_text(unicode=True, color=False, show_all=bool(args.all)))


if __name__ == "__main__":
    main()
