"""Reports are never lost (SECURITY.md #18) and the application degrades gracefully when Redis
and the worker stop (#22). Real processes throughout: Celery workers, gunicorn, a private
redis-server, WeasyPrint, PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db.models import Sum

from tests.factories import InsatsFactory
from uppfoljning.models import Rapport, RapportStatus, RapportTyp
from uppfoljning.services import rapport_order, rapport_sweep
from uppfoljning.stats import half_year

pytestmark = pytest.mark.slow
H1 = half_year(2025)
# Reports in the kill -9 test. SECURITY.md's bar is 500; on the shared 2-core machine one small
# report takes ~1-8 s (WeasyPrint; far above 0.15 s), so the suite runs 4 and a longer run sets
# FINSAM_RAPPORT_N. Run once with 30: 30/30 klar, 30 rows, 60 files, 31 build attempts (the
# killed one twice), the sweep resent 20 (19 of them already queued: built once), 246 s.
RAPPORT_N = int(os.environ.get("FINSAM_RAPPORT_N", "4"))


def wait_for(condition, timeout: float, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def age_running_reports(minutes: int) -> int:
    """What beat sees after ``minutes`` without a heartbeat: the worker building these died."""
    from django.db.models import F

    return Rapport.objects.filter(status=RapportStatus.PAGAR).update(
        heartbeat_at=F("heartbeat_at") - dt.timedelta(minutes=minutes)
    )


def age_queued_reports(minutes: int) -> int:
    from django.db.models import F

    return Rapport.objects.filter(status=RapportStatus.KOAD).update(
        bestalld_at=F("bestalld_at") - dt.timedelta(minutes=minutes)
    )


@pytest.fixture
def media_dir(tmp_path, settings, monkeypatch):
    """One media folder for this process and the workers it starts."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    monkeypatch.setenv("MEDIA_ROOT", str(root))
    return root


@pytest.fixture
def own_queue():
    """A queue of this test's own, so no other worker (another test run, ``make run``) can take
    its tasks."""
    import uuid

    from finsam.celery import app

    previous = app.conf.task_default_queue
    app.conf.task_default_queue = f"test-{uuid.uuid4().hex[:12]}"
    try:
        yield app.conf.task_default_queue
    finally:
        app.conf.task_default_queue = previous


