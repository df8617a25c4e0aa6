import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from finsam.roles import Role
from forbund import selectors, services
from forbund.models import Medlem, MedlemTyp
from tests.factories import forbund_with_members, kommun, user_with_role
from tests.forbund.factories import D, kommun_medlem, region

pytestmark = pytest.mark.django_db


def test_kommun_cannot_be_member_of_two_forbund_on_same_day(forbund, other_forbund):
    with pytest.raises(ValidationError) as exc:
        services.medlem_add(
            forbund=other_forbund,
            typ=MedlemTyp.KOMMUN,
            namn="",
            kommun=kommun("2083"),
            startdatum=D(2024, 1, 1),
        )
    message = exc.value.message_dict["kommun"][0]
    assert forbund.namn in message  # the error names the other förbund
    assert "Hedemora" in message
    assert not Medlem.objects.filter(forbund=other_forbund, kommun__kod="2083").exists()


def test_kommun_may_move_to_another_forbund_after_leaving(forbund, other_forbund):
    hedemora = kommun_medlem(forbund, "2083")
    services.medlem_update(
        medlem=hedemora,
        namn=hedemora.namn,
        startdatum=hedemora.startdatum,
        slutdatum=D(2024, 12, 31),
    )
    moved = services.medlem_add(
        forbund=other_forbund,
        typ=MedlemTyp.KOMMUN,
        namn="",
        kommun=kommun("2083"),
        startdatum=D(2025, 1, 1),
    )
    assert moved.namn == "Hedemora kommun"
    assert list(selectors.kommuner_covered_on(forbund=forbund, day=D(2025, 1, 1))) == [
        kommun("2082")
    ]
    assert kommun("2083") in selectors.kommuner_covered_on(forbund=other_forbund, day=D(2025, 1, 1))
    assert kommun("2083") in selectors.kommuner_covered_on(forbund=forbund, day=D(2024, 12, 31))


def test_overlap_of_one_day_is_refused(forbund, other_forbund):
    hedemora = kommun_medlem(forbund, "2083")
    services.medlem_update(
        medlem=hedemora,
        namn=hedemora.namn,
        startdatum=hedemora.startdatum,
        slutdatum=D(2024, 12, 31),
    )
    with pytest.raises(ValidationError, match="redan medlem"):
        services.medlem_add(
            forbund=other_forbund,
            typ=MedlemTyp.KOMMUN,
            namn="",
            kommun=kommun("2083"),
            startdatum=D(2024, 12, 31),
        )


def test_database_refuses_overlapping_kommun_membership_even_without_the_service(
    forbund, other_forbund
):
    with pytest.raises(IntegrityError), transaction.atomic():
        Medlem.objects.create(
            forbund=other_forbund,
            typ=MedlemTyp.KOMMUN,
            namn="x",
            kommun=kommun("2082"),
            startdatum=D(2030, 1, 1),
        )


def test_last_kommun_cannot_leave(other_forbund):
    avesta = kommun_medlem(other_forbund, "2084")
    with pytest.raises(ValidationError, match="minst en kommun"):
        services.medlem_update(
            medlem=avesta,
            namn=avesta.namn,
            startdatum=avesta.startdatum,
            slutdatum=D(2025, 6, 30),
        )
    avesta.refresh_from_db()
    assert avesta.slutdatum is None


def test_second_region_is_refused(forbund):
    with pytest.raises(ValidationError, match="bara ha en region"):
        services.medlem_add(
            forbund=forbund,
            typ=MedlemTyp.REGION,
            namn="Region Gävleborg",
            startdatum=D(2025, 1, 1),
        )


def test_fk_cannot_leave_without_successor(forbund):
    fk = forbund.medlemmar.get(typ=MedlemTyp.FK)
    with pytest.raises(ValidationError, match="Försäkringskassan"):
        services.medlem_update(
            medlem=fk, namn=fk.namn, startdatum=fk.startdatum, slutdatum=D(2025, 1, 1)
        )


