"""Two-factor log-in: mandatory for the roles that see identity and for förbundschef and
systemadministratör, optional for the board; enrolment with a QR code and recovery codes."""

import re
import time

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from finsam.roles import Role
from tests.factories import PASSWORD, UserFactory, user_with_role

pytestmark = pytest.mark.django_db


def password_only(user) -> Client:
    client = Client()
    assert (
        client.post("/logga-in/", {"username": user.username, "password": PASSWORD}).status_code
        == 302
    )
    return client


def current_code(device: TOTPDevice, shift: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + shift * device.step
    return f"{totp.token():06d}"


def test_first_login_enrols_an_authenticator_with_qr_code_and_recovery_codes(chef):
    client = password_only(chef)
    response = client.get("/forbund/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/tvastegs/aktivera/")
    assert "<svg" in response.text
    assert "QR-kod" in response.text
    device = TOTPDevice.objects.get(user=chef, confirmed=False)
    wrong = client.post("/tvastegs/aktivera/", {"token": "000000"})
    assert "Koden stämmer inte" in wrong.text
    device.refresh_from_db()
    assert device.confirmed is False
    time.sleep(1.2)  # django-otp throttles: one second after a failure
    done = client.post("/tvastegs/aktivera/?next=/forbund/", {"token": current_code(device)})
    codes = re.findall(r"<code>([0-9a-f]{10})</code>", done.text)
    assert len(codes) == 10
    assert client.get("/forbund/").status_code == 200
    # A recovery code works once, in a new session.
    other = password_only(chef)
    assert other.post("/tvastegs/", {"token": codes[0]}).status_code == 302
    assert other.get("/forbund/").status_code == 200
    third = password_only(chef)
    assert third.post("/tvastegs/", {"token": codes[0]}).status_code == 200  # used up


@pytest.mark.parametrize(
    "role", [Role.FORBUNDSCHEF, Role.HANDLAGGARE, Role.INSATSANSVARIG, "systemadmin"]
)
def test_no_route_answers_a_password_only_session_of_an_mfa_role(forbund, role):
    if role == "systemadmin":
        user = UserFactory(is_systemadmin=True)
    else:
        user = user_with_role(forbund, role)
    client = password_only(user)
    open_paths = ("/logga-ut/", "/tvastegs/", "/healthz", "/readyz", "/health/", "/tillganglighet/")
    probed = 0
    for path in all_paths():
        if path.startswith(open_paths) or path.startswith("/logga-in/"):
            continue
        response = client.get(path)
        probed += 1
        assert response.status_code == 302, path
        assert response.url.startswith("/tvastegs/"), path
    assert probed > 30


def all_paths() -> list[str]:
    fake = {"uuid": "00000000-0000-0000-0000-000000000000", "str": "X", "int": "1", "path": "x"}
    paths = []

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if route.startswith("^") or "(?P" in route:
                    continue  # admin's regex routes: covered by the admin prefix below
                route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: fake.get(m.group(1) or "str"), route)
                paths.append("/" + route)

    walk(get_resolver().url_patterns, "")
    paths.append("/admin/")
    return sorted(set(paths))


def test_board_member_needs_no_second_factor(styrelse):
    client = password_only(styrelse)
    assert client.get("/uppfoljning/styrelse/").status_code == 200


def test_a_used_totp_code_is_refused_the_second_time(chef):
    device = TOTPDevice.objects.create(user=chef, name="app", confirmed=True)
    code = current_code(device)
    first = password_only(chef)
    assert first.post("/tvastegs/", {"token": code}).status_code == 302
    second = password_only(chef)
    response = second.post("/tvastegs/", {"token": code})
    assert response.status_code == 200
    assert "redan använd" in response.text
    assert second.get("/forbund/").status_code == 302


def test_garbage_codes_get_a_message_and_change_nothing(chef):
    TOTPDevice.objects.create(user=chef, name="app", confirmed=True)
    client = password_only(chef)
    for token in ("", "abc", "9" * 50, "'; DROP TABLE x; --", "１２３４５６"):
        response = client.post("/tvastegs/", {"token": token})
        assert response.status_code == 200
    assert client.get("/forbund/").status_code == 302


def test_next_parameter_cannot_send_the_user_elsewhere(chef):
    device = TOTPDevice.objects.create(user=chef, name="app", confirmed=True)
    client = password_only(chef)
    response = client.post("/tvastegs/?next=https://evil.example/", {"token": current_code(device)})
    assert response.url == "/"


def test_demo_code_command_only_for_demo_users_with_debug(settings):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    call_command("demo", utan_rapporter=True, stdout=StringIO())
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_kod", "chef")
    settings.DEBUG = True
    out = StringIO()
    call_command("demo_kod", "chef", stdout=out)
    assert re.fullmatch(r"\d{6}\n", out.getvalue())
    with pytest.raises(CommandError):
        call_command("demo_kod", "someone-else")
