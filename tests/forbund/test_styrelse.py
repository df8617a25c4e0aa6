import pytest
from django.core.exceptions import ValidationError

from finsam.roles import Role
from forbund import selectors_styrelse as sel
from forbund import services_styrelse as svc
from forbund.models import Beslut, MedlemTyp, Narvaro, Sammantrade, Styrelseuppdrag
from tests.factories import user_with_role
from tests.forbund.factories import D

pytestmark = pytest.mark.django_db

GROUND = {
    MedlemTyp.FK: "ANSTALLD_FK",
    MedlemTyp.AF: "ANSTALLD_AF",
    MedlemTyp.REGION: "RF_LEDAMOT",
    MedlemTyp.KOMMUN: "KF_LEDAMOT",
}


FRAN, TILL = D(2023, 1, 1), D(2026, 12, 31)


def _board(forbund, fran=FRAN, till=TILL, ersattare=True):
    """A full board: one ledamot and one ersättare per member (5 members → 5 seats)."""
    seats = {}
    for i, medlem in enumerate(forbund.medlemmar.order_by("typ", "namn")):
        roll = "ORDFORANDE" if i == 0 else "LEDAMOT"
        led = svc.uppdrag_create(
            forbund=forbund,
            medlem=medlem,
            namn=f"Ledamot {medlem.namn}",
            roll=roll,
            fran=fran,
            till=till,
            valbarhet=GROUND[medlem.typ],
        )
        ers = None
        if ersattare:
            ers = svc.uppdrag_create(
                forbund=forbund,
                medlem=medlem,
                namn=f"Ersättare {medlem.namn}",
                roll="ERSATTARE",
                fran=fran,
                till=till,
                valbarhet=GROUND[medlem.typ],
            )
        seats[medlem.namn] = (led, ers)
    return seats


def test_each_member_has_one_ordinary_ledamot_at_a_time(forbund):
    seats = _board(forbund)
    led, _ = seats["Hedemora kommun"]
    with pytest.raises(ValidationError) as exc:
        svc.uppdrag_create(
            forbund=forbund,
            medlem=led.medlem,
            namn="Två",
            roll="LEDAMOT",
            fran=D(2024, 1, 1),
            till=D(2024, 12, 31),
            valbarhet="KF_LEDAMOT",
        )
    assert "redan en ordinarie ledamot" in exc.value.message_dict["roll"][0]


def test_only_one_ordforande_at_a_time(forbund):
    svc.uppdrag_create(
        forbund=forbund,
        medlem=forbund.medlemmar.get(typ=MedlemTyp.FK),
        namn="Första",
        roll="ORDFORANDE",
        fran=D(2023, 1, 1),
        till=D(2026, 12, 31),
        valbarhet="ANSTALLD_FK",
    )
    with pytest.raises(ValidationError, match="Första är redan ordförande"):
        svc.uppdrag_create(
            forbund=forbund,
            medlem=forbund.medlemmar.get(typ=MedlemTyp.REGION),
            namn="Andra",
            roll="ORDFORANDE",
            fran=D(2026, 1, 1),
            till=D(2026, 12, 31),
            valbarhet="RF_LEDAMOT",
        )


@pytest.mark.parametrize(
    ("typ", "ground"),
    [
        (MedlemTyp.KOMMUN, "ANSTALLD_FK"),
        (MedlemTyp.FK, "KF_LEDAMOT"),
        (MedlemTyp.REGION, "KF_LEDAMOT"),
    ],
)
def test_eligibility_ground_must_fit_the_member(forbund, typ, ground):
    medlem = forbund.medlemmar.filter(typ=typ).first()
    with pytest.raises(ValidationError) as exc:
        svc.uppdrag_create(
            forbund=forbund,
            medlem=medlem,
            namn="X",
            roll="LEDAMOT",
            fran=D(2024, 1, 1),
            till=D(2024, 12, 31),
            valbarhet=ground,
        )
    assert "valbar" in exc.value.message_dict["valbarhet"][0]


