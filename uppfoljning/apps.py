from django.apps import AppConfig


class UppfoljningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "uppfoljning"
    verbose_name = "Uppföljning"
