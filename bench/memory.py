"""Section 5: peak memory of a real Celery worker producing the national annual report.

Starts ``celery -A finsam worker`` (solo pool, its own queue) against the bench database and
Redis, orders the national annual report (nationell variant, masked) through the real service
(``uppfoljning.services.rapport_order`` → ``rapport_build_task``: statistics, HTML, WeasyPrint
PDF, Excel), and polls the worker process and its children with psutil every 50 ms until the
report row is finished. Reports the peak resident set size (sum over the process tree), the
worker's RSS when idle before the order, and the wall time of the report.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil

BASE_DIR = Path(__file__).resolve().parent.parent
POLL_S = 0.05
TIMEOUT_S = 480


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += p.memory_info().rss
    return total


class Worker:
    def __init__(self):
        self.queue = f"bench-{uuid.uuid4().hex[:10]}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Worker:
        from django.conf import settings

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "BENCH_DATABASE_URL": _database_url(),
            "BENCH_REDIS_URL": settings.REDIS_URL,
            "BENCH_MEDIA_ROOT": str(settings.MEDIA_ROOT),  # where the report files land
            "CELERY_QUEUE": self.queue,
        }
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "--quiet",  # no banner in the runner's output
                "-A",
                "finsam",
                "worker",
                "-Q",
                self.queue,
                "-c",
                "1",
                "--pool",
                "solo",
                "-n",
                f"{self.queue}@%h",
                "-l",
                "warning",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=BASE_DIR,
            env=env,
            start_new_session=True,
        )
        return self

    def wait_ready(self, timeout: float = 90) -> None:
        import socket

        from finsam.celery import app

        node = f"{self.queue}@{socket.gethostname()}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if app.control.ping(destination=[node], timeout=0.5):
                return
            if self.proc.poll() is not None:
                raise RuntimeError("Celery-workern avslutades")
        raise RuntimeError("Celery-workern blev inte redo")

    def stop(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        self.proc = None


def _database_url() -> str:
    from django.db import connection

    cfg = connection.settings_dict
    host = cfg.get("HOST") or "127.0.0.1"
    port = f":{cfg['PORT']}" if cfg.get("PORT") else ""
    return f"postgres://{cfg.get('USER') or 'postgres'}@{host}{port}/{cfg['NAME']}"


def national_report_peak(ctx, *, timeout: float = TIMEOUT_S) -> dict:
    """Order the national annual report through the real task; return the measurements."""
    from bench.accounts import bench_user
    from finsam.celery import app
    from uppfoljning.models import Rapport, RapportStatus, RapportTyp, Variant
    from uppfoljning.services import rapport_order
    from uppfoljning.stats import full_year

    worker = Worker().start()
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = worker.queue
    try:
        worker.wait_ready()
        proc = psutil.Process(worker.proc.pid)
        time.sleep(0.5)
        idle = _tree_rss(proc)
        t0 = time.perf_counter()
        rapport = rapport_order(
            forbund=None,
            user=bench_user("nationell"),
            typ=RapportTyp.HELAR,
            period=full_year(ctx.report_year),
            variant=Variant.NATIONELL,
        )
        peak = idle
        status = RapportStatus.KOAD
        deadline = time.monotonic() + timeout
        checks = 0
        while time.monotonic() < deadline:
            peak = max(peak, _tree_rss(proc))
            checks += 1
            if checks % 10 == 0:  # the row every 0.5 s; psutil every 50 ms
                status = Rapport.objects.filter(pk=rapport.pk).values_list("status", flat=True)[0]
                if status in (RapportStatus.KLAR, RapportStatus.MISSLYCKAD):
                    break
            time.sleep(POLL_S)
        seconds = time.perf_counter() - t0
        row = Rapport.objects.get(pk=rapport.pk)
        pages = size = None
        if row.pdf:
            with contextlib.suppress(Exception):  # pypdf is a test dependency: optional here
                from pypdf import PdfReader

                pages = len(PdfReader(row.pdf.path).pages)
            with contextlib.suppress(OSError):
                size = row.pdf.size
        return {
            "peak_rss": peak,
            "idle_rss": idle,
            "seconds": seconds,
            "status": row.status,
            "fel": row.fel,
            "pdf_bytes": size or 0,
            "pdf_pages": pages,
        }
    finally:
        app.conf.task_default_queue = previous
        worker.stop()


def run(ctx) -> list[dict]:
    m = national_report_peak(ctx)
    ok = m["status"] == "klar"
    mb = 1024 * 1024
    note = f"rapporten {m['status']} på {m['seconds']:.1f} s"
    if m["pdf_pages"]:
        note += f", PDF {m['pdf_pages']} sidor ({m['pdf_bytes'] // 1024} kB)"
    if m["fel"]:
        note += f": {m['fel'][:200]}"
    return [
        {
            "section": "5 minne",
            "measure": f"worker, nationell årsrapport {ctx.report_year} (topp-RSS)",
            "value": round(m["peak_rss"] / mb, 1),
            "unit": "MB",
            "floor": round(m["idle_rss"] / mb, 1),
            "ratio": round(m["peak_rss"] / m["idle_rss"], 2) if m["idle_rss"] else None,
            "goal": "klar, inget mål",
            "ok": ok,
            "note": note + " (golv = workerns RSS i vila före beställningen)",
            "seconds": round(m["seconds"], 1),
        }
    ]