def test_reports_survive_kill_9_of_the_worker_mid_report_and_finish_exactly_once(
    transactional_db, forbund, chef, media_dir, own_queue, record_property
):
    from tests.worker import WorkerProcess

    InsatsFactory(status="PAGAENDE", forbund=forbund, startdatum=dt.date(2025, 2, 1))
    ids = [
        rapport_order(forbund=forbund, user=chef, typ=RapportTyp.HALVAR, period=H1).pk
        for _ in range(RAPPORT_N)
    ]
    first = WorkerProcess(queue=own_queue).start()
    second = WorkerProcess(queue=own_queue)
    started = time.monotonic()
    try:
        # No ping here: a solo worker busy with a report does not answer pings, the rows do.
        done_before = max(1, RAPPORT_N // 3)

        def mid_report():
            assert first.proc.poll() is None, "the first worker stopped by itself"
            klar = Rapport.objects.filter(status=RapportStatus.KLAR).count()
            running = Rapport.objects.filter(status=RapportStatus.PAGAR, progress__gte=10)
            return klar >= done_before and running.first()

        victim = wait_for(mid_report, timeout=300, step=0.05)
        assert victim, "no report was being built"
        first.stop(sig=signal.SIGKILL)  # kill -9 the worker's whole process group
        assert first.proc is None
        victim.refresh_from_db()
        assert victim.status == RapportStatus.PAGAR  # killed in the middle: no files yet
        assert not victim.pdf
        killed_at = time.monotonic()

        # Beat's sweep, as it runs once the dead worker's heartbeat is older than STALE_AFTER
        # (and the queued ones older than REQUEUE_AFTER: sent twice, built once).
        age_running_reports(minutes=11)
        age_queued_reports(minutes=3)
        sent = rapport_sweep()
        assert sent >= 1
        second.start().wait_until_ready()

        def all_done():
            return not Rapport.objects.exclude(status=RapportStatus.KLAR).exists()

        assert wait_for(all_done, timeout=60 + 30 * RAPPORT_N, step=0.5), list(
            Rapport.objects.values_list("pk", "status", "steg", "fel")
        )
        seconds = time.monotonic() - started
        recovered = time.monotonic() - killed_at
    finally:
        first.stop(sig=signal.SIGKILL)
        second.stop()

    rows = Rapport.objects.filter(pk__in=ids)
    files = files_under(media_dir)
    per_report = Counter(p.parent.name for p in files)
    attempts = rows.aggregate(n=Sum("attempts"))["n"]
    figures = (
        f"{RAPPORT_N} rapporter, kill -9 mitt i {victim.pk}: "
        f"{rows.filter(status=RapportStatus.KLAR).count()}/{RAPPORT_N} klara, "
        f"{Rapport.objects.count()} rader, {len(files)} filer, {attempts} byggförsök, "
        f"svep skickade {sent}, {seconds:.1f} s totalt, {recovered:.1f} s efter kill"
    )
    print(f"\n{figures}", file=sys.stderr)
    record_property("figure", f"reports, kill -9: {figures}")
    assert Rapport.objects.count() == RAPPORT_N, figures
    assert rows.filter(status=RapportStatus.KLAR).count() == RAPPORT_N, figures
    assert len(files) == 2 * RAPPORT_N, figures  # one PDF and one Excel each, no leftovers
    for rapport in rows:
        assert per_report[str(rapport.uuid)] == 2, figures
        assert rapport.pdf.name.endswith(".pdf")
        with rapport.pdf.open("rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == rapport.pdf_sha256
    victim.refresh_from_db()
    assert victim.attempts == 2, figures  # claimed again after the kill, built once
    assert attempts == RAPPORT_N + 1, figures  # every other report was built on first claim


# --- Redis down, then the worker down ------------------------------------------------------

# How long Redis stays down while the web is probed (SECURITY.md: 60 s). Run once with 60:
# down 63.5 s, 42 rounds, slowest /healthz 0.02 s, /readyz 0.03 s, /uppfoljning/rapporter/
# 0.13 s, /deltagare/mina/ 0.42 s, the uncached board dashboard 1.58 s; 2/2 reports klar.
REDIS_NERE_S = float(os.environ.get("FINSAM_REDIS_NERE_S", "10"))


def timed(client, method: str, path: str, fields: dict | None = None, limit: float = 2.0):
    response = client.request(method, path, fields)
    assert response.seconds < limit, f"{method} {path} took {response.seconds:.2f} s"
    return response


def test_redis_down_then_worker_down_web_answers_orders_wait_and_complete_when_back(
    transactional_db, forbund, chef, media_dir, own_queue, settings, record_property
):
    """SECURITY.md #18 and #22 with a private redis-server: while it is down every web request
    answers within 2 s, /healthz 200 and /readyz 503, pages and the access log work, an order
    is saved as queued with a clear Swedish message and nothing half-written; with the worker
    stopped too the report shows "Köad"; when Redis is back a new order succeeds and the
    queued ones complete."""
    from deltagare.models import Atkomstlogg
    from finsam.celery import app
    from finsam.roles import Role
    from tests.deltagare.factories import person_insats, register_identified, staff_on
    from tests.factories import user_with_role
    from tests.server import (
        BrowserClient,
        RedisProcess,
        ServerProcess,
        hidden_value,
        logged_in_session_key,
    )
    from tests.uppfoljning.test_reports import reset_broker_connections
    from tests.worker import WorkerProcess

    insats = person_insats(forbund)
    handlaggare = staff_on(insats)
    deltagande = register_identified(insats, handlaggare)
    styrelse = user_with_role(forbund, Role.STYRELSE)
    redis = RedisProcess().start()
    settings.REDIS_URL = redis.url  # what the workers started below are given
    previous = (app.conf.broker_url, app.conf.result_backend)
    app.conf.broker_url = app.conf.result_backend = redis.url
    reset_broker_connections(app)
    server = ServerProcess(redis_url=redis.url).start(
        {"CELERY_QUEUE": own_queue, "MEDIA_ROOT": str(media_dir)}
    )
    worker, worker_after = WorkerProcess(queue=own_queue), WorkerProcess(queue=own_queue)
    slowest: dict[str, float] = {}
    try:
        worker.start()
        server.wait_until_ready()
        worker.wait_until_ready()
        chef_b = BrowserClient(server.port, {"sessionid": logged_in_session_key(chef)})
        hl_b = BrowserClient(server.port, {"sessionid": logged_in_session_key(handlaggare)})
        styr_b = BrowserClient(server.port, {"sessionid": logged_in_session_key(styrelse)})
        anon = BrowserClient(server.port)
        assert timed(anon, "GET", "/readyz").status == 200
        # The board dashboard of a closed period is cached in Redis. Without Redis it is
        # computed on every request: its limit is its own uncached time (first request) + 1 s.
        dashboard = "/uppfoljning/styrelse/?period=forra_aret"
        uncached = styr_b.request("GET", dashboard)
        assert uncached.status == 200
        limits = {dashboard: max(2.0, uncached.seconds + 1.0)}

        redis.stop()  # Redis goes down
        down_started = time.monotonic()
        page = timed(chef_b, "GET", "/uppfoljning/rapporter/")
        assert page.status == 200
        order = {
            "typ": "halvar",
            "ar": "2025",
            "csrfmiddlewaretoken": hidden_value(page.text, "csrfmiddlewaretoken"),
        }
        ordered = timed(chef_b, "POST", "/uppfoljning/rapporter/", order)
        assert ordered.status == 302
        queued = Rapport.objects.get()
        assert queued.status == RapportStatus.KOAD  # saved whole, nothing half-written
        assert not queued.pdf
        assert not queued.xlsx
        assert queued.attempts == 0
        after = timed(chef_b, "GET", "/uppfoljning/rapporter/")
        assert "står i kö. Bakgrundstjänsten går inte att nå just nu" in after.text
        logged = Atkomstlogg.objects.count()
        assert timed(hl_b, "GET", f"/deltagare/d/{deltagande.uuid}/").status == 200
        assert Atkomstlogg.objects.count() == logged + 1  # the access log still works

        checks = [
            (anon, "/healthz", 200),
            (anon, "/readyz", 503),
            (anon, "/logga-in/", 200),
            (chef_b, "/uppfoljning/rapporter/", 200),
            (styr_b, dashboard, 200),
            (hl_b, "/deltagare/mina/", 200),
        ]
        rounds = 0
        while rounds == 0 or time.monotonic() - down_started < REDIS_NERE_S:
            for client, path, expected in checks:
                response = timed(client, "GET", path, limit=limits.get(path, 2.0))
                assert response.status == expected, (path, response.status)
                slowest[path] = max(slowest.get(path, 0.0), response.seconds)
            rounds += 1

        worker.stop()  # then the worker stops too
        assert timed(anon, "GET", "/healthz").status == 200
        assert timed(anon, "GET", "/readyz").status == 503
        listing = timed(chef_b, "GET", "/uppfoljning/rapporter/")
        assert "Köad" in listing.text
        down_seconds = time.monotonic() - down_started

        redis = RedisProcess.on_port(redis.port).start()  # Redis is back (empty: no disk)
        assert wait_for(lambda: anon.request("GET", "/readyz").status == 200, timeout=30)
        page = timed(chef_b, "GET", "/uppfoljning/rapporter/")
        order["csrfmiddlewaretoken"] = hidden_value(page.text, "csrfmiddlewaretoken")
        assert timed(chef_b, "POST", "/uppfoljning/rapporter/", order).status == 302
        back = chef_b.request("GET", "/uppfoljning/rapporter/")
        assert "är beställd och tas fram i bakgrunden" in back.text
        assert Rapport.objects.count() == 2
        worker_after.start()
        age_queued_reports(minutes=3)  # beat's sweep once REQUEUE_AFTER has passed
        reset_broker_connections(app)
        assert rapport_sweep() >= 1

        def all_done():
            return not Rapport.objects.exclude(status=RapportStatus.KLAR).exists()

        assert wait_for(all_done, timeout=240, step=0.5), list(
            Rapport.objects.values_list("status", "steg", "fel")
        )
    finally:
        for process in (worker, worker_after, server, redis):
            process.stop()
        app.conf.broker_url, app.conf.result_backend = previous
        reset_broker_connections(app)
    figures = (
        f"Redis nere {down_seconds:.1f} s ({rounds} varv; styrelsevyn okachad med Redis uppe "
        f"{uncached.seconds:.2f} s): långsammaste svar "
        + ", ".join(f"{path} {s:.2f} s" for path, s in slowest.items())
        + f"; {Rapport.objects.filter(status=RapportStatus.KLAR).count()}/2 rapporter klara"
    )
    print(f"\n{figures}", file=sys.stderr)
    record_property("figure", f"Redis outage: {figures}")
    assert Rapport.objects.filter(status=RapportStatus.KLAR, attempts=1).count() == 2, figures
    assert len(files_under(media_dir)) == 4, figures
