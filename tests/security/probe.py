"""The probe's machinery: every URL pattern from the resolver, filled with real objects; logged-in
clients that send real CSRF tokens; response bodies as text (HTML, PDF, XLSX); canary and
header checks; and the figures the suite reports."""

from __future__ import annotations

import io
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from tests.factories import PASSWORD

# --- URL patterns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    template: str  # e.g. "insatser/<uuid:uuid>/dokument/<uuid:dok>/"
    name: str  # "insatser:dokument_hamta"; unnamed admin routes get "admin:?<template>"
    kwargs: tuple[str, ...]
    callback: object

    @property
    def namespace(self) -> str:
        return self.name.split(":", 1)[0] if ":" in self.name else ""


_ROUTE_KWARG = re.compile(r"<(?:(\w+):)?(\w+)>")
_REGEX_KWARG = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def all_routes() -> list[Route]:
    """Every URL pattern of the project, recursively through every include (admin too)."""
    routes = []

    def walk(patterns, prefix: str, namespace: str | None):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                template = prefix + str(p.pattern)
                kwargs = tuple(m.group(1) for m in _REGEX_KWARG.finditer(template))
                plain = _REGEX_KWARG.sub("", template)
                kwargs += tuple(m.group(2) for m in _ROUTE_KWARG.finditer(plain))
                if p.name:
                    name = f"{namespace}:{p.name}" if namespace else p.name
                else:
                    name = f"{namespace or ''}:?{template}"
                routes.append(Route(template, name, kwargs, p.callback))

    walk(get_resolver().url_patterns, "", None)
    return routes


def fill(route: Route, values: dict) -> str:
    """The path of ``route`` with ``values``; checked to resolve to the same view."""
    path = _REGEX_KWARG.sub(lambda m: str(values[m.group(1)]), route.template)
    path = _ROUTE_KWARG.sub(lambda m: str(values[m.group(2)]), path)
    path = "/" + path.replace("^", "").replace("$", "")
    assert resolve(path).func is route.callback, (route.name, path)
    return path


# Which object a route's ``uuid`` means (the kwarg name alone does not say). A new route with a
# ``uuid`` outside the insatser namespace fails the probe until it is added here.
UUID_OBJECTS = {
    "forbund:forbundsordning": "forbundsordning",
    "forbund:medlem": "medlem",
    "forbund:medlem_ersatt": "medlem",
    "forbund:medlem_ta_bort": "medlem",
    "forbund:budget_version": "budget",
    "forbund:utfall_ta_bort": "utfall",
    "forbund:uppdrag": "uppdrag",
    "forbund:sammantrade": "sammantrade",
    "forbund:sammantrade_ta_bort": "sammantrade",
    "forbund:modell_resultat": "modellberakning",
    "forbund:modell_publicera": "modellberakning",
    "insatser:tillfallen": "struktur",
    "insatser:tillfalle_andra": "struktur",
    "insatser:tillfalle_ta_bort": "struktur",
    "uppfoljning:rapport": "rapporter",
    "uppfoljning:rapport_ny_version": "rapporter",
    "uppfoljning:rapport_fil": "rapporter",
}


def _uuid(route: Route, side, world) -> list:
    what = UUID_OBJECTS.get(route.name)
    if what is None and route.namespace == "insatser":
        what = "insats"  # every other insatser route is about one insats
    if what is None:
        pytest.fail(f"{route.name}: which object is its <uuid>? Add it to UUID_OBJECTS.")
    if what == "modellberakning":
        return [world.modellberakning.uuid]  # national: one for every förbund
    if what == "rapporter":
        rapporter = [side.rapport]
        if side.label != "B":
            rapporter.append(world.nationell_rapport)
        return [r.uuid for r in rapporter]
    return [getattr(side, what).uuid]


def _admin_object(route: Route, side, world) -> list:
    return [side.otp_device.pk]


def _content_type(route: Route, side, world) -> list:
    from django.contrib.contenttypes.models import ContentType

    return [ContentType.objects.get_for_model(type(side.otp_device)).pk]


