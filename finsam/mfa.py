"""Two-factor log-in: who must use it, enrolment and verification (django-otp, TOTP).

The rule lives here and nowhere else: a second factor is required for every role that can see
identity (handläggare, insatsansvarig) and for the förbundschef and the systemadministratör, in
any förbund the user holds such a role; optional for the others (styrelse, ekonomi, nationell).

The log-in is two steps: a password (``finsam.views.LoginView``) and then a second factor on
``/tvastegs/``. ``session_is_strong`` is the single question the rest of the app asks, so an
e-ID log-in (OIDC/SAML through a maintained library) can later mark the session as strong
instead of the TOTP step without touching any view.
"""

from __future__ import annotations

import io
import secrets

from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Roll
from .roles import Role

MFA_ROLES = frozenset({Role.HANDLAGGARE, Role.INSATSANSVARIG, Role.FORBUNDSCHEF})
RECOVERY_CODES = 10
TOTP_NAME = "Autentiseringsapp"
STATIC_NAME = "Reservkoder"


def requires_mfa(user, roll_rows=None) -> bool:
    """``roll_rows``: the user's active role rows when the caller has them already (the
    middleware does), saving a query."""
    if not user.is_authenticated:
        return False
    if user.is_systemadmin or user.is_superuser:
        return True
    if roll_rows is not None:
        return any(r.roll in MFA_ROLES for r in roll_rows)
    return Roll.objects.active().filter(user=user, roll__in=MFA_ROLES).exists()


def session_is_strong(request) -> bool:
    """The session passed a second factor (today: TOTP or a recovery code)."""
    return bool(getattr(request.user, "is_verified", lambda: False)())


def has_confirmed_totp(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_device_pending(user) -> TOTPDevice:
    """The user's unconfirmed TOTP device for enrolment (a new secret if there is none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code (no external service, no inline style)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    image = qrcode.make(device.config_url, image_factory=SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg") :]  # inline in HTML: no XML declaration
    return svg.replace(
        "<svg ", '<svg role="img" aria-label="QR-kod för att lägga till Finsam i appen" ', 1
    )


def secret_base32(device: TOTPDevice) -> str:
    import base64

    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@transaction.atomic
def mfa_enrol_confirm(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm a TOTP device with a first code; create fresh recovery codes and return them
    (shown once). ``None`` when the code is wrong (nothing changes)."""
    if not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    codes = recovery_codes_renew(user=device.user)
    otp_login(request, device)
    return codes


@transaction.atomic
def recovery_codes_renew(*, user) -> list[str]:
    static, _ = StaticDevice.objects.get_or_create(
        user=user, name=STATIC_NAME, defaults={"confirmed": True}
    )
    static.token_set.all().delete()
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def mfa_verify(*, request, token: str) -> bool:
    """Check a code against the user's confirmed devices (TOTP first, then recovery codes);
    django-otp throttles failures and refuses a TOTP code that was already used."""
    token = "".join(token.split()).lower()
    if not token or len(token) > 20:
        return False
    for model in (TOTPDevice, StaticDevice):
        for device in model.objects.filter(user=request.user, confirmed=True):
            if device.verify_is_allowed()[0] and device.verify_token(token):
                otp_login(request, device)
                return True
    return False