def test_mandate_must_lie_within_membership(forbund):
    medlem = forbund.medlemmar.filter(typ=MedlemTyp.KOMMUN).first()
    with pytest.raises(ValidationError) as exc:
        svc.uppdrag_create(
            forbund=forbund,
            medlem=medlem,
            namn="X",
            roll="LEDAMOT",
            fran=D(2019, 1, 1),
            till=D(2024, 12, 31),
            valbarhet="KF_LEDAMOT",
        )
    assert "fran" in exc.value.message_dict


def test_empty_seats_are_warned_on_a_date(forbund):
    seats = _board(forbund, ersattare=False)
    led, _ = seats["Säter kommun"]
    svc.uppdrag_update(
        uppdrag=led,
        medlem=led.medlem,
        namn=led.namn,
        roll=led.roll,
        fran=led.fran,
        till=D(2024, 6, 30),
        valbarhet=led.valbarhet,
    )
    bild = sel.styrelse_on(forbund=forbund, day=D(2024, 7, 1))
    assert "Säter kommun saknar ordinarie ledamot." in bild.warnings
    assert "Hedemora kommun saknar ersättare." in bild.warnings
    assert "Hedemora kommun saknar ordinarie ledamot." not in bild.warnings


def test_mandates_ending_within_60_days_are_warned_unless_succeeded(forbund):
    seats = _board(forbund, till=D(2026, 12, 31))
    bild = sel.styrelse_on(forbund=forbund, day=D(2026, 11, 1))
    assert len(bild.slutar_snart) == 10
    assert sel.styrelse_on(forbund=forbund, day=D(2026, 10, 31)).slutar_snart == []
    led, _ = seats["Hedemora kommun"]
    svc.uppdrag_create(
        forbund=forbund,
        medlem=led.medlem,
        namn="Efterträdare",
        roll="LEDAMOT",
        fran=D(2027, 1, 1),
        till=D(2030, 12, 31),
        valbarhet="KF_LEDAMOT",
    )
    bild = sel.styrelse_on(forbund=forbund, day=D(2026, 11, 1))
    assert led not in bild.slutar_snart
    assert len(bild.slutar_snart) == 9


# --- quorum -----------------------------------------------------------------------------------


def _meeting(forbund, seats, present=(), stepping=()):
    s = svc.sammantrade_create(forbund=forbund, datum=D(2025, 3, 10))
    entries = []
    for namn, (led, ers) in seats.items():
        entries.append(svc.NarvaroInput(led, namn in present))
        if ers:
            steps = namn in stepping
            entries.append(svc.NarvaroInput(ers, steps, led if steps else None))
    svc.narvaro_set(sammantrade=s, entries=entries)
    return s


def test_quorum_needs_at_least_half_of_ledamoter(forbund):
    seats = _board(forbund)  # 5 seats: FK, AF, region, two kommuner
    names = list(seats)
    s = _meeting(forbund, seats, present=names[:2])
    verdict = sel.quorum(sammantrade=s)
    assert (verdict.platser, verdict.tjanstgorande, verdict.beslutsfor) == (5, 2, False)
    s2 = _meeting(forbund, seats, present=names[:3])
    assert sel.quorum(sammantrade=s2).beslutsfor


def test_ersattare_stepping_in_counts_toward_quorum(forbund):
    seats = _board(forbund)
    names = list(seats)
    s = _meeting(forbund, seats, present=names[:2], stepping=names[2:3])
    verdict = sel.quorum(sammantrade=s)
    assert verdict.tjanstgorande_ersattare == 1
    assert verdict.beslutsfor


def test_exactly_half_is_enough_with_an_even_number_of_seats(other_forbund):
    # other_forbund has 4 members: FK, AF, region and one kommun
    seats = _board(other_forbund)
    names = list(seats)
    s = _meeting(other_forbund, seats, present=names[:2])
    verdict = sel.quorum(sammantrade=s)
    assert (verdict.platser, verdict.kravs, verdict.beslutsfor) == (4, 2, True)


def test_empty_seat_counts_against_the_quorum(other_forbund):
    seats = _board(other_forbund)
    names = list(seats)
    led, _ = seats[names[0]]
    Styrelseuppdrag.objects.filter(medlem=led.medlem).delete()
    del seats[names[0]]
    s = _meeting(other_forbund, seats, present=names[1:2])
    verdict = sel.quorum(sammantrade=s)
    assert (verdict.platser, verdict.tjanstgorande, verdict.beslutsfor) == (4, 1, False)


