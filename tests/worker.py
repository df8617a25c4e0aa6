"""A real Celery worker process for tests: started against the test database and Redis, on a
queue of its own so that no other worker (a developer's `make run`) can take its tasks."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent


def live_database_url() -> str:
    cfg = connection.settings_dict
    base = dj_database_url.parse(os.environ.get("DATABASE_URL", settings.DATABASE_URL))
    host = cfg.get("HOST") or base.get("HOST") or ""
    from urllib.parse import quote

    user = cfg.get("USER") or "postgres"
    password = f":{quote(cfg['PASSWORD'], safe='')}" if cfg.get("PASSWORD") else ""
    port = f":{cfg['PORT']}" if cfg.get("PORT") else ""
    return f"postgres://{user}{password}@{quote(host, safe='')}{port}/{cfg['NAME']}"


class WorkerProcess:
    def __init__(self, queue: str | None = None, concurrency: int = 1):
        self.queue = queue or f"test-{uuid.uuid4().hex[:12]}"
        self.concurrency = concurrency
        self.proc: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": live_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_QUEUE": self.queue,
        }
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "finsam",
                "worker",
                "-Q",
                self.queue,
                "-c",
                str(self.concurrency),
                "--pool",
                "prefork" if self.concurrency > 1 else "solo",
                "-n",
                f"{self.queue}@%h",
                "-l",
                "warning",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=BASE_DIR,
            env=env,
            start_new_session=True,
        )
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        self.proc = None

    def wait_until_ready(self, timeout: float = 90) -> None:
        from finsam.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            replies = app.control.ping(destination=[self._node()], timeout=0.5)
            if replies:
                return
            assert self.proc is not None
            assert self.proc.poll() is None, "Celery-workern avslutades"
        raise AssertionError("Celery-workern blev inte redo")

    def _node(self) -> str:
        import socket

        return f"{self.queue}@{socket.gethostname()}"
