"""The board's dashboard is served from an exact cache (uppfoljning.dashboard): partial counts
per insats and inskrivning year plus the förbund's own figures, each entry with the database
snapshot it was computed under. Every committed write that can change a figure, by the services
or by raw SQL, and also a write that was in flight while the cache was filled, must show on the
next request, exactly as a fresh computation (and the report) gives it; and only what changed is
counted again. These tests commit (transactional database), as production does: inside an
uncommitted transaction that has written, the cache is never used."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from deltagare import kodlistor, services
from deltagare.models import Deltagande
from forbund.models import (
    FORBUNDSANDRING_KEEP,
    Budget,
    Budgetpost,
    Budgetrad,
    Forbundsandring,
    Utfall,
)
from insatser.models import Insatskostnad
from tests.deltagare.factories import (
    end_identified,
    make_pnr,
    person_insats,
    register_anonymous,
    register_identified,
    samtycke_personligen,
    staff_on,
)
from tests.inflight import write_in_flight
from tests.uppfoljning.test_dashboard import dashboard_part
from uppfoljning.dashboard import CACHE_SECONDS, build_dashboard, period_for
from uppfoljning.masking import mask_snapshot
from uppfoljning.stats import build_snapshot
from uppfoljning.stats.partials import PARTS

# serialized_rollback: the code lists and permissions are there whatever ran before.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
D = dt.date
TODAY = D(2026, 11, 23)
PERIOD = period_for("i_ar", TODAY)  # open: 2026-01-01 – 2026-11-23, compared with 2025


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()  # this test run's own Redis database
    yield
    cache.clear()


@pytest.fixture
def world(forbund):
    """Two insatser with participations from 2024 to this year: identified and anonymous,
    ended with outcomes and ongoing; costs for one of them."""
    kodlistor.ensure_loaded()
    unga = person_insats(forbund, kod="UNGA", namn="Ungdomsteamet", status="PAGAENDE")
    mob = person_insats(forbund, kod="MOB", namn="Mobilisering", status="PAGAENDE")
    user = staff_on(unga)
    staff_on(mob, medlem=unga.personuppgiftsansvarig, username="mob-staff")
    for i, (insats, start, end) in enumerate(
        [
            (unga, D(2024, 3, 1), D(2025, 2, 28)),
            (unga, D(2025, 2, 1), D(2026, 4, 30)),
            (unga, D(2025, 6, 1), None),
            (unga, D(2026, 2, 1), D(2026, 9, 30)),
            (mob, D(2024, 9, 1), None),
            (mob, D(2026, 3, 1), D(2026, 6, 15)),
        ]
        * 2
    ):
        d = register_identified(
            insats,
            user,
            pnr=make_pnr(D(1990 + i % 12, 1 + i % 12, 1 + i), 300 + i),
            inskrivning=start,
            samtycke=samtycke_personligen(start),
            kon="KM"[i % 2],
        )
        if end:
            end_identified(d, user, end, sysselsattning_efter=["ARBETE", "ARBSOK"][i % 2])
    for i in range(6):
        register_anonymous(unga, user, inskrivning=D(2026, 1 + i, 1), kon="KMX"[i % 3])
    for manad in (1, 2, 3):
        Insatskostnad.objects.create(
            forbund=forbund, insats=unga, ar=2026, manad=manad, belopp=90_000
        )
    return {"forbund": forbund, "unga": unga, "mob": mob, "user": user}


def _build(forbund):
    """The dashboard of one request, and what it counted: the partial-count statements (one
    per period with changed parts) and whether the förbund's own figures were read again."""
    with CaptureQueriesContext(connection) as queries:
        dashboard = build_dashboard(forbund=forbund, period=PERIOD, today=TODAY)
    sql = [q["sql"] for q in queries.captured_queries]
    counted = [s for s in sql if "AS part" in s]
    money = any('FROM "forbund_utfall"' in s for s in sql)
    return dashboard, counted, money, len(sql)


def _parts_counted(sql: str) -> dict[str, str]:
    """The insatser per part (``manad``/``ar``/``fjol``/``aldre``) a partial-count statement
    counted, read off its SQL (one clause per part, in that order)."""
    clauses = sql.split("d.insats_id = ANY(")[1:]
    assert len(clauses) == len(PARTS)
    return {part: clause.split("'", 2)[1] for part, clause in zip(PARTS, clauses, strict=True)}


