import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from deltagare import crypto, services
from deltagare.models import Atkomst, Atkomstlogg, Deltagande, Forsorjning, Person, Samtycke
from finsam.permissions import DELTAGARANSVARIG, insats_grant
from tests.deltagare.factories import (
    PNR_A,
    PNR_B,
    START,
    end_identified,
    person_insats,
    region_medlem,
    register_anonymous,
    register_identified,
    samtycke_personligen,
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


def test_identified_registration_stores_identity_encrypted_with_keyed_hash(insats, user):
    d = register_identified(insats, user)
    person = d.person
    assert person.personnummer == PNR_A
    assert person.namn == "Anna Andersson"
    assert person.personnummer_hash == crypto.lookup_hash(PNR_A)
    with connection.cursor() as cursor:
        cursor.execute("SELECT personnummer_krypterat, namn_krypterat FROM deltagare_person")
        raw = " ".join(cursor.fetchone())
    assert PNR_A not in raw
    assert PNR_A[2:] not in raw
    assert "Anna" not in raw
    assert d.fodelsear == 1998  # taken from the number, not asked


def test_raw_plaintext_in_the_personnummer_column_is_refused_by_the_database(insats):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Person.objects.create(
            forbund=insats.forbund,
            medlem=insats.personuppgiftsansvarig,
            personnummer_krypterat=PNR_A,
            personnummer_hash="x",
        )


def test_number_is_unique_per_forbund_and_counts_up(insats, user):
    first = register_anonymous(insats, user)
    second = register_anonymous(insats, user)
    assert first.nummer == "D-2025-0001"
    assert second.nummer == "D-2025-0002"


def test_same_person_same_controller_is_found_again_by_hash_and_linked(insats, user, forbund):
    other_insats = person_insats(forbund, kod="ANDRA", controller=insats.personuppgiftsansvarig)
    insats_grant(user=user, insats=other_insats, perm=DELTAGARANSVARIG)
    a = register_identified(insats, user)
    result = services.deltagande_register(
        insats=other_insats,
        user=user,
        kon="K",
        inskrivning=dt.date(2025, 3, 1),
        personnummer=PNR_A[2:8] + "-" + PNR_A[8:],
        samtycke=samtycke_personligen(),
        start=START,
    )
    assert result.person_found
    assert result.deltagande.person_id == a.person_id
    assert Person.objects.count() == 1


def test_same_human_under_two_controllers_is_two_persons(insats, user, forbund):
    region_insats = person_insats(forbund, kod="SE", controller=region_medlem(forbund))
    region_user = staff_on(region_insats)
    a = register_identified(insats, user)
    b = register_identified(region_insats, region_user)
    assert a.person_id != b.person_id
    assert a.person.personnummer_hash == b.person.personnummer_hash


def test_protected_identity_refuses_any_identity(insats, user):
    with pytest.raises(ValidationError) as exc:
        register_identified(insats, user, skyddad=True)
    assert "skyddade personuppgifter" in str(exc.value)
    assert Deltagande.objects.count() == 0
    assert Person.objects.count() == 0


def test_no_consent_means_no_identity(insats, user):
    with pytest.raises(ValidationError):
        register_identified(insats, user, samtycke=None)
    assert Person.objects.count() == 0


def test_anonymous_participation_holds_only_kon_birth_year_and_dates(insats, user):
    d = register_anonymous(insats, user)
    assert d.person is None
    assert d.samtycke is None
    assert d.utbildning is None
    assert d.anvisande_part is None
    assert not Forsorjning.objects.filter(deltagande=d).exists()


def test_anonymous_with_details_is_refused(insats, user):
    with pytest.raises(ValidationError):
        register_anonymous(insats, user, start=START)


def test_inskrivning_in_the_future_is_refused(insats, user):
    with pytest.raises(ValidationError) as exc:
        register_anonymous(insats, user, inskrivning=dt.date(2026, 3, 2))
    assert "framtiden" in str(exc.value)


def test_age_outside_16_64_warns_but_registers(insats, user):
    result = services.deltagande_register(
        insats=insats, user=user, kon="M", fodelsear=1950, inskrivning=dt.date(2025, 1, 1)
    )
    assert result.deltagande.pk
    assert "utanför lagens åldersspann" in result.warnings[0]


def test_age_inside_16_64_gives_no_warning(insats, user):
    result = services.deltagande_register(
        insats=insats, user=user, kon="M", fodelsear=2000, inskrivning=dt.date(2025, 1, 1)
    )
    assert result.warnings == []


def test_overlapping_participation_of_same_person_in_same_insats_is_refused(insats, user):
    register_identified(insats, user, inskrivning=dt.date(2025, 1, 15))
    with pytest.raises(ValidationError) as exc:
        register_identified(insats, user, inskrivning=dt.date(2025, 4, 1))
    assert "redan ett deltagande" in str(exc.value)
    assert "D-2025-0001" in str(exc.value)
    assert Deltagande.objects.count() == 1


def test_same_person_again_after_the_first_ended_is_allowed(insats, user):
    first = register_identified(insats, user, inskrivning=dt.date(2025, 1, 15))
    end_identified(first, user, utskrivning=dt.date(2025, 3, 31))
    again = register_identified(insats, user, inskrivning=dt.date(2025, 4, 1))
    assert again.person_id == first.person_id


def test_exclusion_constraint_refuses_overlap_even_past_the_service(insats, user):
    from django.db import IntegrityError, transaction

    first = register_identified(insats, user)
    clone = Deltagande.objects.get(pk=first.pk)
    clone.pk = None
    clone.uuid = None
    clone.nummer = "D-2025-9999"
    import uuid

    clone.uuid = uuid.uuid4()
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


def test_identified_registration_writes_one_access_log_row(insats, user):
    d = register_identified(insats, user)
    rows = Atkomstlogg.objects.filter(deltagande=d)
    assert rows.count() == 1
    assert rows.get().vad == Atkomst.ANDRA


def test_ending_identified_requires_efter_data(insats, user):
    d = register_identified(insats, user)
    with pytest.raises(ValidationError) as exc:
        services.deltagande_end(deltagande=d, user=user, utskrivning=dt.date(2025, 6, 1))
    errors = exc.value.message_dict
    assert set(errors) >= {"avslutsorsak", "sysselsattning_efter", "forsorjning_efter"}
    d.refresh_from_db()
    assert d.utskrivning is None


def test_ending_with_explicit_okand_is_allowed(insats, user):
    d = register_identified(insats, user)
    end_identified(d, user, sysselsattning_efter="OKAND", forsorjning_efter=["OKAND"])
    d.refresh_from_db()
    assert d.sysselsattning_efter_id == "OKAND"
    rows = Forsorjning.objects.filter(deltagande=d)
    assert {r.utskrivning for r in rows} == {dt.date(2025, 6, 30)}


def test_utskrivning_before_inskrivning_is_refused(insats, user):
    d = register_anonymous(insats, user, inskrivning=dt.date(2025, 2, 1))
    with pytest.raises(ValidationError) as exc:
        services.deltagande_end(deltagande=d, user=user, utskrivning=dt.date(2025, 1, 1))
    assert "före inskrivningen" in str(exc.value)


def test_anonymous_ends_with_date_only(insats, user):
    d = register_anonymous(insats, user)
    services.deltagande_end(deltagande=d, user=user, utskrivning=dt.date(2025, 5, 1))
    d2 = register_anonymous(insats, user)
    with pytest.raises(ValidationError):
        services.deltagande_end(
            deltagande=d2, user=user, utskrivning=dt.date(2025, 5, 1), avslutsorsak="PLAN"
        )


def test_fel_takes_a_participation_out_of_every_count_without_deleting(insats, user):
    d = register_anonymous(insats, user)
    register_anonymous(insats, user)
    services.deltagande_mark_fel(deltagande=d, user=user)
    assert Deltagande.objects.count() == 2
    assert Deltagande.objects.counted().count() == 1


def test_consent_trigger_refuses_identity_with_consent_of_another_insats(insats, user, forbund):
    from django.db import IntegrityError, transaction

    other = person_insats(forbund, kod="X2", controller=insats.personuppgiftsansvarig)
    d = register_identified(insats, user)
    foreign = Samtycke.objects.create(
        forbund=forbund, person=d.person, insats=other, datum=dt.date(2025, 1, 1), satt="IMPORT"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Deltagande.objects.filter(pk=d.pk).update(samtycke=foreign)


def test_raw_sql_identity_without_consent_is_refused(insats, user):
    from django.db import IntegrityError, transaction

    d = register_anonymous(insats, user)
    other = register_identified(insats, user, pnr=PNR_B)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as c:
        c.execute(
            "UPDATE deltagare_deltagande SET person_id = %s WHERE id = %s", [other.person_id, d.pk]
        )


def test_forsorjning_row_on_anonymous_participation_is_refused_by_trigger(insats, user):
    from django.db import IntegrityError, transaction

    d = register_anonymous(insats, user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Forsorjning.objects.create(
            forbund=d.forbund,
            deltagande=d,
            insats=insats,
            skede="FORE",
            kalla_id="EKB",
            inskrivning=d.inskrivning,
        )
