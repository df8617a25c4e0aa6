"""Turn a report snapshot into HTML (browser preview and PDF source), PDF and Excel."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import mimetypes
from urllib.parse import urlparse

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from .formatting import sv_number

# Report HTML refers to static files under this made-up origin; nothing else can be fetched.
PDF_BASE_URL = "https://finsam.invalid/"


class FetchRefused(ValueError):
    pass


def _static_fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyURLFetcher(URLFetcher):
        """WeasyPrint's URL fetcher for reports: serves the app's own static files and refuses
        everything else (no network, no file://, no other host), so report HTML can never make
        a request."""

        def __init__(self):
            super().__init__(allowed_protocols=("https", "data"), allow_redirects=False)

        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            if parsed.scheme == "data":
                return super().fetch(url, headers)  # inline data, no request
            origin = f"{parsed.scheme}://{parsed.netloc}/"
            if origin != PDF_BASE_URL or not parsed.path.startswith("/static/"):
                raise FetchRefused(f"Rapporter får inte hämta {url!r}")
            relative = parsed.path.removeprefix("/static/")
            if ".." in relative.split("/"):
                raise FetchRefused(f"Rapporter får inte hämta {url!r}")
            path = finders.find(relative)
            if not path:
                raise FetchRefused(f"Filen finns inte: {relative}")
            with open(path, "rb") as handle:
                body = handle.read()
            mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": mime})

    return StaticOnlyURLFetcher


def static_only_url_fetcher():
    return _static_fetcher_class()()


def report_context(rapport, snapshot: dict, *, for_pdf: bool = False) -> dict:
    from .charts import as_image, report_charts

    charts = report_charts(snapshot)
    if for_pdf:
        charts = {key: [as_image(svg) for svg in svgs] for key, svgs in charts.items()}
    sektioner = [
        {**section, "charts": charts.get(section["key"], [])} for section in snapshot["sektioner"]
    ]
    return {
        "rapport": rapport,
        "snapshot": snapshot,
        "meta": snapshot["meta"],
        "nyckeltal": snapshot["nyckeltal"],
        "sektioner": sektioner,
        "generated_at": rapport.klar_at or rapport.data_cutoff,
    }


def render_report_html(rapport, snapshot: dict, *, for_pdf: bool) -> str:
    template = "uppfoljning/pdf/rapport.html" if for_pdf else "uppfoljning/_rapport_innehall.html"
    with translation.override("sv"):
        return render_to_string(template, report_context(rapport, snapshot, for_pdf=for_pdf))


def render_styrelsepaket_html(rapport, dashboard) -> str:
    with translation.override("sv"):
        return render_to_string(
            "uppfoljning/pdf/styrelsepaket.html",
            {"rapport": rapport, "d": dashboard, "for_pdf": True},
        )


# Reports are tagged PDF (PDF/UA-1): headings, tables with their headers, figures with their
# text alternatives, the language, for screen readers.
PDF_VARIANT = "pdf/ua-1"


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=static_only_url_fetcher())
    return document.write_pdf(pdf_variant=PDF_VARIANT, custom_metadata=True)


def render_xlsx(rapport, snapshot: dict) -> bytes:
    """One sheet per table, numbers as numbers, and a README sheet with period, cut-off, method."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    readme = workbook.active
    readme.title = "README"
    meta = snapshot["meta"]
    lines = [
        ("Rapport", rapport.titel),
        ("Förbund", meta["forbund"] or "Alla förbund som delar nationell statistik"),
        ("Period", f"{meta['period']['start']} – {meta['period']['slut']}"),
        ("Data t.o.m.", meta["data_cutoff"] or ""),
        ("Variant", rapport.get_variant_display()),
        (
            "Metod",
            "En deltagare eller insats räknas i perioden om den var aktiv minst en dag av den. "
            "Avslut med orsaken felregistrering räknas inte. Se rapportens metodsida.",
        ),
    ]
    if meta.get("maskerad"):
        lines.append(("Maskering", "Antal 1–4 visas som <5, liksom celler som skulle avslöja dem."))
    for label, value in lines:
        readme.append([label, _excel_value(value)])
        readme.cell(row=readme.max_row, column=1).font = Font(bold=True)
    readme.column_dimensions["A"].width = 18
    readme.column_dimensions["B"].width = 90
    used: set[str] = {"README"}
    for section in snapshot["sektioner"]:
        for table in section["tables"]:
            name = _sheet_name(table["title"], used)
            sheet = workbook.create_sheet(name)
            sheet.append(table["columns"])
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for row in table["rows"]:
                sheet.append([_excel_value(v) for v in row])
                for idx, value in enumerate(row, start=1):
                    if isinstance(value, dict) and "N" in value:
                        sheet.cell(row=sheet.max_row, column=idx).number_format = "0.0 %"
                    elif isinstance(value, dict) and "pp" in value:
                        sheet.cell(row=sheet.max_row, column=idx).number_format = "+0.0;-0.0;0.0"
            if table.get("note"):
                sheet.append([])
                sheet.append([table["note"]])
            for idx, _ in enumerate(table["columns"], start=1):
                sheet.column_dimensions[sheet.cell(row=1, column=idx).column_letter].width = 22
    buffer = io.BytesIO()
    workbook.properties.title = rapport.titel
    workbook.properties.creator = "Finsam"
    # A fixed timestamp keeps the file identical when the same report is rendered again.
    stamp = rapport.data_cutoff or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    workbook.properties.created = stamp.replace(tzinfo=None)
    workbook.properties.modified = stamp.replace(tzinfo=None)
    workbook.save(buffer)
    return buffer.getvalue()


def _excel_value(value):
    """Numbers stay numbers: a rate becomes its fraction (formatted as %), a change in
    percentage points its number; an empty rate (denominator 0) an empty cell. Text that a
    spreadsheet program would run as a formula (an insats named "=…") is quoted."""
    if isinstance(value, dict):
        if "N" in value:
            return value["n"] / value["N"] if value["N"] else None
        if "pp" in value:
            return value["pp"]
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _sheet_name(title: str, used: set[str]) -> str:
    cleaned = "".join(c for c in title if c not in "[]:*?/\\")[:28] or "Tabell"
    name, n = cleaned, 2
    while name in used:
        name = f"{cleaned[:25]} {n}"
        n += 1
    used.add(name)
    return name


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


__all__ = [
    "render_pdf",
    "render_report_html",
    "render_xlsx",
    "sha256",
    "static_only_url_fetcher",
    "sv_number",
]
