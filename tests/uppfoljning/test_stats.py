import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from insatser.models import Registreringsform
from tests.factories import InsatsFactory
from uppfoljning.stats import (
    Period,
    build_snapshot,
    full_year,
    half_year,
    last_closed_half_year,
    last_closed_year,
)

pytestmark = pytest.mark.django_db
H1 = half_year(2025)


def test_periods_follow_fk_half_year_and_year():
    assert half_year(2025) == Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    assert full_year(2025) == Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert last_closed_half_year(dt.date(2026, 6, 30)) == half_year(2025)
    assert last_closed_half_year(dt.date(2026, 7, 1)) == half_year(2026)
    assert last_closed_year(dt.date(2026, 1, 1)) == full_year(2025)


def test_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="före"):
        Period(dt.date(2025, 2, 1), dt.date(2025, 1, 1))


def _table(snapshot, section, table):
    sec = next(s for s in snapshot["sektioner"] if s["key"] == section)
    return next(t for t in sec["tables"] if t["key"] == table)


def test_insats_active_on_one_day_of_the_period_counts(forbund):
    # Edges: ends on the first day, starts on the last day, ends the day before, starts after.
    InsatsFactory(
        status="PAGAENDE",
        forbund=forbund,
        startdatum=dt.date(2024, 1, 1),
        slutdatum=dt.date(2025, 1, 1),
    )
    InsatsFactory(status="PAGAENDE", forbund=forbund, startdatum=dt.date(2025, 6, 30))
    InsatsFactory(
        status="PAGAENDE",
        forbund=forbund,
        startdatum=dt.date(2024, 1, 1),
        slutdatum=dt.date(2024, 12, 31),
    )
    InsatsFactory(status="PAGAENDE", forbund=forbund, startdatum=dt.date(2025, 7, 1))
    InsatsFactory(
        status="PAGAENDE",
        forbund=forbund,
        startdatum=dt.date(2025, 3, 1),
        registreringsform=Registreringsform.VOLYM,
    )
    snapshot = build_snapshot(forbund=forbund, period=H1)
    rows = {
        r[0]: r[1:] for r in _table(snapshot, "insatser", "insatser_per_registreringsform")["rows"]
    }
    assert rows["Deltagare per person"] == [2, 1, 1]  # aktiva, nya, avslutade
    assert rows["Volym per månad"] == [1, 1, 0]
    assert rows["Totalt"] == [3, 2, 1]
    figures = {f["key"]: f.get("value") for f in snapshot["nyckeltal"]}
    assert figures["insatser_aktiva"] == 3


def test_other_forbund_never_counts(forbund, other_forbund):
    InsatsFactory(status="PAGAENDE", forbund=other_forbund, startdatum=dt.date(2025, 1, 1))
    snapshot = build_snapshot(forbund=forbund, period=H1)
    assert {f["key"]: f.get("value") for f in snapshot["nyckeltal"]}["insatser_aktiva"] == 0
    national = build_snapshot(forbund=None, period=H1)
    assert {f["key"]: f.get("value") for f in national["nyckeltal"]}["insatser_aktiva"] == 1
    assert national["meta"]["antal_forbund"] == 2


def test_forbundet_lists_members_and_kommuner_of_the_period(forbund):
    snapshot = build_snapshot(forbund=forbund, period=H1)
    kommuner = _table(snapshot, "forbundet", "kommuner")["rows"]
    assert [k[1] for k in kommuner] == ["Säter", "Hedemora"]  # in kommunkod order
    assert len(_table(snapshot, "forbundet", "medlemmar")["rows"]) == 5


def test_query_count_does_not_grow_with_the_number_of_insatser(forbund):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (10, 200):
        InsatsFactory.create_batch(
            n, status="PAGAENDE", forbund=forbund, startdatum=dt.date(2025, 2, 1)
        )
        with CaptureQueriesContext(connection) as ctx:
            build_snapshot(forbund=forbund, period=H1)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_snapshot_is_json_and_command_prints_it(forbund):
    InsatsFactory(status="PAGAENDE", forbund=forbund, startdatum=dt.date(2025, 2, 1))
    out = StringIO()
    call_command("rapport_stats", forbund=forbund.namn, typ="halvar", ar=2025, stdout=out)
    data = json.loads(out.getvalue())
    assert data["schema"] == 1
    assert data["meta"]["period"] == {"start": "2025-01-01", "slut": "2025-06-30"}
    assert data == json.loads(json.dumps(build_snapshot(forbund=forbund, period=H1)))


def test_command_rejects_unknown_forbund_with_a_message(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Hittar inget förbund"):
        call_command("rapport_stats", forbund="Finns inte", ar=2025)
