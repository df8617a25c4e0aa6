import os
import shutil
import subprocess
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def test_docker_compose_file_is_valid():
    binary = shutil.which("docker-compose")
    if binary is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("docker-compose saknas: make test installerar Debians paket")
        pytest.skip("docker-compose saknas på den här maskinen")
    env = {
        **os.environ,
        "POSTGRES_PASSWORD": "x",
        "SECRET_KEY": "x",
        "FIELD_ENCRYPTION_KEY": "x",
        "PERSONNUMMER_HMAC_KEY": "x",
    }
    result = subprocess.run(
        [binary, "-f", "docker-compose.yml", "config"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    for service in ("web:", "worker:", "beat:", "db:", "redis:"):
        assert service in result.stdout


def test_docker_compose_refuses_to_run_without_secrets():
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose saknas")
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "POSTGRES_PASSWORD"}}
    result = subprocess.run(
        [binary, "-f", "docker-compose.yml", "config"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
