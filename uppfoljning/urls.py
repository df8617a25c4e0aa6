from django.urls import path

from . import views

app_name = "uppfoljning"

urlpatterns = [
    path("styrelse/", views.styrelse, name="styrelse"),
    path("nationell/", views.nationell, name="nationell"),
]
