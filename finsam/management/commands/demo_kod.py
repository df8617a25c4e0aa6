"""``manage.py demo_kod chef``: the current two-factor code of a demo user (development only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from finsam.demo_accounts import DEMO_USERS


class Command(BaseCommand):
    help = "Visar demoanvändarens aktuella tvåstegskod (bara med DEBUG på)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Kommandot finns bara för demo och utveckling (DEBUG=true).")
        username = options["username"]
        if username not in {u.username for u in DEMO_USERS}:
            raise CommandError("Bara demoanvändare har en kod att visa.")
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} har ingen autentiseringsapp kopplad ännu.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
