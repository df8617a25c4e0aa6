"""Shared parts of the input fuzz (SECURITY.md #16, DESIGN §4 rule 6): the demo world the fuzz
runs in, a crawler that finds every page and every <form> as each role, the payloads, and a
cheap fingerprint of every table of our apps that tells whether a request changed any row.

Imported explicitly by tests/security/test_fuzz*.py and test_injection*.py (not a conftest, so
that it does not clash with the other security tests in this folder)."""

from __future__ import annotations

import copy
import io
import json
import sys
import time
import zipfile
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from django.apps import apps
from django.contrib import messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from hypothesis import strategies as st

# --- Payloads -------------------------------------------------------------------------------

XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "'><svg onload=alert(1)>",
]
SQL = ["' OR 1=1 --", "'; DROP TABLE insatser_insats; --", "1; SELECT pg_sleep(3)", '" OR ""="']
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "2026-01-01\x00",
    "1\x00",
    *SQL,
    *XSS,
    "\u202eRTL\u202c",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
    "a\u200bb\u200d",
    "\ufeff1",
    "😀" * 40,
    "１２３",
    "٣",
    "1" + "0" * 30,
    "-1",
    "-99999999999999999999",
    "0",
    "1e309",
    "NaN",
    "Infinity",
    "-0",
    "0.0000001",
    "1,5",
    "1 000",
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "31/12/2026",
    "x" * 100_000,
    "../../../etc/passwd",
    "%00",
    "null",
    "True",
    "[]",
    '{"a": 1}',
    "{{7*7}}",
    "%(x)s",
    "\r\nSet-Cookie: a=b",
    "\\",
    "ä" * 300,
]

nasty = st.sampled_from(NASTY)
any_text = st.one_of(
    nasty,
    nasty,
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.uuids().map(str),
)


