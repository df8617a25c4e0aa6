"""Deltagare: identity, consent and participations. Objects by UUID only; no personnummer in
any URL (the search is a POST)."""

from django.urls import path

from . import views

app_name = "deltagare"

urlpatterns = [
    path("mina/", views.mina, name="mina"),
    path("sok/", views.sok, name="sok"),
    path("uppfoljningar/", views.uppfoljningar, name="uppfoljningar"),
    path("import/", views.importera, name="import"),
    path("logg/", views.logg, name="logg"),
    path("oversikt/", views.oversikt, name="oversikt"),
    path("oversikt/gallring/", views.gallring, name="gallring"),
    path("insats/<uuid:insats_uuid>/", views.insats_lista, name="insats"),
    path("insats/<uuid:insats_uuid>/registrera/", views.registrera, name="registrera"),
    path("insats/<uuid:insats_uuid>/export/", views.export, name="export"),
    path("d/<uuid:deltagande_uuid>/", views.deltagande, name="deltagande"),
    path("d/<uuid:deltagande_uuid>/avsluta/", views.avsluta, name="avsluta"),
    path("d/<uuid:deltagande_uuid>/andra/", views.andra, name="andra"),
    path("d/<uuid:deltagande_uuid>/felregistrering/", views.felregistrera, name="felregistrera"),
    path("d/<uuid:deltagande_uuid>/aterkalla/", views.aterkalla, name="aterkalla"),
    path("d/<uuid:deltagande_uuid>/samtycke/", views.samtycke_fornya, name="samtycke"),
    path(
        "d/<uuid:deltagande_uuid>/uppfoljning/<int:punkt>/",
        views.uppfoljning,
        name="uppfoljning",
    ),
    path("person/<uuid:person_uuid>/", views.person, name="person"),
    path("person/<uuid:person_uuid>/registerutdrag/", views.registerutdrag, name="registerutdrag"),
    path("samtycke/<uuid:samtycke_uuid>/dokument/", views.samtycke_dokument, name="dokument"),
]
