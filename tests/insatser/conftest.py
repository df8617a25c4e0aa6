import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from finsam.roles import Role
from insatser import services
from tests.factories import user_with_role
from tests.insatser.factories import full_insats, kommun_medlem, struktur_insats, volym_insats


@pytest.fixture
def ekonomi(forbund):
    return user_with_role(forbund, Role.EKONOMI)


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def objects(forbund, chef, media_root):
    """One insats of each mode with a co-financing row, a document and an occasion."""
    person = full_insats(forbund, user=chef)
    volym = volym_insats(forbund, user=chef)
    struktur = struktur_insats(forbund, user=chef)
    rad = services.medfinansiering_set(
        insats=person, user=chef, finansiar="ESF+", ar=2026, belopp=Decimal(1)
    )
    dok = services.dokument_upload(
        insats=person,
        user=chef,
        typ="ANSOKAN",
        datum=dt.date(2026, 1, 1),
        fil=SimpleUploadedFile("a.pdf", b"%PDF"),
    )
    tillfalle = services.tillfalle_save(
        insats=struktur,
        user=chef,
        datum=dt.date(2026, 1, 1),
        titel="Träff",
        timmar=Decimal(2),
        antal={(kommun_medlem(forbund), "CHEF"): 1},
    )
    return {"insatser": [person, volym, struktur], "rad": rad, "dok": dok, "t": tillfalle}
