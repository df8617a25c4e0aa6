from django.urls import path

from . import views, views_styrelse

app_name = "uppfoljning"

urlpatterns = [
    path("styrelse/", views_styrelse.styrelse, name="styrelse"),
    path("styrelse/paket/", views_styrelse.styrelsepaket, name="styrelsepaket"),
    path("styrelse/insats/<str:kod>/", views_styrelse.styrelse_insats, name="styrelse_insats"),
    path("nationell/", views.nationell, name="nationell"),
    path("rapporter/", views.rapporter, name="rapporter"),
    path("rapporter/delning/", views.delning, name="delning"),
    path("rapporter/rader/", views.rapporter_rader, name="rapporter_rader"),
    path("rapporter/<uuid:uuid>/", views.rapport_detalj, name="rapport"),
    path("rapporter/<uuid:uuid>/ny-version/", views.rapport_ny_version, name="rapport_ny_version"),
    path("rapporter/<uuid:uuid>/fil.<str:format>", views.rapport_fil, name="rapport_fil"),
]