# kwarg name → the values to fill in, from one side of the world. An unknown kwarg name fails
# the probe: a new URL has to be taught here, and so gets probed.
KWARGS = {
    "uuid": _uuid,
    "insats_uuid": lambda r, s, w: [s.insats.uuid],
    "deltagande_uuid": lambda r, s, w: [s.identified.uuid, s.anonymous.uuid],
    "person_uuid": lambda r, s, w: [s.identified.person.uuid],
    "samtycke_uuid": lambda r, s, w: [s.identified.samtycke.uuid],
    "user_uuid": lambda r, s, w: [s.staff.uuid],
    "roll": lambda r, s, w: ["deltagaransvarig", "insatsansvarig"],
    "ar": lambda r, s, w: [2026],
    "rad": lambda r, s, w: [s.medfinansiering.uuid],
    "dok": lambda r, s, w: [s.dokument.uuid],
    "tillfalle": lambda r, s, w: [s.tillfalle.uuid],
    "punkt": lambda r, s, w: [6],
    "kod": lambda r, s, w: [s.insats.kod],
    "format": lambda r, s, w: ["pdf", "xlsx"],
    # admin
    "object_id": _admin_object,
    "pk": _admin_object,
    "content_type_id": _content_type,
    "app_label": lambda r, s, w: ["insatser"],
    "url": lambda r, s, w: ["finns-inte/"],
}


@dataclass(frozen=True)
class Probe:
    url: str
    route: Route
    fill: str  # "A1" (förbund A, insats I1), "A2" (A, insats I2), "B" (foreign förbund), "-"


def probes(world) -> list[Probe]:
    """Every route, filled from A1, A2 and B (the same URL is probed once, under the first)."""
    out, seen = [], set()
    for route in all_routes():
        if not route.kwargs:
            out.append(Probe(fill(route, {}), route, "-"))
            continue
        for side in (world.a1, world.a2, world.b):
            options = []
            for name in route.kwargs:
                if name not in KWARGS:
                    pytest.fail(f"{route.name}: unknown URL kwarg {name!r}; teach KWARGS.")
                options.append([(name, v) for v in KWARGS[name](route, side, world)])
            for combo in itertools.product(*options):
                url = fill(route, dict(combo))
                if url not in seen:
                    seen.add(url)
                    out.append(Probe(url, route, side.label))
    return out


# --- Who may see what ------------------------------------------------------------------------

# The participant staff of each insats side (employed by its controller and granted on it).
ENTITLED_SIDE = {"handläggare": "A1", "insatsansvarig": "A1", "handläggare region": "A2"}
PARTICIPANT_STAFF = set(ENTITLED_SIDE)
BOARD_AND_NATION = {"styrelse", "nationell"}
# Roles that see the names of every förbund: the nation's aggregates and the operator's list.
SEES_FORBUND_NAMES = {"nationell", "systemadmin"}
# B shares its statistics nationally (the default), so national reports carry its insatser.
SEES_SHARED_INSATSER = {"nationell"}


def is_foreign(role: str, probe: Probe) -> bool:
    """True when ``role`` must not reach the object(s) in ``probe.url`` at all."""
    if probe.fill == "B":
        return True
    if probe.fill in ("A1", "A2"):
        if probe.route.namespace == "deltagare":
            return ENTITLED_SIDE.get(role) != probe.fill  # nobody else sees a participation
        if probe.route.namespace == "insatser" and role in PARTICIPANT_STAFF:
            return ENTITLED_SIDE[role] != probe.fill  # not granted on that insats
    return False


def forbidden_canaries(world, role: str) -> list[str]:
    out = []
    for side in (world.a1, world.a2, world.b):
        if ENTITLED_SIDE.get(role) != side.label:
            out.extend(side.canaries)
    allowed = set()
    if role in SEES_FORBUND_NAMES:
        allowed.add(world.b.forbund.namn)
    if role in SEES_SHARED_INSATSER:
        allowed |= {world.b.insats.namn, world.b.insats.kod}
        allowed |= {world.b.struktur.namn, world.b.struktur.kod}
    out.extend(n for n in world.forbund_canaries if n not in allowed)
    return out


# --- Clients --------------------------------------------------------------------------------


