from django.apps import AppConfig


class FinsamConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "finsam"
    verbose_name = "Finsam"
