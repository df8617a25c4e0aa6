import datetime as dt

import pytest

from deltagare import kodlistor
from tests.deltagare.factories import person_insats, staff_on

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def codes(db):
    kodlistor.ensure_loaded()


@pytest.fixture
def insats(forbund, codes):
    return person_insats(forbund, kod="UNGA", namn="Ungdomsteamet")


@pytest.fixture
def user(insats):
    return staff_on(insats)
