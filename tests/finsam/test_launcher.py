"""The run command's launcher, for real: embedded PostgreSQL and Redis, web, worker and beat."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from finsam.launcher import free_port

BASE_DIR = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _family(pid: int) -> set[int]:
    try:
        proc = psutil.Process(pid)
        return {pid} | {c.pid for c in proc.children(recursive=True)}
    except psutil.NoSuchProcess:
        return set()


def _processes_mentioning(text: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if text in cmdline and proc.pid != os.getpid():
            found.append(proc)
    return found


def test_run_command_starts_everything_and_ctrl_c_leaves_no_process():
    local = Path(tempfile.mkdtemp(prefix="finsam-launch-"))
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CI", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(FINSAM_LOCAL_DIR=str(local), PORT=str(port), PYTHONUNBUFFERED="1")
    log = (local / "launcher.log").open("w")
    launcher = subprocess.Popen(
        [sys.executable, "-m", "finsam.launcher", "run"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + 240
        status = None
        while time.monotonic() < deadline and launcher.poll() is None:
            seen |= _family(launcher.pid)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/logga-in/", timeout=2) as r:  # noqa: S310
                    status = r.status
                    if status == 200:
                        break
            except OSError:
                time.sleep(1)
        output = (local / "launcher.log").read_text()
        assert status == 200, output[-3000:]
        time.sleep(3)  # let worker and beat finish starting
        seen |= _family(launcher.pid)
        output = (local / "launcher.log").read_text()
        assert f"http://127.0.0.1:{port}/" in output
        assert "Demoinloggningar" in output
        for username in ("chef", "handlaggare", "styrelse", "ekonomi", "nationell", "admin"):
            assert username in output
        cmdlines = " ".join(
            " ".join(psutil.Process(p).cmdline()) for p in seen if psutil.pid_exists(p)
        )
        assert "runserver" in cmdlines
        assert "worker" in cmdlines
        assert "beat" in cmdlines
        assert "redis-server" in cmdlines
        assert _processes_mentioning(str(local / "pgdata")), "embedded PostgreSQL is not running"

        launcher.send_signal(signal.SIGINT)  # what Ctrl-C sends
        assert launcher.wait(90) == 0
        time.sleep(1)
        alive = [p for p in seen if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"]
        assert alive == [], f"left running: {alive}"
        assert _processes_mentioning(str(local)) == []
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
        for proc in _processes_mentioning(str(local)):
            proc.kill()
        log.close()
        shutil.rmtree(local, ignore_errors=True)