def _xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        # openpyxl refuses control characters; strip them (the CSV variant keeps them).
        ws.append([str(v).translate(dict.fromkeys(range(32)))[:5000] for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# Headers of the imports (so that garbage reaches the row validation, not only the header check).
IMPORT_HEADERS = [
    [
        "insats", "deltagare", "samtycke", "skyddad", "kon", "fodelsear", "inskrivning",
        "utskrivning", "utbildning", "anvisande_part", "tid_offentlig_forsorjning",
        "sysselsattning_fore", "forsorjning_fore", "forsorjning_efter", "sysselsattning_efter",
        "avslutsorsak",
    ],
    ["region", "alder", "kon", "ar", "antal"],
    ["kommun", "ålder", "Folkmängd 2024"],
    ["datum", "konto", "belopp", "text"],
    ["insats", "manad", "belopp"],
    ["insats", "ar", "manad", "belopp", "kommentar"],
]  # fmt: skip


@st.composite
def uploads(draw):
    """A garbage file for a file field: random bytes, broken zip/xlsx, CSV with real headers
    and nasty cells (NUL bytes included), a fake PDF."""
    kind = draw(st.sampled_from(["bytes", "csv", "xlsx", "zip", "pdf", "empty"]))
    name = draw(
        st.sampled_from(
            ["fil.csv", "fil.xlsx", "fil.pdf", "../../x.csv", "a\x00b.csv", "ö.xlsx", "x" * 300]
        )
    )
    if kind == "bytes":
        content = draw(st.binary(max_size=2000))
    elif kind in ("csv", "xlsx"):
        header = draw(st.sampled_from(IMPORT_HEADERS))
        rows = draw(
            st.lists(
                st.lists(any_text, min_size=len(header), max_size=len(header)),
                min_size=0,
                max_size=4,
            )
        )
        if kind == "csv":
            sep = draw(st.sampled_from([",", ";", "\t"]))
            lines = [sep.join(header)] + [sep.join(r) for r in rows]
            content = "\n".join(lines).encode(
                draw(st.sampled_from(["utf-8", "utf-16", "latin-1"])), "replace"
            )
        else:
            content = _xlsx([header, *rows])
            name = "fil.xlsx"
    elif kind == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("[Content_Types].xml", draw(st.binary(max_size=200)))
            z.writestr("xl/workbook.xml", "<x>" + draw(st.text(max_size=50)))
        content = buf.getvalue()
        name = "fil.xlsx"
    elif kind == "pdf":
        content = b"%PDF-1.4\n" + draw(st.binary(max_size=500))
    else:
        content = b""
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# --- The crawl ------------------------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str  # absolute path (with query string)
    enctype: str = ""
    fields: list[dict] = field(default_factory=list)  # name, type, value, options

    def names(self) -> list[str]:
        return sorted({f["name"] for f in self.fields})

    def file_names(self) -> list[str]:
        return sorted({f["name"] for f in self.fields if f["type"] == "file"})

    def text_names(self) -> list[str]:
        kinds = {"text", "textarea", "search", "", "url", "email"}
        return sorted({f["name"] for f in self.fields if f["type"] in kinds})

    def base_data(self) -> dict[str, list[str]]:
        """What the browser would send unchanged: values, checked boxes, selected options."""
        data: dict[str, list[str]] = defaultdict(list)
        for f in self.fields:
            t = f["type"]
            if t in ("submit", "button", "file", "image", "reset"):
                continue
            if t in ("checkbox", "radio") and not f.get("checked"):
                continue
            if t == "select":
                chosen = [v for v, sel in f["options"] if sel] or [v for v, _ in f["options"][:1]]
                data[f["name"]].extend(chosen[:1] if not f.get("multiple") else chosen)
                continue
            data[f["name"]].append(f.get("value") or "")
        return dict(data)

    def options(self, name: str) -> list[str]:
        out = []
        for f in self.fields:
            if f["name"] == name:
                out.extend(v for v, _ in f.get("options", []))
                if f.get("value"):
                    out.append(f["value"])
        return out


class PageParser(HTMLParser):
    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: dict | None = None
        self._textarea: dict | None = None
        self._option: list | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.url, a["href"]))
        elif tag == "form":
            action = urljoin(self.url, a.get("action") or self.url)
            self._form = Form(
                method=(a.get("method") or "get").lower(),
                action=action,
                enctype=a.get("enctype", ""),
            )
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "button") and a.get("name"):
            t = a.get("type", "text" if tag == "input" else "submit").lower()
            if tag == "button" and t == "submit":
                t = "button-submit"
            self._form.fields.append(
                {
                    "name": a["name"],
                    "type": t,
                    "value": a.get("value", ""),
                    "checked": "checked" in a,
                }
            )
        elif tag == "select" and a.get("name"):
            self._select = {
                "name": a["name"],
                "type": "select",
                "options": [],
                "multiple": "multiple" in a,
            }
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
            self._select["options"].append(self._option)
        elif tag == "textarea" and a.get("name"):
            self._textarea = {"name": a["name"], "type": "textarea", "value": ""}
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data
        if self._option is not None:
            self._option[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            # An <option> without value sends its text.
            self._select["options"] = [
                (v if v is not None else text.strip(), sel)
                for v, sel, text in self._select["options"]
            ]
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea":
            self._textarea = None


def url_patterns() -> list[tuple[str, str, object]]:
    """Every URL pattern of the project: (route, namespaced name, callback), recursively."""
    out = []

    def walk(patterns, prefix, ns):
        for p in patterns:
            if isinstance(p, URLResolver):
                sub_ns = ns
                if p.namespace:
                    sub_ns = f"{ns}{p.namespace}:"
                walk(p.url_patterns, prefix + str(p.pattern), sub_ns)
            elif isinstance(p, URLPattern):
                out.append((prefix + str(p.pattern), f"{ns}{p.name or ''}", p.callback))

    walk(get_resolver().url_patterns, "", "")
    return out


def route_of(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.route


def is_third_party(route: str) -> bool:
    return route.startswith("admin/")


# Not crawled: logging out, and the health checks (they wait for the Celery worker).
SKIP_GET = ("logga-ut/", "health/", "readyz")


@dataclass
class Crawl:
    role: str
    pages: dict[str, str] = field(default_factory=dict)  # url -> html
    status: dict[str, int] = field(default_factory=dict)
    forms: list[Form] = field(default_factory=list)
    by_route: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    seconds: dict[str, float] = field(default_factory=dict)


def crawl(client: Client, role: str, seeds: list[str], per_route: int = 1, limit: int = 120):
    """Breadth-first over the links a role sees; at most ``per_route`` URLs per pattern."""
    result = Crawl(role=role)
    queue = deque(seeds)
    seen: set[str] = set()
    while queue and len(result.pages) < limit:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc and parts.netloc not in ("testserver",):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path in seen:
            continue
        seen.add(path)
        route = route_of(parts.path)
        if route is None or is_third_party(route) or route in SKIP_GET:
            continue
        if len(result.by_route[route]) >= per_route:
            continue
        t0 = time.monotonic()
        response = client.get(path)
        result.seconds[path] = time.monotonic() - t0
        result.by_route[route].append(path)
        result.status[path] = response.status_code
        ctype = response.get("Content-Type", "")
        if response.status_code != 200 or "text/html" not in ctype:
            continue
        html = response.content.decode()
        result.pages[path] = html
        parser = PageParser("http://testserver" + path)
        parser.feed(html)
        for form in parser.forms:
            form.action = urlsplit(form.action).path + (
                f"?{urlsplit(form.action).query}" if urlsplit(form.action).query else ""
            )
            result.forms.append(form)
        queue.extend(parser.links)
    return result


def clone(client: Client) -> Client:
    """A client with the same session cookie: a request that logs out or switches förbund in a
    rolled-back savepoint leaves the original session intact."""
    c = Client()
    c.cookies = copy.deepcopy(client.cookies)
    return c


# --- The fingerprint ------------------------------------------------------------------------

FINGERPRINT_APPS = ("finsam", "forbund", "insatser", "deltagare", "uppfoljning", "guardian")
# Written on purpose by reads and failed log-ins: the access log (every read of identity is
# logged, also when a form is re-displayed) and nothing else of ours.
FINGERPRINT_SKIP = {"deltagare.atkomstlogg"}


def _tables() -> list[tuple[str, str, str]]:
    out = []
    for app in FINGERPRINT_APPS:
        for model in apps.get_app_config(app).get_models():
            label = model._meta.label_lower
            if label in FINGERPRINT_SKIP or not model._meta.managed:
                continue
            out.append((label, model._meta.db_table, model._meta.pk.column))
    return out


_SQL_CACHE: dict[str, str] = {}


def fingerprint() -> dict[str, tuple]:
    """Per model: row count, max primary key and an md5 over every row's text, in one query."""
    if "sql" not in _SQL_CACHE:
        q = connection.ops.quote_name
        parts = [
            f"SELECT '{label}', count(*), max(t.{q(pk)})::text, "  # noqa: S608 - names from _meta
            f"md5(coalesce(string_agg(md5(t::text), '' ORDER BY t.{q(pk)}), '')) "
            f"FROM {q(table)} t"
            for label, table, pk in _tables()
        ]
        _SQL_CACHE["sql"] = " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(_SQL_CACHE["sql"])
        return {row[0]: row[1:] for row in cursor.fetchall()}


def changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in after if before.get(k) != after[k])


ERROR_MARKERS = ("field--error", "field-errors", "form-errors", "errorlist")


def is_error_response(response) -> bool:
    """A re-displayed form with errors, or a redirect that carries an error message."""
    if response.status_code in (400, 422):
        return True
    if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
        body = response.content.decode(errors="replace")
        if any(m in body for m in ERROR_MARKERS):
            return True
    storage = getattr(response.wsgi_request, "_messages", None)
    queued = getattr(storage, "_queued_messages", []) if storage is not None else []
    return any(m.level >= messages.ERROR for m in queued)


# --- Figures --------------------------------------------------------------------------------


@dataclass
class Figures:
    started: float = field(default_factory=time.monotonic)
    cpu_started: float = field(default_factory=time.process_time)
    cases: Counter = field(default_factory=Counter)  # kind -> number of requests
    endpoints: Counter = field(default_factory=Counter)  # kind -> number of endpoints
    statuses: Counter = field(default_factory=Counter)
    error_responses_checked: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "seconds": round(time.monotonic() - self.started, 1),
            "cpu_seconds": round(time.process_time() - self.cpu_started, 1),
            "cases": dict(self.cases),
            "cases_total": sum(self.cases.values()),
            "endpoints": dict(self.endpoints),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "error_responses_with_unchanged_db": self.error_responses_checked,
            "notes": self.notes,
        }

    def report(self, config, path: Path) -> None:
        summary = self.summary()
        text = "fuzz figures: " + json.dumps(summary, ensure_ascii=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("")
            reporter.write_line(text)
        print(text, file=sys.__stderr__)
