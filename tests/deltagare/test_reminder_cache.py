"""The reminder counts on /deltagare/mina/ are cached (deltagare.selectors.reminder_counts) and
must still always equal a fresh count: every committed write to participations, consents,
försörjning rows or follow-ups, by the services or by raw SQL, and also a write that was in
flight while the cache was filled, shows on the next request. These tests commit (transactional
database), as production does; inside an uncommitted test transaction the cache is never used."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deltagare import selectors, services
from deltagare.models import Dataandring
from tests.deltagare.factories import (
    PNR_A,
    end_identified,
    make_pnr,
    register_anonymous,
    register_identified,
)
from tests.inflight import write_in_flight

# serialized_rollback: the code lists and permissions are there whatever ran before.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()  # this test run's own Redis database
    yield
    cache.clear()


@contextlib.contextmanager
def _counted_parts():
    """The (insats, part) pairs counted again, not served from the cache, during the block:
    what the reminders' one statement returned as counted (``selectors._reminders_statement``)."""
    counted = []
    original = selectors._reminders_statement

    def spy(*args, **kwargs):
        result = original(*args, **kwargs)
        counted.extend(result[2])
        return result

    selectors._reminders_statement = spy
    try:
        yield counted
    finally:
        selectors._reminders_statement = original


def _get(client):
    """The reminders of one request and whether they were counted (not served from the cache)."""
    with _counted_parts() as counted, CaptureQueriesContext(connection) as queries:
        response = client.get("/deltagare/mina/")
    assert response.status_code == 200
    # One statement for the reminders whatever the cache held.
    assert sum("AS saknar_efter" in q["sql"] for q in queries.captured_queries) == 1
    return response.context["reminders"], bool(counted)


def _fresh(client):
    """A count without the cache."""
    cache.clear()
    reminders, counted = _get(client)
    assert counted
    return reminders


def test_cached_until_a_committed_write_changes_what_is_counted(insats, user, login):
    ended = end_identified(register_identified(insats, user), user)
    client = login(user)

    first, counted = _get(client)
    assert counted
    assert (first["aktiva"], first["saknar_efter"], first["uppfoljning"]) == (0, 0, 1)
    again, counted = _get(client)
    print(f"\nreminders {again}, second request served from the cache: {not counted}")
    assert not counted
    assert again == first

    # A registration through the service.
    register_anonymous(insats, user, inskrivning=dt.date(2025, 3, 1))
    after_register, counted = _get(client)
    assert counted
    assert after_register["aktiva"] == 1

    # A consent change in raw SQL (no service, no signal): the trigger still records it.
    open_one = register_identified(
        insats, user, pnr=make_pnr(dt.date(1990, 5, 5)), inskrivning=dt.date(2025, 7, 1)
    )
    _get(client)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE deltagare_samtycke SET giltig_till = %s WHERE id = %s",
            [services.today() + dt.timedelta(days=5), open_one.samtycke_id],
        )
    after_sql, counted = _get(client)
    assert counted
    assert after_sql["samtycke"] == 1

    # A change row of a transaction that was long visible to the cached snapshot.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO deltagare_dataandring (forbund_id, insats_id, ar, xid)"
            " VALUES (%s, %s, 0, 1) ON CONFLICT DO NOTHING",
            [insats.forbund_id, insats.pk],
        )
    cached, counted = _get(client)
    assert not counted
    assert cached == after_sql == _fresh(client)
    assert ended.nummer in client.get("/deltagare/mina/").text
    assert PNR_A not in client.get("/deltagare/mina/").text


def test_a_write_in_flight_while_the_cache_is_filled_shows_after_its_commit(insats, user, login):
    d = register_identified(insats, user, inskrivning=dt.date(2025, 7, 1))
    client = login(user)
    with write_in_flight(
        "UPDATE deltagare_samtycke SET giltig_till = %s WHERE id = %s",
        [services.today() + dt.timedelta(days=5), d.samtycke_id],
    ):
        # A later transaction commits first: the in-flight writer's id is now older than the
        # newest committed one, and only the snapshot's in-progress list still tells them
        # apart.
        register_anonymous(insats, user, inskrivning=dt.date(2025, 3, 1))
        during, counted = _get(client)  # counted and cached while the writer is uncommitted
        assert counted
        assert during["samtycke"] == 0
    after, counted = _get(client)
    assert counted
    assert after == _fresh(client)
    assert after["samtycke"] == 1


def test_each_writing_transaction_is_recorded_once_per_insats_and_year(insats, user):
    register_identified(insats, user)  # person, consent, participation, försörjning rows
    assert list(Dataandring.objects.values_list("forbund", "insats", "ar")) == [
        (insats.forbund_id, insats.pk, 2025)
    ]


