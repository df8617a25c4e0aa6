from django.urls import path

from . import views

app_name = "forbund"

urlpatterns = [
    path("", views.oversikt, name="oversikt"),
]
