import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_wrong_password_shows_swedish_error(chef):
    response = Client().post("/logga-in/", {"username": chef.username, "password": "fel"})
    assert response.status_code == 200
    assert "Fel användarnamn eller lösenord" in response.text


def test_login_page_is_swedish():
    response = Client().get("/logga-in/")
    assert '<html lang="sv">' in response.text
    assert "Användarnamn" in response.text
    assert "Lösenord" in response.text


def test_failed_logins_are_throttled_after_five(chef):
    client = Client()
    for _ in range(5):
        client.post("/logga-in/", {"username": chef.username, "password": "fel"})
    from tests.factories import PASSWORD

    response = client.post("/logga-in/", {"username": chef.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "För många misslyckade inloggningar" in response.text


def test_logout_ends_the_session(chef, login):
    client = login(chef)
    assert client.get("/forbund/").status_code == 200
    client.post("/logga-ut/")
    assert client.get("/forbund/").status_code == 302


def test_session_ends_after_30_idle_minutes(chef, login, settings):
    import time_machine

    client = login(chef)
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST
    with time_machine.travel(0, tick=False) as traveller:
        traveller.move_to("2030-01-01 10:00")
        client = login(chef)
        traveller.shift(29 * 60)
        assert client.get("/forbund/").status_code == 200  # activity extends the session
        traveller.shift(29 * 60)
        assert client.get("/forbund/").status_code == 200
        traveller.shift(31 * 60)
        response = client.get("/forbund/")
        assert response.status_code == 302
        assert response.url.startswith("/logga-in/")


def test_post_without_csrf_token_is_refused(chef):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/logga-in/", {"username": chef.username, "password": "x"})
    assert response.status_code == 403


def test_session_ends_ten_hours_after_log_in_however_active(chef, login):
    import time_machine

    with time_machine.travel(0, tick=False) as traveller:
        traveller.move_to("2030-01-01 07:00")
        client = login(chef)
        for _ in range(30):  # active every 20 minutes for ten hours
            traveller.shift(20 * 60)
            assert client.get("/forbund/").status_code == 200
        traveller.shift(20 * 60 + 1)
        response = client.get("/forbund/")
        assert response.status_code == 302
        assert response.url == "/logga-in/?utgangen=1"
        assert "loggats ut av säkerhetsskäl" in client.get(response.url).text
        assert client.get("/forbund/").url.startswith("/logga-in/")


def test_the_old_session_cookie_is_worthless_after_logout(chef, login):
    from django.conf import settings

    client = login(chef)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/logga-ut/")
    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = stolen.get("/forbund/")
    assert response.status_code == 302
    assert response.url.startswith("/logga-in/")


def test_a_deactivated_user_is_sent_to_log_in_on_the_next_request(chef, login):
    client = login(chef)
    assert client.get("/forbund/").status_code == 200
    chef.is_active = False
    chef.save(update_fields=["is_active"])
    response = client.get("/forbund/")
    assert response.status_code == 302
    assert response.url.startswith("/logga-in/")
