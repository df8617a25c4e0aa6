"""The insats row rules, its lifecycle and the history of every change."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from finsam.permissions import DELTAGARANSVARIG, INSATSANSVARIG, insats_users_with_perm
from finsam.roles import Role
from forbund.models import Beslut
from insatser import services
from insatser.models import Handelse, Insats, Malgrupp, Status
from tests.factories import InsatsFactory, user_with_role
from tests.insatser.factories import full_insats, kommun_medlem, region, volym_insats

pytestmark = pytest.mark.django_db


def test_creation_is_the_first_history_entry(forbund, chef):
    insats = full_insats(forbund, user=chef, kod="UNGA")
    entry = insats.handelser.get()
    assert entry.user == chef
    assert entry.falt == "Insatsen skapad"
    assert "UNGA" in entry.nytt


def test_person_mode_requires_data_controller(forbund, chef):
    with pytest.raises(ValidationError) as exc:
        full_insats(forbund, user=chef, personuppgiftsansvarig=None)
    assert "personuppgiftsansvarig" in exc.value.error_dict
    assert not Insats.objects.exists()


def test_volym_mode_needs_no_data_controller(forbund, chef):
    insats = volym_insats(forbund, user=chef)
    assert insats.personuppgiftsansvarig is None


def test_ended_status_needs_actual_end_date(forbund, chef):
    insats = full_insats(forbund, user=chef)
    with pytest.raises(ValidationError) as exc:
        services.insats_update(insats=insats, user=chef, data={"status": Status.AVSLUTAD})
    assert "slutdatum" in exc.value.error_dict
    insats.refresh_from_db()
    assert insats.status == Status.ANSOKAN


def test_database_refuses_ended_insats_without_end_date(forbund):
    insats = InsatsFactory(forbund=forbund)
    with pytest.raises(IntegrityError), transaction.atomic():
        Insats.objects.filter(pk=insats.pk).update(status=Status.AVVECKLAD)


def test_database_refuses_end_before_start(forbund):
    insats = InsatsFactory(forbund=forbund, startdatum=dt.date(2025, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Insats.objects.filter(pk=insats.pk).update(slutdatum=dt.date(2024, 12, 31))


def test_lifecycle_runs_from_ansokan_to_implementerad(forbund, chef):
    insats = full_insats(forbund, user=chef)
    beslut = Beslut.objects.create(
        forbund=forbund, datum=dt.date(2024, 12, 5), paragraf="§ 12/2024", rubrik="Beviljas"
    )
    services.insats_transition(insats=insats, user=chef, status=Status.BEVILJAD, beslut=beslut)
    services.insats_transition(
        insats=insats, user=chef, status=Status.PAGAENDE, datum=dt.date(2025, 2, 1)
    )
    services.insats_transition(
        insats=insats, user=chef, status=Status.AVSLUTAD, datum=dt.date(2026, 6, 30)
    )
    services.insats_transition(insats=insats, user=chef, status=Status.IMPLEMENTERAD)
    insats.refresh_from_db()
    assert insats.status == Status.IMPLEMENTERAD
    assert insats.beslut == beslut
    assert insats.startdatum == dt.date(2025, 2, 1)
    assert insats.slutdatum == dt.date(2026, 6, 30)
    statuses = list(
        insats.handelser.filter(falt="Status").order_by("id").values_list("gammalt", "nytt")
    )
    assert statuses == [
        ("Ansökan", "Beviljad"),
        ("Beviljad", "Pågående"),
        ("Pågående", "Avslutad"),
        ("Avslutad", "Implementerad i ordinarie verksamhet"),
    ]


def test_lifecycle_refuses_skipping_a_step(forbund, chef):
    insats = full_insats(forbund, user=chef)
    with pytest.raises(ValidationError):
        services.insats_transition(insats=insats, user=chef, status=Status.AVSLUTAD)
    insats.refresh_from_db()
    assert insats.status == Status.ANSOKAN


def test_ending_before_start_is_refused_with_message_on_date(forbund, chef):
    insats = full_insats(forbund, user=chef, status=Status.PAGAENDE)
    with pytest.raises(ValidationError) as exc:
        services.insats_transition(
            insats=insats, user=chef, status=Status.AVSLUTAD, datum=dt.date(2020, 1, 1)
        )
    assert "datum" in exc.value.error_dict


def test_every_field_stays_editable_after_the_end(forbund, chef):
    insats = full_insats(
        forbund, user=chef, status=Status.AVVECKLAD, slutdatum=dt.date(2025, 12, 31)
    )
    services.insats_update(insats=insats, user=chef, data={"namn": "Nytt namn"})
    insats.refresh_from_db()
    assert insats.namn == "Nytt namn"


def test_update_records_old_and_new_per_changed_field(forbund, chef):
    insats = full_insats(forbund, user=chef, namn="Gammalt namn")
    changes = services.insats_update(
        insats=insats,
        user=chef,
        data={
            "namn": "Nytt namn",
            "malgrupper": list(Malgrupp.objects.filter(kod__in=["UNGA", "NPF"])),
            "planerat_slutdatum": dt.date(2027, 6, 30),
            "startdatum": insats.startdatum,  # unchanged: not recorded
        },
    )
    by_field = {h.falt: (h.gammalt, h.nytt) for h in changes}
    assert by_field == {
        "Namn": ("Gammalt namn", "Nytt namn"),
        "Målgrupper": (
            "Personer med psykisk ohälsa, Unga 16–29 år",
            "Personer med neuropsykiatrisk funktionsnedsättning, Unga 16–29 år",
        ),
        "Planerat slutdatum": ("2026-12-31", "2027-06-30"),
    }
    assert all(h.user == chef for h in changes)


def test_update_without_changes_records_nothing(forbund, chef):
    insats = full_insats(forbund, user=chef)
    assert services.insats_update(insats=insats, user=chef, data={"namn": insats.namn}) == []
    assert Handelse.objects.count() == 1


def test_members_of_another_forbund_are_refused(forbund, other_forbund, chef):
    with pytest.raises(ValidationError):
        full_insats(forbund, user=chef, huvudman=[kommun_medlem(other_forbund)])
    with pytest.raises(ValidationError):
        full_insats(forbund, user=chef, personuppgiftsansvarig=kommun_medlem(other_forbund))


def test_assigning_people_is_recorded_and_insatsansvarig_is_one(forbund, chef):
    insats = full_insats(forbund, user=chef)
    medlem = insats.personuppgiftsansvarig
    first = user_with_role(forbund, Role.INSATSANSVARIG, medlem=medlem, first_name="Anna")
    second = user_with_role(forbund, Role.HANDLAGGARE, medlem=medlem, first_name="Bo")
    services.insats_assign(insats=insats, actor=chef, user=first, perm=INSATSANSVARIG)
    services.insats_assign(insats=insats, actor=chef, user=second, perm=INSATSANSVARIG)
    assert insats_users_with_perm(insats=insats, perm=INSATSANSVARIG) == [second]
    last = insats.handelser.filter(falt="Insatsansvarig").order_by("-id").first()
    assert (last.gammalt, last.nytt) == (first.get_full_name(), second.get_full_name())


def test_deltagaransvarig_must_be_employed_by_data_controller(forbund, chef):
    insats = full_insats(forbund, user=chef)
    outsider = user_with_role(forbund, Role.HANDLAGGARE, medlem=region(forbund))
    with pytest.raises(ValidationError):
        services.insats_assign(insats=insats, actor=chef, user=outsider, perm=DELTAGARANSVARIG)
    assert insats_users_with_perm(insats=insats, perm=DELTAGARANSVARIG) == []


def test_styrelse_member_cannot_be_made_deltagaransvarig(forbund, chef, styrelse):
    insats = volym_insats(forbund, user=chef)
    with pytest.raises(ValidationError):
        services.insats_assign(insats=insats, actor=chef, user=styrelse, perm=DELTAGARANSVARIG)


def test_removing_deltagaransvarig_is_recorded(forbund, chef, handlaggare):
    insats = full_insats(forbund, user=chef)
    services.insats_assign(insats=insats, actor=chef, user=handlaggare, perm=DELTAGARANSVARIG)
    services.insats_unassign(insats=insats, actor=chef, user=handlaggare, perm=DELTAGARANSVARIG)
    assert insats_users_with_perm(insats=insats, perm=DELTAGARANSVARIG) == []
    entry = insats.handelser.filter(falt="Deltagaransvarig borttagen").get()
    assert entry.gammalt == handlaggare.get_full_name()


def test_nobody_is_assignable_to_person_insats_without_data_controller(forbund, chef, handlaggare):
    legacy = InsatsFactory(forbund=forbund)  # PERSON, no controller: from before the rule
    assert not services.assignable_users(insats=legacy, perm=DELTAGARANSVARIG).exists()
    with pytest.raises(ValidationError):
        services.insats_assign(insats=legacy, actor=chef, user=handlaggare, perm=DELTAGARANSVARIG)
