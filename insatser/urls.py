from django.urls import path

from . import views

app_name = "insatser"

urlpatterns = [
    path("", views.lista, name="lista"),
    path("ny/", views.ny, name="ny"),
    path("export.xlsx", views.export, name="export"),
    path("mina/", views.mina, name="mina"),
    path("kostnader/import/", views.kostnadsimport, name="kostnadsimport"),
    path("ekonomi/", views.oversikt, name="ekonomioversikt"),
    path("<uuid:uuid>/", views.detalj, name="detalj"),
    path("<uuid:uuid>/andra/", views.andra, name="andra"),
    path("<uuid:uuid>/status/", views.steg, name="steg"),
    path("<uuid:uuid>/personal/<str:roll>/", views.personal_lagg_till, name="personal_lagg_till"),
    path(
        "<uuid:uuid>/personal/<str:roll>/<uuid:user_uuid>/ta-bort/",
        views.personal_ta_bort,
        name="personal_ta_bort",
    ),
    path("<uuid:uuid>/ekonomi/", views.ekonomi, name="ekonomi"),
    path("<uuid:uuid>/ekonomi/budget/", views.budget_spara, name="budget_spara"),
    path(
        "<uuid:uuid>/ekonomi/budget/<int:ar>/ta-bort/", views.budget_ta_bort, name="budget_ta_bort"
    ),
    path("<uuid:uuid>/ekonomi/kostnader/", views.kostnader_spara, name="kostnader_spara"),
    path("<uuid:uuid>/ekonomi/extern/", views.medfinansiering_spara, name="medfinansiering_spara"),
    path(
        "<uuid:uuid>/ekonomi/extern/<uuid:rad>/ta-bort/",
        views.medfinansiering_ta_bort,
        name="medfinansiering_ta_bort",
    ),
    path("<uuid:uuid>/dokument/", views.dokument_ladda_upp, name="dokument_ladda_upp"),
    path("<uuid:uuid>/dokument/<uuid:dok>/", views.dokument_hamta, name="dokument_hamta"),
    path(
        "<uuid:uuid>/dokument/<uuid:dok>/ta-bort/", views.dokument_ta_bort, name="dokument_ta_bort"
    ),
    path("<uuid:uuid>/volym/", views.volym, name="volym"),
    path("<uuid:uuid>/tillfallen/", views.tillfallen, name="tillfallen"),
    path("<uuid:uuid>/tillfallen/<uuid:tillfalle>/", views.tillfalle_andra, name="tillfalle_andra"),
    path(
        "<uuid:uuid>/tillfallen/<uuid:tillfalle>/ta-bort/",
        views.tillfalle_ta_bort,
        name="tillfalle_ta_bort",
    ),
]
