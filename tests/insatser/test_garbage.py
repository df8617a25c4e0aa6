"""Bad input never makes a 500 (design rule 6): every insatser form, posted with garbage in
every field by the förbundschef (who may post to all of them)."""

import pytest
from django.urls import reverse

from insatser.urls import urlpatterns

pytestmark = pytest.mark.django_db

GARBAGE = ["", "x" * 300, "-1", "9" * 30, "2026-13-45", "<script>alert(1)</script>", "NaN", "1e9"]
FIELDS = [
    "kod", "namn", "beskrivning", "kategori", "status", "beslut", "registreringsform",
    "malgrupper", "metoder", "huvudman", "personuppgiftsansvarig", "startdatum",
    "planerat_slutdatum", "slutdatum", "planerade_deltagare", "malvarden", "datum", "titel",
    "timmar", "typ", "ar", "belopp", "kommentar", "finansiar", "projektnummer",
    "deltagaransvarig-user", "insatsansvarig-user",
    *[f"m{m}" for m in range(1, 13)],
    *[f"{k}{m}" for k in "kmx" for m in range(1, 13)],
]  # fmt: skip


def test_every_form_survives_garbage(objects, forbund, chef, login):
    medlem_fields = [
        f"n_{m.pk}_{y}"
        for m in forbund.medlemmar.all()
        for y in ("HANDLAGGARE", "CHEF", "VARDPERSONAL", "OVRIG")
    ]
    client = login(chef)
    urls = []
    for pattern in urlpatterns:
        converters = pattern.pattern.converters
        if "uuid" not in converters:
            urls.append(reverse(f"insatser:{pattern.name}"))
            continue
        for insats in objects["insatser"]:
            values = {
                "uuid": insats.uuid,
                "roll": "deltagaransvarig",
                "user_uuid": chef.uuid,
                "ar": 2026,
                "rad": objects["rad"].uuid,
                "dok": objects["dok"].uuid,
                "tillfalle": objects["t"].uuid,
            }
            kwargs = {k: v for k, v in values.items() if k in converters}
            urls.append(reverse(f"insatser:{pattern.name}", kwargs=kwargs))
    for url in urls:
        if "ta-bort" in url:
            continue  # removals take no input
        for value in GARBAGE:
            data = dict.fromkeys(FIELDS + medlem_fields, value)
            response = client.post(url + f"?ar={value}", data)
            assert response.status_code < 500, (url, value)
