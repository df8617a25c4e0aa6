"""The dashboard's figures come from partial counts per insats and inskrivning year
(``uppfoljning.stats.partials``), not from ``build_snapshot``: on the golden data set (every
kind of participation: anonymous, withdrawn consent, felregistrering, Okänd details, ages at
the edges, dates on the period's edges) and for periods of every shape, they must equal the
report's figures exactly, unmasked and masked, however the parts are split."""

import datetime as dt

import pytest
from django.db.models import Count, Q

from deltagare.kodlistor import FEL
from deltagare.models import Deltagande
from forbund.selectors_budget import budget_overview, eget_kapital_series
from insatser.models import Insats
from tests.uppfoljning.test_dashboard import dashboard_part
from tests.uppfoljning.test_golden import golden  # noqa: F401 - the fixture
from uppfoljning.dashboard import build_dashboard, year_earlier
from uppfoljning.masking import mask_snapshot
from uppfoljning.stats import Period, build_snapshot, full_year, half_year
from uppfoljning.stats.ekonomi import insats_costs
from uppfoljning.stats.partials import (
    chart_months,
    counts_by_insats,
    dashboard_snapshot,
    partial_counts,
    parts_changed,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("golden")]
D = dt.date

PERIODS = [
    (half_year(2025), D(2026, 1, 15)),
    (full_year(2025), D(2026, 11, 23)),
    (full_year(2024), D(2025, 3, 1)),
    (Period(D(2025, 1, 1), D(2025, 6, 1)), D(2025, 6, 1)),  # an open period: i år hittills
    (Period(D(2025, 3, 15), D(2025, 5, 20)), D(2025, 12, 1)),  # egen, mid-month edges
    (Period(D(2024, 12, 31), D(2025, 1, 1)), D(2025, 1, 1)),  # two days over a year's end
    (Period(D(2022, 1, 1), D(2025, 12, 31)), D(2026, 2, 1)),  # longer than the chart's months
]


def _partial_snapshot(forbund, period, day, parts=None):
    counts = partial_counts(forbund_id=forbund.pk, period=period, day=day, parts=parts)
    return dashboard_snapshot(
        forbund_namn=forbund.namn,
        period=period,
        per_insats=counts_by_insats(counts, period),
        labels=list(
            Insats.objects.filter(forbund=forbund).order_by("kod").values_list("pk", "kod", "namn")
        ),
        insats_costs=insats_costs([forbund.pk], period),
    )


def _per_month_reference(forbund, period):
    """Active participations per chart month by kön, counted row by row with the ORM."""
    out = []
    for year, month in chart_months(period):
        first = D(year, month, 1)
        last = D(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        counts = (
            Deltagande.objects.filter(forbund=forbund, inskrivning__lte=last)
            .filter(Q(utskrivning__isnull=True) | Q(utskrivning__gte=first))
            .exclude(avslutsorsak_id=FEL)
            .aggregate(**{k: Count("id", filter=Q(kon_id=k)) for k in ("K", "M", "X")})
        )
        out.append({"month": f"{year}-{month:02d}", **counts})
    return out


@pytest.mark.parametrize(("period", "day"), PERIODS)
def test_partial_counts_equal_the_report_unmasked_and_per_month(forbund, period, day):
    snapshot, per_month = _partial_snapshot(forbund, period, day)
    report = build_snapshot(forbund=forbund, period=period)
    assert dashboard_part(snapshot) == dashboard_part(report)
    assert dashboard_part(mask_snapshot(snapshot)) == dashboard_part(mask_snapshot(report))
    assert per_month == _per_month_reference(forbund, period)


def test_the_parts_sum_to_the_whole_however_they_are_split(forbund):
    period, day = full_year(2025), D(2025, 12, 31)
    whole = partial_counts(forbund_id=forbund.pk, period=period, day=day)
    # Inskrivning years 2024 (fjol) and 2025 (ar); nothing older in the golden data.
    assert {part for _insats, part in whole} == {"ar", "fjol"}
    for part in list(whole):
        alone = partial_counts(forbund_id=forbund.pk, period=period, day=day, parts=[part])
        assert alone == {part: whole[part]}
    assert partial_counts(forbund_id=forbund.pk, period=period, day=day, parts=[]) == {}
    assert _partial_snapshot(forbund, period, day, parts=list(whole)) == _partial_snapshot(
        forbund, period, day
    )


def test_the_dashboard_equals_the_board_version_of_both_reports(forbund):
    for period, day in PERIODS:
        dashboard = build_dashboard(forbund=forbund, period=period, today=day)
        now = mask_snapshot(build_snapshot(forbund=forbund, period=period))
        before = mask_snapshot(build_snapshot(forbund=forbund, period=year_earlier(period)))
        assert dashboard_part(dashboard.snapshot) == dashboard_part(now), period
        assert dashboard_part(dashboard.previous) == dashboard_part(before), period
        # The money figures as the förbund's budget pages show them.
        year = period.slut.year
        series = {r.ar: r for r in eget_kapital_series(forbund=forbund, today=day, until=year)}
        row = series.get(year)
        assert dashboard.eget_kapital == (
            None
            if row is None
            else {
                "kr": int(row.utgaende),
                "troskel": int(row.troskel),
                "over": row.over_troskel,
                "prognos": row.prognos,
            }
        )
        overview = budget_overview(forbund=forbund, ar=year, today=day)
        used = next(f for f in dashboard.figures if f["key"] == "budget_forbrukad")
        assert (used["kr"], used["kr_of"]) == (overview.summa_utfall, overview.summa_budget)


def test_change_rows_name_the_parts_they_can_change():
    """A registration today changes its insats's part of this month; a change to an older
    participation the part of its year; a consent (year 0) every part of its insats; a row
    without a month (written before months were recorded) every part of its year."""
    day = D(2026, 11, 23)
    assert parts_changed({(1, 2026, 11)}, day) == {(1, "manad")}
    assert parts_changed({(1, 2027, 1)}, day) == {(1, "manad")}  # registered ahead
    assert parts_changed({(1, 2026, 3)}, day) == {(1, "ar")}
    assert parts_changed({(1, 2026, 0)}, day) == {(1, "manad"), (1, "ar")}
    assert parts_changed({(1, 2025, 7)}, day) == {(1, "fjol")}
    assert parts_changed({(1, 2019, 7)}, day) == {(1, "aldre")}
    assert parts_changed({(2, 0, 0)}, day) == {(2, p) for p in ("manad", "ar", "fjol", "aldre")}
