import pytest
from django.test import Client

from finsam.roles import Role
from tests.factories import PASSWORD, forbund_with_members, user_with_role

# The database state right after migrations, as Django serialized it when it created the test
# database. Django keeps it on the connection object; a test that runs Playwright's event loop
# (tests/e2e) can leave this thread with a new connection object without it, and a later
# ``serialized_rollback`` test would then restore nothing.
_SERIALIZED: dict[str, str] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    from django.db import connection

    saved = getattr(connection, "_test_serialized_contents", None)
    if saved:
        _SERIALIZED["default"] = saved


def _serialized_contents(connection) -> str | None:
    saved = getattr(connection, "_test_serialized_contents", None) or _SERIALIZED.get("default")
    if saved:
        connection._test_serialized_contents = saved
    return saved


@pytest.fixture(autouse=True)
def _content_types_present(request, django_db_blocker):
    """A test with ``serialized_rollback`` ends in a flush that skips post_migrate, leaving no
    content types or permissions for the next test on that worker (Django's documented
    behaviour); guardian grants then fail. Restore them when they are missing: from the
    serialized state after migrations when there is one (same primary keys, so a later
    serialized-rollback test restores over them without a clash), else through post_migrate."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not ({"db", "transactional_db"} & set(request.fixturenames)):
        return
    if marker is not None and marker.kwargs.get("serialized_rollback"):
        return  # its own set-up restores the whole database, content types included
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.sql import emit_post_migrate_signal

    request.getfixturevalue("django_db_setup")  # the test database, never the configured one
    with django_db_blocker.unblock():
        if not ContentType.objects.exists():
            from django.db import connection

            saved = _serialized_contents(connection)
            if saved:  # the state after migrations, with the same primary keys
                connection.creation.deserialize_db_from_string(saved)
            else:
                emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
        ContentType.objects.clear_cache()


@pytest.fixture
def forbund(db):
    return forbund_with_members(kommun_koder=("2083", "2082"))


@pytest.fixture
def other_forbund(db):
    return forbund_with_members(kommun_koder=("2084",))


def second_factor_code(user) -> str:
    """A fresh single-use recovery code for ``user`` (their TOTP device is confirmed first, so
    the real verification step accepts it). Lets tests pass the two-factor step without
    waiting for a new TOTP window."""
    import secrets

    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "test"})
    static, _ = StaticDevice.objects.get_or_create(
        user=user, name="Reservkoder", defaults={"confirmed": True}
    )
    code = secrets.token_hex(5)
    StaticToken.objects.create(device=static, token=code)
    return code


def login_client(user, password=PASSWORD) -> Client:
    """Log in through the real views: the password step, and the second factor when the
    user's roles require it (finsam.mfa)."""
    from finsam.mfa import requires_mfa

    client = Client()
    response = client.post("/logga-in/", {"username": user.username, "password": password})
    assert response.status_code == 302, response.content[:500]
    if requires_mfa(user):
        response = client.post("/tvastegs/", {"token": second_factor_code(user)})
        assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def login():
    """Log a user in with a real password post (through axes and the login view) and, where
    the role requires it, the real second step."""
    return login_client


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


# --- Figures: counted suites report what they proved (SECURITY.md pass figures). ---------------
# A test calls ``record_property("figure", "probe: 812 requests, leaks: 0")``; the property travels
# with the test report (also from xdist workers), and the figures are printed at the end of the
# run under "finsam: figures", so the CI log carries them.
_FIGURES: list[str] = []


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed:
        _FIGURES.extend(
            value for name, value in report.user_properties if name in ("figure", "security-probe")
        )


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section("finsam: figures")
        for line in sorted(set(_FIGURES)):
            terminalreporter.write_line(line)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before a ``serialized_rollback`` test restores the database as it was after migrations:
    empty the content types (and, by cascade, permissions) that an ordinary transactional test's
    flush recreated under new primary keys, so the restore puts back the original ones instead
    of clashing with them."""
    marker = item.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("serialized_rollback"):
        return
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    if not connection.settings_dict["NAME"].startswith("test_"):
        return  # the test database is not set up yet: it is fresh anyway
    _serialized_contents(connection)  # what Django's set-up restores from
    with item.config.stash[blocking_manager_key].unblock():
        from django.contrib.contenttypes.models import ContentType

        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE django_content_type CASCADE")
        ContentType.objects.clear_cache()