def test_region_is_replaced_without_a_gap(forbund):
    old = region(forbund)
    new = services.medlem_replace(medlem=old, namn="Region Dalarna (ny)", fran=D(2025, 1, 1))
    old.refresh_from_db()
    assert old.slutdatum == D(2024, 12, 31)
    assert new.startdatum == D(2025, 1, 1)
    names = {m.namn for m in selectors.medlemmar_on(forbund=forbund, day=D(2025, 1, 1))}
    assert "Region Dalarna (ny)" in names
    assert old.namn not in names


def test_member_end_before_start_is_refused(forbund):
    avesta = kommun_medlem(forbund, "2082")
    with pytest.raises(ValidationError) as exc:
        services.medlem_update(
            medlem=avesta, namn=avesta.namn, startdatum=D(2022, 1, 1), slutdatum=D(2021, 1, 1)
        )
    assert "slutdatum" in exc.value.message_dict


def test_covered_kommuner_follow_memberships_at_each_date(forbund):
    services.medlem_add(
        forbund=forbund,
        typ=MedlemTyp.KOMMUN,
        namn="",
        kommun=kommun("2085"),
        startdatum=D(2025, 7, 1),
    )
    before = {k.kod for k in selectors.kommuner_covered_on(forbund=forbund, day=D(2025, 6, 30))}
    after = {k.kod for k in selectors.kommuner_covered_on(forbund=forbund, day=D(2025, 7, 1))}
    assert before == {"2083", "2082"}
    assert after == {"2083", "2082", "2085"}


# --- pages -------------------------------------------------------------------------------------


def test_chef_adds_kommun_through_the_page(forbund, chef, login):
    response = login(chef).post(
        "/forbund/medlemmar/",
        {"typ": "KOMMUN", "kommun": "2085", "startdatum": "2025-01-01"},
    )
    assert response.status_code == 302
    assert Medlem.objects.filter(forbund=forbund, kommun__kod="2085").exists()


def test_page_shows_clash_next_to_the_kommun_field(forbund, other_forbund, login):
    chef = user_with_role(other_forbund, Role.FORBUNDSCHEF)
    response = login(chef).post(
        "/forbund/medlemmar/",
        {"typ": "KOMMUN", "kommun": "2083", "startdatum": "2025-01-01"},
    )
    assert response.status_code == 400
    assert "id_kommun_fel" in response.text
    assert forbund.namn in response.text


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"typ": "KOMMUN", "startdatum": "inte ett datum"},
        {"typ": "BOGUS", "startdatum": "2025-01-01"},
        {"typ": "KOMMUN", "kommun": "9999", "startdatum": "2025-01-01"},
        {"typ": "REGION", "startdatum": "2025-01-01"},
        {"typ": "KOMMUN", "kommun": "2085", "startdatum": "2025-01-01", "slutdatum": "2024-01-01"},
    ],
)
def test_bad_member_input_changes_nothing(forbund, chef, login, data):
    before = Medlem.objects.count()
    response = login(chef).post("/forbund/medlemmar/", data)
    assert response.status_code == 400
    assert Medlem.objects.count() == before


def test_member_list_shows_history_and_date(forbund, styrelse, login):
    hedemora = kommun_medlem(forbund, "2083")
    hedemora.slutdatum = D(2023, 12, 31)
    hedemora.save()
    client = login(styrelse)
    text = client.get("/forbund/medlemmar/?datum=2023-06-01").text
    assert "Hedemora kommun" in text
    assert "2023-12-31" in text
    current = client.get("/forbund/medlemmar/?datum=2024-06-01").text
    assert current.count("Hedemora") == 1  # only in the history table


def test_member_of_other_forbund_is_404(forbund, other_forbund, chef, login):
    foreign = kommun_medlem(other_forbund, "2084")
    assert login(chef).get(f"/forbund/medlemmar/{foreign.uuid}/").status_code == 404


