"""Enrol the second factor in the browser: QR code page, a code from the 'app', recovery codes."""

import base64

from django_otp.oath import TOTP

from finsam.roles import Role
from tests.factories import PASSWORD, forbund_with_members, user_with_role


def test_enrol_authenticator_then_work(page, transactional_db):
    forbund = forbund_with_members()
    user = user_with_role(forbund, Role.FORBUNDSCHEF, username="ny-chef")
    page.visit("/logga-in/")
    page.get_by_label("Användarnamn").fill(user.username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Aktivera tvåstegsverifiering"
    assert page.get_by_role("img", name="QR-kod för att lägga till Finsam i appen").count() == 1
    page.assert_accessible()
    secret = page.locator("code.nyckel").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_role("textbox", name="Kod").fill(f"{TOTP(key).token():06d}")  # as the app shows
    page.get_by_role("button", name="Aktivera").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Tvåstegsverifiering är aktiverad"
    assert page.locator(".reservkoder li").count() == 10
    page.assert_accessible()
    page.get_by_role("link", name="Fortsätt").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == forbund.namn