def _view(dashboard):
    return (
        dashboard.figures,
        dashboard.per_month,
        dashboard.money_month,
        dashboard.insats_rows,
        dashboard.charts,
        dashboard.eget_kapital,
    )


def _fresh(forbund):
    """A computation without the cache, checked against the reports themselves."""
    cache.clear()
    dashboard, counted, money, _n = _build(forbund)
    assert len(counted) == 2
    assert money
    report = mask_snapshot(build_snapshot(forbund=forbund, period=PERIOD))
    assert dashboard_part(dashboard.snapshot) == dashboard_part(report)
    return _view(dashboard)


def _row(dashboard, kod: str) -> dict:
    return next(r for r in dashboard.insats_rows if r["kod"] == kod)


def _aktiva(dashboard) -> int:
    return next(f["value"] for f in dashboard.figures if f["key"] == "deltagare_aktiva")


def test_served_from_the_cache_until_a_registration_and_then_only_its_part_is_counted(world):
    forbund, unga, user = world["forbund"], world["unga"], world["user"]
    first, counted, money, _n = _build(forbund)
    assert len(counted) == 2
    assert money
    again, counted, money, queries = _build(forbund)
    print(f"\ndashboard served from the cache in {queries} queries")
    assert counted == []
    assert not money
    assert queries <= 3  # the snapshot and the two change checks
    assert _view(again) == _view(first)

    register_anonymous(unga, user, inskrivning=TODAY, kon="K")
    after, counted, money, _n = _build(forbund)
    # Only this period's statement, and in it only this insats's part of this month.
    assert len(counted) == 1
    assert not money
    assert _parts_counted(counted[0]) == {
        "manad": f"{{{unga.pk}}}",
        "ar": "{}",
        "fjol": "{}",
        "aldre": "{}",
    }
    assert _aktiva(after) == _aktiva(first) + 1
    assert _view(after) == _fresh(forbund)


def test_raw_sql_on_an_older_participation_recounts_that_part_in_both_periods(world):
    forbund, mob = world["forbund"], world["mob"]
    _build(forbund)
    old = Deltagande.objects.filter(insats=mob, inskrivning=D(2024, 9, 1)).first()
    with connection.cursor() as cursor:  # no service, no signal: the trigger records it
        cursor.execute(
            "UPDATE deltagare_deltagande SET kon_id = 'X' WHERE id = %s",
            [old.pk],
        )
    after, counted, money, _n = _build(forbund)
    assert len(counted) == 2
    assert not money
    assert _view(after) == _fresh(forbund)


def test_withdrawn_consent_and_ending_a_participation_show(world):
    forbund, unga, user = world["forbund"], world["unga"], world["user"]
    _build(forbund)
    ongoing = Deltagande.objects.filter(
        insats=unga, utskrivning__isnull=True, person__isnull=False
    ).first()
    end_identified(ongoing, user, D(2026, 10, 1), sysselsattning_efter="STUDIER")
    ended, counted, _money, _n = _build(forbund)
    assert counted
    assert _view(ended) == _fresh(forbund)
    _build(forbund)
    services.samtycke_withdraw(deltagande=ongoing, user=user)  # every part of its insats
    withdrawn, counted, _money, _n = _build(forbund)
    assert counted
    assert _view(withdrawn) == _fresh(forbund)


def test_the_first_participation_of_an_insats_the_cache_did_not_know_shows(world):
    forbund, user = world["forbund"], world["user"]
    _build(forbund)
    ny = person_insats(forbund, kod="NY", namn="Ny insats", status="PAGAENDE")
    before, _counted, money, _n = _build(forbund)
    assert money  # a new insats is the förbund's own data
    assert _row(before, "NY")["deltagare"] == 0
    staff_on(ny, medlem=ny.personuppgiftsansvarig, username="ny-staff")
    for _ in range(6):
        register_anonymous(ny, user, inskrivning=D(2026, 5, 1), kon="M")
    after, counted, _money, _n = _build(forbund)
    assert len(counted) == 1
    assert _row(after, "NY")["deltagare"] == 6
    assert _view(after) == _fresh(forbund)


