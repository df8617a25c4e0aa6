"""Section 3 — pages against a minimal Django view.

Four pages, each requested in-process with Django's test ``Client`` (the full middleware stack:
session, auth, second factor, förbund, CSP headers, axes; the test client skips only the CSRF
token comparison), logged in through ``bench.accounts`` as the role that uses the page:

* the participant list ``/deltagare/mina/`` as the bench handläggare (every participation of
  the PERSON insatser their member party controls in the large förbund: the bulk of it);
* the insats list ``/insatser/`` as the förbundschef;
* the styrelse dashboard ``/uppfoljning/styrelse/`` as the styrelse member;
* the registration form POST (an identified participation with consent, a fresh personnummer
  each time) into the handläggare's largest insats; each POST creates rows.

The floor is the median of ``/bench/minimal/`` (``bench.minimal``, only in ``bench.urls``) as the
same handläggare, requested interleaved with the pages in the same run so both see the same
machine. Per page: median, p95 and p95 ÷ floor (goal ≤ 5), and the query count
(``CaptureQueriesContext``) at the large förbund and at the small one. For the small-förbund
counts the bench users are moved there (committed, so that the exact caches work as in
production) and back afterwards.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

from .webcommon import ctx_get, median, p95, print_rows, row

GOAL_RATIO = 5.0
# 100 timed requests per page: the nearest-rank p95 is then the 6th slowest, not the 2nd (with
# 30), so one scheduler hiccup on a shared machine does not decide the figure.
DEFAULT_REQUESTS = 100
QUICK_REQUESTS = 3
QUICK_WARMUP = 1
WARMUP = 3
MINIMAL_URL = "/bench/minimal/"


@dataclass
class Page:
    key: str
    label: str
    role: str
    method: str = "GET"


PAGES = [
    Page("deltagarlista", "Deltagarlista (handläggare, /deltagare/mina/)", "handlaggare"),
    Page("insatslista", "Insatslista (förbundschef, /insatser/)", "forbundschef"),
    Page("styrelse", "Styrelsens översikt (/uppfoljning/styrelse/)", "styrelse"),
    Page("registrering", "Registrering POST (identifierad)", "handlaggare", "POST"),
]


def personnummer(rng: random.Random) -> str:
    """A valid, random personnummer (YYYYMMDD-NNNC, Luhn checked) for a 22–61-year-old."""
    from deltagare.personnummer import luhn_digit

    born = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(40 * 365))
    serial = f"{rng.randrange(1000):03d}"
    check = luhn_digit(f"{born:%y%m%d}{serial}")
    return f"{born:%Y%m%d}-{serial}{check}"


def registration_insats(user, forbund):
    """The handläggare's insats with the most participations that is open for registration
    today (its period covers today)."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from finsam.permissions import insatser_granted
    from insatser.models import Insats

    today = timezone.localdate()
    granted = insatser_granted(user=user, queryset=Insats.objects.filter(forbund=forbund))
    insats = (
        granted.filter(startdatum__lte=today)
        .filter(Q(slutdatum__isnull=True) | Q(slutdatum__gte=today))
        .annotate(n=Count("deltaganden"))
        .order_by("-n", "pk")
        .first()
    )
    if insats is None:
        raise RuntimeError(f"{user.username} har ingen pågående insats att registrera i.")
    return insats


def registration_data(rng: random.Random) -> dict:
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    return {
        "skyddad": "nej",
        "samtycke": "ja",
        "samtycke_satt": "PERSONLIGEN",
        "samtycke_datum": today,
        "personnummer": personnummer(rng),
        "namn": "Bench Deltagare",
        "kon": rng.choice(["K", "M"]),
        "inskrivning": today,
        "anvisande_part": "AF",
        "utbildning": "GYMN",
        "sysselsattning_fore": "INGEN",
        "tid_offentlig_forsorjning": "1-2A",
        "forsorjning_fore": ["EKB", "AKST"],
    }


class Session:
    """The logged-in clients and the request each page makes, for one förbund."""

    def __init__(self, forbund, rng: random.Random):
        from bench.accounts import bench_user, logged_in_client

        self.rng = rng
        self.clients = {p.role: logged_in_client(p.role) for p in PAGES}
        self.insats = registration_insats(bench_user("handlaggare"), forbund)

    def request(self, page: Page):
        client = self.clients[page.role]
        if page.key == "deltagarlista":
            response = client.get("/deltagare/mina/")
        elif page.key == "insatslista":
            response = client.get("/insatser/")
        elif page.key == "styrelse":
            response = client.get("/uppfoljning/styrelse/")
        else:
            response = client.post(
                f"/deltagare/insats/{self.insats.uuid}/registrera/",
                registration_data(self.rng),
            )
        expected = 302 if page.method == "POST" else 200
        if response.status_code != expected:
            raise RuntimeError(
                f"{page.label}: HTTP {response.status_code}, väntade {expected}: "
                f"{response.content[:300]!r}"
            )
        return response

    def minimal(self):
        response = self.clients["handlaggare"].get(MINIMAL_URL)
        if response.status_code != 200:
            raise RuntimeError(f"Minimal vy: HTTP {response.status_code}")


