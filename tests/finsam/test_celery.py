import pytest
from django.db import connection

from finsam.tasks import ping

pytestmark = pytest.mark.slow


def test_task_runs_in_a_real_worker_against_the_test_database(celery_worker_process):
    result = ping.delay()
    value = result.get(timeout=30)
    assert value["pong"] is True
    assert value["database"] == connection.settings_dict["NAME"]


def test_task_ordered_while_worker_is_down_runs_when_it_starts(transactional_db):
    from finsam.celery import app
    from tests.worker import WorkerProcess

    worker = WorkerProcess()
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = worker.queue
    try:
        result = ping.delay()  # no worker consumes this queue yet
        assert result.state == "PENDING"
        worker.start().wait_until_ready()
        assert result.get(timeout=30)["pong"] is True
    finally:
        app.conf.task_default_queue = previous
        worker.stop()
