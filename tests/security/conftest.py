"""Fixtures of the consolidated probe: the world is built once per module (inside one
transaction that is rolled back at the end), and the logged-in clients with it."""

from __future__ import annotations

import pytest
from django.db import transaction


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.test import override_settings

    from tests.security.world import build_world

    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("probe-media"))
    media.enable()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            media.disable()


ROLE_LABELS = [
    "förbundschef",
    "handläggare",
    "insatsansvarig",
    "handläggare region",
    "styrelse",
    "ekonomi",
    "nationell",
    "systemadmin",
    "utan roll",
    "anonym",
]


@pytest.fixture(scope="module")
def clients(world, django_db_blocker):
    """One logged-in client per role (password and, where the role needs it, second factor)."""
    from tests.security.probe import ProbeClient

    with django_db_blocker.unblock():
        return {label: ProbeClient(label, world.users[label]) for label in ROLE_LABELS}
