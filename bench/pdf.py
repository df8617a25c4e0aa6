"""Section 2 — the half-year PDF against WeasyPrint's floor.

Measured: one förbund's half-year report rendered from a snapshot the way ``rapport_build``
does it (``render_report_html(..., for_pdf=True)`` then ``render_pdf``: charts, print CSS,
PDF/UA tagging). The statistics are computed once beforehand and are not timed (section 1
measures them).

Floor: WeasyPrint rendering a plain document built from the same snapshot — the same tables
with the same rows as bare ``<table>`` elements, the same headings and text (the method page's
text from the report's own template), page breaks where the report breaks pages, no charts, no
stylesheet — padded with empty pages until it has as many pages as the report, and written as
the same kind of PDF as the report (``rendering.PDF_VARIANT``, PDF/UA-1): the tagging that
makes a report readable by a screen reader is what any report must cost, not charts or
styling. The same plain document as an untagged PDF is timed too and its ratio reported
(``ratio_untagged``): tagging is about a seventh of the report's render.

All documents are rendered once untimed (counting their pages warms fonts and templates)
before the timed runs; each figure is the median of ``repeats`` (at least 11) renders, the
three rendered in turn, each timed with the collection of its garbage
(``webcommon.timed_in_turn``).
"""

from __future__ import annotations

import datetime as dt
from html import escape

from .webcommon import ctx_get, large_forbund, median, print_rows, row, timed_in_turn

GOAL_RATIO = 1.5
RUNS = 11  # at least: a render takes about a second; single renders vary by a fifth or more
GOAL_SECONDS = 5.0
BREAK = '<div style="break-before: page"></div>'


def report_period(ctx=None):
    """The runner's report year's half-year, else the last closed one (as the periodic reports
    would order it)."""
    from django.utils import timezone

    from uppfoljning.stats import half_year, last_closed_half_year

    year = ctx_get(ctx, "report_year")
    return half_year(year) if year else last_closed_half_year(timezone.localdate())


def unsaved_rapport(forbund, period):
    from django.utils import timezone

    from uppfoljning.models import Omfattning, Rapport, RapportTyp, Variant

    return Rapport(
        forbund=forbund,
        typ=RapportTyp.HALVAR,
        omfattning=Omfattning.FORBUND,
        variant=Variant.ARBETSVERSION,
        period_start=period.start,
        period_slut=period.slut,
        data_cutoff=timezone.now(),
    )


def _cell(value) -> str:
    if isinstance(value, dict):
        if "N" in value:
            return f"{value['n']} av {value['N']}"
        if "pp" in value:
            return str(value["pp"])
    return "" if value is None else str(value)


def method_html(rapport, snapshot: dict) -> str:
    """The method page's text as the report has it (one template for both documents)."""
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("sv"):
        return render_to_string(
            "uppfoljning/_rapport_metod.html", {"rapport": rapport, "meta": snapshot["meta"]}
        )


def plain_html(snapshot: dict, *, method: str = "", extra_pages: int = 0) -> str:
    """The floor document: the snapshot's text and tables, unstyled; ``method`` is the method
    page's HTML (``method_html``)."""
    meta = snapshot["meta"]
    parts = [
        '<!doctype html><html lang="sv"><head><meta charset="utf-8">',
        f"<title>{escape(str(meta['forbund']))}</title></head><body>",
        f"<h1>{escape(str(meta['forbund']))}</h1>",
        f"<p>{meta['period']['start']} – {meta['period']['slut']}</p>",
        BREAK,
        "<h2>Innehåll</h2><ol>",
        *(f"<li>{escape(s['title'])}</li>" for s in snapshot["sektioner"]),
        "</ol>",
        BREAK,
        "<h2>Sammanfattning</h2><dl>",
        *(
            f"<dt>{escape(f['label'])}</dt><dd>{escape(_cell(f.get('value', f)))}</dd>"
            for f in snapshot["nyckeltal"]
        ),
        "</dl>",
    ]
    for section in snapshot["sektioner"]:
        parts.append(BREAK)
        parts.append(f"<h2>{escape(section['title'])}</h2>")
        if section.get("text"):
            parts.append(f"<p>{escape(section['text'])}</p>")
        for table in section["tables"]:
            parts.append(f"<table><caption>{escape(table['title'])}</caption><tr>")
            parts.extend(f"<th>{escape(str(c))}</th>" for c in table["columns"])
            parts.append("</tr>")
            for r in table["rows"]:
                parts.append("<tr>")
                parts.extend(f"<td>{escape(_cell(v))}</td>" for v in r)
                parts.append("</tr>")
            parts.append("</table>")
            if table.get("note"):
                parts.append(f"<p>{escape(table['note'])}</p>")
    parts.append(BREAK + (method or "<h2>Metod och definitioner</h2><p>–</p>"))
    parts.extend(BREAK for _ in range(extra_pages))
    parts.append("</body></html>")
    return "".join(parts)