class ProbeClient:
    """A Django test client that enforces CSRF like a browser and sends the real token, so a
    refused write is refused by the application's rules, never by a missing token."""

    def __init__(self, label: str, user, *, second_factor: bool = True):
        from tests.conftest import second_factor_code

        self.label = label
        self.user = user
        self.cache = {}  # url → response of a GET (the world does not change: writes are refused)
        self.client = Client(enforce_csrf_checks=True)
        self.client.get("/logga-in/")
        if user is None:
            return
        response = self.client.post(
            "/logga-in/",
            {"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": self.token},
        )
        assert response.status_code == 302, (label, response.status_code)
        from finsam.mfa import requires_mfa

        if second_factor and requires_mfa(user):
            response = self.client.post(
                "/tvastegs/",
                {"token": second_factor_code(user), "csrfmiddlewaretoken": self.token},
            )
            assert response.status_code == 302, (label, response.status_code)

    @property
    def token(self) -> str:
        return self.client.cookies["csrftoken"].value

    def request(self, method: str, url: str, data: dict | None = None):
        method = method.lower()
        if method == "get":
            if url not in self.cache:
                self.cache[url] = self.client.get(url)
            return self.cache[url]
        return getattr(self.client, method)(url, data or {}, HTTP_X_CSRFTOKEN=self.token)


# Field names the app's forms use, so a write that were let through would have something to do.
WRITE_PAYLOAD = {
    "action": "ta_bort",
    "namn": "Probe",
    "kod": "PROBE",
    "ar": "2026",
    "belopp": "1",
    "datum": "2026-01-02",
    "post": "REVISION",
    "kon": "K",
    "fodelsear": "1990",
    "inskrivning": "2026-01-02",
    "utskrivning": "2026-01-03",
    "avslutsorsak": "MAL",
    "status": "BEVILJAD",
    "user": "",
    "typ": "halvar",
    "token": "000000",
}


# --- Responses ------------------------------------------------------------------------------


def body_text(response) -> tuple[str, str]:
    """(kind, text) of a response: HTML/JSON/CSV as text, PDF and XLSX by their contents."""
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if data.startswith(b"%PDF"):
        from pypdf import PdfReader

        try:
            reader = PdfReader(io.BytesIO(data))
            text = "\n".join(page.extract_text() or "" for page in reader.pages)
        except Exception:  # noqa: BLE001 - a stub PDF (the world's uploads) has no pages
            text = ""
        return "pdf", text + "\n" + data.decode("latin-1")
    if data.startswith(b"PK"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True)
        cells = [
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        return "xlsx", "\n".join(cells)
    return "text", data.decode("utf-8", "replace")


PNR_CANDIDATE = re.compile(r"(?<![\d-])((?:19|20)?\d{6}[-+]?\d{4})(?![\d-])")


def personnummer_in(text: str) -> list[str]:
    """Valid personnummer/samordningsnummer anywhere in ``text`` (date and Luhn checked, so
    organisationsnummer and amounts do not count)."""
    from deltagare.personnummer import looks_like_personnummer

    return [m for m in PNR_CANDIDATE.findall(text) if looks_like_personnummer(m)]


def header_problems(response, *, authenticated: bool) -> list[str]:
    """The security headers every response must carry (finsam.middleware and settings)."""
    problems = []
    csp = response.get("Content-Security-Policy", "")
    directives = {
        part.strip().split(" ", 1)[0]: part.strip() for part in csp.split(";") if part.strip()
    }
    script = directives.get("script-src") or directives.get("default-src")
    if not script:
        problems.append("CSP without script-src")
    elif "'unsafe-inline'" in script or "'unsafe-eval'" in script:
        problems.append("CSP script-src allows inline/eval")
    if directives.get("frame-ancestors") != "frame-ancestors 'none'":
        problems.append("CSP frame-ancestors")
    expected = {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    for name, value in expected.items():
        if response.get(name) != value:
            problems.append(f"{name}={response.get(name)!r}")
    if authenticated and "no-store" not in response.get("Cache-Control", ""):
        problems.append("Cache-Control without no-store")
    return problems


def redirects_to_login(response) -> bool:
    location = response.get("Location", "") if response.status_code == 302 else ""
    return location.startswith(("/logga-in/", "/admin/login/"))


# --- Figures --------------------------------------------------------------------------------


@dataclass
class Figures:
    requests: int = 0
    headers_ok: int = 0
    header_failures: list = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)

    def check(self, client: ProbeClient, method: str, url: str, data=None):
        response = client.request(method, url, data)
        self.requests += 1
        self.statuses[response.status_code] += 1
        problems = header_problems(response, authenticated=client.user is not None)
        if problems:
            self.header_failures.append((client.label, method, url, problems))
        else:
            self.headers_ok += 1
        return response