def test_ersattare_cannot_step_in_for_present_ledamot_or_other_member(forbund):
    seats = _board(forbund)
    names = list(seats)
    s = svc.sammantrade_create(forbund=forbund, datum=D(2025, 3, 10))
    led0, ers0 = seats[names[0]]
    led1, _ = seats[names[1]]
    with pytest.raises(ValidationError, match="är närvarande"):
        svc.narvaro_set(
            sammantrade=s,
            entries=[svc.NarvaroInput(led0, True), svc.NarvaroInput(ers0, True, led0)],
        )
    with pytest.raises(ValidationError, match="annan medlem"):
        svc.narvaro_set(sammantrade=s, entries=[svc.NarvaroInput(ers0, True, led1)])
    assert not Narvaro.objects.exists()


def test_nobody_outside_their_mandate_can_attend(forbund):
    seats = _board(forbund, fran=D(2026, 1, 1))
    s = svc.sammantrade_create(forbund=forbund, datum=D(2025, 3, 10))
    led, _ = next(iter(seats.values()))
    with pytest.raises(ValidationError, match="inget uppdrag"):
        svc.narvaro_set(sammantrade=s, entries=[svc.NarvaroInput(led, True)])


def test_beslut_needs_a_quorate_meeting_and_unique_paragraph(forbund):
    seats = _board(forbund)
    names = list(seats)
    s = _meeting(forbund, seats, present=names[:1])
    with pytest.raises(ValidationError, match="inte beslutsför"):
        svc.beslut_create(sammantrade=s, paragraf="§ 1/2025", rubrik="Budget")
    s = _meeting(forbund, seats, present=names)
    b = svc.beslut_create(sammantrade=s, paragraf="§ 1/2025", rubrik="Budget")
    assert b.datum == s.datum
    assert svc.next_paragraf(forbund=forbund, year=2025) == "§ 2/2025"
    with pytest.raises(ValidationError):
        svc.beslut_create(sammantrade=s, paragraf="§ 1/2025", rubrik="Igen")


# --- pages ------------------------------------------------------------------------------------


def test_chef_registers_meeting_attendance_and_sees_verdict(forbund, chef, login):
    seats = _board(forbund)
    client = login(chef)
    response = client.post(
        "/forbund/styrelse/sammantraden/", {"datum": "2025-03-10", "plats": "Säter"}
    )
    assert response.status_code == 302
    s = Sammantrade.objects.get(forbund=forbund)
    names = list(seats)
    led_absent, ers = seats[names[3]]
    data = {
        "action": "narvaro",
        "narvarande": [seats[n][0].uuid.hex for n in names[:2]] + [ers.uuid.hex],
    }
    data[f"tjanstgor-{ers.uuid.hex}"] = led_absent.uuid.hex
    response = client.post(f"/forbund/styrelse/sammantraden/{s.uuid}/", data)
    assert response.status_code == 302
    page = client.get(f"/forbund/styrelse/sammantraden/{s.uuid}/").text
    assert "Styrelsen är beslutsför" in page
    assert "3 av 5" in page


def test_bad_attendance_shows_error_and_changes_nothing(forbund, chef, login):
    seats = _board(forbund)
    s = svc.sammantrade_create(forbund=forbund, datum=D(2025, 3, 10))
    led, ers = next(iter(seats.values()))
    data = {
        "action": "narvaro",
        "narvarande": [led.uuid.hex, ers.uuid.hex],
        f"tjanstgor-{ers.uuid.hex}": led.uuid.hex,
    }
    response = login(chef).post(f"/forbund/styrelse/sammantraden/{s.uuid}/", data)
    assert response.status_code == 400
    assert "Närvaron är inte sparad" in response.text
    assert not Narvaro.objects.exists()


def test_uppdrag_form_errors_next_to_field(forbund, chef, login):
    medlem = forbund.medlemmar.get(typ=MedlemTyp.FK)
    response = login(chef).post(
        "/forbund/styrelse/",
        {
            "medlem": str(medlem.uuid),
            "namn": "X",
            "roll": "LEDAMOT",
            "fran": "2024-01-01",
            "till": "2023-01-01",
            "valbarhet": "ANSTALLD_FK",
        },
    )
    assert response.status_code == 400
    assert "id_till_fel" in response.text
    assert not Styrelseuppdrag.objects.exists()


