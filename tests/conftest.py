import pytest
from django.test import Client

from finsam.roles import Role
from tests.factories import PASSWORD, forbund_with_members, user_with_role


@pytest.fixture
def forbund(db):
    return forbund_with_members(kommun_koder=("2083", "2082"))


@pytest.fixture
def other_forbund(db):
    return forbund_with_members(kommun_koder=("2084",))


@pytest.fixture
def login():
    """Log a user in with a real password post (through axes and the login view)."""

    def _login(user) -> Client:
        client = Client()
        response = client.post("/logga-in/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.content[:500]
        return client

    return _login


@pytest.fixture
def chef(forbund):
    return user_with_role(forbund, Role.FORBUNDSCHEF)


@pytest.fixture
def handlaggare(forbund):
    return user_with_role(forbund, Role.HANDLAGGARE)


@pytest.fixture
def styrelse(forbund):
    return user_with_role(forbund, Role.STYRELSE)


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real Celery worker (not eager mode) on its own queue, against the test database.

    Tasks sent by the test go to the worker's queue while the fixture is active."""
    from finsam.celery import app
    from tests.worker import WorkerProcess

    worker = WorkerProcess().start()
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = worker.queue
    try:
        worker.wait_until_ready()
        yield worker
    finally:
        app.conf.task_default_queue = previous
        worker.stop()
