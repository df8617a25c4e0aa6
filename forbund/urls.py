from django.urls import path

from . import views, views_budget, views_modell, views_styrelse

app_name = "forbund"

urlpatterns = [
    path("", views.oversikt, name="oversikt"),
    # The menu links here, so that "/forbund/" is not a prefix of every other förbund page.
    path("oversikt/", views.oversikt, name="hem"),
    path("nytt/", views.forbund_create, name="skapa"),
    path("profil/", views.profil, name="profil"),
    path("profil/andra/", views.profil_edit, name="profil_andra"),
    path("forbundsordning/", views.forbundsordning_upload, name="forbundsordning_ladda_upp"),
    path("forbundsordning/<uuid:uuid>/", views.forbundsordning_download, name="forbundsordning"),
    path("medlemmar/", views.medlemmar, name="medlemmar"),
    path("medlemmar/excel/", views.medlemmar_excel, name="medlemmar_excel"),
    path("medlemmar/<uuid:uuid>/", views.medlem_edit, name="medlem"),
    path("medlemmar/<uuid:uuid>/ersatt/", views.medlem_replace, name="medlem_ersatt"),
    path("medlemmar/<uuid:uuid>/ta-bort/", views.medlem_delete, name="medlem_ta_bort"),
    path("befolkning/", views.befolkning, name="befolkning"),
    path("befolkning/import/", views.befolkning_import, name="befolkning_import"),
    path("finansiering/", views.finansiering, name="finansiering"),
    path("finansiering/excel/", views.finansiering_excel, name="finansiering_excel"),
    *views_budget.urlpatterns,
    *views_styrelse.urlpatterns,
    *views_modell.urlpatterns,
]
