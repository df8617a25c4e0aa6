"""SECURITY 4–6: identity only with consent (every write path), protected identity never
stored, withdrawal leaves no trace of the identity anywhere in the database."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from deltagare import crypto, services
from deltagare.models import Deltagande
from tests.deltagare.factories import make_pnr, register_anonymous, register_identified

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

CANARY_PNR = make_pnr(dt.date(1993, 9, 27), 317)
CANARY_NAME = "Kanarie Fågelsdotter"


def _database_text() -> str:
    """Every row of every table in the schema, as JSON text."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        chunks = []
        for table in tables:
            cursor.execute(f'SELECT row_to_json(t)::text FROM "{table}" t')  # noqa: S608
            chunks.extend(row[0] for row in cursor.fetchall())
    return "\n".join(chunks)


def _needles() -> list[str]:
    # The plaintext could only appear by a bug; the keyed hash appears whenever the identity is
    # stored at all (encrypted), so its absence proves nothing identifying is left.
    return [CANARY_PNR, CANARY_PNR[2:], CANARY_PNR[2:8], "Kanarie", crypto.lookup_hash(CANARY_PNR)]


def _assert_no_canary():
    text = _database_text()
    for needle in _needles():
        assert needle not in text


def test_protected_identity_leaves_no_trace_even_when_typed_in(insats, user, login, settings):
    client = login(user)
    client.post(
        f"/deltagare/insats/{insats.uuid}/registrera/?skyddad=ja&samtycke=ja",
        {
            "kon": "K",
            "fodelsear": "1993",
            "inskrivning": "2026-02-01",
            "personnummer": CANARY_PNR,
            "namn": CANARY_NAME,
        },
    )
    assert Deltagande.objects.get().person is None
    _assert_no_canary()
    media = list(settings.MEDIA_ROOT.rglob("*")) if settings.MEDIA_ROOT.exists() else []
    assert not any("Kanarie" in p.name or CANARY_PNR in p.name for p in media)


def test_withdrawal_leaves_no_trace_of_the_identity(insats, user):
    d = register_identified(insats, user, pnr=CANARY_PNR, namn=CANARY_NAME)
    assert crypto.lookup_hash(CANARY_PNR) in _database_text()
    services.samtycke_withdraw(deltagande=d, user=user)
    _assert_no_canary()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM deltagare_person")
        assert cursor.fetchone() == (0,)


def test_anonymous_participation_with_details_is_refused_by_every_write_path(insats, user):
    d = register_anonymous(insats, user)
    attempts = [
        lambda: Deltagande.objects.filter(pk=d.pk).update(utbildning_id="GYMN"),
        lambda: Deltagande.objects.bulk_create(
            [
                Deltagande(
                    forbund=d.forbund,
                    insats=insats,
                    nummer="D-2026-9998",
                    kon_id="K",
                    fodelsear=2000,
                    inskrivning=dt.date(2026, 1, 1),
                    anvisande_part_id="AF",
                )
            ]
        ),
        lambda: connection.cursor().execute(
            "UPDATE deltagare_deltagande SET sysselsattning_fore_id = 'INGEN' WHERE id = %s",
            [d.pk],
        ),
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    d.refresh_from_db()
    assert d.utbildning_id is None


def test_identity_without_consent_is_refused_by_bulk_create(insats, user):
    other = register_identified(insats, user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Deltagande.objects.bulk_create(
            [
                Deltagande(
                    forbund=other.forbund,
                    insats=insats,
                    nummer="D-2026-9997",
                    person=other.person,
                    kon_id="K",
                    fodelsear=1998,
                    inskrivning=dt.date(2026, 2, 1),
                )
            ]
        )


def test_identity_without_consent_is_refused_by_every_write_path(insats, user):
    """SECURITY.md #4: a participation with identity and no consent, tried through the ORM,
    bulk, raw SQL and the file import: every path refused, nothing written, invariant clean.
    (No Celery task writes participations; the admin has no deltagare models.)"""
    from django.contrib import admin

    from deltagare.importer import import_file
    from deltagare.models import Person, Samtycke
    from deltagare.selectors import invariant_violations
    from tests.deltagare.test_import_export import GOOD_ROWS, csv_bytes

    other = register_identified(insats, user)
    fields = {
        "forbund": other.forbund,
        "insats": insats,
        "person": other.person,
        "kon_id": "K",
        "fodelsear": 1998,
        "inskrivning": dt.date(2026, 2, 1),
    }
    attempts = {
        "orm": lambda: Deltagande.objects.create(nummer="D-2026-9990", **fields),
        "bulk": lambda: Deltagande.objects.bulk_create(
            [Deltagande(nummer="D-2026-9991", **fields)]
        ),
        "raw sql": lambda: connection.cursor().execute(
            "UPDATE deltagare_deltagande SET samtycke_id = NULL WHERE id = %s", [other.pk]
        ),
    }
    refused = 0
    for attempt in attempts.values():
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
        refused += 1
    row = {**GOOD_ROWS[0], "samtycke": "nej"}  # identity on a row without consent
    result = import_file(
        content=csv_bytes([row]),
        filename="import.csv",
        forbund=insats.forbund,
        user=user,
        insatser=[insats],
        dry_run=False,
    )
    assert result.errors
    assert result.imported == 0
    refused += 1
    assert not any(m in admin.site._registry for m in (Deltagande, Person, Samtycke))
    assert refused == 4
    assert Deltagande.objects.count() == 1
    assert not any(invariant_violations().values())
