"""Fuzz every form and every page (SECURITY.md #16, DESIGN §4 rule 6: bad input gets a Swedish
message and changes nothing; no input makes a 500).

The demo förbund is loaded once for the module; each role logs in for real (password and second
factor) and a crawler follows the links it sees, collecting every page and every <form>. Then:

- every URL pattern that accepts POST gets hypothesis-generated submissions, built from the
  form's own fields (valid values kept, some fields replaced by nasty values, dropped or sent
  twice; garbage files in file fields): never a 5xx, and a re-displayed form with errors leaves
  every table of our apps unchanged;
- every page gets random query parameters and headers (NUL bytes included): never a 5xx, and a
  GET changes no row.

Each example runs in a savepoint that is rolled back, with a copy of the role's session cookie,
so examples do not see each other's writes. The figures (cases per kind, seconds) are printed at
the end of the module and written to .local/fuzz-figures.json.
"""

from __future__ import annotations

import datetime as dt
import io
import traceback
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from finsam.demo_accounts import DEMO_PASSWORD
from finsam.models import User
from tests.conftest import login_client
from tests.security import fuzz_helpers as fz

# One worker builds the demo world once (make test runs xdist with --dist loadgroup).
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("fuzz")]

# Who posts a form, in order of preference: the first role whose crawl found the form.
# (ekonomi and styrelse see a subset of the förbundschef's pages and forms.)
ROLES = ["chef", "handlaggare", "insatsansvarig", "nationell", "admin"]
POST_EXAMPLES = 16
GET_EXAMPLES = 5
FIGURES_FILE = Path(__file__).resolve().parents[2] / ".local" / "fuzz-figures.json"

# URL patterns that accept POST and that the fuzz does not reach, with the reason.
NOT_REACHED = {
    "deltagare/samtycke/<uuid:samtycke_uuid>/dokument/": "GET-only download of a paper consent, "
    "and the demo has none (tests/deltagare covers it)",
}
NOT_FUZZED: dict[str, str] = {}

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class World:
    def __init__(self):
        self.clients = {}
        self.crawls = {}
        self.figures = fz.Figures()


def _extra_objects(media_root) -> None:
    """What the demo does not create but some URLs need: a förbundsordning, an insats
    document and a queued report."""
    from forbund import services as forbund_services
    from forbund.models import Forbund
    from insatser.models import Insats
    from insatser.services import dokument as dokument_services
    from uppfoljning.models import RapportTyp
    from uppfoljning.services import rapport_order
    from uppfoljning.stats import Period

    forbund = Forbund.objects.get()
    chef = User.objects.get(username="chef")
    forbund_services.forbundsordning_upload(
        forbund=forbund,
        giltig_fran=dt.date(2024, 1, 1),
        fil=SimpleUploadedFile("ordning.pdf", PDF),
        kommentar="Antagen",
        user=chef,
    )
    for insats in Insats.objects.filter(forbund=forbund)[:12]:
        dokument_services.dokument_upload(
            insats=insats,
            user=chef,
            typ="ANSOKAN",
            datum=dt.date(2025, 1, 10),
            fil=SimpleUploadedFile("ansokan.pdf", PDF),
            titel="Ansökan",
        )
    rapport_order(
        forbund=forbund,
        user=chef,
        typ=RapportTyp.HALVAR,
        period=Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
    )


def _direct(role: str) -> list[str]:
    """URLs whose links show only in some states (a meeting without decisions, a finished
    report, …): built from the objects, so the crawl reaches their patterns."""
    from forbund.models import Sammantrade
    from insatser.models import Medfinansiering
    from uppfoljning.models import Rapport

    if role != "chef":
        return []
    rad = Medfinansiering.objects.select_related("insats").first()
    rapport = Rapport.objects.first()
    return [
        f"/forbund/styrelse/sammantraden/{Sammantrade.objects.first().uuid}/ta-bort/",
        f"/insatser/{rad.insats.uuid}/ekonomi/extern/{rad.uuid}/ta-bort/",
        f"/uppfoljning/rapporter/{rapport.uuid}/ny-version/",
        f"/uppfoljning/rapporter/{rapport.uuid}/fil.pdf",
    ]