def plain_pdf(html: str, *, tagged: bool = True) -> bytes:
    """The floor document as the same kind of PDF as the report, or untagged."""
    from weasyprint import HTML

    from uppfoljning.rendering import PDF_VARIANT

    return HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT if tagged else None)


def page_count(html: str, *, app: bool) -> int:
    from weasyprint import HTML

    from uppfoljning.rendering import PDF_BASE_URL, static_only_url_fetcher

    if app:
        return len(
            HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=static_only_url_fetcher())
            .render()
            .pages
        )
    return len(HTML(string=html).render().pages)


def table_count(snapshot: dict) -> tuple[int, int]:
    tables = [t for s in snapshot["sektioner"] for t in s["tables"]]
    return len(tables), sum(len(t["rows"]) for t in tables)


def run(ctx=None) -> list[dict]:
    from uppfoljning.rendering import render_pdf, render_report_html
    from uppfoljning.stats import build_snapshot

    runs = 1 if ctx_get(ctx, "quick") else max(RUNS, int(ctx_get(ctx, "repeats", 3) or 3))
    forbund = large_forbund(ctx)
    period = report_period(ctx)
    snapshot = build_snapshot(forbund=forbund, period=period)  # not timed (section 1)
    rapport = unsaved_rapport(forbund, period)

    def app_pdf() -> bytes:
        return render_pdf(render_report_html(rapport, snapshot, for_pdf=True))

    # Counting the pages renders each document once: that is also the warm-up (fonts,
    # templates, static files), so the timed runs below all start warm.
    app_pages = page_count(render_report_html(rapport, snapshot, for_pdf=True), app=True)
    method = method_html(rapport, snapshot)
    floor_html = plain_html(snapshot, method=method)
    floor_pages = page_count(floor_html, app=False)
    if floor_pages < app_pages:
        floor_html = plain_html(snapshot, method=method, extra_pages=app_pages - floor_pages)
        floor_pages = page_count(floor_html, app=False)

    plain_pdf(floor_html, tagged=False)  # warm-up of the untagged output
    app_times, floor_times, untagged_times = timed_in_turn(
        app_pdf,
        lambda: plain_pdf(floor_html),
        lambda: plain_pdf(floor_html, tagged=False),
        runs=runs,
    )
    app_s, floor_s, untagged_s = median(app_times), median(floor_times), median(untagged_times)
    tables, rows_ = table_count(snapshot)
    ratio = app_s / floor_s
    ratio_untagged = app_s / untagged_s
    return [
        row(
            section=2,
            measure=f"PDF halvår {period.start.year} ({forbund.namn})",
            value=app_s,
            unit="s",
            floor=floor_s,
            goal=f"ratio ≤ {GOAL_RATIO} och < {GOAL_SECONDS:g} s",
            ok=ratio <= GOAL_RATIO and app_s < GOAL_SECONDS,
            note=(
                f"golvet är taggad PDF (PDF/UA-1) som rapporten; mot samma golv otaggat "
                f"({untagged_s:.3f} s) är kvoten {ratio_untagged:.2f}"
            ),
            pages=app_pages,
            floor_pages=floor_pages,
            tables=tables,
            table_rows=rows_,
            runs=runs,
            floor_untagged=round(untagged_s, 6),
            ratio_untagged=round(ratio_untagged, 3),
            app_times=[round(t, 4) for t in app_times],
            floor_times=[round(t, 4) for t in floor_times],
            floor_untagged_times=[round(t, 4) for t in untagged_times],
        )
    ]


def main() -> None:
    import django

    django.setup()
    started = dt.datetime.now(dt.UTC)
    print_rows(run(None))
    print(f"({(dt.datetime.now(dt.UTC) - started).total_seconds():.1f} s)")


if __name__ == "__main__":
    main()
