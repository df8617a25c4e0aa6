"""The participant list's hand-written statement (``deltagare.lista``, behind
``selectors.deltagande_list``) must show exactly what the ORM definitions select: the visible
participations (förbund, granted insatser of the user's employer), every filter of the list's
form, the data-quality flags of ``selectors.with_flags``, the order and the count."""

import datetime as dt
import itertools

import pytest
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.test import RequestFactory

from deltagare import selectors, services
from deltagare.kodlistor import ALDERSGRUPPER
from finsam.selectors import roles_for_user
from tests.deltagare.factories import (
    end_identified,
    make_pnr,
    person_insats,
    region_medlem,
    register_anonymous,
    register_identified,
    staff_on,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]


def _request(user, forbund):
    request = RequestFactory().get("/deltagare/mina/")
    request.user, request.forbund = user, forbund
    request.roll_rows = roles_for_user(user)
    request.roles = frozenset(r.roll for r in request.roll_rows if r.forbund_id == forbund.pk)
    return request


def _orm_list(request, flt: selectors.Filter, day):
    """The list as the ORM selected it before the statement was written out by hand."""
    qs = selectors.deltagande_qs_for_user(request).select_related("insats", "kon")
    if flt.insats is not None:
        qs = qs.filter(insats=flt.insats)
    if flt.status == "aktiva":
        qs = qs.filter(utskrivning__isnull=True)
    elif flt.status == "avslutade":
        qs = qs.filter(utskrivning__isnull=False)
    if flt.fran or flt.till:
        qs = qs.active_in(flt.fran or dt.date(1900, 1, 1), flt.till or dt.date(2999, 12, 31))
    if flt.kon:
        qs = qs.filter(kon_id=flt.kon)
    if flt.aldersgrupp:
        qs = qs.alias(alder=F("inskrivning__year") - F("fodelsear"))
        low, high = next((lo, hi) for k, lo, hi, _l in ALDERSGRUPPER if k == flt.aldersgrupp)
        if low is not None:
            qs = qs.filter(alder__gte=low)
        if high is not None:
            qs = qs.filter(alder__lte=high)
    qs = selectors.with_flags(qs, day)
    flags = {
        "efter": Q(flag_saknar_efter=True),
        "uppfoljning": Q(flag_uppfoljning=True),
        "samtycke": Q(flag_samtycke=True),
    }
    if flt.saknas == "alla":
        qs = qs.filter(flags["efter"] | flags["uppfoljning"] | flags["samtycke"])
    elif flt.saknas:
        qs = qs.filter(flags[flt.saknas])
    return list(qs.order_by("-inskrivning", "-id"))


def _shown(d) -> tuple:
    """Everything a row of the list shows."""
    return (
        d.uuid,
        d.nummer,
        d.insats.kod,
        d.kon.namn,
        d.alder,
        d.inskrivning,
        d.utskrivning,
        d.is_fel,
        d.person_id,
        bool(d.flag_saknar_efter),
        bool(d.flag_uppfoljning),
        bool(d.flag_samtycke),
    )


@pytest.fixture
def data(forbund, insats, user):
    """Every flag on and off, both kön, several ages and years, a FEL row, plus rows the user
    must not see: another controller's insats and another förbund's."""
    day = services.today()
    serial = itertools.count(500)

    def identified(inskrivning, birth=dt.date(1990, 5, 5), **kwargs):
        pnr = make_pnr(birth.replace(day=1 + next(serial) % 28), next(serial) % 1000)
        return register_identified(insats, user, pnr=pnr, inskrivning=inskrivning, **kwargs)

    for year in (day.year - 2, day.year - 1, day.year):
        start = dt.date(year, 1, 20)
        register_anonymous(insats, user, kon="M", fodelsear=2008, inskrivning=start)
        for fodelsear in (2012, 1998, 1980, 1962, 1958):  # every age group
            register_anonymous(insats, user, kon="X", fodelsear=fodelsear, inskrivning=start)
        identified(start, birth=dt.date(2003, 1, 1), kon="M")
        identified(
            start,
            samtycke=services.SamtyckeInput(
                datum=start, satt="PERSONLIGEN", giltig_till=day + dt.timedelta(days=10)
            ),
        )
        end_identified(
            identified(start),
            user,
            utskrivning=start + dt.timedelta(days=20),
            sysselsattning_efter="OKAND",
            forsorjning_efter=["OKAND"],
        )
        known = end_identified(
            identified(start, birth=dt.date(1970, 3, 3)),
            user,
            utskrivning=start + dt.timedelta(days=40),
            sysselsattning_efter="ARBETE",
            forsorjning_efter=["LON"],
        )
        if year == day.year - 2:
            services.uppfoljning_record(deltagande=known, user=user, punkt=6, nadd=False)
        services.deltagande_mark_fel(deltagande=identified(start), user=user)
    hidden = person_insats(forbund, controller=region_medlem(forbund), kod="REG")
    register_anonymous(hidden, staff_on(hidden), inskrivning=dt.date(day.year, 2, 1))
    return day