def _model_run(w: World) -> None:
    """Run the fördelningsmodell once through its form (as the nationell role), so that the
    result page and its publish form are crawled too."""
    client = w.clients["nationell"]
    crawl = w.crawls["nationell"]
    form = next(f for f in crawl.forms if f.action.startswith("/forbund/fordelningsmodell/"))
    data = {**form.base_data(), "nationell_summa": ["339000000"]}
    for key, value in list(data.items()):  # rows the demo has no figures for
        if key.startswith("rad-") and value == [""]:
            data[key] = ["1000"]
    response = client.post(form.action, data)
    assert response.status_code == 302, response.content[:300]
    more = fz.crawl(client, "nationell", [response["Location"]])
    crawl.pages.update(more.pages)
    crawl.status.update(more.status)
    crawl.forms.extend(more.forms)
    for route, urls in more.by_route.items():
        crawl.by_route.setdefault(route, urls)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, request):
    media = tmp_path_factory.mktemp("media")
    w = World()
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        cache.clear()  # this run's Redis database only (rate limits of earlier runs)
        with transaction.atomic():
            call_command("demo", utan_rapporter=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
            _extra_objects(media)
            seeds = [
                "/" + route
                for route, _name, _cb in fz.url_patterns()
                if "<" not in route and not fz.is_third_party(route) and route not in fz.SKIP_GET
            ]
            for username in ROLES:
                user = User.objects.get(username=username)
                client = login_client(user, DEMO_PASSWORD)
                w.clients[username] = client
                w.crawls[username] = fz.crawl(client, username, ["/", *seeds, *_direct(username)])
            _model_run(w)
            yield w
            transaction.set_rollback(True)
    w.figures.report(request.config, FIGURES_FILE)


EXTRA_KEYS = ["id", "pk", "uuid", "forbund", "forbund_id", "user", "is_superuser", "next", "ar"]
GET_PARAMS = [
    "sida", "page", "sort", "sortera", "ordning", "desc", "ar", "period", "fran", "till", "q",
    "status", "kategori", "next", "format", "insats", "saknas", "datum", "typ",
]  # fmt: skip
HEADERS = [
    "HTTP_USER_AGENT", "HTTP_REFERER", "HTTP_ACCEPT_LANGUAGE", "HTTP_X_FORWARDED_FOR",
    "HTTP_HX_REQUEST", "HTTP_HX_CURRENT_URL", "HTTP_HX_TARGET", "HTTP_ACCEPT",
]  # fmt: skip
FUZZ_SETTINGS = {
    "deadline": None,
    "database": None,
    "suppress_health_check": list(HealthCheck),
    "print_blob": True,
}


@st.composite
def submissions(draw, form: fz.Form):
    """The browser's own submission of ``form`` with a few fields replaced by nasty values,
    sent twice or dropped, sometimes an unexpected key or query parameter, and garbage files."""
    data = {k: list(v) for k, v in form.base_data().items()}
    files = set(form.file_names())
    names = [n for n in form.names() if n not in files and n != "csrfmiddlewaretoken"]
    if names:
        for name in draw(st.sets(st.sampled_from(names), max_size=min(4, len(names)))):
            options = form.options(name)
            value = st.one_of(fz.any_text, st.sampled_from(options)) if options else fz.any_text
            data[name] = draw(st.lists(value, min_size=1, max_size=2))  # 2 = duplicated field
        for name in draw(st.sets(st.sampled_from(names), max_size=2)):
            data.pop(name, None)
    if draw(st.integers(0, 6)) == 0:
        data[draw(st.sampled_from(EXTRA_KEYS))] = [draw(fz.any_text)]
    uploads = {name: draw(fz.uploads()) for name in files if draw(st.integers(0, 5))}
    query = {}
    if draw(st.integers(0, 5)) == 0:
        query[draw(st.sampled_from(["ar", "sida", "next", "typ"]))] = draw(fz.any_text)
    return data, uploads, query


def _with_query(url: str, query: dict) -> str:
    if not query:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(query)


def _post_once(world, client, url: str, route: str, data: dict, files: dict) -> None:
    with transaction.atomic():
        before = fz.fingerprint()
        response = fz.clone(client).post(url, {**data, **files})
        world.figures.cases["post"] += 1
        world.figures.statuses[response.status_code] += 1
        assert response.status_code < 500, (route, response.status_code)
        if fz.is_error_response(response):
            diff = fz.changed(before, fz.fingerprint())
            assert not diff, f"{route}: form re-displayed with errors but rows changed in {diff}"
            world.figures.error_responses_checked += 1
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def post_endpoints(world):
    """route -> (role, merged form) for every URL pattern that accepts POST: the forms the
    crawl found, plus the crawled pages that accept a POST without showing a form."""
    endpoints: dict[str, tuple[str, fz.Form]] = {}
    with transaction.atomic():
        for role in ROLES:
            for form in world.crawls[role].forms:
                route = fz.route_of(urlsplit(form.action).path)
                if form.method != "post" or route is None or route in NOT_FUZZED:
                    continue
                if route not in endpoints:
                    endpoints[route] = (role, fz.Form("post", form.action, form.enctype))
                if endpoints[route][0] == role:
                    endpoints[route][1].fields.extend(form.fields)
        generic = sorted(
            {f["name"] for c in world.crawls.values() for form in c.forms for f in form.fields}
        )
        for role in ROLES:
            crawl = world.crawls[role]
            for route, urls in crawl.by_route.items():
                if route in endpoints or route in NOT_FUZZED or crawl.status[urls[0]] == 404:
                    continue
                with transaction.atomic():
                    status = fz.clone(world.clients[role]).post(urls[0]).status_code
                    transaction.set_rollback(True)
                if status != 405:
                    form = fz.Form("post", urls[0], enctype="none")
                    form.fields = [{"name": n, "type": "text", "value": ""} for n in generic]
                    endpoints[route] = (role, form)
        transaction.set_rollback(True)
    world.figures.endpoints["post"] = len(endpoints)
    return endpoints


def test_every_url_pattern_is_reached_by_the_crawl(world, post_endpoints):
    """The fuzz is only as complete as the crawl: every pattern of ours must have been visited
    by some role (or found as a form action), so a new page cannot slip past the fuzz."""
    reached = set(post_endpoints) | {r for c in world.crawls.values() for r in c.by_route}
    reached |= {"readyz", "health/"}  # not crawled (slow); fuzzed by the GET test
    missing = [
        route
        for route, _name, _cb in fz.url_patterns()
        if not fz.is_third_party(route) and route not in reached and route not in NOT_REACHED
    ]
    assert missing == [], "\n".join(missing)
    assert len(post_endpoints) >= 40


def _fuzz_post(world, route: str, role: str, form: fz.Form) -> None:
    client = world.clients[role]
    # A page that accepts POST but shows no form of its own gets fewer examples.
    examples = POST_EXAMPLES if form.enctype != "none" else POST_EXAMPLES // 5

    @settings(max_examples=examples, **FUZZ_SETTINGS)
    @given(sub=submissions(form))
    def run(sub):
        data, files, query = sub
        _post_once(world, client, _with_query(form.action, query), route, data, files)

    run()


def test_every_post_endpoint_survives_fuzzing(world, post_endpoints):
    failures = []
    for route, (role, form) in sorted(post_endpoints.items()):
        try:
            _fuzz_post(world, route, role, form)
        except Exception:  # noqa: BLE001 - collected, so one run reports every endpoint
            failures.append(f"{route} as {role}:\n{traceback.format_exc(limit=-8)}")
    assert not failures, "\n\n".join(failures)


@st.composite
def queries(draw, names: list[str]):
    params = {}
    for name in draw(st.sets(st.sampled_from(names), min_size=1, max_size=4)):
        params[name] = draw(st.lists(fz.any_text, min_size=1, max_size=2))
    headers = {}
    for name in draw(st.sets(st.sampled_from(HEADERS), max_size=3)):
        headers[name] = draw(fz.any_text)[:2000]
    return params, headers


def _fuzz_get(world, route: str, role: str, url: str, names: list[str]) -> None:
    client = world.clients[role]
    examples = 2 if route in ("readyz", "health/") else GET_EXAMPLES

    @settings(max_examples=examples, **FUZZ_SETTINGS)
    @given(q=queries(names))
    def run(q):
        params, headers = q
        with transaction.atomic():
            before = fz.fingerprint()
            response = fz.clone(client).get(urlsplit(url).path, params, **headers)
            world.figures.cases["get"] += 1
            world.figures.statuses[response.status_code] += 1
            assert response.status_code < 500, (route, response.status_code)
            diff = fz.changed(before, fz.fingerprint())
            assert not diff, f"GET {route} changed rows in {diff}"
            transaction.set_rollback(True)

    run()


def test_every_page_survives_fuzzed_query_parameters_and_headers(world):
    pages: dict[str, tuple[str, str, list[str]]] = {}
    for role in ROLES:
        crawl = world.crawls[role]
        get_names = {f["name"] for form in crawl.forms if form.method == "get" for f in form.fields}
        for route, urls in crawl.by_route.items():
            if route not in pages and crawl.status[urls[0]] == 200:
                pages[route] = (role, urls[0], sorted(set(GET_PARAMS) | get_names))
    for route in ("healthz", "readyz", "health/"):
        pages[route] = ("chef", "/" + route, GET_PARAMS)
    world.figures.endpoints["get"] = len(pages)
    failures = []
    for route, (role, url, names) in sorted(pages.items()):
        try:
            _fuzz_get(world, route, role, url, names)
        except Exception:  # noqa: BLE001 - collected, so one run reports every page
            failures.append(f"{route} as {role}:\n{traceback.format_exc(limit=-8)}")
    assert not failures, "\n\n".join(failures)


# --- Stored XSS: payloads saved through the real forms, then every page, the PDF and Excel ---

XSS_STORE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "=1+2"]
RAW_XSS = ("<script>alert(1)", "<img src=x onerror", "<svg onload")
ESCAPED_XSS = ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;")