def _recounted_parts(client):
    """The parts (``manad``/``ar``/``fjol``/``aldre``) one request counted again."""
    with _counted_parts() as counted:
        assert client.get("/deltagare/mina/").status_code == 200
    return {part for _insats, part in counted}


def _end_older_participation_in_sql(client, old, utskrivning: dt.date) -> dict:
    """End a participation of an older year in raw SQL (no service: the trigger records the
    change anyway); the next request recounts only that part, the one after serves the cache,
    and the figures are a fresh count's. Returns them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE deltagare_deltagande SET utskrivning = %s WHERE id = %s",
            [utskrivning, old.pk],
        )
    assert _recounted_parts(client) == {"aldre"}
    cached, counted = _get(client)
    assert not counted
    assert cached == _fresh(client)
    return cached


def test_a_registration_recounts_only_its_insats_and_year(insats, user, login):
    """A registration today recounts this month's part of its insats, one earlier this year
    the rest of the year; a change to an older participation recounts that year's part; the
    figures stay those of a fresh count."""
    year = services.today().year
    register_anonymous(insats, user, inskrivning=dt.date(year - 4, 3, 1))
    register_anonymous(insats, user, inskrivning=dt.date(year - 1, 3, 1))
    old = register_anonymous(insats, user, inskrivning=dt.date(year - 3, 3, 1))
    client = login(user)
    assert _recounted_parts(client) == {"manad", "ar", "fjol", "aldre"}
    assert _recounted_parts(client) == set()
    register_anonymous(insats, user, inskrivning=services.today())
    assert _recounted_parts(client) == {"manad"}
    alla = 4
    if services.today().month > 1:  # in January the rest of the year is empty
        register_anonymous(insats, user, inskrivning=dt.date(year, 1, 1))
        assert _recounted_parts(client) == {"ar"}
        alla += 1
    cached = _end_older_participation_in_sql(client, old, dt.date(year - 2, 1, 1))
    assert cached["alla"] == alla


def _cached_snapshots(insats) -> dict[str, str]:
    key = f"deltagare:paminnelser:v4:{insats.forbund_id}:{insats.pk}:{services.today()}"
    return {part: entry["snapshot"] for part, entry in cache.get(key).items()}


def test_a_recount_moves_the_insats_other_parts_to_its_snapshot(insats, user, login):
    """When one part of an insats is counted again, its other parts (just found exact) are
    stored under the same new snapshot, so the next check reads only the change rows written
    since; a later write to an older part is still found."""
    year = services.today().year
    old = register_anonymous(insats, user, inskrivning=dt.date(year - 3, 3, 1))
    register_anonymous(insats, user, inskrivning=dt.date(year - 1, 3, 1))
    client = login(user)
    _get(client)
    before = _cached_snapshots(insats)
    register_anonymous(insats, user, inskrivning=services.today())
    assert _recounted_parts(client) == {"manad"}
    after = _cached_snapshots(insats)
    assert set(after) == {"manad", "ar", "fjol", "aldre"}
    assert len(set(after.values())) == 1
    assert after["aldre"] != before["aldre"]
    _end_older_participation_in_sql(client, old, dt.date(year - 2, 1, 1))


def test_prune_deletes_only_rows_no_cache_can_still_need(insats, user, login):
    """The nightly prune deletes change rows of transactions that ended before a horizon taken
    at least DATAANDRING_KEEP ago; every cache checked against them lives shorter than that."""
    from deltagare.models import DATAANDRING_KEEP
    from deltagare.selectors import REMINDER_CACHE_SECONDS

    assert DATAANDRING_KEEP.total_seconds() > REMINDER_CACHE_SECONDS
    register_anonymous(insats, user, inskrivning=dt.date(2025, 3, 1))
    old_rows = set(Dataandring.objects.values_list("xid", flat=True))
    assert old_rows
    assert services.dataandring_prune() == 0  # first run: only records a horizon
    horizon = Dataandring.objects.get(forbund_id=0, insats_id=0)
    # The horizon is the oldest transaction running anywhere in the cluster (other databases
    # included), so it may lie below this test's rows; here it is set just above them.
    register_anonymous(insats, user, inskrivning=dt.date(2025, 4, 1))  # after the horizon
    assert services.dataandring_prune() == 0  # no horizon is old enough yet
    Dataandring.objects.filter(pk=horizon.pk).update(
        xid=max(old_rows) + 1, tidpunkt=horizon.tidpunkt - DATAANDRING_KEEP
    )
    assert services.dataandring_prune() >= len(old_rows)  # and horizons below it
    left = Dataandring.objects.exclude(forbund_id=0)
    assert left.exists()
    assert not left.filter(xid__in=old_rows).exists()
    assert Dataandring.objects.filter(forbund_id=0, xid=max(old_rows) + 1).exists()
    client = login(user)
    assert _get(client)[0] == _fresh(client)
