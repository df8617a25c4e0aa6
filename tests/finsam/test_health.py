import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_redis_ok():
    response = Client().get("/health/")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["database"] == "ok"
    assert body["redis"] == "ok"
    assert body["worker"] in {"ok", "saknas"}


@pytest.mark.slow
def test_health_reports_a_running_worker(celery_worker_process):
    body = json.loads(Client().get("/health/").content)
    assert body["worker"] == "ok"


def test_redis_down_gives_503_with_reason_and_pages_still_answer(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = Client().get("/health/")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["redis"] == "fel"
    assert body["database"] == "ok"
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/readyz").status_code == 503
    assert Client().get("/logga-in/").status_code == 200


def test_readyz_ok_when_services_answer():
    assert Client().get("/readyz").status_code == 200


def test_cache_down_leaves_the_board_dashboard_working(settings, styrelse, login):
    """SECURITY.md #22 in-process: Redis as cache unreachable. The board's closed-period
    dashboard (cached in Redis) is computed instead of failing; a deeper test with real
    processes is tests/uppfoljning/test_reliability.py."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    page = login(styrelse).get("/uppfoljning/styrelse/?period=forra_aret")
    assert page.status_code == 200