def test_member_list_runs_constant_queries(forbund, chef, login, django_assert_max_num_queries):
    client = login(chef)
    for kod in ("2085", "2080", "2081"):
        services.medlem_add(
            forbund=forbund,
            typ=MedlemTyp.KOMMUN,
            namn="",
            kommun=kommun(kod),
            startdatum=D(2024, 1, 1),
        )
    with django_assert_max_num_queries(12):
        assert client.get("/forbund/medlemmar/").status_code == 200


def test_systemadmin_creates_forbund_with_members_and_first_chef(login):
    from tests.factories import UserFactory

    admin = UserFactory(is_systemadmin=True)
    response = login(admin).post(
        "/forbund/nytt/",
        {
            "namn": "Samordningsförbundet Nytt",
            "organisationsnummer": "2220001701",
            "startdatum": "2026-01-01",
            "region_namn": "Region Uppsala",
            "kommuner": ["0380", "0381"],
            "chef_first_name": "Nina",
            "chef_last_name": "Chef",
            "chef_email": "nina@example.org",
            "chef_username": "nina",
            "chef_password": "ett-langt-och-bra-losen",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    from finsam.models import Roll
    from forbund.models import Forbund

    nytt = Forbund.objects.get(namn="Samordningsförbundet Nytt")
    assert nytt.organisationsnummer == "222000-1701"
    assert {m.typ for m in nytt.medlemmar.all()} == {"FK", "AF", "REGION", "KOMMUN"}
    assert Roll.objects.get(forbund=nytt).roll == Role.FORBUNDSCHEF


def test_systemadmin_create_refuses_bad_orgnr_and_taken_kommun(forbund, login):
    from tests.factories import UserFactory

    admin = UserFactory(is_systemadmin=True)
    response = login(admin).post(
        "/forbund/nytt/",
        {
            "namn": "Samordningsförbundet Fel",
            "organisationsnummer": "222000-1702",
            "startdatum": "2026-01-01",
            "region_namn": "Region Dalarna",
            "kommuner": ["2083"],
            "chef_first_name": "A",
            "chef_last_name": "B",
            "chef_email": "a@example.org",
            "chef_username": "ab",
            "chef_password": "ett-langt-och-bra-losen",
        },
    )
    assert response.status_code == 200
    assert "Ogiltigt organisationsnummer" in response.text
    from forbund.models import Forbund

    assert not Forbund.objects.filter(namn="Samordningsförbundet Fel").exists()


def test_chef_cannot_create_forbund(chef, login):
    assert login(chef).get("/forbund/nytt/").status_code == 404


def test_other_forbund_creation_makes_forbund_with_members():
    f = forbund_with_members(kommun_koder=("0180",))
    assert f.medlemmar.count() == 4


def test_same_kommun_cannot_overlap_itself_in_one_forbund(forbund):
    with pytest.raises(ValidationError) as exc:
        services.medlem_add(
            forbund=forbund,
            typ=MedlemTyp.KOMMUN,
            namn="",
            kommun=kommun("2082"),
            startdatum=D(2024, 1, 1),
            slutdatum=D(2024, 12, 31),
        )
    assert forbund.namn in exc.value.message_dict["kommun"][0]


def test_member_joining_before_the_others_would_leave_the_forbund_incomplete(forbund):
    with pytest.raises(ValidationError, match="Försäkringskassan som medlem \\(den 2015-01-01\\)"):
        services.medlem_add(
            forbund=forbund,
            typ=MedlemTyp.KOMMUN,
            namn="",
            kommun=kommun("2085"),
            startdatum=D(2015, 1, 1),
        )


def test_dissolved_forbund_with_no_members_left_is_allowed(other_forbund):
    """When every membership has ended (a merger), no composition is required any more."""
    day = D(2025, 12, 31)
    for medlem in other_forbund.medlemmar.all():
        medlem.slutdatum = day
        medlem.save()
    assert (
        services.composition_problem(
            [
                services._Period(m.typ, m.startdatum, m.slutdatum)
                for m in other_forbund.medlemmar.all()
            ]
        )
        is None
    )
