"""Consent withdrawal and gallring turn participations anonymous (design section 4.4)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from deltagare import services
from deltagare.models import (
    Anonymisering,
    Deltagande,
    DeltagareInstallning,
    Forsorjning,
    Person,
    Samtycke,
    Uppfoljning,
)
from tests.deltagare.factories import (
    PNR_B,
    end_identified,
    person_insats,
    register_anonymous,
    register_identified,
    staff_on,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def insats(forbund):
    return person_insats(forbund, kod="UNGA")


@pytest.fixture
def user(insats):
    return staff_on(insats)


def _counts(insats):
    return (
        Deltagande.objects.filter(insats=insats).counted().count(),
        Deltagande.objects.filter(insats=insats, kon_id="K").count(),
    )


def test_withdrawal_erases_identity_consent_and_details_at_once(insats, user):
    d = end_identified(register_identified(insats, user), user)
    services.uppfoljning_record(
        deltagande=d, user=user, punkt=6, nadd=True, sysselsattning="ARBETE", forsorjning=["LON"]
    )
    before = _counts(insats)
    numbers = services.samtycke_withdraw(deltagande=d, user=user)
    d.refresh_from_db()
    assert numbers == [d.nummer]
    assert d.person is None
    assert d.samtycke is None
    assert d.utbildning is None
    assert d.sysselsattning_efter is None
    assert d.avslutsorsak is None
    assert d.anonymiserad is not None
    assert (d.kon_id, d.fodelsear, d.inskrivning, d.utskrivning) == (
        "K",
        1998,
        dt.date(2025, 1, 15),
        dt.date(2025, 6, 30),
    )
    assert not Forsorjning.objects.filter(deltagande=d).exists()
    assert not Uppfoljning.objects.filter(deltagande=d).exists()
    assert not Samtycke.objects.exists()
    assert not Person.objects.exists()
    assert _counts(insats) == before


def test_withdrawal_is_logged_without_identity(insats, user):
    d = register_identified(insats, user)
    services.samtycke_withdraw(deltagande=d, user=user)
    row = Anonymisering.objects.get()
    assert row.nummer == d.nummer
    assert row.utford_av == user
    assert row.orsak == "ATERKALLAT"


def test_withdrawal_keeps_the_persons_participation_in_another_insats(insats, user, forbund):
    other = person_insats(forbund, kod="B", controller=insats.personuppgiftsansvarig)
    other_user = staff_on(other)
    a = register_identified(insats, user)
    b = register_identified(other, other_user)
    services.samtycke_withdraw(deltagande=a, user=user)
    b.refresh_from_db()
    assert b.person_id is not None
    assert Samtycke.objects.get(insats=other).aterkallad is None
    withdrawn = Samtycke.objects.get(insats=insats)
    assert withdrawn.aterkallad == dt.date(2026, 3, 1)
    assert withdrawn.dokument_krypterat is None


def test_withdrawing_an_anonymous_participation_is_refused(insats, user):
    d = register_anonymous(insats, user)
    with pytest.raises(ValidationError):
        services.samtycke_withdraw(deltagande=d, user=user)


def test_gallring_anonymises_after_24_months_and_second_run_changes_nothing(insats, user):
    old = register_identified(insats, user, inskrivning=dt.date(2023, 1, 10))
    end_identified(old, user, utskrivning=dt.date(2024, 1, 31))
    recent = register_identified(insats, user, pnr=PNR_B, inskrivning=dt.date(2024, 2, 1))
    end_identified(recent, user, utskrivning=dt.date(2024, 6, 30))
    before = _counts(insats)
    first = services.gallring_run(day=dt.date(2026, 3, 1))
    assert (first.persons, first.deltaganden) == (1, 1)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.person is None
    assert recent.person is not None
    assert _counts(insats) == before
    second = services.gallring_run(day=dt.date(2026, 3, 1))
    assert (second.persons, second.deltaganden) == (0, 0)
    assert Anonymisering.objects.filter(orsak="GALLRING").count() == 1


def test_gallring_keeps_a_person_with_an_open_participation(insats, user, forbund):
    other = person_insats(forbund, kod="B", controller=insats.personuppgiftsansvarig)
    other_user = staff_on(other)
    old = register_identified(insats, user, inskrivning=dt.date(2023, 1, 10))
    end_identified(old, user, utskrivning=dt.date(2023, 2, 28))
    register_identified(other, other_user, inskrivning=dt.date(2023, 3, 1))
    assert services.gallring_run(day=dt.date(2026, 3, 1)).persons == 0


def test_gallring_months_are_set_per_forbund(insats, user, forbund):
    DeltagareInstallning.objects.create(forbund=forbund, gallring_manader=6)
    d = register_identified(insats, user, inskrivning=dt.date(2025, 1, 10))
    end_identified(d, user, utskrivning=dt.date(2025, 7, 31))
    assert services.gallring_run(day=dt.date(2026, 1, 31)).persons == 0
    assert services.gallring_run(day=dt.date(2026, 2, 1)).persons == 1


def test_forbundschef_sets_the_retention_period(forbund, login):
    from finsam.roles import Role
    from tests.factories import user_with_role

    chef = user_with_role(forbund, Role.FORBUNDSCHEF)
    client = login(chef)
    assert 'value="24"' in client.get("/deltagare/oversikt/").text
    client.post("/deltagare/oversikt/gallring/", {"gallring_manader": "36"})
    assert DeltagareInstallning.objects.get(forbund=forbund).gallring_manader == 36
    client.post("/deltagare/oversikt/gallring/", {"gallring_manader": "0"})
    assert DeltagareInstallning.objects.get(forbund=forbund).gallring_manader == 36


def test_gallring_is_on_the_beat_schedule():
    from finsam.celery import app

    app.loader.import_default_modules()
    app.finalize()
    entry = app.conf.beat_schedule["deltagare-gallring"]
    assert entry["task"] == "deltagare.gallring"
    assert "deltagare.gallring" in app.tasks
