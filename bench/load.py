"""Section 4 — closed-loop load against gunicorn on loopback.

Starts ``gunicorn finsam.wsgi:application`` with 2 sync workers (the production worker class)
on a free port of 127.0.0.1 with the bench settings, and stops it at the end whatever happens.
N simulated handläggare (threads, ``http.client``; each with its own session, second factor
done, through ``bench.accounts.session_cookie``) loop for a bounded time:

    register an identified participation (POST, expect 302)
    → browse the participant list /deltagare/mina/ (expect 200)
    → open the insats's participant list /deltagare/insats/<uuid>/ (expect 200)

Closed loop: a client sends its next request only after the previous answer, with no think
time, so the offered load rises with N. N steps through 1, 2, 4, 8, 16 (until a step's p95
passes 300 ms or a request fails). The figure is the throughput of the highest step with
p95 < 300 ms and 0 errors, divided by the machine's core count. The load generator runs on the
same machine and takes its share of the cores: the figure is a lower bound for the server alone.
Only loopback addresses are ever contacted.
"""

from __future__ import annotations

import http.client
import os
import random
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from .webcommon import cores, ctx_get, p95, print_rows, row

HOST = "127.0.0.1"
STEPS = (1, 2, 4, 8, 16)
P95_LIMIT = 0.300
DEFAULT_SECONDS = 15.0
QUICK_SECONDS = 2.0
QUICK_STEPS = (1, 2)
WORKERS = 2
REQUEST_TIMEOUT = 30.0
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def database_url() -> str:
    from urllib.parse import quote

    from django.db import connection

    d = connection.settings_dict
    auth = quote(d["USER"] or "")
    if d.get("PASSWORD"):
        auth += ":" + quote(d["PASSWORD"])
    return f"postgres://{auth}@{d['HOST'] or HOST}:{d['PORT'] or 5432}/{d['NAME']}"


class Gunicorn:
    """A gunicorn on loopback for the duration of a ``with`` block."""

    def __init__(self, *, workers: int = WORKERS):
        self.port = free_port()
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        # The server uses the very database and Redis the runner is connected to (the bench
        # database, or a test database in the smoke test), whatever the environment says.
        from django.conf import settings

        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "BENCH_DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "BENCH_REDIS_URL": settings.REDIS_URL,
        }
        if not env.get("DJANGO_SETTINGS_MODULE", "").startswith("bench."):
            env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
        env.setdefault("LOG_LEVEL", "WARNING")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "finsam.wsgi:application",
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn avslutades: {self.process.stderr.read().decode()[-2000:]}"
                )
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn svarade inte inom 60 s.")

    def __exit__(self, *exc) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()  # our own child, by its handle
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process.stderr:
            self.process.stderr.close()


@dataclass
class StepResult:
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def p95(self) -> float:
        return p95(self.latencies) if self.latencies else float("inf")


