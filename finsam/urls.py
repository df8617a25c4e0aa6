from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views, views_mfa

urlpatterns = [
    path("", views.start, name="start"),
    path("logga-in/", views.LoginView.as_view(), name="login"),
    path("logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("valj-forbund/", views.valj_forbund, name="valj_forbund"),
    path("tvastegs/", views_mfa.verify, name="mfa_verify"),
    path("tvastegs/aktivera/", views_mfa.enrol, name="mfa_enrol"),
    path("system/", views.system, name="system"),
    path("notiser/las/", views.notis_las, name="notis_las"),
    path("tillganglighet/", views.tillganglighet, name="tillganglighet"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("health/", views.health, name="health"),
    path("forbund/", include("forbund.urls")),
    path("insatser/", include("insatser.urls")),
    path("deltagare/", include("deltagare.urls")),
    path("uppfoljning/", include("uppfoljning.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "finsam.views.handler404"
handler500 = "finsam.views.handler500"
