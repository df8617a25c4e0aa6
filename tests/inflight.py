"""A write in flight: a transaction on its own connection that has written but not committed,
for the tests of the exact caches (a cache filled meanwhile must not hide it after its
commit)."""

from __future__ import annotations

import threading
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def write_in_flight(sql: str, params: list):
    """Run ``sql`` in a transaction of another thread and keep it uncommitted for the body of
    the ``with``; commit it when the body ends (and fail if the writer failed)."""
    written = threading.Event()
    commit = threading.Event()
    errors: list[BaseException] = []

    def writer():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                written.set()
                assert commit.wait(30)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            written.set()
            connection.close()

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    assert written.wait(30)
    try:
        yield
    finally:
        commit.set()
        thread.join(30)
    assert not errors, errors
