import pytest

from finsam.permissions import DELTAGARANSVARIG, insats_grant
from finsam.roles import Role
from tests.factories import InsatsFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_forbundschef_lands_on_overview_of_own_forbund(chef, login, forbund):
    client = login(chef)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/forbund/"
    assert forbund.namn in response.text
    assert "Översikt" in response.text


def test_handlaggare_lands_on_mina_insatser_listing_only_granted(handlaggare, login, forbund):
    mine = InsatsFactory(forbund=forbund, namn="Ungdomsteamet")
    InsatsFactory(forbund=forbund, namn="Hemlig insats")
    insats_grant(user=handlaggare, insats=mine, perm=DELTAGARANSVARIG)
    response = login(handlaggare).get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/insatser/mina/"
    assert "Ungdomsteamet" in response.text
    assert "Hemlig insats" not in response.text


def test_grant_in_other_forbund_is_not_listed(handlaggare, login, other_forbund):
    foreign = InsatsFactory(forbund=other_forbund, namn="Främmande insats")
    insats_grant(user=handlaggare, insats=foreign, perm=DELTAGARANSVARIG)
    response = login(handlaggare).get("/insatser/mina/")
    assert "Främmande insats" not in response.text


def test_navigation_shows_only_what_the_role_may_use(styrelse, login):
    response = login(styrelse).get("/", follow=True)
    assert "Styrelsens översikt" in response.text
    assert "Mina insatser" not in response.text
    assert 'href="/forbund/"' not in response.text


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (Role.STYRELSE, "/forbund/"),
        (Role.STYRELSE, "/insatser/mina/"),
        (Role.HANDLAGGARE, "/forbund/"),
        (Role.FORBUNDSCHEF, "/insatser/mina/"),
        (Role.EKONOMI, "/uppfoljning/styrelse/"),
    ],
)
def test_pages_of_other_roles_are_404(forbund, login, role, url):
    user = user_with_role(forbund, role)
    assert login(user).get(url).status_code == 404


def test_user_of_forbund_a_gets_404_choosing_forbund_b(chef, login, other_forbund):
    client = login(chef)
    response = client.post("/valj-forbund/", {"forbund": str(other_forbund.uuid)})
    assert response.status_code == 404


def test_user_with_two_forbund_must_choose_and_is_scoped_by_the_choice(
    forbund, other_forbund, login
):
    user = user_with_role(forbund, Role.FORBUNDSCHEF)
    user_with_role(other_forbund, Role.STYRELSE, username=user.username)
    client = login(user)
    assert client.get("/forbund/").url == "/valj-forbund/"
    choose = client.get("/valj-forbund/")
    assert forbund.namn in choose.text
    assert other_forbund.namn in choose.text
    client.post("/valj-forbund/", {"forbund": str(other_forbund.uuid)})
    # In the other förbund the user is styrelse: the förbundschef overview is not there.
    assert client.get("/forbund/").status_code == 404
    assert client.get("/", follow=True).redirect_chain[-1][0] == "/uppfoljning/styrelse/"
    client.post("/valj-forbund/", {"forbund": str(forbund.uuid)})
    overview = client.get("/forbund/")
    assert overview.status_code == 200
    assert forbund.namn in overview.text


def test_anonymous_user_is_sent_to_login():
    from django.test import Client

    response = Client().get("/forbund/")
    assert response.status_code == 302
    assert response.url.startswith("/logga-in/")


def test_user_without_role_sees_explanation(db, login):
    from tests.factories import UserFactory

    response = login(UserFactory()).get("/", follow=True)
    assert "ingen roll" in response.text


def test_systemadmin_sees_forbund_list_but_no_content(db, login, forbund):
    from tests.factories import UserFactory

    admin = UserFactory(is_systemadmin=True)
    client = login(admin)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/system/"
    assert forbund.namn in response.text
    assert client.get("/forbund/").status_code == 404
