"""The demo log-ins, as plain data (importable without Django set up, for the launcher)."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "finsam-demo-2026"  # noqa: S105 - printed on purpose: demo log-ins only


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str | None  # a finsam.roles.Role value
    label: str
    employer: str | None = None  # Medlem name, for staff who handle participants
    is_systemadmin: bool = False


DEMO_USERS = [
    DemoUser("chef", "Karin", "Lindqvist", "forbundschef", "förbundschef"),
    DemoUser(
        "handlaggare", "Ali", "Hassan", "handlaggare", "handläggare", employer="Hedemora kommun"
    ),
    DemoUser(
        "insatsansvarig",
        "Maria",
        "Berg",
        "insatsansvarig",
        "insatsansvarig",
        employer="Region Dalarna",
    ),
    DemoUser("styrelse", "Per", "Olsson", "styrelse", "styrelseledamot"),
    DemoUser("ekonomi", "Eva", "Sjöberg", "ekonomi", "ekonomi"),
    DemoUser("nationell", "Nils", "Nordin", "nationell", "nationell uppföljning"),
    DemoUser("admin", "Sara", "Ek", None, "systemadministratör", is_systemadmin=True),
]


def logins_text() -> str:
    lines = [f"Demoinloggningar (lösenord för alla: {DEMO_PASSWORD}):"]
    for spec in DEMO_USERS:
        lines.append(f"  {spec.username:<16} {spec.label}")
    lines.append(
        "Tvåstegskod (förbundschef, handläggare, insatsansvarig, admin): "
        ".venv/bin/python manage.py demo_kod <användare>"
    )
    return "\n".join(lines)