def test_styrelse_role_reads_board_but_cannot_write(forbund, styrelse, login):
    seats = _board(forbund)
    s = svc.sammantrade_create(forbund=forbund, datum=D(2025, 3, 10))
    client = login(styrelse)
    assert client.get("/forbund/styrelse/").status_code == 200
    assert client.get(f"/forbund/styrelse/sammantraden/{s.uuid}/").status_code == 200
    assert (
        client.post("/forbund/styrelse/sammantraden/", {"datum": "2025-01-01"}).status_code == 403
    )
    led, _ = next(iter(seats.values()))
    assert (
        client.post(
            f"/forbund/styrelse/sammantraden/{s.uuid}/",
            {"action": "narvaro", "narvarande": [led.uuid.hex]},
        ).status_code
        == 403
    )
    assert client.get(f"/forbund/styrelse/uppdrag/{led.uuid}/").status_code == 403
    assert not Narvaro.objects.exists()


def test_meeting_and_uppdrag_of_other_forbund_are_404(forbund, other_forbund, chef, login):
    seats = _board(other_forbund)
    s = svc.sammantrade_create(forbund=other_forbund, datum=D(2025, 3, 10))
    led, _ = next(iter(seats.values()))
    client = login(chef)
    assert client.get(f"/forbund/styrelse/sammantraden/{s.uuid}/").status_code == 404
    assert client.get(f"/forbund/styrelse/uppdrag/{led.uuid}/").status_code == 404
    assert client.post(f"/forbund/styrelse/sammantraden/{s.uuid}/ta-bort/").status_code == 404
    assert Sammantrade.objects.filter(pk=s.pk).exists()


def test_ekonomi_cannot_edit_the_board(forbund, login):
    client = login(user_with_role(forbund, Role.EKONOMI))
    assert client.get("/forbund/styrelse/").status_code == 200
    assert (
        client.post("/forbund/styrelse/sammantraden/", {"datum": "2025-01-01"}).status_code == 403
    )


def test_board_pages_run_constant_queries(forbund, chef, login, django_assert_max_num_queries):
    seats = _board(forbund)
    names = list(seats)
    for _ in range(5):
        s = _meeting(forbund, seats, present=names)
    client = login(chef)
    with django_assert_max_num_queries(13):  # +1: in-app notices on every page
        client.get("/forbund/styrelse/")
    with django_assert_max_num_queries(13):  # +1: in-app notices on every page
        client.get("/forbund/styrelse/sammantraden/")
    with django_assert_max_num_queries(16):
        client.get(f"/forbund/styrelse/sammantraden/{s.uuid}/")
    assert Beslut.objects.count() == 0


def test_board_member_login_must_hold_the_styrelse_role(forbund, chef, styrelse):
    medlem = forbund.medlemmar.get(typ=MedlemTyp.FK)
    with pytest.raises(ValidationError) as exc:
        svc.uppdrag_create(
            forbund=forbund,
            medlem=medlem,
            namn="Chefen",
            roll="LEDAMOT",
            fran=FRAN,
            till=TILL,
            valbarhet="ANSTALLD_FK",
            anvandare=chef,
        )
    assert "anvandare" in exc.value.message_dict
    u = svc.uppdrag_create(
        forbund=forbund,
        medlem=medlem,
        namn="Styrelsen",
        roll="LEDAMOT",
        fran=FRAN,
        till=TILL,
        valbarhet="ANSTALLD_FK",
        anvandare=styrelse,
    )
    assert u.anvandare == styrelse


def test_member_used_by_an_insats_cannot_be_deleted(forbund):
    from forbund import services
    from tests.factories import InsatsFactory

    medlem = forbund.medlemmar.get(typ=MedlemTyp.KOMMUN, kommun__kod="2082")
    InsatsFactory(forbund=forbund, personuppgiftsansvarig=medlem)
    with pytest.raises(ValidationError, match="slutdatum"):
        services.medlem_delete(medlem=medlem)