class XssCheck(HTMLParser):
    """Flags what a browser would execute: inline event handlers, javascript: URLs, and a
    <script> element that carries a payload."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.findings.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and value.startswith("javascript:"):
                self.findings.append(f"<{tag} {name}={value[:40]}>")
        self._script = tag == "script"

    def handle_endtag(self, tag):
        self._script = False

    def handle_data(self, data):
        if self._script and "alert(" in data:
            self.findings.append("<script> with payload")


def _store_payloads(world, post_endpoints) -> list[str]:
    """Post every form once per text field, that field set to a payload and the others as the
    browser would send them; returns the fields that saved (route and field name)."""
    saved = []
    for route, (role, form) in sorted(post_endpoints.items()):
        texts = [n for n in form.text_names() if n != "csrfmiddlewaretoken"]
        if form.enctype == "none" or route.startswith(("tvastegs/", "logga-in/")):
            continue
        for i, name in enumerate(texts):
            data = {**form.base_data(), name: [XSS_STORE[i % 2]]}
            response = fz.clone(world.clients[role]).post(form.action, data)
            assert response.status_code < 500, route
            if response.status_code == 302 and not fz.is_error_response(response):
                saved.append(f"{route} {name}")
    return saved


def test_stored_xss_payloads_are_escaped_in_pages_pdf_and_excel(world, post_endpoints, tmp_path):
    from insatser.models import Insats
    from uppfoljning.models import Rapport, RapportTyp
    from uppfoljning.services import rapport_build, rapport_order
    from uppfoljning.stats import Period

    saved = _store_payloads(world, post_endpoints)
    # The insats name goes into every report; set it (and a formula) through the edit form too.
    insats = Insats.objects.filter(namn__contains="alert(1)").first()
    assert insats is not None, saved
    # A name that a spreadsheet program would run as a formula (Excel/CSV injection).
    formula = Insats.objects.filter(forbund=insats.forbund).exclude(pk=insats.pk).first()
    Insats.objects.filter(pk=formula.pk).update(namn="=1+2 formel")
    world.figures.notes.append(f"xss: {len(saved)} text fields saved a payload")
    assert len(saved) >= 10, saved

    clients = dict(world.clients)
    clients["styrelse"] = login_client(User.objects.get(username="styrelse"), DEMO_PASSWORD)
    urls = {role: list(c.pages) for role, c in world.crawls.items()}
    urls["styrelse"] = [u for u in urls["chef"] if not u.startswith("/forbund/nytt")]
    findings, escaped_pages, pages = [], 0, 0
    for role, client in clients.items():
        for url in urls.get(role, []):
            response = fz.clone(client).get(url)
            assert response.status_code < 500, url
            if "text/html" not in response.get("Content-Type", ""):
                continue
            html = response.content.decode()
            pages += 1
            checker = XssCheck()
            checker.feed(html)
            findings += [f"{role} {url}: {f}" for f in checker.findings]
            findings += [f"{role} {url}: raw {r}" for r in RAW_XSS if r in html]
            escaped_pages += any(e in html for e in ESCAPED_XSS)
    world.figures.cases["xss_pages"] += pages
    world.figures.notes.append(f"xss: payload shown escaped on {escaped_pages}/{pages} pages")
    assert findings == []
    assert escaped_pages >= 10

    # The report: WeasyPrint renders the payload as text; Excel holds it as a string.
    with override_settings(MEDIA_ROOT=tmp_path):
        rapport = rapport_order(
            forbund=insats.forbund,
            user=User.objects.get(username="chef"),
            typ=RapportTyp.HELAR,
            period=Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        )
        rapport_build(rapport_id=rapport.pk)
        rapport = Rapport.objects.get(pk=rapport.pk)
        pdf_bytes = rapport.pdf.read()
        xlsx_bytes = rapport.xlsx.read()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages)
    assert "alert(1)" in text  # the payload is printed as text in the PDF
    assert b"/JavaScript" not in pdf_bytes
    assert b"/JS " not in pdf_bytes
    cells = [
        c for ws in load_workbook(io.BytesIO(xlsx_bytes)) for row in ws.iter_rows() for c in row
    ]
    export = fz.clone(clients["chef"]).get("/insatser/export.xlsx")
    cells += [
        c for ws in load_workbook(io.BytesIO(export.content)) for row in ws.iter_rows() for c in row
    ]
    assert any(isinstance(c.value, str) and "alert(1)" in c.value for c in cells)
    formula_cells = [c for c in cells if "1+2" in str(c.value)]
    assert formula_cells  # the name is exported ...
    assert [c.value for c in formula_cells if c.data_type == "f"] == []  # ... never as a formula


def test_fingerprint_sees_one_changed_field_and_error_pages_are_recognised(world):
    from insatser.models import Insats

    before = fz.fingerprint()
    insats = Insats.objects.order_by("pk").first()
    Insats.objects.filter(pk=insats.pk).update(planerade_deltagare=12345)
    # the row, and the audit trail's event for it (finsam.tracking)
    assert fz.changed(before, fz.fingerprint()) == ["insatser.insats", "insatser.insatsevent"]
    response = fz.clone(world.clients["chef"]).post("/insatser/ny/", {"kod": "", "namn": ""})
    assert fz.is_error_response(response)


def test_fuzz_figures_reach_the_run_summary(world, record_property):
    """Last in the module (same xdist group, same worker): the counted figures go into the
    shared "finsam: figures" summary, which the xdist controller prints."""
    summary = world.figures.summary()
    assert summary["statuses"].get("500", 0) == 0
    assert not any(int(status) >= 500 for status in summary["statuses"])
    record_property(
        "figure",
        f"fuzz: {summary['cases_total']} cases {summary['cases']} over endpoints "
        f"{summary['endpoints']}; statuses {summary['statuses']}; 0 5xx; "
        f"{summary['error_responses_with_unchanged_db']} error responses, 0 rows changed",
    )