class Handlaggare(threading.Thread):
    """One simulated handläggare: register → participant list → insats list, until the
    deadline. Keeps its connection open where the server allows (gunicorn's sync workers
    close it after each response; then it reconnects)."""

    def __init__(self, *, port, cookies, insats_uuid, deadline, result, lock, seed):
        super().__init__(daemon=True)
        self.port = port
        self.cookie_header = "; ".join(f"{k}={v}" for k, v in cookies.items())
        self.csrf = next(v for k, v in cookies.items() if "csrf" in k.lower())
        self.insats_uuid = insats_uuid
        self.deadline = deadline
        self.result = result
        self.lock = lock
        self.rng = random.Random(seed)
        self.conn: http.client.HTTPConnection | None = None

    def _request(self, method, path, body=None, expect=200):
        headers = {"Cookie": self.cookie_header, "Host": f"{HOST}:{self.port}"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.csrf
        start = time.perf_counter()
        error = None
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            response.read()
            if response.status != expect:
                error = f"{method} {path.split('?')[0]}: HTTP {response.status}"
            if response.will_close:
                self.conn.close()
                self.conn = None
        except (OSError, http.client.HTTPException) as exc:
            error = f"{method} {path}: {type(exc).__name__}"
            if self.conn is not None:
                self.conn.close()
            self.conn = None
        elapsed = time.perf_counter() - start
        with self.lock:
            self.result.latencies.append(elapsed)
            if error:
                self.result.errors.append(error)

    def run(self):
        from .pages import registration_data

        insats_path = f"/deltagare/insats/{self.insats_uuid}/"
        while time.monotonic() < self.deadline:
            body = urlencode(registration_data(self.rng), doseq=True)
            self._request("POST", insats_path + "registrera/", body=body, expect=302)
            if time.monotonic() >= self.deadline:
                break
            self._request("GET", "/deltagare/mina/")
            if time.monotonic() >= self.deadline:
                break
            self._request("GET", insats_path)
        if self.conn is not None:
            self.conn.close()


def run_step(*, port, clients, seconds, insats_uuid) -> StepResult:
    from bench.accounts import session_cookie

    cookies = [session_cookie("handlaggare") for _ in range(clients)]
    result = StepResult(clients=clients, seconds=seconds)
    lock = threading.Lock()
    start = time.monotonic()
    threads = [
        Handlaggare(
            port=port,
            cookies=cookies[i],
            insats_uuid=insats_uuid,
            deadline=start + seconds,
            result=result,
            lock=lock,
            seed=random.randrange(2**32),
        )
        for i in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + REQUEST_TIMEOUT + 5)
    result.seconds = time.monotonic() - start
    return result


def run(ctx=None) -> list[dict]:
    from bench.accounts import bench_user

    from .pages import registration_insats
    from .webcommon import large_forbund

    quick = bool(ctx_get(ctx, "quick"))
    seconds = float(
        ctx_get(ctx, "load_seconds", 0) or (QUICK_SECONDS if quick else DEFAULT_SECONDS)
    )
    steps = tuple(ctx_get(ctx, "load_steps", ()) or (QUICK_STEPS if quick else STEPS))
    n_cores = cores(ctx)
    insats = registration_insats(bench_user("handlaggare"), large_forbund(ctx))
    results: list[StepResult] = []
    with Gunicorn() as server:
        # Warm both workers (imports, connections) outside the measurement.
        run_step(
            port=server.port,
            clients=WORKERS,
            seconds=1.0 if quick else 3.0,
            insats_uuid=insats.uuid,
        )
        for clients in steps:
            result = run_step(
                port=server.port, clients=clients, seconds=seconds, insats_uuid=insats.uuid
            )
            results.append(result)
            if result.errors or result.p95 >= P95_LIMIT:
                break
    rows = [
        row(
            section=4,
            measure=f"Last {r.clients} handläggare: p95",
            value=r.p95,
            unit="s",
            goal="steg; rampen slutar vid p95 ≥ 0,3 s",
            # The step above the line ends the ramp: a measurement, not a failed goal ("–").
            # Errors fail any step.
            ok=False if r.errors else (True if r.p95 < P95_LIMIT else None),
            clients=r.clients,
            requests=r.requests,
            rps=round(r.rps, 1),
            errors=len(r.errors),
            error_examples=sorted(set(r.errors))[:3],
            seconds=round(r.seconds, 1),
        )
        for r in results
    ]
    passing = [r for r in results if r.p95 < P95_LIMIT and not r.errors]
    best = max(passing, key=lambda r: r.clients) if passing else None
    total_errors = sum(len(r.errors) for r in results)
    rows.append(
        row(
            section=4,
            measure="Last: förfrågningar/s per kärna vid p95 < 300 ms",
            value=best.rps / n_cores if best else 0.0,
            unit="req/s",
            goal="p95 < 0,3 s, 0 fel",
            ok=best is not None and total_errors == 0,
            cores=n_cores,
            clients=best.clients if best else None,
            p95=round(best.p95, 4) if best else None,
            errors=total_errors,
            gunicorn_workers=WORKERS,
        )
    )
    return rows


def main() -> None:
    import django

    django.setup()
    print_rows(run(None))


if __name__ == "__main__":
    main()
