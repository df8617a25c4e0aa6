import pytest

from finsam.roles import Role
from forbund.models import Finansieringsar, Modellberakning
from tests.factories import user_with_role
from tests.forbund.factories import tilldelning

pytestmark = pytest.mark.django_db


@pytest.fixture
def nationell(forbund):
    return user_with_role(forbund, Role.NATIONELL)


def _post(forbund, other_forbund, **overrides):
    data = {
        "ar": "2027",
        "nationell_summa": "2 000 000",
        "grundbelopp": "400000",
        "vikt_forsorjning": "75",
        "vikt_befolkning": "25",
        "golv_procent": "-10",
        "rad-TOTAL_FORMS": "2",
        "rad-INITIAL_FORMS": "2",
        "rad-0-forbund": str(forbund.uuid),
        "rad-0-befolkning": "100",
        "rad-0-forsorjningsmatt": "300",
        "rad-0-foregaende": "",
        "rad-1-forbund": str(other_forbund.uuid),
        "rad-1-befolkning": "300",
        "rad-1-forsorjningsmatt": "100",
        "rad-1-foregaende": "1 000 000",
    }
    data.update(overrides)
    return data


def test_nationell_computes_and_publishes_allocation(forbund, other_forbund, nationell, login):
    client = login(nationell)
    page = client.get("/forbund/fordelningsmodell/")
    assert page.status_code == 200
    assert other_forbund.namn in page.text
    response = client.post("/forbund/fordelningsmodell/", _post(forbund, other_forbund))
    assert response.status_code == 302, response.content.decode()[:3000]
    run = Modellberakning.objects.get()
    result = client.get(response.url).text
    assert "Höjd till golvet" in result
    amounts = dict(run.rader.values_list("forbund__namn", "tilldelning"))
    assert amounts == {forbund.namn: 1_100_000, other_forbund.namn: 900_000}
    client.post(f"/forbund/fordelningsmodell/{run.uuid}/publicera/")
    assert (
        Finansieringsar.objects.get(forbund=other_forbund, ar=2027).statlig_tilldelning == 900_000
    )
    assert Finansieringsar.objects.get(forbund=forbund, ar=2027).kalla == "modell"
    client.post(f"/forbund/fordelningsmodell/{run.uuid}/publicera/")  # twice: refused, no change
    assert Finansieringsar.objects.filter(ar=2027).count() == 2


def test_publishing_keeps_other_income(forbund, other_forbund, nationell, login):
    tilldelning(forbund, 2027, 5, ovriga=777)
    client = login(nationell)
    client.post("/forbund/fordelningsmodell/", _post(forbund, other_forbund))
    run = Modellberakning.objects.get()
    client.post(f"/forbund/fordelningsmodell/{run.uuid}/publicera/")
    fin = Finansieringsar.objects.get(forbund=forbund, ar=2027)
    assert (fin.statlig_tilldelning, fin.ovriga_intakter) == (1_100_000, 777)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"vikt_forsorjning": "80"}, "100 %"),
        ({"nationell_summa": "500000"}, "grundbeloppet"),
        ({"rad-0-befolkning": "-1"}, "negativt"),
        ({"rad-1-forsorjningsmatt": "mycket"}, "hela kronor"),
    ],
)
def test_bad_model_input_is_explained_and_saves_nothing(
    forbund, other_forbund, nationell, login, override, message
):
    response = login(nationell).post(
        "/forbund/fordelningsmodell/", _post(forbund, other_forbund, **override)
    )
    assert response.status_code == 400
    assert message in response.text
    assert not Modellberakning.objects.exists()


def test_unknown_forbund_in_model_post_is_404(forbund, other_forbund, nationell, login):
    data = _post(
        forbund, other_forbund, **{"rad-0-forbund": "00000000-0000-0000-0000-000000000000"}
    )
    assert login(nationell).post("/forbund/fordelningsmodell/", data).status_code == 404


@pytest.mark.parametrize("role", [Role.FORBUNDSCHEF, Role.EKONOMI, Role.STYRELSE])
def test_only_nationell_uses_the_calculator(forbund, login, role):
    client = login(user_with_role(forbund, role))
    assert client.get("/forbund/fordelningsmodell/").status_code == 404


def test_calculator_suggests_high_eget_kapital_from_registered_figures(
    forbund, other_forbund, nationell, login, django_assert_max_num_queries
):
    from decimal import Decimal

    from django.utils import timezone

    from forbund.models import Utfall

    last = timezone.localdate().year - 1
    forbund.ek_ingaende_ar = last
    forbund.ek_ingaende_belopp = Decimal(900_000)
    forbund.save()
    tilldelning(forbund, last, 1_000_000)  # 2 000 000 in, threshold 400 000
    Utfall.objects.create(forbund=forbund, datum=f"{last}-05-01", post="REVISION", belopp=1_000_000)
    tilldelning(other_forbund, last, 1_000_000)
    Utfall.objects.create(
        forbund=other_forbund, datum=f"{last}-05-01", post="REVISION", belopp=1_900_000
    )
    client = login(nationell)
    with django_assert_max_num_queries(14):
        page = client.get("/forbund/fordelningsmodell/").text
    # forbund: 900 000 + 2 000 000 − 1 000 000 = 1 900 000 > 400 000; other: 100 000 < 400 000
    names = sorted([forbund.namn, other_forbund.namn])
    first_checked = 'name="rad-0-ek_over_niva" id="id_rad-0-ek_over_niva" checked' in page
    second_checked = 'name="rad-1-ek_over_niva" id="id_rad-1-ek_over_niva" checked' in page
    assert (first_checked, second_checked) == (
        names[0] == forbund.namn,
        names[1] == forbund.namn,
    )