def test_the_forbunds_own_figures_are_read_again_when_they_change(world):
    forbund, unga = world["forbund"], world["unga"]
    first, _c, _m, _n = _build(forbund)
    Utfall.objects.create(
        forbund=forbund, datum=D(2026, 3, 1), post=Budgetpost.KANSLI_PERSONAL, belopp=250_000
    )
    booked, counted, money, _n = _build(forbund)
    assert money
    assert not counted
    used = next(f for f in booked.figures if f["key"] == "budget_forbrukad")
    assert (
        used["kr"]
        == next(f for f in first.figures if f["key"] == "budget_forbrukad")["kr"] + 250_000
    )
    assert _view(booked) == _fresh(forbund)

    _build(forbund)
    budget = Budget.objects.create(forbund=forbund, ar=2026)  # a draft: in force until decided
    rad = Budgetrad.objects.create(
        forbund=forbund, budget=budget, post=Budgetpost.KANSLI_PERSONAL, belopp=Decimal(900_000)
    )
    drafted, _counted, money, _n = _build(forbund)
    assert money
    assert _view(drafted) == _fresh(forbund)
    with connection.cursor() as cursor:  # raw SQL: the trigger records it anyway
        cursor.execute("UPDATE forbund_budgetrad SET belopp = 950000 WHERE id = %s", [rad.pk])
    changed, _counted, money, _n = _build(forbund)
    assert money
    assert _view(changed) != _view(drafted)
    assert _view(changed) == _fresh(forbund)

    _build(forbund)
    Insatskostnad.objects.filter(insats=unga, manad=1).update(belopp=10_000)
    cheaper, _counted, money, _n = _build(forbund)
    assert money
    assert _view(cheaper) == _fresh(forbund)


def test_a_write_in_flight_while_the_cache_is_filled_shows_after_its_commit(world):
    forbund, unga, user = world["forbund"], world["unga"], world["user"]
    target = Deltagande.objects.filter(insats=unga, kon_id="M").first()
    with write_in_flight("UPDATE deltagare_deltagande SET kon_id = 'K' WHERE id = %s", [target.pk]):
        # A later transaction commits first: only the snapshot's in-progress list still tells
        # the in-flight writer apart from what the cache saw.
        register_anonymous(world["mob"], user, inskrivning=D(2026, 7, 1))
        during, counted, _money, _n = _build(forbund)  # computed and cached while uncommitted
        assert counted
    after, counted, _money, _n = _build(forbund)
    assert counted
    assert _view(after) != _view(during)
    assert _view(after) == _fresh(forbund)


def test_each_writing_transaction_is_recorded_once_per_forbund(world):
    forbund = world["forbund"]
    Forbundsandring.objects.all().delete()
    with transaction.atomic():
        for day in (1, 2, 3):
            Utfall.objects.create(
                forbund=forbund, datum=D(2026, 4, day), post=Budgetpost.REVISION, belopp=1_000
            )
    assert list(Forbundsandring.objects.values_list("forbund", flat=True)) == [forbund.pk]


def test_prune_deletes_only_rows_no_cache_can_still_need(world):
    """The nightly prune deletes change rows of transactions that ended before a horizon taken
    at least FORBUNDSANDRING_KEEP ago; every dashboard entry lives shorter than that."""
    from deltagare.models import DATAANDRING_KEEP
    from forbund.services import forbundsandring_prune

    assert FORBUNDSANDRING_KEEP.total_seconds() > CACHE_SECONDS
    assert DATAANDRING_KEEP.total_seconds() > CACHE_SECONDS
    forbund = world["forbund"]
    old_rows = set(Forbundsandring.objects.values_list("xid", flat=True))
    assert old_rows
    assert forbundsandring_prune() == 0  # first run: only records a horizon
    horizon = Forbundsandring.objects.get(forbund_id=0)
    Utfall.objects.create(
        forbund=forbund, datum=D(2026, 4, 1), post=Budgetpost.REVISION, belopp=1_000
    )
    assert forbundsandring_prune() == 0  # no horizon is old enough yet
    Forbundsandring.objects.filter(pk=horizon.pk).update(
        xid=max(old_rows) + 1, tidpunkt=horizon.tidpunkt - FORBUNDSANDRING_KEEP
    )
    assert forbundsandring_prune() >= len(old_rows)
    left = Forbundsandring.objects.exclude(forbund_id=0)
    assert left.exists()
    assert not left.filter(xid__in=old_rows).exists()
    first, _c, _m, _n = _build(forbund)
    assert _view(first) == _fresh(forbund)


def test_a_registration_is_recorded_with_its_inskrivning_month(world):
    from deltagare.models import Dataandring

    unga, user = world["unga"], world["user"]
    Dataandring.objects.all().delete()
    register_anonymous(unga, user, inskrivning=D(2026, 2, 14))
    assert list(Dataandring.objects.values_list("insats", "ar", "manad")) == [(unga.pk, 2026, 2)]
