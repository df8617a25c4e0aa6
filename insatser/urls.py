from django.urls import path

from . import views

app_name = "insatser"

urlpatterns = [
    path("mina/", views.mina, name="mina"),
]
