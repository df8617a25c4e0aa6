import pytest

from finsam.demo_accounts import DEMO_PASSWORD

ROLE_PAGES = [
    # username, heading on the start page, navigation items that must show, and must not
    ("chef", "Samordningsförbundet Bergslagsdalen", ["Översikt"], ["Mina insatser"]),
    ("handlaggare", "Mina insatser", ["Mina insatser"], ["Översikt", "Styrelsens översikt"]),
    ("insatsansvarig", "Mina insatser", ["Mina insatser"], ["Översikt"]),
    ("styrelse", "Styrelsens översikt", ["Styrelsens översikt"], ["Mina insatser", "Översikt"]),
    ("ekonomi", "Samordningsförbundet Bergslagsdalen", ["Översikt"], ["Mina insatser"]),
    ("nationell", "Nationell statistik", ["Nationell statistik"], ["Mina insatser"]),
    ("admin", "Systemadministration", ["Systemadministration"], ["Mina insatser"]),
]


@pytest.mark.parametrize(("username", "heading", "nav_has", "nav_lacks"), ROLE_PAGES)
def test_each_demo_role_logs_in_to_its_start_page(
    page, demo_data, username, heading, nav_has, nav_lacks
):
    page.visit("/logga-in/")
    page.assert_accessible()
    page.login(username, DEMO_PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == heading
    nav = page.get_by_role("navigation", name="Huvudmeny")
    for label in nav_has:
        assert nav.get_by_role("link", name=label, exact=True).count() == 1
    for label in nav_lacks:
        assert nav.get_by_role("link", name=label, exact=True).count() == 0
    page.assert_accessible()
    page.logout()
    assert page.get_by_role("heading", level=1).inner_text() == "Logga in"


def test_wrong_password_shows_swedish_error(page, demo_data):
    page.login("chef", "fel-losenord")
    alert = page.get_by_role("alert")
    assert "Fel användarnamn eller lösenord" in alert.inner_text()
    page.assert_accessible()