def query_counts(session: Session) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for page in PAGES:
        session.request(page)  # warm per-process caches first, as in the timed runs
        with CaptureQueriesContext(connection) as ctx:
            session.request(page)
        counts[page.key] = len(ctx.captured_queries)
    return counts


def small_forbund_counts(small, large, rng: random.Random) -> dict[str, int] | None:
    """Query counts with the bench users moved to the small förbund, measured as at the large
    one: committed, warm. (Inside a transaction that has written, the exact caches are not used
    — only a transaction that has written nothing may read or fill them — so a rolled-back move
    would count the uncached path at the small förbund against the cached one at the large.)
    The users are moved back to the large förbund afterwards, also when a request fails; the
    small förbund keeps the participations its registration POSTs made."""
    from django.db.models import Count

    from bench.accounts import bench_user, ensure_users
    from finsam.models import Roll
    from finsam.permissions import DELTAGARANSVARIG, insats_revoke
    from forbund.models import Medlem
    from insatser.models import Insats, Registreringsform

    insats = (
        Insats.objects.filter(forbund=small, registreringsform=Registreringsform.PERSON)
        .annotate(n=Count("deltaganden"))
        .order_by("-n", "pk")
        .first()
    )
    if insats is None:
        return None
    handlaggare = bench_user("handlaggare")
    home = Medlem.objects.get(
        pk=Roll.objects.filter(user=handlaggare, forbund=large)
        .exclude(medlem=None)
        .values_list("medlem", flat=True)
        .first()
    )
    moved = ensure_users(forbund=small, medlem=insats.personuppgiftsansvarig)
    try:
        return query_counts(Session(small, rng))
    finally:
        ensure_users(forbund=large, medlem=home)
        for granted in Insats.objects.filter(forbund=small):
            insats_revoke(user=moved["handlaggare"], insats=granted, perm=DELTAGARANSVARIG)


def run(ctx=None) -> list[dict]:
    from django.test.utils import override_settings

    from .webcommon import large_forbund, small_forbund

    n = int(
        ctx_get(ctx, "page_requests", 0)
        or (QUICK_REQUESTS if ctx_get(ctx, "quick") else DEFAULT_REQUESTS)
    )
    rng = random.Random()  # fresh personnummer every run: repeated runs never collide
    large, small = large_forbund(ctx), small_forbund(ctx)
    with override_settings(ROOT_URLCONF="bench.urls"):
        session = Session(large, rng)
        for _ in range(QUICK_WARMUP if ctx_get(ctx, "quick") else WARMUP):
            session.minimal()
            for page in PAGES:
                session.request(page)
        times: dict[str, list[float]] = {p.key: [] for p in PAGES}
        floor_times: list[float] = []
        for _ in range(n):  # interleaved: every page and the floor see the same machine
            for page in PAGES:
                start = time.perf_counter()
                session.request(page)
                times[page.key].append(time.perf_counter() - start)
                start = time.perf_counter()
                session.minimal()
                floor_times.append(time.perf_counter() - start)
        counts_large = query_counts(session)
        counts_small = small_forbund_counts(small, large, rng) if small.pk != large.pk else None
    floor = median(floor_times)
    from deltagare.models import Deltagande

    sizes = {f.pk: Deltagande.objects.filter(forbund=f).count() for f in (large, small)}
    rows = []
    for page in PAGES:
        page_p95 = p95(times[page.key])
        q_large = counts_large[page.key]
        q_small = counts_small[page.key] if counts_small else None
        rows.append(
            row(
                section=3,
                measure=f"{page.label} p95",
                value=page_p95,
                unit="s",
                floor=floor,
                goal=f"p95 ÷ minimal ≤ {GOAL_RATIO:g}; frågor oberoende av datamängd",
                ok=page_p95 / floor <= GOAL_RATIO and (q_small is None or q_small == q_large),
                median=round(median(times[page.key]), 6),
                median_ratio=round(median(times[page.key]) / floor, 3),
                queries=q_large,
                queries_small=q_small,
                requests=n,
                forbund_large=f"{large.namn} ({sizes[large.pk]} deltaganden)",
                forbund_small=f"{small.namn} ({sizes[small.pk]} deltaganden)",
            )
        )
    rows.append(
        row(
            section=3,
            measure="Minimal vy (golv) median",
            value=floor,
            unit="s",
            p95=round(p95(floor_times), 6),
            requests=len(floor_times),
        )
    )
    return rows


def main() -> None:
    import django

    django.setup()
    print_rows(run(None))


if __name__ == "__main__":
    main()
