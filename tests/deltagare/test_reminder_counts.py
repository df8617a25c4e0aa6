"""The reminder counts' hand-written SQL (``selectors._reminder_counts_by_part``) must count
exactly what the ORM definitions of the flags (``selectors.with_flags``) select."""

import datetime as dt

import pytest
from django.db.models import Count, Q

from deltagare import selectors, services
from deltagare.models import Deltagande
from tests.deltagare.factories import (
    make_pnr,
    register_anonymous,
    register_identified,
    samtycke_personligen,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]


def _orm_counts(forbund_id, day):
    """The counts per insats and part straight from the ORM flags."""
    counted = ~Q(avslutsorsak_id="FEL")
    out = {}
    for part, bound in {
        "manad": Q(inskrivning__gte=day.replace(day=1)),
        "ar": Q(inskrivning__gte=dt.date(day.year, 1, 1), inskrivning__lt=day.replace(day=1)),
        "fjol": Q(
            inskrivning__gte=dt.date(day.year - 1, 1, 1), inskrivning__lt=dt.date(day.year, 1, 1)
        ),
        "aldre": Q(inskrivning__lt=dt.date(day.year - 1, 1, 1)),
    }.items():
        rows = (
            selectors.with_flags(Deltagande.objects.filter(bound, forbund_id=forbund_id), day)
            .values("insats_id")
            .annotate(
                alla=Count("pk"),
                aktiva=Count("pk", filter=counted & Q(utskrivning__isnull=True)),
                saknar_efter=Count("pk", filter=counted & Q(flag_saknar_efter=True)),
                uppfoljning=Count("pk", filter=counted & Q(flag_uppfoljning=True)),
                samtycke=Count("pk", filter=counted & Q(flag_samtycke=True)),
            )
            .order_by()
        )
        for row in rows:
            out[(row.pop("insats_id"), part)] = row
    return out


def test_hand_written_counts_equal_the_orm_flags(insats, user):
    day = services.today()
    serial = iter(range(200, 400))

    def identified(inskrivning, **kwargs):
        pnr = make_pnr(dt.date(1985, 1 + next(serial) % 12, 3), next(serial))
        return register_identified(insats, user, pnr=pnr, inskrivning=inskrivning, **kwargs)

    # Every flag, on and off, across the parts (this month's below).
    for year in (day.year - 3, day.year - 1, day.year):
        start = dt.date(year, 1, 20)
        register_anonymous(insats, user, inskrivning=start)
        open_one = identified(start)
        expiring = identified(
            start,
            samtycke=services.SamtyckeInput(
                datum=start, satt="PERSONLIGEN", giltig_till=day + dt.timedelta(days=10)
            ),
        )
        later = identified(start, samtycke=samtycke_personligen(start))
        ended = services.deltagande_end(
            deltagande=identified(start),
            user=user,
            utskrivning=start + dt.timedelta(days=30),
            avslutsorsak="MAL",
            sysselsattning_efter="OKAND",
            forsorjning_efter=["OKAND"],
        )
        known = services.deltagande_end(
            deltagande=identified(start),
            user=user,
            utskrivning=start + dt.timedelta(days=30),
            avslutsorsak="MAL",
            sysselsattning_efter="ARBETE",
            forsorjning_efter=["LON"],
        )
        if year == day.year - 3:  # a follow-up done at +6 months, +12 still due
            services.uppfoljning_record(deltagande=known, user=user, punkt=6, nadd=False)
        services.deltagande_mark_fel(deltagande=later, user=user)
        assert {open_one.pk, expiring.pk, ended.pk}
    register_anonymous(insats, user, inskrivning=day)  # this month's part
    identified(day)
    counts = selectors._reminder_counts_by_part(
        insats.forbund_id,
        [(insats.pk, part) for part in selectors.PARTS],
        day,
    )
    expected = _orm_counts(insats.forbund_id, day)
    assert counts == expected
    totals = {k: sum(c[k] for c in counts.values()) for k in selectors.REMINDERS}
    print(f"\nreminder counts over four parts: {totals}")
    assert all(totals[k] for k in selectors.REMINDERS)  # every flag occurs at least once
