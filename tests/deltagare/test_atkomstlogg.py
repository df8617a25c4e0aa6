"""The access log is append-only (triggers) and hash-chained."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from deltagare import services
from deltagare.models import Anonymisering, Atkomst, Atkomstlogg
from deltagare.selectors import atkomstlogg_verify_chain
from tests.deltagare.factories import PNR_B, person_insats, register_identified, staff_on

pytestmark = pytest.mark.django_db
APP_ROLE = "finsam_app_test"


@pytest.fixture
def logged(forbund, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), tick=False)
    insats = person_insats(forbund)
    user = staff_on(insats)
    d = register_identified(insats, user)
    for _ in range(3):
        services.atkomstlogg_write(user=user, forbund=forbund, vad=Atkomst.VISA, deltagande=d)
    erased = register_identified(insats, user, pnr=PNR_B)
    services.samtycke_withdraw(deltagande=erased, user=user)
    # Django's foreign keys are deferred: run their checks now, so TRUNCATE/ALTER may proceed.
    connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
    return d


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE deltagare_atkomstlogg SET vad = 'EXPORT'",
        "DELETE FROM deltagare_atkomstlogg",
    ],
)
def test_update_and_delete_are_refused_even_for_the_owner(logged, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        connection.cursor().execute(sql)
    assert Atkomstlogg.objects.count() == 5


def _as_app_role(cursor):
    cursor.execute(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'finsam_app_test') "
        "THEN CREATE ROLE finsam_app_test NOLOGIN; END IF; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    )
    cursor.execute(
        f"GRANT SELECT, UPDATE, DELETE, TRUNCATE ON deltagare_atkomstlogg, "
        f"deltagare_anonymisering TO {APP_ROLE}"
    )
    cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")


@pytest.mark.parametrize("table", ["deltagare_atkomstlogg", "deltagare_anonymisering"])
@pytest.mark.parametrize("operation", ["UPDATE {t} SET id = id", "DELETE FROM {t}", "TRUNCATE {t}"])
def test_application_role_cannot_change_or_empty_the_logs(logged, table, operation):
    with transaction.atomic():
        cursor = connection.cursor()
        _as_app_role(cursor)
        with pytest.raises(DatabaseError, match="append-only"):
            cursor.execute(operation.format(t=table))
        transaction.set_rollback(True)
    assert Atkomstlogg.objects.count() == 5
    assert Anonymisering.objects.count() == 1


def test_erasure_ledger_refuses_update(logged):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Anonymisering.objects.update(nummer="X")


def test_chain_is_intact_and_names_a_row_a_superuser_altered(logged):
    forbund_id = logged.forbund_id
    assert atkomstlogg_verify_chain(forbund_id=forbund_id) == []
    rows = list(Atkomstlogg.objects.filter(forbund_id=forbund_id).order_by("kedja"))
    assert [r.kedja for r in rows] == [1, 2, 3, 4, 5]
    assert rows[1].prev_hash == rows[0].hash
    victim = rows[2]
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE deltagare_atkomstlogg DISABLE TRIGGER atkomstlogg_no_update")
        cursor.execute("UPDATE deltagare_atkomstlogg SET vad = 'SOK' WHERE id = %s", [victim.pk])
        cursor.execute("ALTER TABLE deltagare_atkomstlogg ENABLE TRIGGER atkomstlogg_no_update")
    assert atkomstlogg_verify_chain(forbund_id=forbund_id) == [victim.pk]


def test_anomalies_flag_mass_reads_night_reads_and_identity_exports(forbund, time_machine):
    import uuid

    from deltagare.selectors import atkomstlogg_anomalies
    from finsam.roles import Role
    from tests.factories import user_with_role

    normal, bulk, night, exporter = (user_with_role(forbund, Role.HANDLAGGARE) for _ in range(4))

    def reads(user, when, persons, vad=Atkomst.VISA):
        time_machine.move_to(when, tick=False)
        Atkomstlogg.objects.bulk_create(
            [
                Atkomstlogg(forbund=forbund, user=user, person_uuid=uuid.uuid4(), vad=vad)
                for _ in range(persons)
            ]
        )

    for day in range(1, 11):  # ten ordinary working days, 25 persons each
        reads(normal, dt.datetime(2026, 2, day, 9, tzinfo=dt.UTC), 25)
    reads(bulk, dt.datetime(2026, 2, 3, 10, tzinfo=dt.UTC), 35)
    reads(night, dt.datetime(2026, 2, 4, 22, 30, tzinfo=dt.UTC), 2)  # 23:30 in Stockholm
    reads(exporter, dt.datetime(2026, 2, 5, 13, tzinfo=dt.UTC), 3, vad=Atkomst.EXPORT)
    findings = atkomstlogg_anomalies(Atkomstlogg.objects.filter(forbund=forbund))
    flagged = {(f["user"], f["typ"], f["n"]) for f in findings}
    assert flagged == {
        (bulk, "Många olika personer lästa samma dag", 35),
        (night, "Läsningar nattetid (22–06)", 2),
        (exporter, "Export med personnummer", 3),
    }


def test_ten_seeded_anomalies_among_ten_thousand_reads_are_all_flagged(
    forbund, time_machine, record_property
):
    """SECURITY.md #9: 10 anomalies hidden in 10,000 reads by 20 staff over 20 working days;
    the review flags exactly those 10 (user and day), and nothing else."""
    import random
    import uuid

    from deltagare.selectors import MANGA_LASNINGAR, atkomstlogg_anomalies
    from finsam.roles import Role
    from tests.factories import user_with_role

    rng = random.Random(9)
    staff = [user_with_role(forbund, Role.HANDLAGGARE) for _ in range(20)]
    days = [
        d for d in (dt.date(2026, 3, 1) + dt.timedelta(n) for n in range(28)) if d.weekday() < 5
    ]
    days = days[:20]
    caseload = {u.pk: [uuid.uuid4() for _ in range(MANGA_LASNINGAR)] for u in staff}
    mass = {(staff[0], days[2]), (staff[5], days[7]), (staff[9], days[11]), (staff[14], days[19])}
    night = {(staff[1], days[3]), (staff[6], days[8]), (staff[17], days[15])}
    export = {(staff[2], days[4]), (staff[11], days[12]), (staff[19], days[18])}
    seeded_reads = 40 * len(mass) + len(night) + len(export)
    normal_reads = 10_000 - seeded_reads
    per_user_day = [normal_reads // 400 + (1 if i < normal_reads % 400 else 0) for i in range(400)]
    total = 0
    for d_index, day in enumerate(days):
        time_machine.move_to(dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC), tick=False)
        rows = []
        for u_index, user in enumerate(staff):
            n = per_user_day[d_index * 20 + u_index]
            own = caseload[user.pk]  # an ordinary day: the own caseload, some people twice
            rows += [
                Atkomstlogg(
                    forbund=forbund, user=user, person_uuid=rng.choice(own), vad=Atkomst.VISA
                )
                for _ in range(n)
            ]
            if (user, day) in mass:
                rows += [
                    Atkomstlogg(
                        forbund=forbund, user=user, person_uuid=uuid.uuid4(), vad=Atkomst.VISA
                    )
                    for _ in range(40)
                ]
            if (user, day) in export:
                rows.append(
                    Atkomstlogg(forbund=forbund, user=user, person_uuid=None, vad=Atkomst.EXPORT)
                )
        Atkomstlogg.objects.bulk_create(rows)
        total += len(rows)
        late = [(u, d) for (u, d) in night if d == day]
        if late:  # 23:30 in Stockholm
            time_machine.move_to(
                dt.datetime.combine(day, dt.time(22, 30), tzinfo=dt.UTC), tick=False
            )
            Atkomstlogg.objects.bulk_create(
                [
                    Atkomstlogg(forbund=forbund, user=u, person_uuid=uuid.uuid4(), vad=Atkomst.VISA)
                    for u, _ in late
                ]
            )
            total += len(late)
    assert total == Atkomstlogg.objects.filter(forbund=forbund).count() == 10_000
    findings = atkomstlogg_anomalies(Atkomstlogg.objects.filter(forbund=forbund))
    flagged = {(f["user"], f["dag"], f["typ"]) for f in findings}
    expected = (
        {(u, d, "Många olika personer lästa samma dag") for u, d in mass}
        | {(u, d, "Läsningar nattetid (22–06)") for u, d in night}
        | {(u, d, "Export med personnummer") for u, d in export}
    )
    assert len(expected) == 10
    assert flagged == expected, (
        f"{len(flagged & expected)}/10 flagged, {len(flagged - expected)} false"
    )
