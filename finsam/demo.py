"""Demo data shared by every app: the demo förbund's users and roles.

Each app adds its own part in ``<app>/demo.py`` (a ``seed(ctx)`` function); the ``demo`` command
runs them in the data-flow order. Everything is keyed on stable natural keys with
``get_or_create``, so running it again neither duplicates nor wipes anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .demo_accounts import DEMO_PASSWORD, DEMO_USERS
from .models import Roll, User


@dataclass
class DemoContext:
    """What the apps' seed functions share: the förbund, its members and the demo users."""

    forbund: object = None
    medlemmar: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    with_reports: bool = True


def seed_users(ctx: DemoContext) -> None:
    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "email": f"{spec.username}@demo.finsam.se",
                "is_systemadmin": spec.is_systemadmin,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            ctx.log.append(f"användare {spec.username}")
        ctx.users[spec.username] = user
        # Demo users get an authenticator already linked, so the two-factor step works at
        # once: `manage.py demo_kod <user>` shows the current code (DEBUG only).
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.get_or_create(user=user, defaults={"name": "Demo", "confirmed": True})
        if spec.role:
            Roll.objects.get_or_create(
                user=user,
                forbund=ctx.forbund,
                roll=spec.role,
                defaults={"medlem": ctx.medlemmar.get(spec.employer)},
            )
