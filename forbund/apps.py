from django.apps import AppConfig


class ForbundConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "forbund"
    verbose_name = "Förbund"
