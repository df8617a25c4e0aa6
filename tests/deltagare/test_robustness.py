"""No input makes a 500; participation numbers are race-free."""

import datetime as dt
import threading

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deltagare import kodlistor, services
from deltagare.models import Deltagande, Person
from tests.deltagare.factories import person_insats, staff_on

FIELDS = [
    "samtycke_satt",
    "samtycke_datum",
    "personnummer",
    "namn",
    "kon",
    "inskrivning",
    "anvisande_part",
    "utbildning",
    "sysselsattning_fore",
    "tid_offentlig_forsorjning",
    "forsorjning_fore",
    "fodelsear",
    "blankettversion",
    "samtycke_giltig_till",
]
VALUES = st.one_of(
    st.text(max_size=15),
    st.sampled_from(["K", "AF", "GYMN", "EKB", "2026-02-01", "9999-12-31", "0001-01-01", "-1"]),
)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    answers=st.sampled_from(["skyddad=nej&samtycke=ja", "skyddad=ja&samtycke=nej", "x=1"]),
    data=st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=len(FIELDS)),
)
def test_registration_never_answers_500_and_saves_only_valid_input(
    insats, user, login, now, answers, data
):
    client = login(user)
    data = {k: v.replace("\x00", "") for k, v in data.items()}
    before = Deltagande.objects.count()
    response = client.post(f"/deltagare/insats/{insats.uuid}/registrera/?{answers}", data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert Deltagande.objects.count() == before
    if "skyddad=ja" in answers:
        assert not Person.objects.exists()


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from(["avsluta/", "andra/", "uppfoljning/6/"]),
    data=st.dictionaries(
        st.sampled_from(
            ["utskrivning", "avslutsorsak", "sysselsattning_efter", "forsorjning_efter", "nadd"]
            + ["kon", "fodelsear", "inskrivning", "sysselsattning", "forsorjning"]
        ),
        VALUES,
    ),
)
def test_other_forms_never_answer_500(insats, user, login, now, path, data):
    d = services.deltagande_register(
        insats=insats, user=user, kon="M", fodelsear=2000, inskrivning=dt.date(2025, 1, 1)
    ).deltagande
    data = {k: v.replace("\x00", "") for k, v in data.items()}
    response = login(user).post(f"/deltagare/d/{d.uuid}/{path}", data)
    assert response.status_code in (200, 302, 404)


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_unique_numbers(forbund):
    kodlistor.ensure_loaded()
    insats = person_insats(forbund, kod="PAR")
    user = staff_on(insats)
    errors = []
    barrier = threading.Barrier(8)

    def register():
        try:
            barrier.wait()
            for _ in range(5):
                services.deltagande_register(
                    insats=insats,
                    user=user,
                    kon="K",
                    fodelsear=2000,
                    inskrivning=dt.date(2025, 5, 1),
                )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = list(Deltagande.objects.values_list("nummer", flat=True))
    assert len(numbers) == 40
    assert len(set(numbers)) == 40
    assert sorted(numbers)[-1] == "D-2025-0040"