FILTERS = [
    selectors.Filter(status=status, saknas=saknas)
    for status in ("", "aktiva", "avslutade")
    for saknas in ("", "efter", "uppfoljning", "samtycke", "alla")
] + [
    selectors.Filter(kon="M"),
    selectors.Filter(kon="X", status="aktiva"),
    selectors.Filter(fran=dt.date(2025, 1, 1)),
    selectors.Filter(till=dt.date(2024, 12, 31)),
    selectors.Filter(fran=dt.date(2025, 2, 1), till=dt.date(2025, 3, 1), saknas="alla"),
    *(selectors.Filter(aldersgrupp=kod) for kod, _lo, _hi, _label in ALDERSGRUPPER),
]


@pytest.mark.parametrize("flt", FILTERS, ids=repr)
def test_hand_written_list_equals_the_orm_definitions(data, forbund, user, flt):
    request = _request(user, forbund)
    expected = _orm_list(_request(user, forbund), flt, data)
    rows = selectors.deltagande_list(request, flt, data)
    assert rows.count() == len(expected)
    assert [_shown(d) for d in rows[0 : len(expected) + 5]] == [_shown(d) for d in expected]


def test_every_flag_and_filter_case_occurs_in_the_data(data, forbund, user):
    """The comparison above means something only if the data has each case."""
    rows = _orm_list(_request(user, forbund), selectors.Filter(), data)
    assert all(any(getattr(d, f) for d in rows) for f in ("flag_saknar_efter", "flag_uppfoljning"))
    assert any(d.flag_samtycke for d in rows)
    assert any(d.is_fel for d in rows)
    assert any(d.person_id is None for d in rows)
    assert {d.kon_id for d in rows} == {"K", "M", "X"}
    # Empty by definition: an open participation has no efter-data or follow-up to miss, and
    # only an open one can have its consent run out.
    impossible = {("aktiva", "efter"), ("aktiva", "uppfoljning"), ("avslutade", "samtycke")}
    for flt in FILTERS:
        matches = _orm_list(_request(user, forbund), flt, data)
        assert bool(matches) != ((flt.status, flt.saknas) in impossible), flt


def test_insats_filter_and_pages(data, forbund, insats, user):
    request = _request(user, forbund)
    flt = selectors.Filter(insats=insats)
    expected = _orm_list(_request(user, forbund), flt, data)
    paginator = Paginator(selectors.deltagande_list(request, flt, data), 7)
    assert paginator.count == len(expected) > 14
    shown = [_shown(d) for n in paginator.page_range for d in paginator.page(n)]
    assert shown == [_shown(d) for d in expected]


def test_a_user_without_visible_insatser_gets_no_rows_and_no_query(data, forbund, insats):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from finsam.roles import Role
    from tests.factories import user_with_role

    outsider = user_with_role(forbund, Role.HANDLAGGARE, medlem=insats.personuppgiftsansvarig)
    request = _request(outsider, forbund)
    rows = selectors.deltagande_list(request, selectors.Filter(), data)
    with CaptureQueriesContext(connection) as queries:
        assert rows.count() == 0
        assert rows[0:50] == []
    assert not queries.captured_queries
